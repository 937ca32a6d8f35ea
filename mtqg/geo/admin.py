from django.contrib import admin

from .models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion


@admin.register(UnitVersion)
class UnitVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "structure", "valid_from", "valid_to"]
    list_filter = ["structure", "level", "kind"]
    search_fields = ["code", "name", "search_name"]
    raw_id_fields = ["parent", "unit"]
    readonly_fields = ["path"]


@admin.register(UnitLineage)
class UnitLineageAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "event_date", "is_primary", "share"]
    list_filter = ["kind"]
    raw_id_fields = ["predecessor", "successor"]


@admin.register(ClassificationScheme)
class ClassificationSchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "applies_to_level"]


@admin.register(UnitClassification)
class UnitClassificationAdmin(admin.ModelAdmin):
    list_display = ["unit", "scheme", "value", "valid_from", "valid_to", "unconfirmed"]
    list_filter = ["scheme", "unconfirmed"]
    raw_id_fields = ["unit"]
