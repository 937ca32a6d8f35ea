"""Writes to users and their assignments; login lockout."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion

from .models import Assignment, LoginFailure, User

# Which unit levels each role may be assigned to.
ROLE_LEVELS = {
    Assignment.Role.ADMIN: {UnitVersion.Level.COUNTRY},
    Assignment.Role.CENTRAL: {UnitVersion.Level.COUNTRY},
    Assignment.Role.PROVINCE: {UnitVersion.Level.PROVINCE},
    Assignment.Role.COMMUNE: {UnitVersion.Level.COMMUNE},
    Assignment.Role.ENUMERATOR: {UnitVersion.Level.VILLAGE},
    Assignment.Role.SUPERVISOR: {
        UnitVersion.Level.COUNTRY,
        UnitVersion.Level.PROVINCE,
        UnitVersion.Level.COMMUNE,
    },
}


def _ensure_admin(actor: Any) -> None:
    if actor is None:
        return  # system (loaders, seed commands)
    if not (actor.is_superuser or actor.assignments.filter(role=Assignment.Role.ADMIN).exists()):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được quản lý tài khoản."))


@transaction.atomic
def user_create(
    *, actor: Any, username: str, password: str, full_name: str = "", email: str = "", position: str = ""
) -> User:
    _ensure_admin(actor)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập %(u)s đã tồn tại.") % {"u": username}})
    user = User(username=username, full_name=full_name, email=email, position=position)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    record_change(
        actor=actor, obj=user, action="created", changes={"username": [None, username]}, unit_path=""
    )
    return user


@transaction.atomic
def assignment_create(
    *,
    actor: Any,
    user: User,
    role: str,
    unit: UnitVersion,
    access: str = Assignment.Access.ENTRY,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Assignment:
    """Give a user a role over a unit for a period (validated: role fits the unit level, dates in order)."""
    _ensure_admin(actor)
    if role not in Assignment.Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if unit.level not in ROLE_LEVELS[Assignment.Role(role)]:
        raise ValidationError(
            {
                "unit": _("Vai trò %(r)s không thể gán cho đơn vị cấp %(l)s.")
                % {"r": Assignment.Role(role).label, "l": UnitVersion.Level(unit.level).label}
            }
        )
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if role == Assignment.Role.SUPERVISOR:
        access = Assignment.Access.VIEW
    assignment = Assignment.objects.create(
        user=user, role=role, unit=unit, access=access, valid_from=valid_from, valid_to=valid_to
    )
    record_change(
        actor=actor,
        obj=assignment,
        action="created",
        changes={"role": [None, role], "unit": [None, unit.name]},
        unit_path=unit.path,
    )
    return assignment


def login_locked(username: str) -> bool:
    """True when the username has too many recent failures."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(username__iexact=username, at__gte=since).count()
    return recent >= settings.LOGIN_LOCKOUT_ATTEMPTS


def login_ip_limited(ip_address: str | None) -> bool:
    """True when one address has failed too often recently (password spraying across usernames)."""
    if not ip_address:
        return False
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(ip_address=ip_address, at__gte=since).count()
    return recent >= settings.LOGIN_IP_ATTEMPTS


def login_failed(username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address)


def login_succeeded(username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()
