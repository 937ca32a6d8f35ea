"""In-app notifications (the inbox) and each user's delivery preferences (e-mail mode, muted categories)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .categories import label


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    category = models.CharField(_("loại"), max_length=64, db_index=True)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("liên kết"), max_length=500, blank=True)
    key = models.CharField(_("khóa chống trùng"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("đã gửi thư lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_unique_key"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def category_label(self) -> str:
        return label(self.category)


class Preference(models.Model):
    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", _("Gửi thư ngay")
        DIGEST = "digest", _("Gửi thư tổng hợp hằng ngày")
        OFF = "off", _("Không gửi thư")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("người dùng"),
    )
    email_mode = models.CharField(
        _("thư điện tử"), max_length=16, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    muted = models.JSONField(_("loại đã tắt"), default=list, blank=True)

    class Meta:
        verbose_name = _("tùy chọn thông báo")
        verbose_name_plural = _("tùy chọn thông báo")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_mode_display()}"
