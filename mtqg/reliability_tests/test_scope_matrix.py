"""Scope matrix for writes and guessed ids (IDOR), persona by persona.

Every Điện Biên resource (each app's `guard_sample` URLs, every HTML URL pattern with an object id filled with a
Điện Biên object, every API detail endpoint) is attacked by the Cao Bằng officer with GET, POST (the form the
Điện Biên officer sees, re-posted), and PUT/PATCH/DELETE on the API: each answer is 403/404/405 and no row or
ChangeRecord changes. The commune officer (Mường Phăng) gets the same treatment for every object of ANOTHER
Điện Biên commune (or of the province/district level), while his own commune's objects answer him. The central
officer reads everything the province officer reads (and Cao Bằng too) but cannot write where the role does not
allow it: read-only API, Django admin, another level's approval, other users' private files/jobs/notifications.
The supervisor (view access over Điện Biên) may read but writes change nothing. Anonymous visitors get only the
public portal and the login/password-reset pages.
"""

from __future__ import annotations

import uuid
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.apps import apps
from django.test import RequestFactory, TestCase
from django.urls import resolve
from rest_framework.request import Request

from mtqg.accounts.tests.test_scoping_guard import SAMPLE_PROVIDERS
from mtqg.api.router import router
from mtqg.core.models import ChangeRecord, Job
from mtqg.core.scoping import path_q, view_prefixes
from mtqg.geo.models import UnitVersion
from mtqg.notifications.models import Notification
from mtqg.notifications.services import notification_send
from mtqg.ocop.tests.factories import make_product
from mtqg.poverty.models import Household, ImportBatch, Member
from mtqg.poverty.tests.factories import make_household
from mtqg.testing import World, make_world
from mtqg.workflow import services as wf
from mtqg.workflow.models import Report, ReportAttachment

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
    "ra-soat/": "survey.Campaign",
    "ra-soat/ho/": "survey.CampaignHousehold",
    "ra-soat/xung-dot/": "survey.SyncConflict",
    "ra-soat/giay-chung-nhan/": "survey.Certificate",
    "ntm/programme/tier-targets/": "ntm.TierTarget",
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
# jsi18n/: the JavaScript catalogue (the interface's words; the login page needs it)
PUBLIC_PREFIXES = (
    "cong-khai/",
    "accounts/login",
    "accounts/password/reset",
    "ocop/catalogue",
    "healthz",
    "jsi18n/",
)
# criteria sets and their thresholds: not unit data (a province's draft sets are scoped in their views, checked by
# ntm/tests/test_authoring.py ScreensTest)
# national or provincial targets and policies: no unit path of their own; their services check the editor
REFERENCE_DATA = (
    "ntm/criteria/",
    "ntm/thresholds/",
    "ntm/provincial-sets/",
    "ntm/programme/targets/",
    "ntm/policies/",
)
SKIP = ("admin/", "api/", "^media", "media/", "static/", "i18n/", "jobs/", "accounts/logout")
COUNTS: dict[str, int] = {}
TARGETS: dict[str, int] = {}
INSIDER_STATUS: dict[str, int] = {}
INSIDER_FORMS: dict[str, dict[str, str]] = {}


def _api_model(prefix: str, viewset: Any, user: Any) -> Any:
    """The model behind a router entry (from its get_queryset), or None for reference data (no scope_path)."""

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


def _db_object(world: Any, label: str, outside: tuple[str, ...] = (), parent: Any = None) -> Any:
    """The first Điện Biên row of a model; with `outside`, the first one whose path is not under those prefixes
    (another commune than the commune officer's); with `parent`, one belonging to that household."""
    model = apps.get_model(label)
    if label == "geo.UnitVersion" and not outside:
        return world.muong_phang
    qs = model._default_manager.filter(path_q(model.scope_path, view_prefixes(world.dien_bien_officer)))
    if outside:
        qs = qs.exclude(path_q(model.scope_path, outside))
    if label == "geo.UnitVersion":
        qs = qs.filter(level=3)  # a sibling commune
    if parent is not None and any(f.name == "household" for f in model._meta.fields):
        qs = qs.filter(household=parent)
    return qs.order_by("pk").first()


def _api_models(user: Any) -> dict[str, Any]:
    """Router prefix → scoped model (reference data left out)."""
    out = {}
    for prefix, viewset, _basename in router.registry:
        model = _api_model(prefix, viewset, user)
        if model is not None:
            out[prefix] = model
    return out


