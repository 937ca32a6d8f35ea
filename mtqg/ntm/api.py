"""NTM API: scoped read viewsets. The summary reports are at /api/v1/reports/<slug>/ (reports/api.py)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.geo.api import CommuneFields, ScopedFilterSet, UnitFields

from .models import (
    Assessment,
    CriteriaSet,
    Criterion,
    CriterionResult,
    DigitalInfrastructure,
    Indicator,
    IndicatorValue,
    Recognition,
    Scheme,
)
from .services import DIGITAL_FIELDS

# --- Read API: scoped viewsets registered in mtqg/api/router.py ------------------------------------------------


class NtmIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "value_type", "unit_label", "if_applicable", "order", "unconfirmed"]


class CriterionSerializer(serializers.ModelSerializer):
    criteria_set = serializers.CharField(source="criteria_set.code", read_only=True)
    indicators = NtmIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "criteria_set", "number", "name", "group", "unconfirmed", "indicators"]


class CriteriaSetSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(
        source="province.code", read_only=True, default=None, allow_null=True
    )
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None, allow_null=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaSet
        fields = [
            "id",
            "code",
            "version",
            "name",
            "tier",
            "legal_basis",
            "valid_from",
            "valid_to",
            "dimension_scheme",
            "province_code",
            "parent_code",
            "basic_tier_rule",
            "notes",
            "unconfirmed",
            "criteria",
        ]


class CriteriaSetFilter(django_filters.FilterSet):
    class Meta:
        model = CriteriaSet
        fields = ["code", "tier", "unconfirmed"]


class CriteriaSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Commune criteria sets (reference data, the same for every signed-in user) with criteria and indicators."""

    serializer_class = CriteriaSetSerializer
    filterset_class = CriteriaSetFilter
    # a province's draft or submitted version is not reference data yet (decision record 0120)
    queryset = (
        CriteriaSet.objects.filter(state=CriteriaSet.State.ACKNOWLEDGED)
        .select_related("province", "parent")
        .prefetch_related(
            Prefetch(
                "criteria",
                Criterion.objects.select_related("criteria_set")
                .prefetch_related("indicators")
                .order_by("number"),
            )
        )
        .order_by("valid_from", "code", "pk")
    )


class CriterionFilter(django_filters.FilterSet):
    criteria_set = django_filters.CharFilter(field_name="criteria_set__code", label="Mã bộ tiêu chí")

    class Meta:
        model = Criterion
        fields = ["criteria_set", "number"]


class CriterionViewSet(viewsets.ReadOnlyModelViewSet):
    """Criteria of every set (reference data) with their indicators; `?criteria_set=qd1980`."""

    serializer_class = CriterionSerializer
    filterset_class = CriterionFilter
    queryset = (
        Criterion.objects.filter(criteria_set__state=CriteriaSet.State.ACKNOWLEDGED)
        .select_related("criteria_set")
        .prefetch_related("indicators")
        .order_by("criteria_set__valid_from", "criteria_set__code", "number")
    )


class CriterionResultSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="criterion.number", read_only=True)
    name = serializers.CharField(source="criterion.name", read_only=True)
    # plain strings (dat, co_ban_dat, chua_dat, khong_ap_dung, chua_xac_dinh): one enum name per choice set
    computed_status = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CriterionResult
        fields = ["number", "name", "computed_status", "status", "status_label", "overridden", "provisional"]


class AssessmentSerializer(CommuneFields, serializers.ModelSerializer):
    criteria_set = serializers.CharField(source="criteria_set.code", read_only=True)
    criteria_set_scope = serializers.ChoiceField(
        choices=["provincial", "national"],
        read_only=True,
        help_text="provincial = bộ tiêu chí của tỉnh đang áp dụng; national = bộ tiêu chí quốc gia",
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "commune",
            "commune_code",
            "commune_name",
            "path",
            "year",
            "criteria_set",
            "criteria_set_scope",
            "assessed_on",
            "region",
            "criteria_met",
            "criteria_basic",
            "criteria_unknown",
            "criteria_total",
            "provisional",
            "note",
            "computed_at",
        ]


class AssessmentDetailSerializer(AssessmentSerializer):
    results = CriterionResultSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "results"]


class AssessmentFilter(ScopedFilterSet):
    criteria_set = django_filters.CharFilter(field_name="criteria_set__code", label="Mã bộ tiêu chí")
    min_met = django_filters.NumberFilter(
        field_name="criteria_met", lookup_expr="gte", label="Số tiêu chí đạt từ"
    )

    class Meta:
        model = Assessment
        fields = ["unit", "year", "criteria_set", "commune", "min_met"]


