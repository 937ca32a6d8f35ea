"""Roll-ups (decision 0715): the precomputed nodes give what the per-request computation over the facts gives, in
both reform modes (additive measures apportioned, statuses whole, rates recomputed), stay equal to a fresh rebuild
after incremental refreshes, and are read only by users who see everything they sum."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from mtqg.finance import demo as finance_demo
from mtqg.geo.models import UnitLineage, UnitVersion
from mtqg.ntm.models import Assessment, Recognition, RecognitionTier
from mtqg.poverty.models import Household, PovertyClass, Review
from mtqg.poverty.standards import load_standards, standard_for
from mtqg.supervision import demo as supervision_demo
from mtqg.supervision.models import Recommendation
from mtqg.supervision.services import recommendation_close
from mtqg.testing import make_world

from .. import panels, rollups, selectors
from ..models import PendingRefresh, Rollup, RollupState
from ..services import summaries_rebuild, summaries_refresh
from . import factories

YEARS = list(range(2016, 2027))
TOLERANCE = Decimal("0.000001")


def split_commune() -> tuple[UnitVersion, list[UnitVersion]]:
    """A pre-2025 commune divided between two or more 2025 communes with no recorded shares (equal parts)."""
    for edge in UnitLineage.objects.filter(
        predecessor__level=UnitVersion.Level.COMMUNE,
        predecessor__kind=UnitVersion.Kind.COMMUNE,  # a xã: NTM facts too
        share__isnull=True,
    ).order_by("predecessor_id"):
        edges = list(
            UnitLineage.objects.filter(predecessor_id=edge.predecessor_id).select_related("successor")
        )
        successors = {e.successor_id for e in edges}
        if len(successors) > 1 and all(e.share is None for e in edges):
            return edge.predecessor, sorted({e.successor for e in edges}, key=lambda u: u.pk)
    raise AssertionError("no split commune in the loaded lineage")


def add_records(commune: UnitVersion) -> None:
    """An assessment, a recognition and 20 reviewed households (8 poor in 2020) on one commune."""

    cset = factories.criteria_set()
    Assessment.objects.create(
        commune=commune,
        year=2019,
        criteria_set=cset,
        assessed_on=date(2019, 10, 1),
        criteria_met=18,
        criteria_total=19,
    )
    Recognition.objects.create(
        commune=commune,
        tier=RecognitionTier.STANDARD,
        decision_no="9/QĐ-UBND",
        decision_date=date(2020, 3, 1),
        standard_year=2019,
    )
    load_standards()
    standard = standard_for(2020)
    for h in range(20):
        hh = Household.objects.create(
            code=f"split-{commune.code}-{h}",
            commune=commune,
            head_name="Hộ thử",
            ethnicity="Kinh",
            area="rural",
        )
        Review.objects.create(
            household=hh,
            commune=commune,
            year=2020,
            poverty_class=PovertyClass.POOR if h < 8 else PovertyClass.NONE,
            income_per_capita_month=500_000,
            standard=standard,
        )


def assert_sums_equal(
    case: TestCase, a: dict[Any, list[Decimal]], b: dict[Any, list[Decimal]], label: str
) -> None:
    case.assertEqual(set(a), set(b), label)
    for k in a:
        for x, y in zip(a[k], b[k], strict=True):
            case.assertLessEqual(abs(Decimal(x) - Decimal(y)), TOLERANCE, f"{label} {k}: {a[k]} ≠ {b[k]}")


def snapshot() -> dict[tuple[Any, ...], list[Decimal]]:
    return {
        (r.node_id, r.mode, r.measure, r.year, r.period, r.key): [
            r.numerator,
            r.denominator,
            Decimal(r.facts),
        ]
        for r in Rollup.objects.all()
    }


def chart_data(dash: dict[str, Any]) -> Any:
    return (dash["figures"], [(c["id"], c["series"], c["table"].rows) for c in dash["charts"]])


class RollupTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.ntm_rows(cls.world.dien_bien_old)
        factories.poverty_rows(cls.world.dien_bien_old)
        cls.split, cls.successors = split_commune()
        add_records(cls.split)
        cls.old_province = UnitVersion.objects.get(path=cls.split.path[: rollups.PROVINCE_PATH_LENGTH])
        cls.new_province = UnitVersion.objects.get(
            path=cls.successors[0].path[: rollups.PROVINCE_PATH_LENGTH]
        )

        finance_demo.seed()
        supervision_demo.seed()
        for unit in (cls.world.dien_bien, cls.world.cao_bang, cls.new_province):
            summaries_rebuild(unit=unit)  # each rebuilds every roll-up node
        cls.country = UnitVersion.objects.get(level=UnitVersion.Level.COUNTRY)

    def setUp(self) -> None:
        cache.clear()

    def units(self) -> list[UnitVersion]:
        w = self.world
        return [
            self.country,
            w.dien_bien,
            w.dien_bien_old,
            w.cao_bang,
            w.cao_bang_old,
            self.old_province,
            self.new_province,
            *self.successors,
        ]

    def test_rebuild_builds_every_node(self) -> None:
        self.assertTrue(rollups.ready())
        modes = set(Rollup.objects.values_list("mode", "node_level").distinct())
        self.assertEqual(
            modes,
            {
                (rollups.REPORTED, UnitVersion.Level.COUNTRY),
                (rollups.REPORTED, UnitVersion.Level.PROVINCE),
                (rollups.CURRENT, UnitVersion.Level.PROVINCE),
                (rollups.CURRENT, UnitVersion.Level.COMMUNE),
            },
        )

    def test_totals_equal_the_per_request_sums_in_both_modes(self) -> None:
        measures = panels.ALL_MEASURES
        for unit in self.units():
            precomputed = selectors.reported(None, unit, measures, YEARS)
            with rollups.disabled():
                computed = selectors.reported(None, unit, measures, YEARS)
            self.assertTrue(computed, unit)
            assert_sums_equal(self, precomputed, computed, f"reported {unit}")
            if unit.structure == UnitVersion.Structure.PRE2025:
                continue
            prefixes = selectors.identity_prefixes(unit) if unit.level == 0 else selectors.unit_prefixes(unit)
            self.assertIsNotNone(rollups.current_sums(None, unit, prefixes, measures, YEARS), unit)
            precomputed = selectors.current_totals(None, unit, measures, YEARS)
            with rollups.disabled():
                computed = selectors.current_totals(None, unit, measures, YEARS)
            assert_sums_equal(self, precomputed, computed, f"current {unit}")

    def test_statuses_are_whole_and_additive_measures_apportioned(self) -> None:
        share = Decimal(1) / len(self.successors)
        for successor in self.successors:
            sums = selectors.current_totals(None, successor, ("ntm.tier", "poverty.poor"), [2020])
            self.assertEqual(sums[("ntm.tier", 2020, "", "dat_chuan")][0], 1)  # never apportioned
            poor, households = sums[("poverty.poor", 2020, "", "")]
            self.assertLessEqual(abs(households - 20 * share), TOLERANCE)
            self.assertLessEqual(abs(poor - 8 * share), TOLERANCE)
            # the rate is recomputed from the apportioned numerator and denominator: 8/20, not averaged
            self.assertEqual(panels.pct(poor, households), 40.0)
        # in the new province's totals the recognised commune counts once, not once per successor
        prov = selectors.current_totals(None, self.new_province, ("ntm.tier",), [2020])
        with rollups.disabled():
            self.assertEqual(prov, selectors.current_totals(None, self.new_province, ("ntm.tier",), [2020]))

    def test_pages_equal_the_per_request_pages(self) -> None:
        cases = [
            (self.country, 2020, selectors.REPORTED),
            (self.country, 2020, selectors.CURRENT),
            (self.country, 2023, selectors.CURRENT),
            (self.world.dien_bien, 2020, selectors.REPORTED),
            (self.world.dien_bien, 2026, selectors.CURRENT),
            (self.world.cao_bang, 2023, selectors.CURRENT),
            (self.new_province, 2020, selectors.CURRENT),
            (self.new_province, 2020, selectors.REPORTED),
            (self.successors[0], 2020, selectors.CURRENT),
        ]
        for unit, year, mode in cases:
            for program in ("", "ntm", "poverty"):
                f = panels.Filters(unit, year, program=program, mode=mode)
                page, kids = panels.dashboard(None, f), panels.children(None, f)
                with rollups.disabled():
                    page0, kids0 = panels.dashboard(None, f), panels.children(None, f)
                label = f"{unit} {year} {mode} {program}"
                self.assertEqual(chart_data(page), chart_data(page0), label)
                self.assertEqual(kids["rows"], kids0["rows"], label)

    def test_default_year_from_the_nodes(self) -> None:
        for unit in (self.country, self.world.dien_bien, self.world.cao_bang_old):
            year = selectors.default_year(None, unit)
            with rollups.disabled():
                self.assertEqual(year, selectors.default_year(None, unit), unit)

    def test_incremental_refresh_keeps_the_nodes_equal_to_a_rebuild(self) -> None:
        Assessment.objects.filter(commune=self.split).update(
            criteria_met=19
        )  # a key changes: delete + create
        Recognition.objects.filter(commune=self.split).update(tier=RecognitionTier.ADVANCED)
        first = factories.xa(self.world.dien_bien_old, 1)[0]
        Recognition.objects.filter(commune=first).delete()  # a fact disappears
        for commune in (self.split, first):
            PendingRefresh.objects.create(unit_path=commune.path, subtree=False)
            self.assertGreater(summaries_refresh(commune.path), 0)
        rec = Recommendation.objects.filter(status__in=Recommendation.OPEN).first()
        with self.captureOnCommitCallbacks(execute=True):  # through a service and the commit hook
            recommendation_close(actor=None, recommendation=rec, reason="Đã xong")
        self.assertFalse(PendingRefresh.objects.exists())
        after_refresh = snapshot()
        rollups.rebuild()
        assert_sums_equal(self, after_refresh, snapshot(), "refreshed vs rebuilt")
        sums = selectors.current_totals(None, self.successors[0], ("ntm.tier",), [2020])
        self.assertEqual({k[3] for k in sums}, {"nang_cao"})

    def test_not_ready_reads_the_facts(self) -> None:
        f = panels.Filters(self.world.dien_bien, 2020)
        before = chart_data(panels.dashboard(None, f))
        RollupState.objects.update(ready=False)
        Rollup.objects.filter(node=self.world.dien_bien_old).delete()  # stale nodes are never read
        self.assertIsNone(
            rollups.reported_sums(
                None,
                self.world.dien_bien,
                selectors.identity_prefixes(self.world.dien_bien),
                ["ntm.tier"],
                [2020],
            )
        )
        self.assertEqual(chart_data(panels.dashboard(None, f)), before)
        delta = (self.split.pk, self.split.path, "ntm.tier", 2020, "", "x", Decimal(1), Decimal(0), 1)
        self.assertEqual(rollups.apply([delta]), 0)  # nothing is added while not ready
        self.assertFalse(Rollup.objects.filter(key="x").exists())

    def test_partial_scope_reads_only_the_visible_facts(self) -> None:
        # a commune officer sees one commune: the province's node would show more than the facts they may see
        officer = self.world.commune_officer
        prefixes = selectors.identity_prefixes(self.world.dien_bien)
        self.assertFalse(rollups.usable(officer, prefixes))
        self.assertTrue(rollups.usable(self.world.dien_bien_officer, prefixes))
        self.assertFalse(rollups.usable(self.world.cao_bang_officer, prefixes))
        self.assertTrue(rollups.usable(None, prefixes))

    def test_queries_of_a_cold_country_page(self) -> None:
        f = panels.Filters(self.country, 2020, mode=selectors.CURRENT)

        with CaptureQueriesContext(connection) as ctx:
            panels.load(None, f)
            panels.children(None, f)
        self.assertFalse(any("dashboards_summaryfact" in q["sql"] for q in ctx.captured_queries))
