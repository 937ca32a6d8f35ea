"""Finance API: the catalog reports (disbursement, outputs, alerts) and a read-only works register."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.reports.api import json_body_schema, report_response, report_schema

from .models import Source, Work
from .services import disbursement_record, resolve_allocation


@report_schema
@api_view(["GET"])
def disbursement(request: Request) -> Response:
    """?unit=04&year=2023&as_of=2024-01-31&include_carry_over=1"""
    return report_response(request, "disbursement")


@report_schema
@api_view(["GET"])
def outputs(request: Request) -> Response:
    return report_response(request, "outputs")


@report_schema
@api_view(["GET"])
def alerts(request: Request) -> Response:
    return report_response(request, "finance-alerts")


class DisbursementInput(serializers.Serializer):
    work_code = serializers.CharField(max_length=40)
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    carry_over = serializers.BooleanField(default=False)
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=0)
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


@json_body_schema
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def disbursement_create(request: Request) -> Response:
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
