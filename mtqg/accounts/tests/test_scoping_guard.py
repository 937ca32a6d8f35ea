"""Guard test: no out-of-scope row reaches a user through any scoped model, list page, API list or detail URL.

It walks (1) every model that declares `scope_path`, (2) every URL pattern without arguments (list pages), (3) every
API list endpoint in the router, (4) every catalogue report through /api/v1/reports/<slug>/, and (5) the Điện
Biên-only URLs that each app's `guard_sample()` returns. The
Cao Bằng officer must see nothing of Điện Biên; the Điện Biên officer must reach its own resources.

Each app's `guard_sample(world)` creates at least one row of every scoped model of the app in Điện Biên and one in
Cao Bằng (`mtqg.testing.guard_provinces`), puts the marker 'GUARD-ĐB' in a free-text field of the Điện Biên rows
where there is one, and returns the URLs (HTML detail pages, exports, API details) of Điện Biên-only resources: the
Cao Bằng officer gets 403/404 on each of them and never sees 'GUARD-ĐB' on any list page; the Điện Biên officer
gets 200.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from mtqg.api.router import router
from mtqg.core.scoping import view_prefixes
from mtqg.reports.catalog import CATALOG
from mtqg.testing import make_world

MARKER = "GUARD-ĐB"
SAMPLE_PROVIDERS = [
    "mtqg.ntm.tests.factories:guard_sample",
    "mtqg.poverty.tests.factories:guard_sample",
    "mtqg.finance.tests.factories:guard_sample",
    "mtqg.ocop.tests.factories:guard_sample",
    "mtqg.workflow.tests.factories:guard_sample",
    "mtqg.supervision.tests.factories:guard_sample",
    "mtqg.dashboards.tests.factories:guard_sample",
    "mtqg.planning.tests.factories:guard_sample",
    "mtqg.survey.tests.factories:guard_sample",
]
SKIP_PREFIXES = (
    "admin/",
    "i18n/",
    "accounts/logout",
    "accounts/password/reset",
    "api/schema",
    "api/docs",
    "healthz",
    "media/",
    "static/",
)


def _list_urls(resolver: Any = None, prefix: str = "") -> list[str]:
    urls: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            urls.extend(_list_urls(entry, prefix + route))
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route and "^" not in route:
            full = prefix + route
            if not full.startswith(SKIP_PREFIXES):
                urls.append("/" + full)
    return sorted(set(urls))


def scoped_models() -> list[Any]:
    return [m for m in apps.get_models() if getattr(m, "scope_path", None)]


class ScopeGuardTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.sample_urls: list[str] = []
        for provider in SAMPLE_PROVIDERS:
            module, func = provider.split(":")
            cls.sample_urls.extend(getattr(import_module(module), func)(cls.world))

    def test_every_scoped_model_filters_by_path(self) -> None:
        outsider = self.world.cao_bang_officer
        allowed = view_prefixes(outsider)
        self.assertTrue(allowed)
        checked = 0
        for model in scoped_models():
            lookup = model.scope_path
            for path in model.objects.visible_to(outsider).values_list(lookup, flat=True).iterator():
                self.assertTrue(path and path.startswith(allowed), f"{model.__name__}: leak of {path}")
            insider_rows = model.objects.visible_to(self.world.dien_bien_officer)
            for path in insider_rows.values_list(lookup, flat=True).iterator():
                self.assertFalse(
                    path.startswith(allowed), f"{model.__name__}: Cao Bằng row seen from Điện Biên"
                )
            checked += 1
        self.assertGreaterEqual(checked, 3)

    def test_list_pages_show_no_out_of_scope_rows(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        for url in _list_urls():
            response = self.client.get(url)
            self.assertLess(response.status_code, 500, url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith(
                ("text/", "application/json")
            ):
                self.assertNotIn(MARKER, response.content.decode(), f"{url} leaks Điện Biên data")

    def test_api_lists_show_no_out_of_scope_rows(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        allowed = view_prefixes(self.world.cao_bang_officer)
        for prefix, _viewset, _basename in router.registry:
            url = f"/api/v1/{prefix}/"
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            body = response.content.decode()
            self.assertNotIn(MARKER, body, url)
            for item in response.json().get("results", []):
                path = item.get("path") or item.get("unit_path")
                if path:
                    self.assertTrue(path.startswith(allowed), f"{url} leaks {path}")

    def test_report_endpoint_serves_no_out_of_scope_unit(self) -> None:
        """Every catalogue report through /api/v1/reports/<slug>/: a Điện Biên unit is a 404 for the Cao Bằng
        officer; the officer's own province answers without Điện Biên data."""
        query = "year=2020&as_of=2020-12-31"
        for slug in CATALOG:
            url = f"/api/v1/reports/{slug}/"
            self.client.force_login(self.world.cao_bang_officer)
            self.assertEqual(self.client.get(f"{url}?unit=11&{query}").status_code, 404, slug)
            own = self.client.get(f"{url}?unit=04&{query}")
            self.assertEqual(own.status_code, 200, slug)
            self.assertNotIn(MARKER, own.content.decode(), f"{slug} leaks Điện Biên data")
            self.client.force_login(self.world.dien_bien_officer)
            self.assertEqual(self.client.get(f"{url}?unit=11&{query}").status_code, 200, slug)

    def test_dien_bien_resources_are_hidden_from_cao_bang(self) -> None:
        for url in self.sample_urls:
            self.client.force_login(self.world.cao_bang_officer)
            self.assertIn(self.client.get(url).status_code, (403, 404), f"{url} visible to Cao Bằng")
            self.client.force_login(self.world.dien_bien_officer)
            self.assertEqual(self.client.get(url).status_code, 200, f"{url} hidden from Điện Biên")

    def test_unit_pages_and_api_detail(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        for url in (
            f"/units/{self.world.muong_phang.pk}/",
            f"/units/{self.world.dien_bien_old.pk}/children/",
            f"/api/v1/geo/units/{self.world.muong_phang.pk}/",
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        response = self.client.get("/units/search/?q=Muong Phang")
        self.assertNotContains(response, "Mường Phăng")
        self.client.force_login(self.world.dien_bien_officer)
        self.assertContains(self.client.get("/units/search/?q=Muong Phang"), "Mường Phăng")

    def test_anonymous_is_sent_to_login(self) -> None:
        self.client.logout()
        for url in _list_urls():
            response = self.client.get(url)
            if url.startswith("/api/"):
                self.assertIn(response.status_code, (401, 403), url)
            elif url.startswith(("/accounts/login", "/ocop/catalogue", "/public", "/cong-khai", "/jsi18n")):
                continue
            else:
                self.assertIn(response.status_code, (302, 403, 404), url)
