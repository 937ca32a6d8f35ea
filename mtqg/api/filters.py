"""Filters shared by the read viewsets: a unit given by its administrative code, across versions and lineage."""

from __future__ import annotations

from typing import Any

import django_filters

from mtqg.accounts.scoping import path_q
from mtqg.core.search import search_q
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import lineage_scope_paths


def unit_code_paths(code: str) -> tuple[str, ...]:
    """Minimal path prefixes of every unit version with this code and their lineage predecessors (no match → ())."""
    paths: set[str] = set()
    for unit in UnitVersion.objects.filter(code=code.strip()):
        paths |= lineage_scope_paths(unit)
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


class UnitCodeFilter(django_filters.CharFilter):
    """`?unit=<code>`: rows whose unit lies inside the unit with that code (any version; pre-2025 predecessors
    of a 2025 unit included). An unknown code gives an empty list, never an error."""

    def __init__(self, path_lookup: str, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Mã đơn vị hành chính (gồm các đơn vị trực thuộc)")
        super().__init__(**kwargs)
        self.path_lookup = path_lookup

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        paths = unit_code_paths(str(value))
        return qs.filter(path_q(self.path_lookup, paths)) if paths else qs.none()


class TextSearchFilter(django_filters.CharFilter):
    """`?q=…`: the one free-text search (mtqg.core.search.search_q) — with or without diacritics, any case."""

    def __init__(
        self,
        fields: tuple[str, ...] = (),
        *,
        folded: tuple[str, ...] = (),
        exact: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label", "Tìm (có hoặc không dấu)")
        super().__init__(**kwargs)
        self.search_fields, self.folded, self.exact = fields, folded, exact

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        return qs.filter(search_q(str(value), self.search_fields, folded=self.folded, exact=self.exact))
