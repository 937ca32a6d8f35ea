"""Plain helpers that make ocop rows for tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from mtqg.geo.models import UnitVersion
from mtqg.ocop.models import Product, ProductGroup, Rating, SalesChannel, Subject
from mtqg.ocop.rules import load_rules
from mtqg.ocop.services import channel_add, product_create, rating_record, subject_create
from mtqg.testing import World


def commune_in(province: UnitVersion) -> UnitVersion:
    return UnitVersion.objects.filter(
        path__startswith=province.path, level=UnitVersion.Level.COMMUNE
    ).order_by("code")[0]


def make_product(
    commune: UnitVersion,
    *,
    name: str = "Chè Shan tuyết",
    kind: str = Subject.Kind.COOPERATIVE,
    subject_name: str = "HTX Chè",
    group: str = "1.5",
    total: int | None = 60,
    decision_date: date = date(2024, 6, 1),
    ecommerce: bool = False,
    text: str = "",
    **extra: Any,
) -> Product:
    if not ProductGroup.objects.exists():
        load_rules()
    subject = Subject.objects.filter(name=subject_name, commune=commune).first() or subject_create(
        actor=None, name=subject_name, kind=kind, commune=commune, contact_name=text or "Lò Văn A"
    )
    product = product_create(
        actor=None,
        subject=subject,
        name=name,
        group=ProductGroup.objects.get(code=group),
        description=text,
        **extra,
    )
    if total is not None:
        rate(product, total, decision_date=decision_date, note=text)
    if ecommerce:
        channel_add(
            actor=None,
            product=product,
            kind=SalesChannel.Kind.ECOMMERCE,
            name="Postmart",
            url="https://postmart.vn/p/1",
            promotion_program=text or "Hỗ trợ quảng bá",
        )
    product.refresh_from_db()
    return product


def split(total: int) -> dict[str, int]:
    """Scores A/B/C (QĐ 148 maxima 40/25/35) summing to total."""
    a = min(40, total)
    b = min(25, total - a)
    return {"A": a, "B": b, "C": total - a - b}


def rate(
    product: Product, total: int, *, decision_date: date = date(2024, 6, 1), note: str = "", **extra: Any
) -> Rating:
    level = Rating.CouncilLevel.MINISTRY if total >= 90 else Rating.CouncilLevel.PROVINCE
    return rating_record(
        actor=None,
        product=product,
        round_year=decision_date.year,
        scores=split(total),
        council_level=level,
        decision_date=decision_date,
        decision_number="1/QĐ-UBND",
        note=note,
        **extra,
    )


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of ocop and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""
    product = make_product(world.muong_phang, name="Cà phê Mường Phăng", ecommerce=True, text="GUARD-ĐB")
    make_product(
        commune_in(world.cao_bang), name="Hạt dẻ Trùng Khánh", subject_name="HTX Hạt dẻ", ecommerce=True
    )
    channel = product.channels.get()
    return [
        reverse("ocop:product", args=[product.pk]),
        f"/api/v1/ocop/products/{product.pk}/",
        f"/api/v1/ocop/subjects/{product.subject_id}/",
        f"/api/v1/ocop/ratings/{product.current_rating_id}/",
        f"/api/v1/ocop/sales-channels/{channel.pk}/",
    ]
