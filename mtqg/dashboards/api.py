"""Dashboards API: summary facts (scoped, filtered, paginated), the measure dictionary, a unit's dashboard."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.core.api.errors import bad_request
from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.core.scoping import get_visible_or_404
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, unit_by_code

from . import panels
from .forms import FilterForm
from .measures import definitions
from .models import SummaryFact
from .reports import jsonable
from .selectors import CURRENT, REPORTED, default_year


class SummaryFactFilter(django_filters.FilterSet):
    measure = django_filters.CharFilter()
    year = django_filters.NumberFilter()
    period = django_filters.CharFilter()
    key = django_filters.CharFilter()
    unit = django_filters.CharFilter(field_name="unit__code", label="Mã đơn vị")
    structure = django_filters.CharFilter(field_name="unit__structure")

    class Meta:
        model = SummaryFact
        fields = ["measure", "year", "period", "key", "unit", "structure"]


class SummaryFactSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    structure = serializers.CharField(source="unit.structure", read_only=True)

    class Meta:
        model = SummaryFact
        fields = [
            "id",
            "measure",
            "unit",
            "unit_code",
            "unit_name",
            "structure",
            "year",
            "period",
            "key",
            "numerator",
            "denominator",
            "computed_at",
        ]


class SummaryFactViewSet(ScopedReadOnlyModelViewSet):
    """Precomputed totals (one row per measure, unit version, year, period, disaggregation)."""

    serializer_class = SummaryFactSerializer
    filterset_class = SummaryFactFilter
    queryset = SummaryFact.objects.select_related("unit").order_by("pk")


class Measures(GenericAPIView):
    """The measure dictionary (data file with sources and legal basis)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(definitions())


class Dashboard(GenericAPIView):
    """?unit_id=PK (or ?unit=CODE, as of today) &year=&program=&mode=reported|current — a unit's dashboard."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("unit_id", int, description="Mã số nội bộ phiên bản đơn vị"),
            OpenApiParameter("unit", str, description="Mã đơn vị hành chính (còn hiệu lực hôm nay)"),
            OpenApiParameter("year", int, description="Năm"),
            OpenApiParameter("program", str, description="ntm | poverty | em | hn2026"),
            OpenApiParameter("mode", str, description="reported | current"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params
        form = FilterForm({k: raw.get(k, "") for k in ("year", "program", "mode")})
        if not form.is_valid():
            return bad_request({k: [str(m) for m in v] for k, v in form.errors.items()})
        unit = _unit(request, raw.get("unit_id", ""), raw.get("unit", ""))
        data = form.cleaned_data
        mode = data.get("mode") or REPORTED
        if mode == CURRENT and unit.structure == UnitVersion.Structure.PRE2025:
            mode = REPORTED
        f = panels.Filters(
            unit=unit,
            year=data.get("year") or default_year(request.user, unit),
            program=data.get("program") or "",
            mode=mode,
            defaulted=not data.get("year"),
        )
        return Response(jsonable(panels.dashboard(request.user, f), panels.children(request.user, f)))


def _unit(request: Request, unit_id: str, code: str) -> UnitVersion:
    if unit_id:
        if not unit_id.isdigit():
            raise ValidationError({"unit_id": _("Mã số đơn vị không hợp lệ.")})
        return get_visible_or_404(UnitVersion.objects.all(), request.user, pk=int(unit_id))
    if not code:
        raise ValidationError({"unit": _("Thiếu mã đơn vị (unit hoặc unit_id).")})
    try:
        unit = unit_by_code(code, timezone.localdate())
    except UnitNotFound as exc:
        raise Http404(str(exc)) from exc
    return get_visible_or_404(UnitVersion.objects.all(), request.user, pk=unit.pk)
