"""Read API for administrative units (scoped like every list)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers

from mtqg.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.core.search import search_q

from .models import UnitVersion


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
