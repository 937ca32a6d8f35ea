"""Rate limits hold across worker processes, and the login's per-address limit sees the real client behind a
trusted proxy only (decision 0913).

"Another worker" is simulated by emptying the default (per-process, in-memory) cache between requests: a counter
kept there is lost, one kept in the shared cache (a file cache here, as in production) is not.
"""

from __future__ import annotations

import tempfile
from typing import Any
from unittest import mock

from django.core.cache import caches
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from rest_framework.throttling import SimpleRateThrottle

from mtqg.accounts.models import LoginFailure
from mtqg.core.net import client_address
from mtqg.testing import World, make_world

SHARED = tempfile.mkdtemp(prefix="mtqg-throttle-")
TWO_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dashboards": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": SHARED},
}


def _rates(anon: str, user: str) -> Any:
    """The rates DRF reads (bound when its module is imported, as accounts/tests/test_hardening.py does)."""
    return mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", {"anon": anon, "user": user})


class SharedThrottleTest(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def _another_worker(self) -> None:
        caches["default"].clear()

    def test_user_limit_is_shared_between_workers(self) -> None:
        with override_settings(CACHES=TWO_CACHES), _rates("1000/min", "3/min"):
            caches["dashboards"].clear()
            self.client.force_login(self.world.central)
            codes = []
            for _ in range(5):
                codes.append(self.client.get("/api/v1/geo/units/?level=0").status_code)
                self._another_worker()
        self.assertEqual(codes, [200, 200, 200, 429, 429])

    def test_anonymous_limit_is_shared_and_ignores_a_forged_forwarded_for(self) -> None:
        with override_settings(CACHES=TWO_CACHES), _rates("2/min", "1000/min"):
            caches["dashboards"].clear()
            codes = []
            for i in range(4):  # a new forged X-Forwarded-For each time: not trusted, not counted apart
                response = self.client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
                codes.append(response.status_code)
                self._another_worker()
        self.assertEqual(codes, [200, 200, 429, 429])


class ClientAddressTest(SimpleTestCase):
    def _request(self, remote: str, forwarded: str = "") -> object:
        return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    def test_header_ignored_unless_configured_and_from_a_trusted_proxy(self) -> None:
        self.assertEqual(client_address(self._request("10.0.0.5", "1.2.3.4")), "10.0.0.5")
        with self.settings(CLIENT_IP_HEADER="X-Forwarded-For", TRUSTED_PROXIES=["10.0.0.1"]):
            # from an untrusted peer the header is the client's own claim
            self.assertEqual(client_address(self._request("10.0.0.5", "1.2.3.4")), "10.0.0.5")
            # through the proxy: the right-most address the proxy appended, not what the client prepended
            self.assertEqual(
                client_address(self._request("10.0.0.1", "6.6.6.6, 198.51.100.7")), "198.51.100.7"
            )
            self.assertEqual(client_address(self._request("10.0.0.1", "junk")), "10.0.0.1")
            self.assertEqual(client_address(self._request("10.0.0.1", "")), "10.0.0.1")


class LoginLimitBehindProxyTest(TestCase):
    """Two clients behind the same trusted proxy: one hammering the login must not lock out the other."""

    def _login_through_proxy(self, client_ip: str, username: str, password: str) -> Any:
        """A login attempt from `client_ip` as the trusted proxy 10.0.0.1 forwards it."""
        return self.client.post(
            "/accounts/login/",
            {"username": username, "password": password},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=client_ip,
        )

    def test_per_address_login_limit_uses_the_forwarded_client(self) -> None:
        with self.settings(
            CLIENT_IP_HEADER="X-Forwarded-For", TRUSTED_PROXIES=["10.0.0.1"], LOGIN_IP_ATTEMPTS=3
        ):
            for i in range(3):
                self._login_through_proxy("198.51.100.7", f"nobody{i}", "sai-mat-khau")
            self.assertEqual(set(LoginFailure.objects.values_list("ip_address", flat=True)), {"198.51.100.7"})
            blocked = self._login_through_proxy("198.51.100.7", "nobody9", "x")
            self.assertContains(blocked, "từ địa chỉ này")
            other = self._login_through_proxy("198.51.100.8", "nobody9", "x")
            self.assertNotContains(other, "từ địa chỉ này")
