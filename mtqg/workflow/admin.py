"""Admin for the workflow reference data: report types, periods, rules (read mostly) and a button that reloads the
calendars from data/calendars.json (the same loader as `manage.py load_reporting_calendars`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .calendar import load_calendars
from .models import ReportingPeriod, ReportType, ValidationRule


@admin.register(ReportType)
class ReportTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "program", "reporting_level", "separation_of_duties", "hide_unapproved"]
    list_filter = ["program", "unconfirmed"]
    change_list_template = "workflow/admin_reporttype_changelist.html"

    def get_urls(self) -> list[URLPattern]:
        view = require_POST(self.admin_site.admin_view(self.load_view))
        return [path("load/", view, name="workflow_reporttype_load"), *super().get_urls()]

    def load_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_superuser:
            messages.error(request, _("Chỉ quản trị hệ thống được nạp lại lịch báo cáo."))
        else:
            year = timezone.localdate().year
            counts = load_calendars([year - 1, year, year + 1])
            messages.success(request, _("Đã nạp lịch báo cáo: %(c)s") % {"c": counts})
        return HttpResponseRedirect(reverse("admin:workflow_reporttype_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra_context = {**(extra_context or {}), "load_url": reverse("admin:workflow_reporttype_load")}
        return super().changelist_view(request, extra_context)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "kind", "start", "end"]
    list_filter = ["year", "kind"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "left", "op", "right", "threshold", "severity", "unconfirmed"]
    list_filter = ["kind", "severity"]
