from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from mtqg.core.net import client_address

from . import services


class LockoutAuthenticationForm(AuthenticationForm):
    """The login form, refusing a username locked after repeated failures."""

    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản đã bị khóa."),
        "locked": _(
            "Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau %(minutes)s phút."
        ),
        "ip_limited": _(
            "Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau %(minutes)s phút."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        ip_address = client_address(self.request) if self.request else None  # proxy header only if configured
        if services.login_ip_limited(ip_address):
            raise forms.ValidationError(
                self.error_messages["ip_limited"],
                code="ip_limited",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        if username and services.login_locked(username):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.login_failed(username, ip_address)
            raise
        services.login_succeeded(username)
        return cleaned