def _target(url: str, api_models: dict[str, Any]) -> tuple[Any, Any]:
    """(model, pk) of the object a URL addresses: `?unit=`/`?unit_id=` → the unit; an API detail → the router
    entry's model; an HTML pattern → PK_MODELS. An unknown URL fails the test (map it)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for key in ("unit", "unit_id"):
        if query.get(key, [""])[0].isdigit():
            return apps.get_model("geo.UnitVersion"), int(query[key][0])
    path = parts.path
    if path.startswith("/api/v1/"):
        prefix, _, pk = path[len("/api/v1/") :].strip("/").rpartition("/")
        assert prefix in api_models and pk.isdigit(), f"no model for {url}"
        return api_models[prefix], int(pk)
    match = resolve(path)
    route = path.lstrip("/")
    prefix = next((p for p in sorted(PK_MODELS, key=len, reverse=True) if route.startswith(p)), None)
    assert prefix is not None and "pk" in match.kwargs, f"no model for {url}"
    return apps.get_model(PK_MODELS[prefix]), match.kwargs["pk"]


def _target_path(url: str, api_models: dict[str, Any]) -> str:
    model, pk = _target(url, api_models)
    return str(model._default_manager.filter(pk=pk).values_list(model.scope_path, flat=True).get())


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

        household = Household.objects.filter(commune=w.muong_phang).first()
        if household is not None and not Member.objects.filter(household=household).exists():
            Member.objects.create(household=household, full_name="Lò Thị Guard", relation="chu_ho")
        cls._other_commune_rows(w)
        cls.object_urls = cls._object_urls()

    @classmethod
    def _other_commune_rows(cls, w: World) -> None:
        """Rows of the models whose guard sample sits in Mường Phăng, in another Điện Biên commune: the commune
        officer must not reach them."""

        mine = view_prefixes(w.commune_officer)
        other = (
            UnitVersion.objects.filter(structure="2025", level=3, parent=w.dien_bien)
            .exclude(path_q("path", mine))
            .order_by("code")
            .first()
        )
        assert other is not None
        cls.other_commune = other
        make_household(other, "GUARD-DB-2", "Lò Văn Khác", address="GUARD-ĐB xã khác")
        ImportBatch.objects.create(
            unit=other,
            year=2023,
            file_name="khac.csv",
            file_sha256="1" * 64,
            status=ImportBatch.Status.STAGED,
            note="GUARD-ĐB",
        )
        make_product(other, name="Chè xã khác", subject_name="HTX xã khác", ecommerce=True, text="GUARD-ĐB")
        ours = Report.objects.filter(unit=w.muong_phang).order_by("pk").first()
        assert ours is not None
        report = Report.objects.create(
            report_type=ours.report_type, unit=other, period=ours.period, note="GUARD-ĐB"
        )
        ReportAttachment.objects.create(report=report, title="GUARD-ĐB", file="workflow/y.pdf")

    @classmethod
    def _object_urls(cls, outside: tuple[str, ...] = ()) -> list[str]:
        """Every non-admin HTML URL pattern with ids, filled with Điện Biên objects (outside those prefixes)."""
        urls: list[str] = []
        for route, _pattern in url_patterns():
            if "<int:" not in route or route.startswith(SKIP + REFERENCE_DATA + ("cong-khai/",)):
                continue
            prefix = next((p for p in sorted(PK_MODELS, key=len, reverse=True) if route.startswith(p)), None)
            assert prefix is not None, f"no model mapped for {route}"
            obj = _db_object(cls.world, PK_MODELS[prefix], outside)
            if obj is None:
                continue
            url = route.replace("<int:pk>", str(obj.pk))
            for arg, label in SECOND_ARG.items():
                if f"<int:{arg}>" in url:
                    second = _db_object(cls.world, label, outside, parent=obj)
                    if second is None:
                        url = ""
                        break
                    url = url.replace(f"<int:{arg}>", str(second.pk))
            if not url:
                continue
            url = url.replace("<str:action>", "submit").replace("<slug:chart>", "ntm_tiers")
            urls.append("/" + url)
        return sorted(set(urls))

    def _insider(self, urls: list[str]) -> None:
        """GET each HTML URL once as the Điện Biên officer: his status and the form he sees, cached for the class
        (every test starts from the same setUpTestData state)."""
        self.client.force_login(self.world.dien_bien_officer)
        for url in urls:
            if url in INSIDER_STATUS or url.startswith("/api/"):
                continue
            response = self.client.get(url)
            INSIDER_STATUS[url] = response.status_code
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                INSIDER_FORMS[url] = scrape_form(response.content.decode())

    def _attack(self, user: Any, urls: list[str], methods: tuple[str, ...], strict: bool) -> int:
        """Send each method to each URL as `user`; nothing in Điện Biên may change. Returns requests made."""
        self._insider(urls)
        forms = INSIDER_FORMS
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
        TARGETS["cao_bang_html"] = len(html)
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
        TARGETS["cao_bang_api"] = len(urls)
        made = self._attack(
            self.world.cao_bang_officer, urls, ("get", "post", "put", "patch", "delete"), strict=True
        )
        # ids guessed around Điện Biên's: whatever exists must be in Cao Bằng's scope or answer 404
        made += self._guess_ids(self.world.cao_bang_officer)
        COUNTS["cao_bang_api"] = made

    def _guess_ids(self, user: Any, outside: tuple[str, ...] = ()) -> int:
        """GET the API detail of up to 20 Điện Biên pks per router entry (with `outside`, pks of rows outside those
        prefixes first): a 200 must be a row inside the user's view scope, anything else a 404 in the error format."""
        self.client.force_login(user)
        allowed = view_prefixes(user)
        made = 0
        for prefix, model in _api_models(self.world.dien_bien_officer).items():
            qs = model._default_manager.filter(
                path_q(model.scope_path, view_prefixes(self.world.dien_bien_officer))
            )
            if outside:
                qs = qs.exclude(path_q(model.scope_path, outside))
            for pk in qs.order_by("pk").values_list("pk", flat=True)[:20]:
                response = self.client.get(f"/api/v1/{prefix}/{pk}/")
                made += 1
                if response.status_code == 200:
                    path = model._default_manager.filter(pk=pk).values_list(model.scope_path, flat=True)[0]
                    self.assertTrue(path.startswith(allowed), f"{user.username}: {prefix}/{pk} leaks {path}")
                else:
                    self.assertEqual(response.status_code, 404, f"{user.username}: {prefix}/{pk}")
                    self.assertIn("error", response.json())
        return made

    def test_commune_officer_cannot_read_or_write_another_communes_objects(self) -> None:
        """Mường Phăng's officer against every object of another Điện Biên commune (and of the province and
        district levels): 403/404/405 for GET/POST (HTML) and every method (API), guessed ids 404, nothing changes.
        His own commune's objects answer him (the matrix is not vacuous)."""
        w = self.world
        mine = view_prefixes(w.commune_officer)
        api_models = _api_models(w.dien_bien_officer)
        candidates = set(self.sample_urls) | set(self._object_urls(outside=mine))
        for prefix, model in api_models.items():
            obj = _db_object(w, model._meta.label, mine)
            if obj is not None:
                candidates.add(f"/api/v1/{prefix}/{obj.pk}/")
        paths = {u: _target_path(u, api_models) for u in candidates}
        outside = sorted(u for u in candidates if not paths[u].startswith(mine))
        own = sorted(u for u in candidates if paths[u].startswith(mine))
        # every model an HTML pattern or the API takes has an object outside his commune in the attack
        covered = {_target(u, api_models)[0]._meta.label for u in outside}
        expected = {PK_MODELS[p] for p in PK_MODELS} | {m._meta.label for m in api_models.values()}
        missing = {label for label in expected - covered if _db_object(w, label, mine) is not None}
        self.assertEqual(missing, set(), "models without an out-of-commune target")
        html = [u for u in outside if not u.startswith("/api/")]
        api = [u for u in outside if u.startswith("/api/")]
        made = self._attack(w.commune_officer, html, ("get", "post"), strict=True)
        made += self._attack(w.commune_officer, api, ("get", "post", "put", "patch", "delete"), strict=True)
        made += self._guess_ids(w.commune_officer, outside=mine)
        # his own commune: the household page and the API detail answer 200
        self.client.force_login(w.commune_officer)
        own_ok = [u for u in own if self.client.get(u).status_code == 200]
        made += len(own)
        self.assertTrue(any(u.startswith("/poverty/ho/") for u in own_ok), own)
        self.assertTrue(any(u.startswith("/api/v1/poverty/households/") for u in own_ok), own)
        COUNTS["commune"] = made
        TARGETS["commune"] = len(outside)

    def test_central_reads_everywhere_and_writes_only_where_the_role_allows(self) -> None:
        """The central officer (entry access over the country) gets what the Điện Biên officer gets on every
        Điện Biên URL (except other users' private files) and reads Cao Bằng rows too; the API is read-only for
        him, Django admin is closed, he cannot approve in the province's place, and other users' jobs, files and
        notifications stay theirs. A real edit of a Điện Biên household goes through (the role allows it)."""

        w = self.world
        api_models = _api_models(w.dien_bien_officer)
        urls = set(self.sample_urls) | set(self.object_urls)
        for prefix, model in api_models.items():
            for province in (w.dien_bien_old, w.cao_bang_old):
                row = (
                    model._default_manager.filter(path_q(model.scope_path, (province.path,)))
                    .order_by("pk")
                    .first()
                )
                if row is not None:
                    urls.add(f"/api/v1/{prefix}/{row.pk}/")
        urls_sorted = sorted(urls)
        private = ("/supervision/reports/files/",)  # owner-only (decision 0902)
        self._insider(urls_sorted)
        insider = INSIDER_STATUS
        self.client.force_login(w.central)
        made = 0
        for url in urls_sorted:
            status = self.client.get(url).status_code
            made += 1
            if url.startswith(private):
                self.assertEqual(status, 404, url)
            elif url.startswith("/api/"):
                self.assertEqual(status, 200, url)
            else:
                self.assertEqual(status, insider[url], url)
        # writes the role does not allow: nothing changes
        report = Report.objects.filter(unit=w.muong_phang).order_by("pk").get()
        report = wf.report_submit(actor=w.commune_officer, report=report, version=report.version)
        self.assertFalse(wf.can_decide(w.central, report))
        job_url = self._private_job_url(w.dien_bien_officer)
        note_ids = self._private_notifications(w.dien_bien_officer)
        before = snapshot(w.central)
        self.client.force_login(w.central)
        api = sorted(u for u in urls_sorted if u.startswith("/api/"))
        for url in api:
            for method in ("post", "put", "patch", "delete"):
                response = getattr(self.client, method)(url, data={}, content_type="application/json")
                made += 1
                self.assertEqual(response.status_code, 405, f"central {method.upper()} {url}")
        for action in ("approve", "return"):
            self.client.post(
                f"/workflow/reports/{report.pk}/{action}/",
                {"version": report.version, "reason": "trung ương"},
            )
            made += 1
        for url, data in (
            ("/admin/", {}),
            (
                "/admin/accounts/user/add/",
                {"username": "x", "password1": "Aa-123456789", "password2": "Aa-123456789"},
            ),
            (
                "/admin/accounts/assignment/add/",
                {"user": w.central.pk, "role": "admin", "unit": w.country.pk},
            ),
        ):
            for method in ("get", "post"):
                response = getattr(self.client, method)(url, data)
                made += 1
                self.assertEqual(response.status_code, 302, url)
                self.assertIn("/admin/login/", response["Location"], url)
        response = self.client.get(job_url)
        made += 1
        self.assertEqual(response.status_code, 404, job_url)
        self.client.post("/notifications/read/", {"id": [str(i) for i in note_ids]})
        made += 1
        self.assertEqual(before, snapshot(w.central), "central changed data it may not")
        self.assertEqual(Report.objects.get(pk=report.pk).status, report.status)

        self.assertFalse(Notification.objects.filter(pk__in=note_ids, read_at__isnull=False).exists())
        # a write the role allows: the Điện Biên household edit form, re-posted with a new address

        household = Household.objects.get(code="GUARD-DB-2")
        edit = f"/poverty/ho/{household.pk}/sua/"
        form = scrape_form(self.client.get(edit).content.decode())
        form["address"] = "Bản Mới, do Trung ương sửa"
        changes = ChangeRecord.objects.count()
        response = self.client.post(edit, form)
        made += 1
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        household.refresh_from_db()
        self.assertEqual(household.address, "Bản Mới, do Trung ương sửa")
        self.assertEqual(ChangeRecord.objects.count(), changes + 1)
        COUNTS["central"] = made
        TARGETS["central"] = len(urls_sorted) + 3 + 2  # + admin pages, approve/return, job, notifications

    @staticmethod
    def _private_job_url(owner: Any) -> str:
        job = Job.objects.create(id=uuid.uuid4(), kind="noop", title="riêng", params={}, created_by=owner)
        return f"/jobs/{job.pk}/"

    @staticmethod
    def _private_notifications(owner: Any) -> list[int]:
        notification_send(recipients=[owner], category="system", title="Riêng tư", url="/", key="rel-0902")

        return list(Notification.objects.filter(recipient=owner).values_list("pk", flat=True))

    def test_supervisor_writes_nothing(self) -> None:
        urls = sorted(u for u in set(self.sample_urls) | set(self.object_urls) if not u.startswith("/api/"))
        TARGETS["supervisor"] = len(urls)
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
        TARGETS["anonymous"] = len(set(urls)) + len(router.registry)

    @classmethod
    def tearDownClass(cls) -> None:
        # figures for docs/reliability.md
        print(f"\nscope matrix requests: {COUNTS} total={sum(COUNTS.values())}")
        print(f"scope matrix endpoints (objects × URL patterns) per persona: {TARGETS}")
        super().tearDownClass()
