"""Decision support: unit costs per criterion (editable data), cost-region factors and saved scenarios.

A scenario stores its inputs (province, date, budget, objective, rules) and the computed result (plan, baselines,
sensitivity, explanations) as JSON; the result is recomputed from the NTM assessments and the cost table, never typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion


class UnitCost(models.Model):
    """Estimated cost (whole VND) for one commune to meet one criterion of a criteria set, before region factor."""

    criteria_set_code = models.SlugField(_("mã bộ tiêu chí"), max_length=40)
    criterion_number = models.PositiveSmallIntegerField(_("tiêu chí số"))
    amount = models.DecimalField(_("suất chi phí (đồng)"), max_digits=18, decimal_places=0)
    source = models.TextField(_("nguồn"), blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=True)

    class Meta:
        verbose_name = _("suất chi phí theo tiêu chí")
        verbose_name_plural = _("suất chi phí theo tiêu chí")
        ordering = ["criteria_set_code", "criterion_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set_code", "criterion_number"], name="planning_cost_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="planning_cost_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.criteria_set_code} #{self.criterion_number}: {self.amount}"


class RegionFactor(models.Model):
    """Cost multiplier of an NTM region (or commune group): mountain communes cost more to build in."""

    region = models.CharField(_("vùng/nhóm"), max_length=20, unique=True)
    factor = models.DecimalField(_("hệ số"), max_digits=6, decimal_places=3)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=True)

    class Meta:
        verbose_name = _("hệ số chi phí theo vùng")
        verbose_name_plural = _("hệ số chi phí theo vùng")
        ordering = ["region"]

    def __str__(self) -> str:
        return f"{self.region} × {self.factor}"


class Scenario(models.Model):
    """A named allocation scenario for one province (or the country): inputs and the computed result."""

    class Mode(models.TextChoices):
        CRITERION = "criterion", _("Theo từng tiêu chí của xã")
        COMMUNE = "commune", _("Theo xã (đầu tư trọn gói đến khi đạt chuẩn)")

    class Objective(models.TextChoices):
        COMMUNES = "communes", _("Tối đa số xã đạt chuẩn")
        WEIGHTED = "weighted", _("Tối đa điểm có trọng số (nghèo, biên giới, khu vực III, số tiêu chí)")

    province = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="planning_scenarios", verbose_name=_("địa bàn")
    )
    name = models.CharField(_("tên kịch bản"), max_length=150)
    as_of = models.DateField(_("hiện trạng tính đến ngày"))
    budget = models.DecimalField(_("ngân sách (đồng)"), max_digits=18, decimal_places=0)
    mode = models.CharField(_("mức mô hình"), max_length=10, choices=Mode.choices, default=Mode.CRITERION)
    objective = models.CharField(
        _("mục tiêu"), max_length=10, choices=Objective.choices, default=Objective.COMMUNES
    )
    rules = models.JSONField(_("ràng buộc và trọng số"), default=dict, blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True, editable=False)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("người lập"),
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    converted_at = models.DateTimeField(_("đã chuyển thành kế hoạch vốn lúc"), null=True, blank=True)

    scope_path = "province__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kịch bản phân bổ")
        verbose_name_plural = _("kịch bản phân bổ")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="planning_scenario_name"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="planning_budget_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:scenario", args=[self.pk])
