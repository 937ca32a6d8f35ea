"""Finance API: the catalog reports (disbursement, outputs, alerts) and a read-only works register."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.reports.api import report_response

from .models import Work


@api_view(["GET"])
def disbursement(request: Request) -> Response:
    """?unit=04&year=2023&as_of=2024-01-31&include_carry_over=1"""
    return report_response(request, "disbursement")


@api_view(["GET"])
def outputs(request: Request) -> Response:
    return report_response(request, "outputs")


@api_view(["GET"])
def alerts(request: Request) -> Response:
    return report_response(request, "finance-alerts")


class WorkSerializer(serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code", read_only=True)
    commune_code = serializers.CharField(source="commune.code", read_only=True)

    class Meta:
        model = Work
        fields = [
            "id",
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


class WorkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkSerializer

    def get_queryset(self) -> Any:
        return (
            Work.objects.visible_to(self.request.user).select_related("program", "commune").order_by("code")
        )
