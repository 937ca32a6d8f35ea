from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Assignment, User


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [AssignmentInline]
    list_display = ["username", "full_name", "email", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("MTQG", {"fields": ("full_name", "position", "phone")}))  # type: ignore[misc]
