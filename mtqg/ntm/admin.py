"""Admin: criteria sets and thresholds are editable data (Django's admin history records each edit);
assessments are read-only here because statuses are computed by the engine."""

from __future__ import annotations

from django.contrib import admin

from mtqg.core.versioning import VersionedAdminMixin

from .models import Assessment, CriteriaSet, Criterion, Indicator, Recognition, Scheme, Threshold


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class ThresholdInline(admin.TabularInline):
    model = Threshold
    extra = 0


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "name", "tier", "valid_from", "valid_to", "unconfirmed"]
    list_filter = ["tier", "unconfirmed"]
    raw_id_fields = [
        "province",
        "parent",
    ]  # a select of every unit made the add page take 10 s (persona walk)
    inlines = [CriterionInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "criterion", "value_type", "if_applicable", "unconfirmed"]
    list_filter = ["criterion__criteria_set", "value_type", "unconfirmed"]
    search_fields = ["code", "name"]
    inlines = [ThresholdInline]


@admin.register(Threshold)
class ThresholdAdmin(VersionedAdminMixin, admin.ModelAdmin):  # two editors: optimistic version (0909)
    list_display = ["indicator", "region", "year", "op", "value", "basic_value", "unconfirmed", "source"]
    list_filter = ["indicator__criterion__criteria_set", "region", "unconfirmed"]


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ["commune", "tier", "decision_no", "decision_date", "standard_year", "revoked_on"]
    list_filter = ["tier"]
    raw_id_fields = ["commune"]
    readonly_fields = ["commune", "tier", "decision_no", "decision_date", "standard_year", "criteria_set"]

    def has_add_permission(
        self, request: object
    ) -> bool:  # recognitions go through services (eligibility check)
        return False


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "province",
        "classification_scheme",
        "classification_value",
        "unconfirmed",
    ]
    raw_id_fields = ["province"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["commune", "year", "criteria_set", "criteria_met", "criteria_basic", "criteria_total"]
    list_filter = ["criteria_set", "year"]
    raw_id_fields = ["commune"]
    readonly_fields = [f.name for f in Assessment._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
