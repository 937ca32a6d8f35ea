"""OCOP benchmark at national scale: ~7,000 subjects and ~15,000 products on the pre-2025 communes of the whole
country (generated synthetically here: ratings over 2021-2025 with re-ratings, e-commerce/own-shop/supermarket
channels), then the province summary (`ocop-summary` for Điện Biên 2025, counting its pre-2025 communes through
lineage; target < 200 ms), the national summary, and the public catalogue page rendered (first page and a filtered
page; target < 200 ms).

`run(scale)` returns result dicts (benchmarks.run format); scale "tiny"/"small" uses a tenth of the rows. Needs a
migrated database with the units loaded. Cleans up after itself (subjects with tax code BENCH-OCOP-…).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

MARK = "BENCH-OCOP-"
AS_OF = "2025-12-31"


def _split(total: int, parts: dict[str, int]) -> dict[str, int]:
    a = min(parts["A"], round(total * parts["A"] / 100))
    b = min(parts["B"], round(total * parts["B"] / 100))
    return {"A": a, "B": b, "C": total - a - b}


def _build(subjects_n: int, products_n: int) -> None:
    from django.db import transaction

    from mtqg.geo.models import UnitVersion
    from mtqg.ocop.models import Product, ProductGroup, Rating, RuleSet, SalesChannel, Subject
    from mtqg.ocop.rules import add_months, load_rules, stars_for

    if not RuleSet.objects.exists():
        load_rules()
    rng = random.Random(15)
    communes = list(UnitVersion.objects.filter(structure="pre2025", level=3).only("pk", "path"))
    groups = list(ProductGroup.objects.filter(parent__isnull=False))
    rulesets = list(RuleSet.objects.prefetch_related("parts", "bands").order_by("valid_from"))
    kinds = [k.value for k in Subject.Kind]
    with transaction.atomic():
        Subject.objects.bulk_create(
            [
                Subject(
                    name=f"Chủ thể {i}",
                    kind=rng.choice(kinds),
                    commune=rng.choice(communes),
                    tax_code=f"{MARK}{i:06d}",
                )
                for i in range(subjects_n)
            ],
            batch_size=2000,
        )
        subjects = list(Subject.objects.filter(tax_code__startswith=MARK).select_related("commune"))
        Product.objects.bulk_create(
            [
                Product(
                    subject=s,
                    commune=s.commune,
                    name=f"Sản phẩm {i}",
                    group=rng.choice(groups),
                    is_published=rng.random() < 0.9,
                )
                for i in range(products_n)
                for s in [subjects[i % len(subjects)]]
            ],
            batch_size=2000,
        )
        products = list(Product.objects.filter(subject__tax_code__startswith=MARK).only("pk"))
        ratings: list[Rating] = []
        channels: list[SalesChannel] = []
        for p in products:
            first = date(rng.randint(2021, 2025), rng.choice([6, 11]), rng.randint(1, 28))
            rounds = [first]
            if first.year <= 2022 and rng.random() < 0.6:
                later = add_months(first, 36)
                rounds.append(later if later <= date(2025, 12, 31) else date(2025, 11, 15))
            for when in rounds:
                ruleset = [r for r in rulesets if r.valid_from <= when][-1]
                parts = {x.code: x.max_points for x in ruleset.parts.all()}
                total = rng.choice(
                    [rng.randint(30, 49), rng.randint(50, 69), rng.randint(50, 69), rng.randint(70, 89)]
                )
                stars = stars_for(ruleset, total)
                s = _split(total, parts)
                ratings.append(
                    Rating(
                        product=p,
                        ruleset=ruleset,
                        round_year=when.year,
                        score_a=s["A"],
                        score_b=s["B"],
                        score_c=s["C"],
                        total=total,
                        stars=stars,
                        council_level=Rating.CouncilLevel.PROVINCE,
                        decision_number="BENCH",
                        decision_date=when,
                        valid_to=add_months(when, ruleset.certificate_months) if stars >= 3 else None,
                    )
                )
            if rng.random() < 1 / 3:
                channels.append(
                    SalesChannel(
                        product=p,
                        kind=SalesChannel.Kind.ECOMMERCE,
                        name="Postmart",
                        url=f"https://postmart.vn/bench-{p.pk}",
                        status=rng.choice(
                            [SalesChannel.Status.ACTIVE, SalesChannel.Status.ACTIVE, "pending"]
                        ),
                    )
                )
            channels.append(SalesChannel(product=p, kind=SalesChannel.Kind.OWN_SHOP, name="Cửa hàng"))
        Rating.objects.bulk_create(ratings, batch_size=5000)
        SalesChannel.objects.bulk_create(channels, batch_size=5000)
        latest: dict[int, int] = {}
        for pid, rid in (
            Rating.objects.filter(decision_number="BENCH")
            .order_by("product_id", "decision_date", "pk")
            .values_list("product_id", "pk")
        ):
            latest[pid] = rid
        for p in products:
            p.current_rating_id = latest.get(p.pk)
        Product.objects.bulk_update(products, ["current_rating"], batch_size=2000)


def _cleanup() -> None:
    from django.db import transaction

    from mtqg.ocop.models import Product, Rating, SalesChannel, Subject

    with transaction.atomic():
        products = Product.objects.filter(subject__tax_code__startswith=MARK)
        SalesChannel.objects.filter(product__in=products).delete()
        products.update(current_rating=None)
        Rating.objects.filter(product__in=products).delete()
        products.delete()
        Subject.objects.filter(tax_code__startswith=MARK).delete()


def _catalogue(query: dict[str, str]) -> int:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import RequestFactory

    from mtqg.ocop.views import catalogue

    request = RequestFactory().get("/ocop/catalogue/", query)
    request.user = AnonymousUser()
    request.session = SessionBase()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    response = catalogue(request)
    assert response.status_code == 200
    return len(response.content)


def run(scale: str = "full") -> list[dict[str, Any]]:
    from benchmarks.common import result, timed
    from mtqg.ocop.models import Product
    from mtqg.ocop.reports import ocop_summary
    from mtqg.reports.params import parse_params

    small = scale in {"tiny", "small"}
    subjects_n, products_n = (700, 1_500) if small else (7_000, 15_000)
    _cleanup()
    _build(subjects_n, products_n)
    try:
        total = Product.objects.count()
        province = parse_params({"unit": "11", "as_of": AS_OF})
        country = parse_params({"unit": "VN", "as_of": AS_OF})
        data = ocop_summary(None, province)
        assert data["products"]["registered"] > 0
        t_province = timed(lambda: ocop_summary(None, province), repeat=5)
        t_country = timed(lambda: ocop_summary(None, country), repeat=3)
        t_catalogue = timed(lambda: _catalogue({}), repeat=5)
        t_filtered = timed(lambda: _catalogue({"stars": "4", "group": "1", "page": "2"}), repeat=5)
    finally:
        _cleanup()
    return [
        result(f"ocop.summary_province_{total}_products", t_province, "s", target=0.2),
        result("ocop.summary_national", t_country, "s", target=2.0),
        result("ocop.catalogue_page", t_catalogue, "s", target=0.2),
        result("ocop.catalogue_page_filtered", t_filtered, "s", target=0.2),
    ]


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    print(run(sys.argv[1] if len(sys.argv) > 1 else "full"))
