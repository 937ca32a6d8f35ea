"""Map colouring by Program 135 / 30a and recommendations filtered by program."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.test import TestCase

from mtqg.geo.models import UnitClassification, UnitVersion
from mtqg.poverty.demo import seed_area_classes
from mtqg.supervision.models import Mission, Recommendation
from mtqg.testing import make_world

from .. import panels
from ..services import summaries_rebuild
from . import factories


class MapClassesAndProgramsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
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
