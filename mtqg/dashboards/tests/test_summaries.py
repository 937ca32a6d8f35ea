"""Summary facts: computed from records (same numbers as the program apps' own reports), full rebuild command,
incremental refresh after a service's committed change, and the lineage mapping to today's units."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.core.management import CommandError, call_command
from django.test import TestCase

from mtqg.finance.reports import disbursement, outputs
from mtqg.geo.models import UnitLineage
from mtqg.ntm.reports import summary as ntm_summary
from mtqg.poverty.reports import summary as poverty_summary
from mtqg.reports.params import parse_params
from mtqg.supervision.models import Recommendation
from mtqg.supervision.services import recommendation_close
from mtqg.testing import make_world

from .. import panels, selectors
from ..models import PendingRefresh, SummaryFact
from ..services import summaries_rebuild
from . import factories


class SummaryTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.sample(cls.world)

    def facts(self, unit, year, program="", mode=selectors.REPORTED):  # type: ignore[no-untyped-def]
        return panels.load(None, panels.Filters(unit=unit, year=year, program=program, mode=mode))

    def test_ntm_matches_the_ntm_report(self) -> None:
        for year in (2019, 2020):
            report = ntm_summary(None, parse_params({"unit": "11", "as_of": f"{year}-12-31"}))
            facts = self.facts(self.world.dien_bien, year)
            tiers = facts.keys("ntm.tier", year)
            recognised = sum(tiers.get(t, [0])[0] for t in panels.RECOGNISED)
            self.assertEqual(recognised, report["recognised"])
            self.assertEqual(facts.get("ntm.communes", year)[0], report["communes"])
            self.assertEqual(sum(v[0] for v in facts.keys("ntm.assessed", year).values()), report["assessed"])
        self.assertEqual(report["communes"], 115)  # Điện Biên pre-2025: 115 xã
        self.assertEqual(recognised, 3)  # 2 đạt chuẩn + 1 nâng cao; the 'cơ bản đạt' is not recognised

    def test_bands_and_average(self) -> None:
        chart = panels.ntm_bands(
            self.facts(self.world.dien_bien, 2019), panels.Filters(self.world.dien_bien, 2019)
        )
        row = next(r for r in chart["table"].rows if r["year"] == 2019)
        self.assertEqual((row["19"], row["15-18"], row["10-14"], row["5-9"], row["0-4"]), (3, 2, 3, 1, 1))
        self.assertEqual(row["not_assessed"], 105)
        self.assertEqual(row["average"], 13.8)

    def test_poverty_matches_the_poverty_report(self) -> None:
        report = poverty_summary(None, parse_params({"unit": "11", "year": "2020", "baseline": "2019"}))
        chart = panels.poverty_rates(
            self.facts(self.world.dien_bien, 2020), panels.Filters(self.world.dien_bien, 2020)
        )
        row = next(r for r in chart["table"].rows if r["year"] == 2020)
        self.assertEqual((row["households"], row["poor"], row["poor_rate"]), (60, 18, 30.0))
        self.assertEqual(row["poor_rate"], report["poor_rate"])
        self.assertEqual(row["near_poor_rate"], report["near_poor_rate"])

    def test_finance_matches_the_finance_report(self) -> None:
        # the headline basis (decision 0015): as of the statutory day 31/01 N+1, carry-over included
        report = disbursement(
            None,
            parse_params({"unit": "04", "year": "2023", "as_of": "2024-01-31", "include_carry_over": "1"}),
        )
        chart = panels.finance_sources(
            self.facts(self.world.cao_bang, 2023), panels.Filters(self.world.cao_bang, 2023)
        )
        by_source = {r["source"]: r for r in report["by_source"]}
        labels = panels._source_labels()
        for row in chart["table"].rows:
            code = next(k for k, v in labels.items() if v == row["source"])
            self.assertEqual(row["plan"], by_source[code]["plan"])
            self.assertEqual(row["disbursed"], by_source[code]["disbursed"])
            self.assertEqual(row["rate"], by_source[code]["rate"])

    def test_outputs_match_the_finance_report(self) -> None:
        report = {r["code"]: r for r in outputs(None, parse_params({"unit": "04", "year": "2023"}))}
        chart = panels.outputs(
            self.facts(self.world.cao_bang, 2023), panels.Filters(self.world.cao_bang, 2023)
        )
        self.assertTrue(chart["table"].rows)
        for row in chart["table"].rows:
            self.assertEqual(row["actual"], report[row["code"]]["actual"])
            self.assertEqual(row["target"], report[row["code"]]["target"])

    def test_rebuild_command_and_errors(self) -> None:
        out = io.StringIO()
        call_command("rebuild_summaries", "--unit", "11", stdout=out)
        self.assertIn("số liệu tổng hợp", out.getvalue())
        with self.assertRaisesMessage(CommandError, "Không có đơn vị hành chính mã 999"):
            call_command("rebuild_summaries", "--unit", "999", stdout=out)
        with self.assertRaisesMessage(CommandError, "Ngày không hợp lệ"):
            call_command("rebuild_summaries", "--unit", "11", "--as-of", "2020-13-01", stdout=out)

    def test_rebuild_is_a_replacement_not_an_addition(self) -> None:
        before = SummaryFact.objects.count()
        summaries_rebuild(unit=self.world.dien_bien)
        self.assertEqual(SummaryFact.objects.count(), before)

    def test_incremental_refresh_after_a_service_commit(self) -> None:
        rec = Recommendation.objects.filter(
            mission__unit__path__startswith=self.world.dien_bien_old.path, status__in=Recommendation.OPEN
        ).first()
        assert rec is not None
        unit = self.world.dien_bien
        open_before = panels.key_figures(self.facts(unit, 2026), panels.Filters(unit, 2026))[-1]["value"]
        with self.captureOnCommitCallbacks(execute=True):
            recommendation_close(actor=None, recommendation=rec, reason="Đã xong")
            self.assertTrue(PendingRefresh.objects.exists())  # marked inside the transaction
        self.assertFalse(PendingRefresh.objects.exists())
        open_after = panels.key_figures(self.facts(unit, 2026), panels.Filters(unit, 2026))[-1]["value"]
        self.assertEqual(int(open_after), int(open_before) - 1)

    def test_scope_of_facts(self) -> None:
        cb = SummaryFact.objects.visible_to(self.world.cao_bang_officer)
        self.assertFalse(cb.filter(unit__path__startswith=self.world.dien_bien_old.path).exists())
        self.assertTrue(cb.filter(unit__path__startswith=self.world.cao_bang_old.path).exists())
        facts = panels.load(self.world.cao_bang_officer, panels.Filters(self.world.dien_bien, 2019))
        self.assertEqual(facts.sums, {})


class LineageTest(TestCase):
    """As reported vs on today's units: statuses as 'n of m predecessor communes', additive sums apportioned."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = factories.dien_bien_facts(make_world())

    def test_province_totals_agree_in_both_modes(self) -> None:
        unit = self.world.dien_bien
        reported = panels.load(None, panels.Filters(unit, 2020))
        current = panels.load(None, panels.Filters(unit, 2020, mode=selectors.CURRENT))
        for measure in ("ntm.tier", "poverty.poor"):
            self.assertEqual(reported.keys(measure, 2020), current.keys(measure, 2020), measure)

    def test_commune_on_today_units_shows_n_of_m(self) -> None:
        first = factories.xa(self.world.dien_bien_old, 1)[0]
        edge = UnitLineage.objects.filter(predecessor=first).select_related("successor").first()
        assert edge is not None
        successor = edge.successor
        m = UnitLineage.objects.filter(successor=successor, predecessor__kind="xa").count()
        f = panels.Filters(self.world.dien_bien, 2020, mode=selectors.CURRENT)
        rows = {r["id"]: r for r in panels.children(None, f)["rows"]}
        row = rows[successor.pk]
        self.assertEqual(row["communes"], m)
        self.assertRegex(row["status"], rf"^\d+/{m} xã trước sáp nhập đạt chuẩn$")
        reported_rows = panels.children(None, panels.Filters(self.world.dien_bien, 2020))["rows"]
        self.assertEqual(len(reported_rows), 129)  # 115 xã + 9 phường + 5 thị trấn on 31/12/2020
        today = self.world.dien_bien.children.filter(level=3).count()
        self.assertEqual(len(rows), today)  # today's communes of Điện Biên

    def test_apportioning_uses_share_else_equal_parts(self) -> None:
        split = (
            UnitLineage.objects.filter(kind="split", share__isnull=True)
            .values_list("predecessor_id", flat=True)
            .first()
        )
        mapping = selectors.current_map({split}, date(2026, 1, 1))
        shares = [s for _t, s in mapping[split]]
        self.assertAlmostEqual(sum(shares), Decimal(1))
        self.assertEqual(len(set(shares)), 1)
