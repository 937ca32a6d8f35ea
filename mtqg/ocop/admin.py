from django.contrib import admin

from .models import ProductGroup, ProgramTarget, RatingPart, RuleSet, StarBand


class RatingPartInline(admin.TabularInline):
    model = RatingPart
    extra = 0


class StarBandInline(admin.TabularInline):
    model = StarBand
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "valid_from", "valid_to", "unconfirmed")
    inlines = [RatingPartInline, StarBandInline]


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "unconfirmed")


@admin.register(ProgramTarget)
class ProgramTargetAdmin(admin.ModelAdmin):
    list_display = ("program_code", "code", "label", "value", "unit_label", "unconfirmed")
