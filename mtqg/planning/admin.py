from django.contrib import admin

from .models import RegionFactor, Scenario, UnitCost


@admin.register(UnitCost)
class UnitCostAdmin(admin.ModelAdmin):
    list_display = ("criteria_set_code", "criterion_number", "amount", "unconfirmed")
    list_filter = ("criteria_set_code", "unconfirmed")
    list_editable = ("amount", "unconfirmed")


@admin.register(RegionFactor)
class RegionFactorAdmin(admin.ModelAdmin):
    list_display = ("region", "factor", "unconfirmed")
    list_editable = ("factor", "unconfirmed")


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "as_of", "budget", "mode", "objective", "created_at", "converted_at")
    readonly_fields = ("result",)
    raw_id_fields = ("province",)
