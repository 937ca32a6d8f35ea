"""Map colouring by Program 135 / 30a, recommendations filtered by program, facts stamps (cache keys), the country
on today's units, and the load test's users and sessions."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.test import TestCase

from mtqg.geo.models import UnitClassification, UnitVersion
from mtqg.supervision.models import Mission, Recommendation
from mtqg.testing import make_world

from .. import panels, selectors
from ..models import FactsStamp
from ..services import stamp_prefix, stamps_bump, summaries_rebuild, summaries_refresh
from . import factories


class MapClassesAndProgramsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from mtqg.poverty.demo import seed_area_classes

        cls.world = make_world()
        factories.sample(cls.world)
        seed_area_classes()  # the 97 Program-135 communes of Điện Biên (2017-2020, unconfirmed)

    def setUp(self) -> None:
        cache.clear()

    def classified(self, scheme: str, within: UnitVersion, on: date) -> set[int]:
        return set(
            UnitClassification.objects.as_of(on)
            .filter(scheme__code=scheme, unit__path__startswith=within.path)
            .values_list("unit_id", flat=True)
        )

    def test_commune_points_carry_p135_and_30a(self) -> None:
        on = date(2020, 12, 31)
        p135 = self.classified("p135_commune", self.world.dien_bien_old, on)
        poor_districts = self.classified("poor_district_30a", self.world.dien_bien_old, on)
        self.assertTrue(p135)  # the loaded classification data covers Điện Biên
        self.assertTrue(poor_districts)
        rows = panels.children(None, panels.Filters(self.world.dien_bien_old, 2020))["rows"]
        self.assertEqual({r["id"] for r in rows if r["p135"] == "dbkk"}, p135)
        units = {u.pk: u for u in UnitVersion.objects.filter(pk__in=[r["id"] for r in rows])}
        in_poor = {r["id"] for r in rows if r["p30a"] == "yes"}
        self.assertEqual(in_poor, {pk for pk, u in units.items() if u.parent_id in poor_districts})
        dbkk = next(r for r in rows if r["p135"] == "dbkk")
        self.assertIn("Xã ĐBKK", dbkk["p135_label"])
        self.assertIn("chưa xác minh", dbkk["p135_label"])  # the P135 list is flagged unconfirmed

    def test_province_points_count_p135_communes_and_poor_districts(self) -> None:
        country = UnitVersion.objects.get(level=0)
        rows = {r["id"]: r for r in panels.children(None, panels.Filters(country, 2020))["rows"]}
        row = rows[self.world.dien_bien_old.pk]
        on = date(2020, 12, 31)
        self.assertEqual(
            row["p135_communes"], len(self.classified("p135_commune", self.world.dien_bien_old, on))
        )
        self.assertEqual(
            row["p30a_districts"], len(self.classified("poor_district_30a", self.world.dien_bien_old, on))
        )
        self.assertEqual(row["p135_share"], panels.pct(row["p135_communes"], row["communes"]))

    def test_map_select_and_legend_labels_on_the_page(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(f"/dashboards/{self.world.dien_bien_old.pk}/?year=2020")
        self.assertContains(response, 'value="p135"')
        self.assertContains(response, 'value="p30a"')
        self.assertContains(response, 'id="dashboard-classes"')
        self.assertContains(response, "Chương trình 135")  # the units table's column

    def test_recommendations_follow_the_program_filter(self) -> None:
        db = self.world.dien_bien
        listed = Mission.objects.get(unit__path__startswith=self.world.dien_bien_old.path).programs
        self.assertEqual(sorted(listed), ["GNBV", "NTM"])
        all_open = panels.open_recommendations(self.world.central, db)
        self.assertTrue(all_open)
        self.assertEqual(panels.open_recommendations(self.world.central, db, program="ntm"), all_open)
        self.assertEqual(
            panels.open_recommendations(self.world.central, db, program="em"), []
        )  # the mission names no DTTS
        self.assertEqual(
            panels.open_recommendations(self.world.central, db, program="hn2026"), all_open
        )  # covers all three

        def chart(program: str) -> dict[str, int]:
            f = panels.Filters(db, 2026, program=program)
            c = panels.recommendations(panels.load(None, f), f)
            return {r["status"]: r["count"] for r in c["table"].rows}

        everything = chart("")
        self.assertGreater(sum(everything.values()), 0)
        self.assertEqual(chart("poverty"), everything)
        self.assertEqual(sum(chart("em").values()), 0)
        f = panels.Filters(db, 2026, program="em")
        self.assertEqual(panels.key_figures(panels.load(None, f), f)[-1]["value"], "0")

    def test_a_mission_without_programs_counts_for_every_program(self) -> None:
        mission = Mission.objects.get(unit__path__startswith=self.world.dien_bien_old.path)
        Mission.objects.filter(pk=mission.pk).update(programs=[])
        summaries_rebuild(unit=self.world.dien_bien)
        n_open = Recommendation.objects.filter(mission=mission, status__in=Recommendation.OPEN).count()
        self.assertEqual(
            len(panels.open_recommendations(self.world.central, self.world.dien_bien, program="em")),
            min(n_open, 10),
        )
        f = panels.Filters(self.world.dien_bien, 2026, program="em")
        self.assertEqual(int(panels.key_figures(panels.load(None, f), f)[-1]["value"]), n_open)

    def test_page_program_filter_lists_only_that_programs_recommendations(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        url = f"/dashboards/{self.world.dien_bien.pk}/?year=2026"
        self.assertContains(self.client.get(url), 'id="recs-title"')
        self.assertNotContains(self.client.get(url + "&program=em"), 'id="recs-title"')


class StampAndCountryTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.ntm_rows(cls.world.dien_bien_old)
        factories.poverty_rows(cls.world.dien_bien_old)
        summaries_rebuild(unit=cls.world.dien_bien)

    def test_refresh_bumps_only_its_province(self) -> None:
        from ..models import PendingRefresh

        commune = factories.xa(self.world.dien_bien_old, 1)[0]
        before = dict(FactsStamp.objects.values_list("path", "version"))
        PendingRefresh.objects.create(unit_path=commune.path, subtree=False)
        summaries_refresh(commune.path)
        after = dict(FactsStamp.objects.values_list("path", "version"))
        mine = stamp_prefix(commune.path)
        self.assertEqual(mine, self.world.dien_bien_old.path)
        self.assertEqual(after[mine], before.get(mine, 0) + 1)
        self.assertEqual(
            {k: v for k, v in after.items() if k != mine}, {k: v for k, v in before.items() if k != mine}
        )

    def test_stamp_of_a_unit_covers_its_lineage_and_the_country_every_province(self) -> None:
        stamps_bump([""])  # a country-wide rebuild: every province gets a stamp
        unit = UnitVersion.objects.get(pk=self.world.dien_bien.pk)
        _at, version = selectors.stamp(unit)
        both = FactsStamp.objects.filter(path__in=[self.world.dien_bien.path, self.world.dien_bien_old.path])
        self.assertEqual(both.count(), 2)
        self.assertEqual(version, sum(both.values_list("version", flat=True)))
        country = UnitVersion.objects.get(level=0)
        self.assertEqual(
            selectors.stamp(country)[1], sum(FactsStamp.objects.values_list("version", flat=True))
        )

    def test_country_on_todays_units_agrees_with_as_reported(self) -> None:
        country = UnitVersion.objects.get(level=0)
        reported = panels.load(None, panels.Filters(country, 2020))
        current = panels.load(None, panels.Filters(country, 2020, mode=selectors.CURRENT))
        for measure in ("ntm.tier", "poverty.poor", "ntm.communes"):
            self.assertEqual(reported.keys(measure, 2020), current.keys(measure, 2020), measure)
        rows = {
            r["id"]: r
            for r in panels.children(None, panels.Filters(country, 2020, mode=selectors.CURRENT))["rows"]
        }
        old = {r["id"]: r for r in panels.children(None, panels.Filters(country, 2020))["rows"]}
        self.assertEqual(
            rows[self.world.dien_bien.pk]["households"], old[self.world.dien_bien_old.pk]["households"]
        )
        self.assertEqual(rows[self.world.dien_bien.pk]["households"], 60)


class LoadTestUsersTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_users_are_created_once_and_sessions_dropped(self) -> None:
        from django.contrib.sessions.models import Session

        from benchmarks.load import ensure_users, make_sessions

        first = ensure_users()
        self.assertIn("load_central", first)
        self.assertEqual(len(first), 1 + UnitVersion.objects.filter(structure="2025", level=1).count())
        from mtqg.accounts.models import User

        users = User.objects.filter(username__startswith="load_").count()
        again = ensure_users()
        self.assertEqual(User.objects.filter(username__startswith="load_").count(), users)
        self.assertEqual(set(again), set(first))
        db = again["load_p11"]
        self.assertEqual(db.unit_id, self.world.dien_bien.pk)
        self.assertTrue(db.old_communes)  # pre-2025 communes of Điện Biên for as-reported drill-downs
        keys = make_sessions([again["load_central"], db])
        self.assertEqual(Session.objects.filter(session_key__in=keys).count(), 2)
        from benchmarks.load import drop_sessions

        drop_sessions(keys)
        self.assertFalse(Session.objects.filter(session_key__in=keys).exists())


class ServerTimingAndPortalCacheTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.ntm_rows(cls.world.dien_bien_old)
        summaries_rebuild(unit=cls.world.dien_bien)
        stamps_bump([""])

    def setUp(self) -> None:
        cache.clear()

    def test_server_timing_header(self) -> None:
        from django.http import HttpResponse
        from django.test import RequestFactory

        from ..middleware import ServerTimingMiddleware

        response = ServerTimingMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
        self.assertRegex(response["Server-Timing"], r"^app;dur=\d+\.\d, cpu;dur=\d+\.\d$")

    def test_portal_index_is_cached_until_a_refresh(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as first:
            self.assertEqual(self.client.get("/cong-khai/?year=2020").status_code, 200)
        with CaptureQueriesContext(connection) as again:
            self.assertEqual(self.client.get("/cong-khai/?year=2020").status_code, 200)
        self.assertLess(len(again), len(first))
        reads = ("dashboards_summaryfact", "dashboards_rollup")  # the facts, or their roll-ups (0715)
        self.assertFalse(any(t in q["sql"] for q in again.captured_queries for t in reads))
        stamps_bump(
            [self.world.cao_bang.path]
        )  # any refresh in the country: the national table is recomputed
        with CaptureQueriesContext(connection) as after:
            self.client.get("/cong-khai/?year=2020")
        self.assertTrue(any(t in q["sql"] for q in after.captured_queries for t in reads))
