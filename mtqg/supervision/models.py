"""Supervision: missions (đoàn công tác, đoàn giám sát) → findings → recommendations → follow-ups; snapshots.

Every row is scoped by the visited unit's path (`mission__unit__path`)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion

from .themes import theme_label


class Mission(models.Model):
    class Kind(models.TextChoices):
        WORKING = "working", _("Đoàn công tác")
        SUPERVISION = "supervision", _("Đoàn giám sát")
        INSPECTION = "inspection", _("Đoàn kiểm tra")

    class Organiser(models.TextChoices):
        CENTRAL_STEERING = "central_steering", _("Ban Chỉ đạo Trung ương các chương trình MTQG")
        NA_COMMITTEE = "na_committee", _("Cơ quan của Quốc hội")
        MINISTRY = "ministry", _("Bộ, ngành Trung ương")
        PROVINCIAL_COUNCIL = "provincial_council", _("Hội đồng nhân dân tỉnh")
        PROVINCIAL_STEERING = "provincial_steering", _("Ban Chỉ đạo cấp tỉnh")
        OTHER = "other", _("Khác")

    kind = models.CharField(_("loại đoàn"), max_length=20, choices=Kind.choices)
    organiser = models.CharField(_("cơ quan tổ chức"), max_length=30, choices=Organiser.choices)
    organiser_name = models.CharField(_("tên cơ quan tổ chức"), max_length=300, blank=True)
    title = models.CharField(_("tên đoàn"), max_length=300)
    leader = models.CharField(_("trưởng đoàn"), max_length=300)
    members = models.TextField(_("thành viên"), blank=True)
    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị làm việc")
    )
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"))
    programs = models.JSONField(_("chương trình"), default=list, blank=True)
    agenda = models.TextField(_("nội dung làm việc"), blank=True)
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # optimistic edits (0909); db_default: the importers and generators insert with raw SQL
    version = models.PositiveIntegerField(_("phiên bản"), default=1, db_default=1, editable=False)
    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("đoàn công tác")

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date:%d/%m/%Y})"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Biên bản")
        PHOTO = "photo", _("Ảnh")
        REPORT = "report", _("Báo cáo")
        OTHER = "other", _("Khác")

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    caption = models.CharField(_("mô tả"), max_length=300, blank=True)
    file = models.FileField(_("tệp"), upload_to="supervision/%Y/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    scope_path = "mission__unit__path"
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.caption or self.file.name or ""


class Agreement(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("tên văn bản"), max_length=300)
    parties = models.CharField(_("các bên ký kết"), max_length=300)
    signed_on = models.DateField(_("ngày ký"))
    period = models.CharField(_("giai đoạn"), max_length=40, blank=True)
    summary = models.TextField(_("nội dung chính"), blank=True)

    scope_path = "mission__unit__path"
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    class Kind(models.TextChoices):
        RESULT = "result", _("Kết quả ghi nhận")
        DIFFICULTY = "difficulty", _("Khó khăn, vướng mắc")
        LIMITATION = "limitation", _("Tồn tại, hạn chế")

    class RaisedBy(models.TextChoices):
        DELEGATION = "delegation", _("Đoàn")
        PROVINCE = "province", _("Tỉnh")

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    raised_by = models.CharField(_("bên nêu"), max_length=20, choices=RaisedBy.choices)
    theme = models.CharField(_("chủ đề"), max_length=40)
    content = models.TextField(_("nội dung"))
    evidence_ref = models.CharField(
        _("dẫn chứng"),
        max_length=500,
        blank=True,
        help_text=_("Mã chỉ tiêu, mã cảnh báo hoặc danh sách mã xã"),
    )

    scope_path = "mission__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "kind", "pk"]

    def __str__(self) -> str:
        return self.content[:80]

    @property
    def theme_label(self) -> str:
        return theme_label(self.theme)


class Recommendation(models.Model):
    class Party(models.TextChoices):
        DELEGATION = "delegation", _("Đoàn công tác/giám sát")
        PROVINCE = "province", _("Tỉnh")
        DEPARTMENT = "department", _("Sở, ngành")
        GOVERNMENT = "government", _("Chính phủ, bộ, ngành Trung ương")
        NATIONAL_ASSEMBLY = "national_assembly", _("Quốc hội")

    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Đã thực hiện")
        NOT_DONE = "not_done", _("Không thực hiện")

    OPEN = (Status.NEW, Status.IN_PROGRESS)

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="recommendations")
    from_party = models.CharField(_("bên kiến nghị"), max_length=20, choices=Party.choices)
    from_name = models.CharField(_("tên bên kiến nghị"), max_length=300, blank=True)
    to_party = models.CharField(_("bên nhận"), max_length=20, choices=Party.choices)
    to_name = models.CharField(_("tên bên nhận"), max_length=300, blank=True)
    theme = models.CharField(_("chủ đề"), max_length=40)
    content = models.TextField(_("nội dung"))
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        UnitVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị chịu trách nhiệm"),
    )
    responsible_name = models.CharField(_("cơ quan chủ trì"), max_length=300, blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.NEW)
    status_reason = models.TextField(_("lý do"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    # optimistic edits (0909); db_default: the importers and generators insert with raw SQL
    version = models.PositiveIntegerField(_("phiên bản"), default=1, db_default=1, editable=False)
    scope_path = "mission__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "pk"]

    def __str__(self) -> str:
        return self.content[:80]

    @property
    def theme_label(self) -> str:
        return theme_label(self.theme)

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.deadline and self.deadline < today and self.status in self.OPEN)

    @property
    def display_status(self) -> str:
        """Quá hạn is derived from the deadline, never stored."""
        if self.is_overdue():
            return str(_("Quá hạn"))
        return str(self.get_status_display())

    def status_on(self, on: date) -> str:
        """The status as it stood on a date: the last follow-up up to that day that set one (a recommendation
        starts new); today's status for today or later. Reads `followups` (prefetch them for a list)."""
        if on >= timezone.localdate():
            return str(self.status)
        changes = sorted(
            (f for f in self.followups.all() if f.new_status and f.reported_on <= on),
            key=lambda f: (f.reported_on, f.pk),
        )
        return str(changes[-1].new_status) if changes else str(self.Status.NEW)

    def display_status_on(self, on: date) -> str:
        """The status a report as of `on` prints: Quá hạn when the deadline had passed by then and it was open."""
        status = self.status_on(on)
        if self.deadline and self.deadline < on and status in self.OPEN:
            return str(_("Quá hạn"))
        return str(self.Status(status).label)


