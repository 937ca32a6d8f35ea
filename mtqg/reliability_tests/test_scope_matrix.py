"""Scope matrix for writes and guessed ids (IDOR).

Every Điện Biên resource (each app's `guard_sample` URLs, every HTML URL pattern with an object id filled with a
Điện Biên object, every API detail endpoint) is attacked by the Cao Bằng officer with GET, POST (the form the
Điện Biên officer sees, re-posted), and PUT/PATCH/DELETE on the API: each answer is 403/404/405 and no row or
ChangeRecord changes. The supervisor (view access over Điện Biên) may read but writes change nothing. Anonymous
visitors get only the public portal and the login/password-reset pages.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.test import TestCase

from mtqg.accounts.scoping import path_q, view_prefixes
from mtqg.accounts.tests.test_scoping_guard import SAMPLE_PROVIDERS
from mtqg.api.router import router
from mtqg.testing import World, make_world

from .matrix import scrape_form, snapshot, url_patterns

DENIED = (403, 404, 405)
# (route prefix, model label) — which model's id each HTML URL pattern takes as <pk>.
PK_MODELS = {
    "units/": "geo.UnitVersion",
    "dashboards/": "geo.UnitVersion",
    "ntm/assessments/": "ntm.Assessment",
    "ntm/recognitions/": "ntm.Recognition",
    "ntm/values/": "ntm.IndicatorValue",
    "poverty/ho/": "poverty.Household",
    "poverty/nhap/": "poverty.ImportBatch",
    "finance/works/": "finance.Work",
    "finance/photos/": "finance.WorkPhoto",
    "ocop/products/": "ocop.Product",
    "workflow/reports/": "workflow.Report",
    "workflow/attachments/": "workflow.ReportAttachment",
    "supervision/missions/": "supervision.Mission",
    "supervision/attachments/": "supervision.Attachment",
    "supervision/recommendations/": "supervision.Recommendation",
    "supervision/reports/files/": "supervision.RenderedReport",
    "supervision/snapshots/": "supervision.Snapshot",
    "planning/scenarios/": "planning.Scenario",
}
API_MODELS = {
    "geo/units": "geo.UnitVersion",
    "finance/works": "finance.Work",
    "ocop/products": "ocop.Product",
    "supervision/missions": "supervision.Mission",
    "supervision/recommendations": "supervision.Recommendation",
    "dashboards/facts": "dashboards.SummaryFact",
    "workflow/reports": "workflow.Report",
}
SECOND_ARG = {"member_pk": "poverty.Member", "review_pk": "poverty.Review", "commune_id": "geo.UnitVersion"}
PUBLIC_PREFIXES = ("cong-khai/", "accounts/login", "accounts/password/reset", "ocop/catalogue", "healthz")
REFERENCE_DATA = ("ntm/criteria/",)  # national criteria sets: not unit data
SKIP = ("admin/", "api/", "^media", "media/", "static/", "i18n/", "jobs/", "accounts/logout")
COUNTS: dict[str, int] = {}


def _api_model(prefix: str, viewset: Any, user: Any) -> Any:
    """The model behind a router entry (from its get_queryset), or None for reference data (no scope_path)."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    view = viewset()
    request = RequestFactory().get(f"/api/v1/{prefix}/")
    request.user = user
    view.request, view.action, view.kwargs, view.args, view.format_kwarg = (
        Request(request),
        "list",
        {},
        (),
        None,
    )
    view.request.user = user
    model = view.get_queryset().model
    return model if getattr(model, "scope_path", None) else None


def _db_object(world: Any, label: str) -> Any:
    model = apps.get_model(label)
    if label == "geo.UnitVersion":
        return world.muong_phang
    return (
        model._default_manager.filter(path_q(model.scope_path, view_prefixes(world.dien_bien_officer)))
        .order_by("pk")
        .first()
    )


