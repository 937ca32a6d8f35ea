"""Every path works for every user (decision 0012).

Each demo persona logs in, starts at `/` and walks the app (walk.py): no server error, no 4xx behind a link, form or
redirect the app rendered, no debug page, no identifier or year printed with a thousands separator. Then every POST
form the persona was shown is posted with its default values inside a transaction that is rolled back: the endpoint
must not refuse the persona (403/404 or the services' refusal message), and a read-only persona is shown no
data-entry form at all.

The data is the demo's on the real administrative units (ids in the thousands, as in production), with a smaller
household register than `make demo` so the seed stays short.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.test import TestCase

from mtqg.accounts import demo as accounts_demo
from mtqg.accounts.models import User
from mtqg.core.scoping import edit_prefixes
from mtqg.frontpage.demo import DEMO_STEPS, _load
from mtqg.geo.models import UnitVersion
from mtqg.poverty import demo as poverty_demo
from mtqg.poverty.tally import tally_refresh

from .walk import REFUSED, PostForm, WalkResult, normalise, walk

# POST endpoints about the user's own session, inbox or requests, or that only read (a report file made as a job)
PERSONAL_POST_ACTIONS = ("/accounts/", "/notifications/", "/jobs/", "/supervision/reports/download/")
# Điện Biên's register at a walking scale (make demo: 125.000 households)
WALK_PLAN = poverty_demo.ProvincePlan(
    households=3_000,
    households_baseline=2_900,
    poor_baseline=1_200,
    near_poor_baseline=300,
    poor=1_000,
    near_poor=400,
)


def seed_walk_data() -> None:
    for step in DEMO_STEPS:
        if step == "mtqg.poverty.demo:seed":
            poverty_demo.load_standards()
            poverty_demo.seed_area_classes()
            poverty_demo.seed_dien_bien(WALK_PLAN)
            poverty_demo.seed_cao_bang(members=False)
            tally_refresh()
        else:
            _load(step)()
    accounts_demo.seed()


class PersonaWalkTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        seed_walk_data()

    def _walk_as(self, username: str) -> None:
        self.assertTrue(self.client.login(username=username, password=accounts_demo.DEMO_PASSWORD))
        result = walk(self.client, limit=150, per_route=3)
        self.assertGreater(len(result.visited), 20, f"{username} reached too few pages: {result.visited}")
        problems = [f"[walk] {p}" for p in result.problems]
        problems += [f"[role] {p}" for p in self._form_problems(username, result)]
        if problems:
            self.fail(f"{username}: {len(problems)} problems:\n" + "\n".join(problems))

    def _form_problems(self, username: str, result: WalkResult) -> list[str]:
        read_only = not edit_prefixes(User.objects.get(username=username))
        problems = []
        for form in result.post_forms.values():
            path = normalise(form.action)
            if read_only and not path.startswith(PERSONAL_POST_ACTIONS):
                problems.append(f"{form.page}: read-only {username} is shown a form posting to {path}")
                continue
            status, refused = self._post_and_roll_back(form)
            if status in (403, 404) or refused:
                problems.append(
                    f"{form.page}: the form posting to {path} is refused to {username} ({status})"
                )
        return problems

    def _post_and_roll_back(self, form: PostForm) -> tuple[int, bool]:
        """Post the form's defaults and roll everything back; (first status, whether a refusal appeared that the
        page did not show before)."""
        with transaction.atomic():
            response: Any = self.client.post(normalise(form.action), form.data, follow=True)
            transaction.set_rollback(True)
        first = response.redirect_chain[0][1] if response.redirect_chain else response.status_code
        return int(first), response.content.decode().lower().count(REFUSED) > form.refusals_on_page

    def test_demo_data_lives_on_units_with_large_ids(self) -> None:
        # the full admin-unit list is loaded: the personas' units below the country have ids in the thousands
        for demo in accounts_demo.DEMO_USERS:
            structure, level, code = demo.unit
            if level:
                unit = UnitVersion.objects.get(structure=structure, level=level, code=code)
                self.assertGreaterEqual(unit.pk, 1000)

    def test_admin(self) -> None:
        self._walk_as("admin")

    def test_central_officer(self) -> None:
        self._walk_as("trunguong")

    def test_province_officer_dien_bien(self) -> None:
        self._walk_as("dienbien")

    def test_commune_officer(self) -> None:
        self._walk_as("xa.muongphang")

    def test_province_officer_cao_bang(self) -> None:
        self._walk_as("caobang")

    def test_read_only_supervisor(self) -> None:
        self._walk_as("giamsat")
