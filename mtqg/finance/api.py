"""Finance API: recording a payment and scoped read viewsets (programs, indicators, plans, allocations,
disbursements, works and their progress, targets and values). Its reports are at /api/v1/reports/<slug>/."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.core.api.filters import TextSearchFilter, YearFilter
from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.geo.api import ScopedFilterSet, UnitFields

from .models import (
    Allocation,
    CapitalPlan,
    Disbursement,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Program,
    Source,
    Work,
    WorkProgress,
)
from .selectors import WORK_SEARCH
from .services import disbursement_record, resolve_allocation


class DisbursementInput(serializers.Serializer):
    work_code = serializers.CharField(max_length=40)
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    carry_over = serializers.BooleanField(default=False)
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=0)
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class WorkSerializer(serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code", read_only=True)
    commune_code = serializers.CharField(source="commune.code", read_only=True)

    class Meta:
        model = Work
        fields = [
            "id",
            "version",
            "code",
            "name",
            "kind",
            "program_code",
            "commune_code",
            "investor_level",
            "year",
            "total_investment",
            "status",
            "planned_start",
            "planned_end",
            "actual_end",
            "description",
        ]


class WorkFilter(ScopedFilterSet):
    program = django_filters.CharFilter(field_name="program__code", label="Mã chương trình/dự án")
    q = TextSearchFilter(
        WORK_SEARCH, exact=("code",), label="Tìm công trình theo tên, xã (có hoặc không dấu) hoặc mã"
    )

    class Meta:
        model = Work
        fields = ["unit", "year", "status", "kind", "program", "investor_level"]


class WorkViewSet(ScopedReadOnlyModelViewSet):
    serializer_class = WorkSerializer
    filterset_class = WorkFilter
    queryset = Work.objects.select_related("program", "commune").order_by("code")


# --- Read API: scoped viewsets registered in mtqg/api/router.py ------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "parent_code",
            "owner_body",
            "valid_from",
            "valid_to",
            "legal_basis",
            "unconfirmed",
        ]


class ProgramFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label="Mã chương trình cấp trên")
    root = django_filters.CharFilter(method="filter_root", label="Mã chương trình gốc (cả cây)")

    class Meta:
        model = Program
        fields = ["kind", "parent", "root"]

    def filter_root(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(Q(code=value) | Q(code__startswith=f"{value}."))


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Programs, components, projects and sub-projects (reference data, the same for every signed-in user)."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    queryset = Program.objects.select_related("parent").order_by("sort_order", "code")


class FinanceIndicatorSerializer(serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "unit_label",
            "aggregation",
            "origin",
            "work_kind",
            "program_code",
            "disaggregations",
            "legal_basis",
            "unconfirmed",
        ]


class IndicatorFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program__code", label="Mã chương trình/dự án")

    class Meta:
        model = Indicator
        fields = ["program", "origin", "aggregation"]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicator definitions (reference data): how actual values are obtained and aggregated."""

    serializer_class = FinanceIndicatorSerializer
    filterset_class = IndicatorFilter
    queryset = Indicator.objects.select_related("program").order_by("sort_order", "code")


class CapitalPlanSerializer(UnitFields, serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code", read_only=True)

    class Meta:
        model = CapitalPlan
        fields = [
            "id",
            "unit",
            "unit_code",
            "unit_name",
            "path",
            "program_code",
            "year",
            "source",
            "vintage",
            "from_year",
            "amount",
            "decision_ref",
            "decided_on",
            "legal_basis",
            "note",
        ]


class CapitalPlanFilter(ScopedFilterSet):
    program = django_filters.CharFilter(field_name="program__code", label="Mã chương trình/dự án")

    class Meta:
        model = CapitalPlan
        fields = ["unit", "year", "source", "vintage", "program"]


class CapitalPlanViewSet(ScopedReadOnlyModelViewSet):
    """Capital plan lines (initial, adjusted, carried over, extended) of the visible units; amounts in VND."""

    serializer_class = CapitalPlanSerializer
    filterset_class = CapitalPlanFilter
    queryset = CapitalPlan.objects.select_related("unit", "program").order_by(
        "unit__path", "year", "program__code", "pk"
    )


class AllocationSerializer(UnitFields, serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code", read_only=True)
    work_code = serializers.CharField(source="work.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "unit",
            "unit_code",
            "unit_name",
            "path",
            "work",
            "work_code",
            "program_code",
            "year",
            "source",
            "carry_over",
            "investor_level",
            "amount",
            "decision_ref",
        ]


class AllocationFilter(ScopedFilterSet):
    program = django_filters.CharFilter(field_name="program__code", label="Mã chương trình/dự án")
    work = django_filters.CharFilter(field_name="work__code", label="Mã công trình")

    class Meta:
        model = Allocation
        fields = ["unit", "year", "source", "carry_over", "program", "work"]


class AllocationViewSet(ScopedReadOnlyModelViewSet):
    """Capital allocated to works and communes by plan year and source; amounts in VND."""

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    queryset = Allocation.objects.select_related("unit", "program", "work").order_by(
        "unit__path", "year", "pk"
    )


class DisbursementSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="allocation.unit.code", read_only=True)
    path = serializers.CharField(source="allocation.unit.path", read_only=True)
    work_code = serializers.CharField(
        source="allocation.work.code", read_only=True, default=None, allow_null=True
    )
    year = serializers.IntegerField(source="allocation.year", read_only=True)
    source = serializers.CharField(source="allocation.source", read_only=True)  # type: ignore[assignment]
    carry_over = serializers.BooleanField(source="allocation.carry_over", read_only=True)

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "allocation",
            "unit_code",
            "path",
            "work_code",
            "year",
            "source",
            "carry_over",
            "paid_on",
            "amount",
            "reference",
        ]


