"""Workflow read API: reports (with values and decision log). The completeness and validation reports are at
/api/v1/reports/<slug>/."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet

from .models import Report, ReportDecision, ReportValue
from .selectors import values_hidden


class ValueSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True, allow_null=True)

    class Meta:
        model = ReportValue
        fields = ["code", "value", "note", "version"]


class DecisionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = ReportDecision
        fields = ["action", "from_status", "to_status", "level", "actor", "reason", "at"]


class ReportSerializer(serializers.ModelSerializer):
    report_type = serializers.CharField(source="report_type.code", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "report_type",
            "period",
            "unit_code",
            "unit_name",
            "status",
            "pending_level",
            "version",
            "deadline",
            "submitted_at",
            "decided_at",
            "reason",
        ]


class ReportDetailSerializer(ReportSerializer):
    values = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "values", "decisions"]

    def get_values(self, obj: Report) -> list[dict[str, Any]]:
        if values_hidden(self.context["request"].user, obj):
            return []
        return list(ValueSerializer(obj.values.all(), many=True).data)


class ReportViewSet(ScopedReadOnlyModelViewSet):
    """?type=&period=&status=&unit=<code of a unit whose subtree to list>"""

    queryset = Report.objects.select_related("report_type", "period", "unit").order_by(
        "-period__start", "unit__code", "pk"
    )

    def get_serializer_class(self) -> Any:
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def refine_queryset(self, qs: Any) -> Any:
        p = self.request.query_params
        if p.get("type"):
            qs = qs.filter(report_type__code=p["type"])
        if p.get("period"):
            qs = qs.filter(period__code=p["period"])
        if p.get("status"):
            qs = qs.filter(status=p["status"])
        if self.action == "retrieve":
            qs = qs.prefetch_related("values", "decisions__actor")
        return qs
