"""Every path works for every user (issue #19, parts 1, 2 and 6).

Each demo persona logs in, starts at `/` and walks the app (walk.py): no server error, no 403/404 behind a link the
app rendered, no debug page, no identifier or year printed with a thousands separator. Then every POST form the
persona was shown is posted with its default values inside a transaction that is rolled back: the endpoint must not
refuse the persona (403/404), and a read-only persona is shown no data-entry form at all.

The data is the demo's, on the real administrative units (ids in the thousands, as in production).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.test import TestCase

from mtqg.accounts import demo as accounts_demo
from mtqg.accounts.models import User
from mtqg.accounts.scoping import edit_prefixes
from mtqg.core.demo import DEMO_STEPS, _load
from mtqg.geo.models import UnitVersion

from .walk import PostForm, WalkResult, normalise, walk

# POST endpoints about the user's own session, inbox or requests, or that only read (a report file made as a job)
PERSONAL_POST_ACTIONS = ("/accounts/", "/notifications/", "/jobs/", "/supervision/reports/download/")
# the refusal every service gives (ensure_can_edit and friends), shown on the page or as a message after a redirect
REFUSED = "không có quyền"


class PersonaWalkTest(TestCase):
    walks: ClassVar[dict[str, WalkResult]] = {}

    @classmethod
    def setUpTestData(cls) -> None:
        for step in DEMO_STEPS:
            if step == "mtqg.poverty.demo:seed":
                from mtqg.poverty import demo as poverty_demo

                poverty_demo.seed(members=True, plan=poverty_demo.DIEN_BIEN_LEAN)
            else:
                _load(step)()
        accounts_demo.seed()
        cls.walks = {}

    def _walk(self, username: str) -> WalkResult:
        if username not in self.walks:
            self.assertTrue(self.client.login(username=username, password=accounts_demo.DEMO_PASSWORD))
            self.walks[username] = walk(self.client, limit=150, per_route=3)
            self.client.logout()
        return self.walks[username]

    def _check_walk(self, username: str) -> None:
        result = self._walk(username)
        self.assertGreater(len(result.visited), 20, f"{username} reached too few pages: {result.visited}")
        if result.problems:
            self.fail(f"{username}: {len(result.problems)} problems:\n" + "\n".join(result.problems))

    def _check_forms(self, username: str) -> None:
        result = self._walk(username)
        user = User.objects.get(username=username)
        read_only = not edit_prefixes(user)
        self.assertTrue(self.client.login(username=username, password=accounts_demo.DEMO_PASSWORD))
        problems = []
        for form in result.post_forms.values():
            path = normalise(form.action)
            if read_only and not path.startswith(PERSONAL_POST_ACTIONS):
                problems.append(f"{form.page}: read-only {username} is shown a form posting to {path}")
                continue
            status, refused = self._post_and_roll_back(form)
            if status in (403, 404) or refused:
                problems.append(f"{form.page}: form posting to {path} is refused to {username} ({status})")
        if problems:
            self.fail(f"{username}: {len(problems)} forms the role cannot use:\n" + "\n".join(problems))

    def _post_and_roll_back(self, form: PostForm) -> tuple[int, bool]:
        """Post the form's defaults and roll everything back; (status, whether a refusal message appeared that the
        page did not show before)."""
        before = self.client.get(form.page).content.decode().lower().count(REFUSED)
        with transaction.atomic():
            response: Any = self.client.post(normalise(form.action), form.data, follow=True)
            transaction.set_rollback(True)
        first = response.redirect_chain[0][1] if response.redirect_chain else response.status_code
        return int(first), response.content.decode().lower().count(REFUSED) > before

    def test_demo_data_lives_on_units_with_large_ids(self) -> None:
        # the full admin-unit list is loaded: the personas' units have ids in the thousands, as in production
        for demo in accounts_demo.DEMO_USERS:
            structure, level, code = demo.unit
            if level:
                self.assertGreaterEqual(
                    UnitVersion.objects.get(structure=structure, level=level, code=code).pk, 1000
                )

    def test_walk_admin(self) -> None:
        self._check_walk("admin")

    def test_walk_central(self) -> None:
        self._check_walk("trunguong")

    def test_walk_province_dien_bien(self) -> None:
        self._check_walk("dienbien")

    def test_walk_commune(self) -> None:
        self._check_walk("xa.muongphang")

    def test_walk_province_cao_bang(self) -> None:
        self._check_walk("caobang")

    def test_walk_supervisor(self) -> None:
        self._check_walk("giamsat")

    def test_forms_follow_the_role_central(self) -> None:
        self._check_forms("trunguong")

    def test_forms_follow_the_role_province(self) -> None:
        self._check_forms("dienbien")

    def test_forms_follow_the_role_commune(self) -> None:
        self._check_forms("xa.muongphang")

    def test_forms_follow_the_role_supervisor(self) -> None:
        self._check_forms("giamsat")
