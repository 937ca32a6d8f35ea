"""Poverty API: the classification engine and scoped read viewsets of the register. The summary reports are at
/api/v1/reports/<slug>/."""

from __future__ import annotations

from collections import Counter
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.core.api.errors import bad_request
from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.geo.api import CommuneFields, ScopedFilterSet
from mtqg.reports.api import json_body_schema

from .models import MEMBER_FIELDS, Household, ImportBatch, Member, PersonalDataExport, PovertyStandard, Review
from .privacy import can_see_personal, mask_birth, personal
from .services import personal_data_read
from .standards import classify_both


def _parse_classify(data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if not isinstance(data, dict):
        return out, {"non_field_errors": [_("Nội dung phải là một đối tượng JSON.")]}
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        errors["year"] = [_("Năm rà soát phải là số nguyên (ví dụ 2024).")]
    else:
        out["year"] = year
    area = data.get("area")
    if area not in ("rural", "urban"):
        errors["area"] = [_("Khu vực phải là 'rural' (nông thôn) hoặc 'urban' (thành thị).")]
    else:
        out["area"] = area
    income = data.get("income_per_capita_month")
    if isinstance(income, bool) or not isinstance(income, int) or income < 0 or income > 1_000_000_000:
        errors["income_per_capita_month"] = [
            _("Thu nhập bình quân phải là số nguyên đồng, từ 0 đến 1.000.000.000.")
        ]
    else:
        out["income"] = income
    dep = data.get("deprivations", 0)
    if isinstance(dep, bool) or not (
        isinstance(dep, int) or (isinstance(dep, list) and all(isinstance(c, str) for c in dep))
    ):
        errors["deprivations"] = [_("Phải là số nguyên hoặc danh sách mã chỉ số thiếu hụt.")]
    else:
        out["deprivations"] = dep
    province = data.get("province", "")
    out["province_code"] = str(province or "")
    return out, errors


@json_body_schema
@api_view(["POST"])
def classify_view(request: Request) -> Response:
    """POST {"year", "area", "income_per_capita_month", "deprivations", "province"?} → class, standard, income
    line, reasons, flags (UNCONFIRMED boundaries) under the national standard; with "local" when the province
    (or, through lineage, a province merged into it) has a local standard."""
    args, errors = _parse_classify(request.data)
    if errors:
        return bad_request(errors)
    try:
        national, local = classify_both(**args)
    except ValidationError as exc:
        return bad_request({k: list(v) for k, v in exc.message_dict.items()})
    body = national.as_api()
    if local is not None:  # a province with a local standard: both classes (poverty-standards.md §0)
        body["local"] = local.as_api() | {"province": local.standard.province_code}
    return Response(body)


# --- Read API: scoped viewsets registered in mtqg/api/router.py ------------------------------------------------
# Personal data (names, ID numbers, birth dates) in clear only in the user's data-entry scope; masked elsewhere,
# exactly as on the household page (privacy.py).


class PovertyStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = PovertyStandard
        fields = [
            "id",
            "code",
            "instrument",
            "title",
            "citation",
            "year_from",
            "year_to",
            "province_code",
            "deprivation_cutoff",
            "lines",
            "indicators",
            "unconfirmed",
            "unconfirmed_notes",
        ]


class PovertyStandardViewSet(viewsets.ReadOnlyModelViewSet):
    """National and provincial poverty standards (rules as data, visible to every signed-in user)."""

    serializer_class = PovertyStandardSerializer
    queryset = PovertyStandard.objects.order_by("province_code", "year_from")
    filterset_fields = ["province_code"]


def _personal(serializer: serializers.Serializer, path: str) -> bool:
    context: dict[str, Any] = serializer.context  # type: ignore[assignment]
    cache = context.setdefault("_personal", {})
    if path not in cache:
        cache[path] = can_see_personal(serializer.context["request"].user, path)
    return bool(cache[path])


class MemberSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField()
    sex = serializers.CharField(read_only=True)

    class Meta:
        model = Member
        fields = ["id", *MEMBER_FIELDS]

    def _clear(self, obj: Member) -> bool:
        return _personal(self, obj.household.commune.path)

    def get_full_name(self, obj: Member) -> str:
        clear = self._clear(obj)
        shown = self.context.get("personal_shown")
        if clear and shown is not None:
            shown[obj.household.commune_id] += 1
        return str(personal("full_name", obj.full_name, clear))

    def get_id_number(self, obj: Member) -> str:
        return str(personal("id_number", obj.id_number, self._clear(obj)))

    def get_birth_date(self, obj: Member) -> str | None:
        """Full date in entry scope; the year only elsewhere."""
        if obj.birth_date is None:
            return None
        return obj.birth_date.isoformat() if self._clear(obj) else mask_birth(obj.birth_date)


class HouseholdSerializer(CommuneFields, serializers.ModelSerializer):
    head_name = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    area = serializers.CharField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "version",
            "code",
            "commune",
            "commune_code",
            "commune_name",
            "path",
            "village_name",
            "address",
            "head_name",
            "ethnicity",
            "area",
        ]

    def get_head_name(self, obj: Household) -> str:
        clear = _personal(self, obj.commune.path)
        shown = self.context.get("personal_shown")
        if clear and shown is not None:  # the detail adds its members
            shown[obj.commune_id] += 1
        return str(personal("head_name", obj.head_name, clear))

    def get_address(self, obj: Household) -> str:
        return str(personal("address", obj.address, _personal(self, obj.commune.path)))


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]