class ScopeMatrixTest(TestCase):
    world: World
    sample_urls: list[str]
    object_urls: list[str]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = w = make_world()
        cls.sample_urls = []
        for provider in SAMPLE_PROVIDERS:
            module, func = provider.split(":")
            cls.sample_urls.extend(getattr(import_module(module), func)(w))
        from mtqg.poverty.models import Household, Member

        household = Household.objects.filter(commune=w.muong_phang).first()
        if household is not None and not Member.objects.filter(household=household).exists():
            Member.objects.create(household=household, full_name="Lò Thị Guard", relation="chu_ho")
        cls.object_urls = cls._object_urls()

    @classmethod
    def _object_urls(cls) -> list[str]:
        """Every non-admin HTML URL pattern with ids, filled with Điện Biên objects."""
        urls: list[str] = []
        for route, _pattern in url_patterns():
            if "<int:" not in route or route.startswith(SKIP + REFERENCE_DATA + ("cong-khai/",)):
                continue
            prefix = next((p for p in sorted(PK_MODELS, key=len, reverse=True) if route.startswith(p)), None)
            assert prefix is not None, f"no model mapped for {route}"
            obj = _db_object(cls.world, PK_MODELS[prefix])
            if obj is None:
                continue
            url = route.replace("<int:pk>", str(obj.pk))
            for arg, label in SECOND_ARG.items():
                if f"<int:{arg}>" in url:
                    second = _db_object(cls.world, label)
                    if second is None:
                        url = ""
                        break
                    url = url.replace(f"<int:{arg}>", str(second.pk))
            if not url:
                continue
            url = url.replace("<str:action>", "submit").replace("<slug:chart>", "ntm_tiers")
            urls.append("/" + url)
        return sorted(set(urls))

    def _attack(self, user: Any, urls: list[str], methods: tuple[str, ...], strict: bool) -> int:
        """Send each method to each URL as `user`; nothing in Điện Biên may change. Returns requests made."""
        forms: dict[str, dict[str, str]] = {}
        self.client.force_login(self.world.dien_bien_officer)
        for url in urls:
            response = self.client.get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                forms[url] = scrape_form(response.content.decode())
        before = snapshot(self.world.dien_bien_officer)
        self.client.force_login(user)
        made = 0
        for url in urls:
            for method in methods:
                data = forms.get(url, {})
                if method == "get":
                    response = self.client.get(url)
                elif method == "post":
                    response = self.client.post(url, data)
                else:
                    response = getattr(self.client, method)(url, data={}, content_type="application/json")
                made += 1
                self.assertLess(response.status_code, 500, f"{method.upper()} {url}")
                if strict:
                    self.assertIn(response.status_code, DENIED, f"{user.username} {method.upper()} {url}")
        self.assertEqual(before, snapshot(self.world.dien_bien_officer), f"{user.username} changed data")
        return made

    def test_cao_bang_cannot_read_or_write_dien_bien_objects(self) -> None:
        urls = sorted(set(self.sample_urls) | set(self.object_urls))
        html = [u for u in urls if not u.startswith("/api/")]
        self.assertGreaterEqual(len(html), 30)
        COUNTS["cao_bang_html"] = self._attack(
            self.world.cao_bang_officer, html, ("get", "post"), strict=True
        )

    def test_cao_bang_api_details_and_guessed_ids(self) -> None:
        urls = [u for u in self.sample_urls if u.startswith("/api/") and "?" not in u]
        for prefix, viewset, _basename in router.registry:
            model = _api_model(prefix, viewset, self.world.dien_bien_officer)
            obj = _db_object(self.world, model._meta.label) if model is not None else None
            if obj is not None:  # reference data, or no Điện Biên row of that model in the test world
                urls.append(f"/api/v1/{prefix}/{obj.pk}/")
        self.assertGreaterEqual(len(urls), len(API_MODELS))
        urls = sorted(set(urls))
        made = self._attack(
            self.world.cao_bang_officer, urls, ("get", "post", "put", "patch", "delete"), strict=True
        )
        # ids guessed around Điện Biên's: whatever exists must be in Cao Bằng's scope or answer 404
        self.client.force_login(self.world.cao_bang_officer)
        allowed = view_prefixes(self.world.cao_bang_officer)
        for prefix, viewset, _basename in router.registry:
            model = _api_model(prefix, viewset, self.world.dien_bien_officer)
            if model is None:
                continue
            ids = list(
                model._default_manager.filter(
                    path_q(model.scope_path, view_prefixes(self.world.dien_bien_officer))
                )
                .order_by("pk")
                .values_list("pk", flat=True)[:20]
            )
            for pk in ids:
                response = self.client.get(f"/api/v1/{prefix}/{pk}/")
                made += 1
                if response.status_code == 200:
                    obj = model._default_manager.get(pk=pk)
                    path = model._default_manager.filter(pk=pk).values_list(model.scope_path, flat=True)[0]
                    self.assertTrue(path.startswith(allowed), f"{prefix}/{pk} leaks {obj}")
                else:
                    self.assertEqual(response.status_code, 404, f"{prefix}/{pk}")
                    self.assertIn("error", response.json())
        COUNTS["cao_bang_api"] = made

    def test_supervisor_and_commune_officer_write_nothing_outside_entry_scope(self) -> None:
        urls = sorted(u for u in set(self.sample_urls) | set(self.object_urls) if not u.startswith("/api/"))
        COUNTS["supervisor"] = self._attack(self.world.supervisor, urls, ("post",), strict=False)

    def test_anonymous_gets_only_the_portal_and_login(self) -> None:
        urls = list(self.object_urls) + list(self.sample_urls)
        for route, _pattern in url_patterns():
            if "<" not in route and "(?P" not in route and "^" not in route and not route.startswith(SKIP):
                urls.append("/" + route)
        self.client.logout()
        before = snapshot(self.world.dien_bien_officer)
        made = 0
        for url in sorted(set(urls)):
            if url.lstrip("/").startswith(PUBLIC_PREFIXES):
                continue
            for method in ("get", "post"):
                response = getattr(self.client, method)(url)
                made += 1
                if response.status_code == 302:
                    self.assertIn("/accounts/login", response["Location"], url)
                else:
                    self.assertIn(response.status_code, (401, 403, 404, 405), f"{method} {url}")
        for prefix, _viewset, _basename in router.registry:  # API lists; the schema itself is public (0900)
            response = self.client.get(f"/api/v1/{prefix}/")
            made += 1
            self.assertIn(response.status_code, (401, 403), prefix)
            self.assertEqual(set(response.json()), {"error"}, prefix)
        self.assertEqual(before, snapshot(self.world.dien_bien_officer))
        COUNTS["anonymous"] = made

    @classmethod
    def tearDownClass(cls) -> None:
        print(
            f"\nscope matrix requests: {COUNTS} total={sum(COUNTS.values())}"
        )  # figures for docs/reliability.md
        super().tearDownClass()
