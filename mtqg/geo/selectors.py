"""Read-side lookups over administrative units: by code as of a date, children, lineage, search."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from mtqg.core.exceptions import NotFound
from mtqg.core.search import search_q
from mtqg.core.text import fold

from .models import UnitClassification, UnitLineage, UnitVersion

REFORM_DATE = date(2025, 7, 1)


class UnitNotFound(NotFound):
    """Unknown unit code (or not valid on the date asked)."""


def unit_by_code(code: str, on: date, *, level: int | None = None) -> UnitVersion:
    """The unit version with this official code valid on a date. Raises UnitNotFound with a Vietnamese message."""
    qs = UnitVersion.objects.as_of(on).filter(code=code.strip())
    if level is not None:
        qs = qs.filter(level=level)
    found = list(qs.order_by("level")[:2])
    if not found:
        raise UnitNotFound(
            _("Không có đơn vị hành chính mã %(code)s còn hiệu lực ngày %(date)s.")
            % {"code": code, "date": on.strftime("%d/%m/%Y")}
        )
    return found[0]


def children(unit: UnitVersion, on: date | None = None) -> list[UnitVersion]:
    qs = UnitVersion.objects.filter(parent=unit)
    if on is not None:
        qs = qs.as_of(on)
    return list(qs.order_by("kind", "name"))


def descendants(unit: UnitVersion, on: date | None = None, *, level: int | None = None) -> Any:
    qs = UnitVersion.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk)
    if on is not None:
        qs = qs.as_of(on)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def successors(unit: UnitVersion) -> list[UnitVersion]:
    edges = UnitLineage.objects.filter(predecessor=unit).select_related("successor")
    return [e.successor for e in edges.order_by("-is_primary", "successor__name")]


def predecessors(unit: UnitVersion) -> list[UnitVersion]:
    edges = UnitLineage.objects.filter(successor=unit).select_related("predecessor__parent")
    return [e.predecessor for e in edges.order_by("predecessor__name")]


def predecessor_closure(unit_ids: set[int]) -> set[int]:
    """All versions reachable backwards through lineage from the given ones (including them)."""
    seen = set(unit_ids)
    frontier = set(unit_ids)
    while frontier:
        nxt = set(
            UnitLineage.objects.filter(successor_id__in=frontier).values_list("predecessor_id", flat=True)
        )
        frontier = nxt - seen
        seen |= frontier
    return seen


def lineage_scope_paths(unit: UnitVersion) -> set[str]:
    """Paths a scope on `unit` covers: every version of its identity, plus their lineage predecessors."""
    version_ids = set(UnitVersion.objects.filter(unit_id=unit.unit_id).values_list("pk", flat=True))
    ids = predecessor_closure(version_ids)
    return set(UnitVersion.objects.filter(pk__in=ids).values_list("path", flat=True))


def current_version(unit: UnitVersion, on: date) -> UnitVersion | None:
    """The version of the same identity valid on a date, or None."""
    return UnitVersion.objects.as_of(on).filter(unit_id=unit.unit_id).first()


def search_units(
    query: str, *, on: date | None = None, user: Any = None, limit: int = 20
) -> list[UnitVersion]:
    """Name search with or without diacritics ('Muong Phang' finds 'Mường Phăng'), or by exact code."""
    key = fold(query)
    if not key:
        return []
    qs: Any = UnitVersion.objects.all() if user is None else UnitVersion.objects.visible_to(user)
    if on is not None:
        qs = qs.as_of(on)
    qs = qs.filter(search_q(query, folded=("search_name",), exact=("code",)))
    return list(qs.select_related("parent").order_by("level", "search_name")[:limit])


def classification(unit: UnitVersion, scheme_code: str, on: date) -> str | None:
    """The unit's value in a classification scheme on a date (None if unclassified)."""
    entry = (
        UnitClassification.objects.as_of(on)
        .filter(unit=unit, scheme__code=scheme_code)
        .order_by("-valid_from")
        .first()
    )
    return entry.value if entry else None


def classified_units(scheme_code: str, value: str, on: date, *, within: UnitVersion | None = None) -> Any:
    """Units holding a classification value on a date, optionally inside a unit."""
    qs = UnitVersion.objects.filter(
        pk__in=UnitClassification.objects.as_of(on)
        .filter(scheme__code=scheme_code, value=value)
        .values("unit_id")
    )
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs
