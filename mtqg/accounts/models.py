"""Users, role assignments to administrative units (with validity), and login failures for lockout."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mtqg.geo.selectors import lineage_scope_paths


class User(AbstractUser):
    """A person who logs in. What they see comes only from their assignments."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    position = models.CharField(_("chức vụ, đơn vị công tác"), max_length=200, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)

    objects: UserManager[User] = UserManager()  # type: ignore[assignment,misc,unused-ignore]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active_for(self, user: Any, on: date) -> AssignmentQuerySet:
        return (
            self.filter(user=user)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        )

    def first_for(self, user: Any, on: date) -> Assignment | None:
        """The user's highest active assignment on a date (shortest unit path), with its unit."""
        return self.active_for(user, on).select_related("unit").order_by("unit__path").first()


class Assignment(models.Model):
    """A role held by a user over a unit for a period; gives view and (optionally) data-entry scope."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Quản trị hệ thống")
        CENTRAL = "central", _("Cán bộ chương trình Trung ương")
        PROVINCE = "province", _("Cán bộ chương trình cấp tỉnh")
        COMMUNE = "commune", _("Cán bộ cấp xã")
        SUPERVISOR = "supervisor", _("Giám sát, thanh tra (chỉ xem)")
        ENUMERATOR = "enumerator", _("Điều tra viên rà soát hộ nghèo (cấp thôn)")

    class Access(models.TextChoices):
        ENTRY = "entry", _("Nhập liệu và xem")
        VIEW = "view", _("Chỉ xem")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("người dùng")
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        "geo.UnitVersion", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("đơn vị")
    )
    access = models.CharField(_("phạm vi"), max_length=8, choices=Access.choices, default=Access.ENTRY)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="assignment_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    @property
    def can_edit(self) -> bool:
        return self.access == self.Access.ENTRY and self.role != self.Role.SUPERVISOR

    def scope_prefixes(self) -> set[str]:
        """Paths covered: every version of the unit's identity and, through lineage, their predecessors."""

        return lineage_scope_paths(self.unit)


class LoginFailure(models.Model):
    """A failed login attempt; too many in a window lock the username out."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("đăng nhập thất bại")
        verbose_name_plural = _("đăng nhập thất bại")

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%d/%m/%Y %H:%M}"
