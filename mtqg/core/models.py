"""Cross-cutting models: the change record (audit) written by every service in the same transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet

from .formatting import date_vi, number_vi


class ChangeRecord(models.Model):
    """One write: who changed which object, in which unit, each field's old → new value."""

    class Action(models.TextChoices):
        CREATED = "created", _("Tạo mới")
        UPDATED = "updated", _("Cập nhật")
        DELETED = "deleted", _("Xóa")
        STATUS = "status", _("Chuyển trạng thái")
        IMPORTED = "imported", _("Nhập dữ liệu")
        EXPORTED = "exported", _("Xuất dữ liệu")
        LOGIN = "login", _("Đăng nhập")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("loại đối tượng"))
    object_id = models.CharField(_("mã đối tượng"), max_length=64, db_index=True)
    object_repr = models.CharField(_("đối tượng"), max_length=300)
    unit_path = models.CharField(_("đường dẫn đơn vị"), max_length=255, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("người thực hiện"),
    )
    action = models.CharField(_("hành động"), max_length=16, choices=Action.choices)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    scope_path = "unit_path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bản ghi thay đổi")
        verbose_name_plural = _("lịch sử thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr} ({self.at:%d/%m/%Y %H:%M})"

    def get_action_display(self) -> str:  # type: ignore[no-redef]  # replaces the choices-only display
        """Vietnamese verb for every action code services write (ACTION_LABELS), never the raw code."""
        return str(ACTION_LABELS.get(self.action, self.action))

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) in words: the model field's verbose name, choice labels, Vietnamese numbers
        (13.00 → 13; 1234567.5 → 1.234.567,5), dates 31/01/2024, Có/Không."""
        model = self.content_type.model_class() if self.content_type_id else None
        rows = []
        for key, values in (self.changes or {}).items():
            old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            field = _field(model, key)
            label = str(field.verbose_name) if field is not None else str(CHANGE_KEY_LABELS.get(key, key))
            rows.append((label[:1].upper() + label[1:], _value_text(field, old), _value_text(field, new)))
        return rows


# Verbs of change records: the model's choices plus every other action code services write (a guard test
# checks each literal action in the code has a label here).
ACTION_LABELS: dict[str, Any] = {
    **dict(ChangeRecord.Action.choices),
    "create": _("Tạo mới"),
    "update": _("Cập nhật"),
    "erased": _("Xóa dữ liệu cá nhân"),
    "approve": _("Duyệt"),
    "submit": _("Nộp báo cáo"),
    "return": _("Trả lại"),
    "reopen": _("Mở lại"),
    "save_values": _("Lưu số liệu"),
    "rejected": _("Từ chối"),
    "recommendation": _("Tạo kiến nghị"),
    "progress": _("Báo cáo tiến độ"),
    "photo": _("Thêm ảnh"),
    "load_rules": _("Nạp quy định"),
    "load_calendars": _("Nạp lịch báo cáo"),
    "demo_seed": _("Tạo dữ liệu mẫu"),
    "decided": _("Ra quyết định"),
    "converted": _("Chuyển thành kế hoạch"),
    "committed": _("Ghi nhận cam kết"),
    "commit_requested": _("Đề nghị ghi nhận cam kết"),
    "attach": _("Đính kèm tệp"),
    "accepted_rest": _("Chấp nhận phần còn lại"),
    "villages_set": _("Lập danh sách rà soát theo thôn"),
    "assigned": _("Phân công điều tra viên"),
    "surveyed": _("Ghi phiếu rà soát"),
    "revoked": _("Thu hồi (thiết bị, giấy chứng nhận)"),
    "meeting": _("Họp dân thôn"),
    "posted": _("Niêm yết công khai"),
    "resolved": _("Giải quyết"),
    "closed": _("Kết thúc đợt rà soát"),
    "ended": _("Kết thúc phân công"),
    "issued": _("Cấp giấy chứng nhận"),
}

# Keys of change records that are not model fields.
CHANGE_KEY_LABELS: dict[str, Any] = {
    "values": _("số liệu"),
    "attachment": _("tệp đính kèm"),
    "rows": _("số dòng"),
}


def _field(model: Any, key: str) -> Any:
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    # a reverse relation ("criteria" of a criteria set, a count in a loader's record) is not a field to label
    return None if field.auto_created and not field.concrete else field


def _value_text(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return str(_("Có")) if value in (True, "True", "true", 1) else str(_("Không"))
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField) or (
        field is None and isinstance(value, int | float)
    ):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        exponent = number.normalize().as_tuple().exponent
        whole = number == number.to_integral_value() or not isinstance(exponent, int)
        return number_vi(number, 0 if whole else min(2, -int(exponent)))
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_vi(parsed if isinstance(field, models.DateTimeField) else parsed.date())
    return str(value)


class Job(models.Model):
    """A background job the user can watch: progress, result or a Vietnamese error (mtqg/core/jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        SUCCEEDED = "succeeded", _("Hoàn thành")
        FAILED = "failed", _("Thất bại")

    id = models.UUIDField(primary_key=True, editable=False)
    kind = models.CharField(_("loại công việc"), max_length=64)
    title = models.CharField(_("tên công việc"), max_length=300)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    message = models.CharField(_("thông điệp"), max_length=500, blank=True)
    result = models.JSONField(_("kết quả"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    worker = models.CharField(_("tiến trình chạy"), max_length=120, blank=True)  # "host:pid" (decision 0912)
    heartbeat_at = models.DateTimeField(_("tín hiệu sống lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("công việc nền")
        verbose_name_plural = _("công việc nền")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:job", args=[self.pk])

    @property
    def done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
