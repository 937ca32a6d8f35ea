"""Reads for OCOP: the filtered product list, the public catalogue and the rows behind the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from mtqg.core.scoping import path_q
from mtqg.core.search import search_q
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import lineage_scope_paths

from .models import Product, Rating, SalesChannel


@dataclass
class ProductFilters:
    stars: int | None = None
    group: str = ""  # group or sub-group code
    commune: int | None = None  # UnitVersion pk
    channel: str = ""  # SalesChannel.Kind value
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> ProductFilters:
        def _int(name: str) -> int | None:
            try:
                return int(data.get(name, ""))
            except (TypeError, ValueError):
                return None

        channel = data.get("channel", "")
        return cls(
            stars=_int("stars"),
            group=str(data.get("group", ""))[:10],
            commune=_int("commune"),
            channel=channel if channel in SalesChannel.Kind.values else "",
            q=str(data.get("q", "")).strip()[:100],
        )


def _on_ecommerce() -> Exists:
    return Exists(
        SalesChannel.objects.filter(
            product=OuterRef("pk"), kind=SalesChannel.Kind.ECOMMERCE, status=SalesChannel.Status.ACTIVE
        )
    )


def within_unit(qs: QuerySet[Any], unit: UnitVersion, lookup: str = "commune__path") -> QuerySet[Any]:
    """Rows inside a unit, across its versions and lineage predecessors (pre-2025 communes of a 2025 province)."""
    return qs.filter(path_q(lookup, tuple(sorted(lineage_scope_paths(unit)))))


def product_list(user: Any, filters: ProductFilters) -> QuerySet[Product]:
    """Visible products with everything the list shows, in a fixed number of queries."""
    qs = (
        Product.objects.visible_to(user)
        .select_related("subject", "commune", "commune__parent", "group", "group__parent", "current_rating")
        .annotate(on_ecommerce=_on_ecommerce())
    )
    if filters.stars is not None:
        qs = qs.filter(current_rating__stars=filters.stars)
    if filters.group:
        qs = qs.filter(Q(group__code=filters.group) | Q(group__parent__code=filters.group))
    if filters.commune is not None:
        qs = qs.filter(commune_id=filters.commune)
    if filters.channel:
        qs = qs.filter(
            Exists(
                SalesChannel.objects.filter(product=OuterRef("pk"), kind=filters.channel).exclude(
                    status="stopped"
                )
            )
        )
    if filters.q:
        qs = qs.filter(search_q(filters.q, ("name", "subject__name")))
    return qs.order_by("-current_rating__stars", "name", "pk")


def catalogue(
    filters: ProductFilters, province: UnitVersion | None = None, *, on: date | None = None
) -> QuerySet[Product]:
    """Public catalogue: published products whose latest rating is certified (3★+) and whose certificate is
    still valid on `on` (today by default; no end date = valid), no login, no scope."""
    on = on or timezone.localdate()
    qs: QuerySet[Product] = (
        Product.objects.filter(is_published=True, current_rating__stars__gte=3)
        .filter(Q(current_rating__valid_to__isnull=True) | Q(current_rating__valid_to__gte=on))
        .select_related("subject", "commune", "commune__parent", "group", "group__parent", "current_rating")
        .only(
            "name",
            "photo",
            "group__code",
            "group__name",
            "group__parent__code",
            "group__parent__name",
            "commune__name",
            "commune__parent__name",
            "commune__path",
            "subject__name",
            "subject__kind",
            "current_rating__stars",
            "current_rating__decision_date",
            "current_rating__valid_to",
        )
    )
    if province is not None:
        qs = within_unit(qs, province)
    if filters.stars is not None:
        qs = qs.filter(current_rating__stars=filters.stars)
    if filters.group:
        qs = qs.filter(Q(group__code=filters.group) | Q(group__parent__code=filters.group))
    if filters.q:
        # Product name only: a household producer's name is personal and never searchable here (decision 0401).
        qs = qs.filter(search_q(filters.q, ("name",)))
    return qs.order_by("-current_rating__stars", "name", "pk")


def public_channels(product_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """Where to buy: active channels (kind, name, link) per product, one query."""
    result: dict[int, list[dict[str, str]]] = {}
    rows = (
        SalesChannel.objects.filter(product_id__in=product_ids, status=SalesChannel.Status.ACTIVE)
        .order_by("product_id", "kind", "name")
        .values("product_id", "kind", "name", "url")
    )
    labels = dict(SalesChannel.Kind.choices)
    for row in rows:
        result.setdefault(row["product_id"], []).append(
            {"kind": str(labels[row["kind"]]), "name": row["name"], "url": row["url"]}
        )
    return result


def rated_rows(qs: QuerySet[Product], on: date) -> list[dict[str, Any]]:
    """One row per product: its latest rating decided on or before `on` (star, validity), group, commune,
    e-commerce presence. Drives the summary and the home figures."""
    latest = Rating.objects.filter(product=OuterRef("pk"), decision_date__lte=on).order_by(
        "-decision_date", "-pk"
    )
    return [
        dict(row)
        for row in qs.annotate(
            star=Subquery(latest.values("stars")[:1]),
            cert_valid_to=Subquery(latest.values("valid_to")[:1]),
            on_ecommerce=_on_ecommerce(),
        ).values(
            "pk",
            "name",
            "subject__name",
            "group__code",
            "group__parent__code",
            "commune_id",
            "commune__code",
            "commune__name",
            "star",
            "cert_valid_to",
            "on_ecommerce",
        )
    ]