class AssessmentViewSet(ScopedReadOnlyModelViewSet):
    """Commune assessments visible to the user; the detail adds the status of each criterion."""

    filterset_class = AssessmentFilter
    queryset = Assessment.objects.select_related("commune", "criteria_set").order_by(
        "commune__path", "-year", "pk"
    )

    def get_serializer_class(self) -> Any:
        return AssessmentDetailSerializer if self.action == "retrieve" else AssessmentSerializer

    def refine_queryset(self, queryset: Any) -> Any:
        if self.action == "retrieve":
            results = CriterionResult.objects.select_related("criterion").order_by("criterion__number")
            queryset = queryset.prefetch_related(Prefetch("results", queryset=results))
        return queryset


class NtmIndicatorValueSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="assessment.commune.code", read_only=True)
    path = serializers.CharField(source="assessment.commune.path", read_only=True)
    year = serializers.IntegerField(source="assessment.year", read_only=True)
    criterion = serializers.IntegerField(source="indicator.criterion.number", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "assessment",
            "commune_code",
            "path",
            "year",
            "criterion",
            "indicator_code",
            "value",
            "not_applicable",
            "source",
            "measured_on",
            "evidence_url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_url(self, obj: IndicatorValue) -> str | None:
        """The scoped download page of the evidence file (never the storage path)."""
        return reverse("ntm:evidence", args=[obj.pk]) if obj.evidence else None


class IndicatorValueFilter(ScopedFilterSet):
    year = django_filters.NumberFilter(field_name="assessment__year", label="Năm")
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Mã chỉ tiêu")

    class Meta:
        model = IndicatorValue
        fields = ["unit", "year", "assessment", "indicator"]


class IndicatorValueViewSet(ScopedReadOnlyModelViewSet):
    """Indicator values entered for the visible assessments; `?assessment=<id>` gives one scorecard's values."""

    serializer_class = NtmIndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    queryset = IndicatorValue.objects.select_related("assessment__commune", "indicator__criterion").order_by(
        "assessment_id", "indicator__criterion__number", "indicator__order", "pk"
    )


class RecognitionSerializer(CommuneFields, serializers.ModelSerializer):
    criteria_set = serializers.CharField(
        source="criteria_set.code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Recognition
        fields = [
            "id",
            "commune",
            "commune_code",
            "commune_name",
            "path",
            "tier",
            "decision_no",
            "decision_date",
            "authority",
            "standard_year",
            "criteria_set",
            "council_vote",
            "satisfaction_pct",
            "no_construction_debt",
            "revoked_on",
            "revocation_decision",
            "note",
        ]


class RecognitionFilter(ScopedFilterSet):
    year = django_filters.NumberFilter(field_name="standard_year", label="Đạt chuẩn năm")
    revoked = django_filters.BooleanFilter(field_name="revoked_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Recognition
        fields = ["unit", "tier", "year", "revoked"]


class RecognitionViewSet(ScopedReadOnlyModelViewSet):
    """The recognition register (decisions and revocations) of the visible communes, newest first."""

    serializer_class = RecognitionSerializer
    filterset_class = RecognitionFilter
    queryset = Recognition.objects.select_related("commune", "criteria_set").order_by(
        "-decision_date", "commune__name", "pk"
    )


class SchemeSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province.code", read_only=True)
    province_name = serializers.CharField(source="province.name", read_only=True)
    path = serializers.CharField(source="province.path", read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "code",
            "name",
            "province_code",
            "province_name",
            "path",
            "classification_scheme",
            "classification_value",
            "target",
            "legal_basis",
            "unconfirmed",
        ]


class SchemeFilter(ScopedFilterSet):
    class Meta:
        model = Scheme
        fields = ["unit", "code"]


class SchemeViewSet(ScopedReadOnlyModelViewSet):
    """Provincial schemes and targets (data) of the provinces the user sees."""

    serializer_class = SchemeSerializer
    filterset_class = SchemeFilter
    queryset = Scheme.objects.select_related("province").order_by("code")


class DigitalInfrastructureSerializer(UnitFields, serializers.ModelSerializer):
    class Meta:
        model = DigitalInfrastructure
        fields = [
            "id",
            "unit",
            "unit_code",
            "unit_name",
            "path",
            "year",
            *DIGITAL_FIELDS,
        ]


class DigitalInfrastructureFilter(ScopedFilterSet):
    class Meta:
        model = DigitalInfrastructure
        fields = ["unit", "year", "mobile_signal", "has_radio"]


class DigitalInfrastructureViewSet(ScopedReadOnlyModelViewSet):
    """Information and communications per commune/village and year (criterion 8, digital gaps)."""

    serializer_class = DigitalInfrastructureSerializer
    filterset_class = DigitalInfrastructureFilter
    queryset = DigitalInfrastructure.objects.select_related("unit").order_by("unit__path", "year", "pk")
