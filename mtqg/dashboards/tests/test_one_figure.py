"""One figure everywhere (decision 0015): for the same unit, year, as-of date and basis, the
finance page, the dashboard page and its API, the portal, the disbursement report's API and the briefing give the
same disbursement rate — Cao Bằng 2023, as of the statutory day 31/01/2024, carry-over included."""

from __future__ import annotations

from datetime import date

from django.test import TestCase
from django.urls import reverse
from django.utils.module_loading import import_string

from mtqg.core.indicators import HEADLINES
from mtqg.finance import demo as finance_demo
from mtqg.finance.figures import home_figures
from mtqg.finance.selectors import disbursement_summary, statutory_as_of
from mtqg.ntm import demo as ntm_demo
from mtqg.ntm.reports import summary as ntm_summary
from mtqg.portal.selectors import province_rows
from mtqg.reports.params import parse_params
from mtqg.supervision.briefing import briefing
from mtqg.testing import PASSWORD, make_world

from .. import panels
from ..services import summaries_rebuild


class OneFigureTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        finance_demo.seed()
        ntm_demo.seed_cao_bang()
        summaries_rebuild()

    def setUp(self) -> None:
        self.client.login(username="central", password=PASSWORD)

    def test_registry_names_importable_selectors(self) -> None:
        for h in HEADLINES.values():
            for ref in (h.records, h.facts):
                self.assertTrue(callable(import_string(ref.replace(":", "."))), ref)

    def test_statutory_day_is_the_default_as_of(self) -> None:
        self.assertEqual(statutory_as_of(2023, date(2026, 12, 6)), date(2024, 1, 31))
        self.assertEqual(statutory_as_of(2026, date(2026, 12, 6)), date(2026, 12, 6))

    def test_cao_bang_2023_central_rate_is_one_figure(self) -> None:
        truth = disbursement_summary(None, self.world.cao_bang, 2023, date(2024, 1, 31), True)
        rate = truth["central"]["rate"]
        self.assertEqual(rate, 69.06)
        ntm = next(p["rate"] for p in truth["by_program"] if p["program"] == "NTM")
        self.assertEqual(ntm, 71.37)
        shown = "69,06"

        # finance page (its defaults: the statutory day, carry-over included)
        page = self.client.get(
            reverse("finance:index"), {"unit": "04", "year": "2023", "include_carry_over": "1"}
        )
        self.assertEqual(page.context["summary"]["central"]["rate"], rate)
        self.assertEqual(page.context["f"].as_of, date(2024, 1, 31))

        # dashboard page and its API, both the 2025 province (lineage) and the pre-2025 one
        for unit in (self.world.cao_bang, self.world.cao_bang_old):
            html = self.client.get(
                reverse("dashboards:unit", args=[unit.pk]), {"year": "2023"}
            ).content.decode()
            self.assertIn(shown, html)
            self.assertIn("31/01/2024", html)  # the as-of date and basis are stated
            data = self.client.get(
                "/api/v1/dashboards/dashboard/", {"unit_id": unit.pk, "year": "2023"}
            ).json()
            central = next(x for x in data["figures"] if x["label"].startswith("Giải ngân vốn NSTW"))
            self.assertEqual(central["value"], "69,06%")
            program = self.client.get(
                "/api/v1/dashboards/dashboard/", {"unit_id": unit.pk, "year": "2023", "program": "ntm"}
            ).json()
            self.assertIn("71,37%", [x["value"] for x in program["figures"]])

        # children table of the country page and the portal (facts through panels.disbursement)
        f = panels.Filters(unit=self.world.country, year=2023)
        row = next(r for r in panels.children(None, f)["rows"] if r["code"] == "04")
        self.assertEqual(row["disbursement_rate"], rate)
        portal = next(r for r in province_rows(2023) if r["code"] == "04")
        self.assertEqual(portal["central_disbursement_rate"], rate)

        # the report API (no as-of given: the same statutory day)
        api = self.client.get(
            reverse("api-report", args=["disbursement"]),
            {"unit": "04", "year": "2023", "include_carry_over": "1"},
        ).json()
        self.assertEqual(api["central"]["rate"], rate)
        self.assertEqual(api["as_of"], "2024-01-31")

        # home page key figure (latest plan year: 2023)

        home = home_figures(self.world.cao_bang, self.world.central)[0]
        self.assertEqual(home["value"], "69,06%")
        self.assertIn("31/01/2024", home["label"])

        # briefing rows
        doc = briefing(None, parse_params({"unit": "04", "year": "2023", "include_carry_over": "1"}))
        self.assertEqual(doc["figures"]["disbursement.central.rate"], rate)

    def test_without_carry_over_is_one_figure_too(self) -> None:
        truth = disbursement_summary(None, self.world.cao_bang, 2023, date(2024, 1, 31), False)
        facts = panels.load(None, panels.Filters(unit=self.world.cao_bang, year=2023))
        self.assertEqual(
            panels.pct(*panels.disbursement(facts, 2023, carry_over=False)), truth["central"]["rate"]
        )
        self.assertEqual(truth["central"]["rate"], 64.79)

    def test_cao_bang_2023_ntm_recognised_is_one_figure(self) -> None:
        truth = ntm_summary(None, parse_params({"unit": "04", "as_of": "2023-12-31"}))
        self.assertEqual((truth["recognised"], truth["communes"]), (17, 139))
        data = self.client.get(
            "/api/v1/dashboards/dashboard/", {"unit_id": self.world.cao_bang.pk, "year": "2023"}
        )
        ntm = next(x for x in data.json()["figures"] if x["label"] == "Xã đạt chuẩn nông thôn mới")
        self.assertEqual(ntm["value"], "17/139 (12,23%)")
        self.assertEqual(ntm["number"], truth["recognised_rate"])
        portal = next(r for r in province_rows(2023) if r["code"] == "04")
        self.assertEqual((portal["ntm_recognised"], portal["communes"]), (17, 139))
        doc = briefing(None, parse_params({"unit": "04", "year": "2023"}))
        self.assertEqual(doc["figures"]["ntm.recognised"], 17)
