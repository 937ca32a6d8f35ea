"""Admin: the review forms (UNCONFIRMED score tables and cut-offs are edited here) and field devices (revoke)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import Device, SurveyForm
from .services import device_revoke


@admin.register(SurveyForm)
class SurveyFormAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "title", "year_from", "year_to", "standard_code", "unconfirmed"]
    list_filter = ["unconfirmed"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["device_id", "label", "user", "last_sync_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["revoked_at", "last_sync_at"]
    actions = ["revoke"]

    @admin.action(description="Thu hồi thiết bị (từ chối đồng bộ)")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for device in queryset.filter(revoked_at__isnull=True):
            device_revoke(actor=request.user, device=device, reason=_("Thu hồi trong trang quản trị"))
        messages.success(request, _("Đã thu hồi thiết bị."))