class DisbursementFilter(ScopedFilterSet):
    year = django_filters.NumberFilter(field_name="allocation__year", label="Năm kế hoạch")
    source = django_filters.ChoiceFilter(
        field_name="allocation__source", choices=Source.choices, label="Nguồn vốn"
    )
    work = django_filters.CharFilter(field_name="allocation__work__code", label="Mã công trình")
    paid_from = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte", label="Giải ngân từ ngày")
    paid_to = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte", label="Giải ngân đến ngày")

    class Meta:
        model = Disbursement
        fields = ["unit", "year", "source", "work", "allocation", "paid_from", "paid_to"]


class DisbursementViewSet(ScopedReadOnlyModelViewSet):
    """Payments of the visible units (GET) and recording one payment (POST, through the same service as the UI)."""

    serializer_class = DisbursementSerializer
    filterset_class = DisbursementFilter
    queryset = Disbursement.objects.select_related("allocation__unit", "allocation__work").order_by(
        "paid_on", "pk"
    )

    @extend_schema(request=DisbursementInput, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        """Record one payment: same checks, row lock and audit as every other entry path; errors in the API format."""
        data = DisbursementInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        allocation = resolve_allocation(
            user=request.user,
            work_code=v["work_code"],
            year=v["year"],
            source=v["source"],
            carry_over=v["carry_over"],
        )
        row = disbursement_record(
            actor=request.user,
            allocation=allocation,
            paid_on=v["paid_on"],
            amount=v["amount"],
            reference=v["reference"],
        )
        return Response(
            {"id": row.pk, "amount": int(row.amount), "paid_on": row.paid_on.isoformat()},
            status=status.HTTP_201_CREATED,
        )


class WorkProgressSerializer(serializers.ModelSerializer):
    work_code = serializers.CharField(source="work.code", read_only=True)
    commune_code = serializers.CharField(source="work.commune.code", read_only=True)
    path = serializers.CharField(source="work.commune.path", read_only=True)

    class Meta:
        model = WorkProgress
        fields = ["id", "work", "work_code", "commune_code", "path", "reported_on", "percent", "note"]


class WorkProgressFilter(ScopedFilterSet):
    work = django_filters.CharFilter(field_name="work__code", label="Mã công trình")
    year = YearFilter("reported_on__year", label="Năm báo cáo")

    class Meta:
        model = WorkProgress
        fields = ["unit", "work", "year"]


class WorkProgressViewSet(ScopedReadOnlyModelViewSet):
    """Progress reports (percent done on a date) of the visible works, newest first."""

    serializer_class = WorkProgressSerializer
    filterset_class = WorkProgressFilter
    queryset = WorkProgress.objects.select_related("work__commune").order_by("-reported_on", "-pk")


class _IndicatorRowFields(UnitFields):
    """A figure of an indicator for a unit and year: a target (with its baseline) or an entered value."""

    indicator_code = serializers.CharField(source="indicator.code", read_only=True)


INDICATOR_ROW_FIELDS = ["id", "indicator_code", "unit", "unit_code", "unit_name", "path", "year"]
INDICATOR_ROW_ORDER = ("indicator__code", "unit__path", "year", "pk")


class IndicatorValueFilter(ScopedFilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Mã chỉ tiêu")

    class Meta:
        model = IndicatorValue
        fields = ["unit", "year", "indicator"]


class IndicatorTargetSerializer(_IndicatorRowFields, serializers.ModelSerializer):
    class Meta:
        model = IndicatorTarget
        fields = [*INDICATOR_ROW_FIELDS, "phase", "baseline", "target", "source_ref"]


class IndicatorTargetFilter(IndicatorValueFilter):
    class Meta:
        model = IndicatorTarget
        fields = [*IndicatorValueFilter.Meta.fields, "phase"]


class IndicatorTargetViewSet(ScopedReadOnlyModelViewSet):
    """Baselines and targets of indicators for the visible units."""

    serializer_class = IndicatorTargetSerializer
    filterset_class = IndicatorTargetFilter
    queryset = IndicatorTarget.objects.select_related("unit", "indicator").order_by(*INDICATOR_ROW_ORDER)


class FinanceIndicatorValueSerializer(_IndicatorRowFields, serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = [*INDICATOR_ROW_FIELDS, "value", "disaggregation", "note"]


class FinanceIndicatorValueViewSet(ScopedReadOnlyModelViewSet):
    """Entered actual values of indicators for the visible units."""

    serializer_class = FinanceIndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    queryset = IndicatorValue.objects.select_related("unit", "indicator").order_by(*INDICATOR_ROW_ORDER)
