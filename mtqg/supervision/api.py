"""Supervision API: read-only mission, recommendation, finding, follow-up, agreement and snapshot lists (scoped).
The recurring-themes report and the briefing are at /api/v1/reports/<slug>/."""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mtqg.core.api.filters import TextSearchFilter, YearFilter
from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.geo.api import ScopedFilterSet, UnitFields

from .models import Agreement, Finding, FollowUp, Mission, Recommendation, Snapshot
from .selectors import MISSION_SEARCH, RECOMMENDATION_SEARCH


class MissionSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Mission
        fields = [
            "id",
            "version",
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
            "version",
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


class MissionFilter(django_filters.FilterSet):
    q = TextSearchFilter(MISSION_SEARCH, label="Tìm đoàn (có hoặc không dấu)")


class RecommendationFilter(django_filters.FilterSet):
    q = TextSearchFilter(RECOMMENDATION_SEARCH, label="Tìm kiến nghị (có hoặc không dấu)")


class MissionViewSet(ScopedReadOnlyModelViewSet):
    serializer_class = MissionSerializer
    filterset_class = MissionFilter
    queryset = Mission.objects.select_related("unit")


class RecommendationViewSet(ScopedReadOnlyModelViewSet):
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter
    queryset = Recommendation.objects.select_related("mission")


# --- Read API: scoped viewsets registered in mtqg/api/router.py ------------------------------------------------


# Which mission a row (finding, agreement) comes from, and the unit the mission went to.
class _MissionFields(serializers.Serializer):
    mission_title = serializers.CharField(source="mission.title", read_only=True)
    unit_code = serializers.CharField(source="mission.unit.code", read_only=True)
    path = serializers.CharField(source="mission.unit.path", read_only=True)


class FindingSerializer(_MissionFields, serializers.ModelSerializer):
    theme_label = serializers.CharField(read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "mission",
            "mission_title",
            "unit_code",
            "path",
            "kind",
            "raised_by",
            "theme",
            "theme_label",
            "content",
            "evidence_ref",
        ]


class FindingFilter(ScopedFilterSet):
    year = YearFilter("mission__start_date__year", label="Năm của đoàn")

    class Meta:
        model = Finding
        fields = ["unit", "year", "mission", "kind", "raised_by", "theme"]


class FindingViewSet(ScopedReadOnlyModelViewSet):
    """Findings (results, difficulties, limitations) of the missions to the visible units."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    queryset = Finding.objects.select_related("mission__unit").order_by(
        "-mission__start_date", "mission_id", "kind", "pk"
    )


class FollowUpSerializer(serializers.ModelSerializer):
    """What the recommendation page shows; the author account is not exposed."""

    mission = serializers.IntegerField(source="recommendation.mission_id", read_only=True)
    unit_code = serializers.CharField(source="recommendation.mission.unit.code", read_only=True)
    path = serializers.CharField(source="recommendation.mission.unit.path", read_only=True)
    new_status = serializers.CharField(read_only=True)  # the recommendation's status values, or ""

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "recommendation",
            "mission",
            "unit_code",
            "path",
            "reported_on",
            "content",
            "evidence_ref",
            "new_status",
        ]


class FollowUpFilter(ScopedFilterSet):
    year = YearFilter("reported_on__year", label="Năm báo cáo")

    class Meta:
        model = FollowUp
        fields = ["unit", "year", "recommendation"]


class FollowUpViewSet(ScopedReadOnlyModelViewSet):
    """Follow-up reports on the recommendations of the visible missions."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    queryset = FollowUp.objects.select_related("recommendation__mission__unit").order_by(
        "recommendation_id", "reported_on", "pk"
    )


class AgreementSerializer(_MissionFields, serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = [
            "id",
            "mission",
            "mission_title",
            "unit_code",
            "path",
            "title",
            "parties",
            "signed_on",
            "period",
            "summary",
        ]


class AgreementFilter(ScopedFilterSet):
    year = YearFilter("signed_on__year", label="Năm ký")

    class Meta:
        model = Agreement
        fields = ["unit", "year", "mission"]


class AgreementViewSet(ScopedReadOnlyModelViewSet):
    """Cooperation agreements signed during the missions to the visible units."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    queryset = Agreement.objects.select_related("mission__unit").order_by("-signed_on", "pk")


class SnapshotSerializer(UnitFields, serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Snapshot
        fields = [
            "id",
            "report",
            "unit",
            "unit_code",
            "unit_name",
            "path",
            "params",
            "rendered_name",
            "sha256",
            "author_name",
            "signed_at",
            "download_url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author_name(self, obj: Snapshot) -> str | None:
        """As on the snapshot page: the signer's full name (or user name); null for system (demo) snapshots."""
        if obj.author is None:
            return None
        return obj.author.full_name or obj.author.username

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, obj: Snapshot) -> str | None:
        if not obj.rendered_name:
            return None
        return reverse("supervision:snapshot", args=[obj.pk]) + "?download=1"


class SnapshotDetailSerializer(SnapshotSerializer):
    """The detail adds the frozen figures and whether the stored hash still matches them."""

    intact = serializers.SerializerMethodField()

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "figures", "intact"]

    def get_intact(self, obj: Snapshot) -> bool:
        return obj.compute_hash() == obj.sha256


class SnapshotFilter(ScopedFilterSet):
    year = YearFilter("signed_at__year", label="Năm ký duyệt")

    class Meta:
        model = Snapshot
        fields = ["unit", "year", "report"]


class SnapshotViewSet(ScopedReadOnlyModelViewSet):
    """Signed-off reports of the visible units (the list omits figures and file; the detail has the figures)."""

    filterset_class = SnapshotFilter
    queryset = Snapshot.objects.select_related("unit", "author").order_by("-signed_at", "-pk")

    def get_serializer_class(self) -> Any:
        return SnapshotDetailSerializer if self.action == "retrieve" else SnapshotSerializer

    def refine_queryset(self, queryset: Any) -> Any:
        return queryset if self.action == "retrieve" else queryset.defer("rendered", "figures")
