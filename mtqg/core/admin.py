from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import TokenProxy

from .models import ChangeRecord

# The admin speaks the app's language: our own titles, and no third-party screens with English
# names: API tokens are issued with `manage.py drf_create_token`, background jobs are watched at /jobs/.
admin.site.site_header = _("Quản trị hệ thống MTQG")
admin.site.site_title = _("Quản trị MTQG")
admin.site.index_title = _("Danh mục quản trị")
for model in (TokenProxy, DBTaskResult):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "object_id"]
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
