"""Read API for administrative units (scoped like every list)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers

from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.core.scoping import path_q
from mtqg.core.search import search_q

from .models import UnitVersion
from .selectors import lineage_scope_paths


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
    of a 2025 unit included), matched on the model's `scope_path` — the lookup its scope already uses. An unknown
    code gives an empty list, never an error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Mã đơn vị hành chính (gồm các đơn vị trực thuộc)")
        super().__init__(**kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        paths = unit_code_paths(str(value))
        return qs.filter(path_q(qs.model.scope_path, paths)) if paths else qs.none()


class ScopedFilterSet(django_filters.FilterSet):
    """The FilterSet of a scoped model's read API: `?unit=<code>` is declared here once (list "unit" in
    Meta.fields to place it)."""

    unit = UnitCodeFilter()


# Serializer mixins saying where a row is. Comments, not docstrings: the schema would show a mixin's docstring as
# the description of every serializer built on it.
# A row of a model with a `unit`: the unit's code and name and its path (what the scope filters on).
class UnitFields(serializers.Serializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    path = serializers.CharField(source="unit.path", read_only=True)


# A row of a model with a `commune`: the commune's code and name and its path.
class CommuneFields(serializers.Serializer):
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    commune_name = serializers.CharField(source="commune.name", read_only=True)
    path = serializers.CharField(source="commune.path", read_only=True)


class UnitFilter(django_filters.FilterSet):
    """One FilterSet for the unit list (HTML and API)."""

    q = django_filters.CharFilter(method="filter_q", label="Tìm theo tên (có hoặc không dấu) hoặc mã")
    as_of = django_filters.DateFilter(method="filter_as_of", label="Còn hiệu lực ngày")
    parent = django_filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = UnitVersion
        fields = ["structure", "level", "kind", "code", "parent"]

    def filter_q(self, qs: QuerySet[UnitVersion], name: str, value: str) -> QuerySet[UnitVersion]:
        return qs.filter(search_q(value, folded=("search_name",), exact=("code",)))

    def filter_as_of(self, qs: Any, name: str, value: Any) -> Any:
        return qs.as_of(value)


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = UnitVersion
        fields = [
            "id",
            "code",
            "name",
            "level",
            "kind",
            "structure",
            "parent",
            "parent_code",
            "path",
            "valid_from",
            "valid_to",
            "legal_basis",
            "latitude",
            "longitude",
        ]


class UnitViewSet(ScopedReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    queryset = UnitVersion.objects.select_related("parent").order_by("path")
