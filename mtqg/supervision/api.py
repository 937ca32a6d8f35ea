"""Supervision API: read-only mission and recommendation lists (scoped), the recurring-themes report."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.reports.api import report_response, report_schema

from .models import Mission, Recommendation


class MissionSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Mission
        fields = [
            "id",
            "kind",
            "organiser",
            "organiser_name",
            "title",
            "leader",
            "members",
            "unit_code",
            "unit_name",
            "start_date",
            "end_date",
            "programs",
            "agenda",
        ]


class RecommendationSerializer(serializers.ModelSerializer):
    mission_title = serializers.CharField(source="mission.title", read_only=True)
    from_party = serializers.CharField(
        read_only=True
    )  # same choices as to_party: plain strings in the schema
    to_party = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "mission",
            "mission_title",
            "from_party",
            "from_name",
            "to_party",
            "to_name",
            "theme",
            "content",
            "deadline",
            "responsible_name",
            "status",
            "status_reason",
            "overdue",
        ]

    def get_overdue(self, obj: Recommendation) -> bool:
        return obj.is_overdue()


class MissionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MissionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return Mission.objects.visible_to(self.request.user).select_related("unit")


class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RecommendationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return Recommendation.objects.visible_to(self.request.user).select_related("mission")


class RecurringThemes(GenericAPIView):
    """?unit=11 — themes raised in missions of two or more different years."""

    permission_classes = [IsAuthenticated]

    @report_schema
    def get(self, request: Request) -> Response:
        return report_response(request, "supervision-recurring-themes")


class Briefing(GenericAPIView):
    """?unit=11&year=2020&as_of=2020-11-30 — the briefing as JSON (document header, sourced figures, blocks)."""

    permission_classes = [IsAuthenticated]

    @report_schema
    def get(self, request: Request) -> Response:
        return report_response(request, "briefing")