class FollowUp(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="followups")
    reported_on = models.DateField(_("ngày báo cáo"))
    content = models.TextField(_("nội dung"))
    evidence_ref = models.CharField(_("dẫn chứng"), max_length=500, blank=True)
    new_status = models.CharField(
        _("trạng thái mới"), max_length=20, choices=Recommendation.Status.choices, blank=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "recommendation__mission__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "reported_on", "pk"]

    def __str__(self) -> str:
        return self.content[:80]


class Snapshot(models.Model):
    """A signed-off report: figures and rendered file frozen with a hash. Immutable once saved."""

    report = models.CharField(_("báo cáo"), max_length=60)
    unit = models.ForeignKey(UnitVersion, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict)
    figures = models.JSONField(default=dict)
    rendered = models.BinaryField(blank=True, default=b"")
    rendered_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    signed_at = models.DateTimeField(default=timezone.now)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.report} {self.unit.code} {self.sha256[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError(_("Báo cáo đã ký duyệt không thể sửa."))
        self.sha256 = self.compute_hash()
        super().save(*args, **kwargs)

    def compute_hash(self) -> str:
        h = hashlib.sha256(json.dumps(self.figures, sort_keys=True, ensure_ascii=False).encode())
        h.update(bytes(self.rendered or b""))
        return h.hexdigest()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(_("Báo cáo đã ký duyệt không thể xóa."))


class RenderedReport(models.Model):
    """A report file rendered by a background job for the user who asked for it (not signed, not frozen)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.CharField(_("báo cáo"), max_length=60)
    unit = models.ForeignKey(UnitVersion, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict)
    fmt = models.CharField(max_length=8)
    content = models.BinaryField()
    filename = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.filename
