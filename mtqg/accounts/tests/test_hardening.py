"""Hardening: password reset by e-mail, per-address login limit, API rate limit."""

from __future__ import annotations

import re

from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from mtqg.accounts.models import LoginFailure, User
from mtqg.testing import make_world


class PasswordResetTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.world.dien_bien_officer.email = "canbo@dienbien.gov.vn"
        cls.world.dien_bien_officer.save()

    def test_reset_by_email_end_to_end(self) -> None:
        resp = self.client.post("/accounts/password/reset/", {"email": "canbo@dienbien.gov.vn"}, follow=True)
        self.assertContains(resp, "liên kết đặt lại mật khẩu đã được gửi")
        self.assertEqual(len(mail.outbox), 1)
        link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
        assert link is not None
        form = self.client.get(link.group(1), follow=True)
        self.assertContains(form, "new_password1")
        done = self.client.post(
            form.redirect_chain[-1][0],
            {"new_password1": "Dien-Bien-2026!x", "new_password2": "Dien-Bien-2026!x"},
            follow=True,
        )
        self.assertContains(done, "Đã đặt mật khẩu mới")
        self.assertTrue(
            User.objects.get(pk=self.world.dien_bien_officer.pk).check_password("Dien-Bien-2026!x")
        )
        # the link is single-use
        self.assertContains(self.client.get(link.group(1), follow=True), "không hợp lệ")

    def test_unknown_address_gives_the_same_answer(self) -> None:
        resp = self.client.post("/accounts/password/reset/", {"email": "khongco@example.vn"}, follow=True)
        self.assertContains(resp, "liên kết đặt lại mật khẩu đã được gửi")
        self.assertEqual(len(mail.outbox), 0)


@override_settings(LOGIN_IP_ATTEMPTS=3, LOGIN_LOCKOUT_ATTEMPTS=100)
class LoginAddressLimitTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_spraying_from_one_address_is_stopped(self) -> None:
        for name in ("a", "b", "c"):
            self.client.post("/accounts/login/", {"username": name, "password": "sai-mat-khau"})
        self.assertEqual(LoginFailure.objects.count(), 3)
        self.world.dien_bien_officer.set_password("Dung-mat-khau-1")
        self.world.dien_bien_officer.save()
        resp = self.client.post("/accounts/login/", {"username": "db_officer", "password": "Dung-mat-khau-1"})
        self.assertContains(resp, "quá nhiều lần đăng nhập sai từ địa chỉ này")
        self.assertNotIn("_auth_user_id", self.client.session)


class ApiThrottleTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_user_rate_limit_answers_429_in_the_error_format(self) -> None:
        cache.clear()
        rates = {"anon": "2/min", "user": "3/min"}

        old = SimpleRateThrottle.THROTTLE_RATES
        SimpleRateThrottle.THROTTLE_RATES = rates
        try:
            self.client.force_login(self.world.dien_bien_officer)
            codes = [
                self.client.get("/api/v1/reports/ntm-summary/?unit=11&as_of=2020-12-31").status_code
                for _ in range(4)
            ]
            self.assertEqual(codes[-1], 429, codes)
            body = self.client.get("/api/v1/reports/ntm-summary/?unit=11&as_of=2020-12-31").json()
            self.assertIn("error", body)
            self.assertIn("message", body["error"])
        finally:
            SimpleRateThrottle.THROTTLE_RATES = old
            cache.clear()

        self.assertTrue(any(issubclass(c, UserRateThrottle) for c in api_settings.DEFAULT_THROTTLE_CLASSES))