class HouseholdFilter(ScopedFilterSet):
    code = django_filters.CharFilter(field_name="code", label="Mã hộ")

    class Meta:
        model = Household
        fields = ["unit", "code", "ethnicity", "area"]


class HouseholdViewSet(ScopedReadOnlyModelViewSet):
    """The household register of the visible communes; members only on the detail."""

    filterset_class = HouseholdFilter
    queryset = Household.objects.select_related("commune").order_by("code")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not hasattr(self, "_personal_shown"):
            self._personal_shown: Counter[int] = Counter()
        context["personal_shown"] = self._personal_shown
        return context

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        """Personal data sent in clear is logged: who, which commune, how many rows, the optional `reason` (0908)."""
        shown = getattr(self, "_personal_shown", None)
        if shown and getattr(response, "status_code", 500) == 200:
            personal_data_read(
                actor=request.user,
                kind=PersonalDataExport.Kind.API,
                rows_by_unit=shown,
                target=request.get_full_path(),
                reason=request.query_params.get("reason", ""),
            )
        return super().finalize_response(request, response, *args, **kwargs)

    def refine_queryset(self, queryset: Any) -> Any:
        return queryset.prefetch_related("members") if self.action == "retrieve" else queryset


class ReviewSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    path = serializers.CharField(source="commune.path", read_only=True)
    standard = serializers.CharField(source="standard.instrument", read_only=True)
    kind = serializers.CharField(read_only=True)
    area = serializers.CharField(read_only=True)
    poverty_class = serializers.CharField(read_only=True)
    local_class = serializers.CharField(read_only=True)
    transition = serializers.CharField(read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "version",
            "household",
            "household_code",
            "commune_code",
            "path",
            "year",
            "kind",
            "area",
            "income_per_capita_month",
            "deprivations",
            "deprivation_count",
            "standard",
            "poverty_class",
            "local_class",
            "transition",
            "ethnicity",
            "causes",
            "policy_housing",
            "policy_water",
            "policy_credit",
            "policy_production",
            "approval_decision",
            "approved_on",
        ]


class ReviewFilter(ScopedFilterSet):
    household = django_filters.CharFilter(field_name="household__code", label="Mã hộ")

    class Meta:
        model = Review
        fields = ["unit", "year", "kind", "poverty_class", "transition", "household"]


class ReviewViewSet(ScopedReadOnlyModelViewSet):
    """Annual reviews: income, deprivations, class under the standard in force, transition, policies received."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    queryset = Review.objects.select_related("household", "commune", "standard").order_by(
        "-year", "household__code", "pk"
    )


class ImportBatchSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    path = serializers.CharField(source="unit.path", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "unit",
            "unit_code",
            "path",
            "year",
            "file_name",
            "status",
            "row_count",
            "member_count",
            "error_count",
            "created_at",
            "checked_at",
            "result",
        ]


class ImportBatchViewSet(ScopedReadOnlyModelViewSet):
    """Review import batches (maker-checker state, counts); per-row errors are downloaded from the batch page."""

    serializer_class = ImportBatchSerializer
    filterset_fields = ["year", "status"]
    queryset = ImportBatch.objects.select_related("unit").order_by("-created_at")
