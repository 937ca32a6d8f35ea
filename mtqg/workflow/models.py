"""Reporting calendars (periods, report types), reports with indicator values, and the insert-only decision log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet


class ReportingPeriod(models.Model):
    class Kind(models.TextChoices):
        MONTH = "month", _("Tháng")
        QUARTER = "quarter", _("Quý")
        HALF = "half", _("6 tháng")
        YEAR = "year", _("Năm")
        CUSTOM = "custom", _("Tùy chọn")

    code = models.CharField(_("mã"), max_length=20, unique=True)
    slot = models.CharField(_("kỳ trong năm"), max_length=10)
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại kỳ"), max_length=8, choices=Kind.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    label = models.CharField(_("tên kỳ"), max_length=100)

    class Meta:
        ordering = ["start", "end"]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")

    def __str__(self) -> str:
        return self.label


class ReportType(models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    program = models.CharField(_("chương trình"), max_length=10)
    name = models.CharField(_("tên báo cáo"), max_length=200)
    reporting_level = models.PositiveSmallIntegerField(_("cấp báo cáo"))
    approval_chain = models.JSONField(_("chuỗi phê duyệt"), default=list)
    deadlines = models.JSONField(_("hạn nộp"), default=dict)
    indicators = models.JSONField(_("chỉ tiêu"), default=list)
    separation_of_duties = models.BooleanField(_("tách người nộp và người duyệt"), default=True)
    hide_unapproved = models.BooleanField(_("ẩn số liệu chưa duyệt với cấp trên"), default=False)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    class Meta:
        ordering = ["program", "code"]
        verbose_name = _("loại báo cáo")
        verbose_name_plural = _("loại báo cáo")

    def __str__(self) -> str:
        return self.name

    def _rule(self, period: ReportingPeriod) -> dict[str, Any] | None:
        rule = self.deadlines.get(period.slot)
        if rule is None:
            rule = self.deadlines.get(period.slot.rstrip("0123456789"))
        return rule

    def expects(self, period: ReportingPeriod) -> bool:
        return self._rule(period) is not None

    def deadline_for(self, period: ReportingPeriod) -> date | None:
        rule = self._rule(period)
        if rule is None:
            return None
        if "days_after_end" in rule:
            return period.end + timedelta(days=int(rule["days_after_end"]))
        return date(period.year + int(rule.get("year_offset", 0)), int(rule["month"]), int(rule["day"]))


class ValidationRule(models.Model):
    """A cross-field rule (kind=compare: left op right) or an outlier rule (kind=outlier: |z| of `left` against the
    unit's own history (op="history") or its peers in the province and period (op="peers") above `threshold`)."""

    class Kind(models.TextChoices):
        COMPARE = "compare", _("So sánh giữa các chỉ tiêu")
        OUTLIER = "outlier", _("Giá trị bất thường")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    kind = models.CharField(_("loại quy tắc"), max_length=8, choices=Kind.choices, default=Kind.COMPARE)
    left = models.CharField(_("chỉ tiêu"), max_length=40)
    op = models.CharField(_("phép so sánh"), max_length=8)
    right = models.CharField(_("chỉ tiêu so sánh"), max_length=40, blank=True)
    threshold = models.DecimalField(_("ngưỡng"), max_digits=6, decimal_places=2, null=True, blank=True)
    min_count = models.PositiveSmallIntegerField(_("số quan sát tối thiểu"), default=3)
    severity = models.CharField(_("mức độ"), max_length=8, default="error")
    message = models.CharField(_("thông báo"), max_length=300)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    class Meta:
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã nộp")
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Trả lại")

    report_type = models.ForeignKey(ReportType, on_delete=models.PROTECT, verbose_name=_("loại báo cáo"))
    unit = models.ForeignKey("geo.UnitVersion", on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, verbose_name=_("kỳ báo cáo"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    pending_level = models.PositiveSmallIntegerField(_("cấp đang duyệt"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    deadline = models.DateField(_("hạn nộp"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)
    reason = models.TextField(_("lý do trả lại/mở lại"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["report_type", "unit", "period"], name="workflow_report_unique"),
        ]
        indexes = [
            models.Index(fields=["report_type", "period", "status"]),
            # covering index of the completeness pages (counts per period without reading the rows)
            models.Index(
                fields=["report_type", "period", "unit", "status", "submitted_at"],
                name="workflow_rep_completeness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_type.code} — {self.unit.name} — {self.period.code}"

    @property
    def locked(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.APPROVED)

    @property
    def pending_level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.pending_level, "")) if self.pending_level is not None else ""


LEVEL_LABELS = {0: _("Trung ương"), 1: _("Tỉnh"), 2: _("Huyện"), 3: _("Xã")}


class ReportValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(_("chỉ tiêu"), max_length=40)
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)

    scope_path = "report__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["report", "code"], name="workflow_value_unique")]

    def __str__(self) -> str:
        return f"{self.code}={self.value}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("tên tệp"), max_length=200)
    file = models.FileField(_("tệp"), upload_to="workflow/%Y/")
    version = models.PositiveIntegerField(_("phiên bản"), default=1)

    scope_path = "report__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.title


class ReportDecision(models.Model):
    """Insert-only log of every transition; save() refuses updates, delete() refuses."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("thao tác"), max_length=12)
    from_status = models.CharField(_("từ trạng thái"), max_length=10)
    to_status = models.CharField(_("sang trạng thái"), max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"), blank=True)
    level = models.PositiveSmallIntegerField(_("cấp quyết định"), null=True, blank=True)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    scope_path = "report__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("nhật ký quyết định")
        verbose_name_plural = _("nhật ký quyết định")

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("ReportDecision is insert-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("ReportDecision is insert-only")
