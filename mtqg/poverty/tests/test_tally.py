"""Review tallies stay equal to the reviews through every writer; the roll-ups read them; a corrected past review
recomputes the later transitions."""

from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.core.models import ChangeRecord
from mtqg.geo.models import UnitVersion
from mtqg.poverty.importing import batch_approve, batch_stage, staged_row_decide
from mtqg.poverty.models import ImportBatch, Review, ReviewTally
from mtqg.poverty.reports import rollup_by_province, summary, year_figures
from mtqg.poverty.services import review_update
from mtqg.poverty.standards import load_standards
from mtqg.poverty.tally import tally_check
from mtqg.reports.params import parse_params
from mtqg.testing import World, make_user, make_world

from .test_import import csv_bytes, row


class TallyTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_standards()
        communes = list(
            UnitVersion.objects.filter(path__startswith=cls.world.dien_bien_old.path, level=3)
            .order_by("code")
            .values_list("code", flat=True)[:3]
        )
        cls.communes = communes

        cls.maker = cls.world.dien_bien_officer
        cls.checker = make_user("tally_checker", Assignment.Role.PROVINCE, cls.world.dien_bien)

    def stage(self, year: int, rows: list[list[str]], name: str = "") -> ImportBatch:
        """Stage the rows as the Điện Biên officer's CSV of that year."""
        return batch_stage(
            actor=self.maker,
            unit=self.world.dien_bien,
            year=year,
            data=csv_bytes(rows, year=year),
            name=name or f"{year}.csv",
        )

    def load(self, year: int, rows: list[list[str]]) -> None:
        batch = self.stage(year, rows)
        self.assertEqual(batch.status, "staged", batch.errors[:3])
        batch_approve(actor=self.checker, batch=batch)

    def two_years(self) -> None:
        a, b, c = self.communes
        self.load(
            2022,
            [row("T1", a), row("T2", a, "1000000", 0), row("T3", b, "3000000", 0), row("T4", c, "900000", 5)],
        )
        self.load(
            2023,
            [row("T1", a, "3000000", 0), row("T2", a), row("T3", b), row("T4", c, "900000", 5), row("T5", c)],
        )

    def test_import_commit_keeps_tally_equal_to_reviews(self) -> None:
        self.two_years()
        self.assertEqual(tally_check(), [])
        total = sum(ReviewTally.objects.filter(year=2023).values_list("households", flat=True))
        self.assertEqual(total, Review.objects.filter(year=2023).count())

    def test_counts_made_while_validating_add_up_and_rejections_recount(self) -> None:
        a, b, _c = self.communes
        self.load(2024, [row("N1", a), row("N2", a, "3000000", 0), row("N3", b)])
        self.load(
            2024, [row("N4", a), row("N5", a, "3000000", 0)]
        )  # same tally keys: added to the rows there
        self.assertEqual(tally_check(), [])
        poor_a = ReviewTally.objects.get(commune__code=a, year=2024, poverty_class="poor", transition="new")
        self.assertEqual(poor_a.households, 2)
        batch = self.stage(2024, [row("N6", a), row("N7", b)], "reject-one.csv")
        self.assertEqual(len(batch.tally), 2)
        staged_row_decide(actor=self.checker, batch=batch, lines=[2], decision="rejected")
        batch_approve(actor=self.checker, batch=batch)
        self.assertEqual(tally_check(), [])
        self.assertFalse(Review.objects.filter(household__code="N6").exists())

    def test_household_added_meanwhile_is_skipped_not_duplicated(self) -> None:
        """The commit probes which households exist; one added after the probe (another writer) makes the plain
        insert fail inside a savepoint, and the commit redoes it skipping existing households."""
        a, _b, _c = self.communes
        self.load(2022, [row("R1", a)])
        batch = self.stage(2023, [row("R1", a), row("R2", a)], "race.csv")
        self.assertEqual(batch.existing_households, 1)
        batch.existing_households = 0  # as if R1 had been added after staging (another writer)
        batch.save(update_fields=["existing_households"])
        batch_approve(actor=self.checker, batch=batch)
        self.assertEqual(Review.objects.filter(household__code="R1").count(), 2)
        self.assertEqual(Review.objects.filter(household__code="R2").count(), 1)
        self.assertEqual(tally_check(), [])

    def test_summary_from_tally_equals_summary_from_reviews(self) -> None:
        self.two_years()
        unit = self.world.dien_bien_old
        from_tally = year_figures(unit, [2022, 2023])
        from_reviews = year_figures(unit, [2022, 2023], reviews=Review.objects.all())
        self.assertEqual(from_tally, from_reviews)
        result = summary(None, parse_params({"unit": "11", "year": "2023", "baseline": "2022"}))
        self.assertEqual((result["households"], result["poor"]), (5, 4))
        self.assertEqual(result["transitions"]["escaped_poor"], 1)

    def test_edit_of_past_review_recomputes_later_transitions_and_tally(self) -> None:
        self.two_years()
        t2_2022 = Review.objects.get(household__code="T2", year=2022)
        self.assertEqual(t2_2022.poverty_class, "near_poor")
        self.assertEqual(Review.objects.get(household__code="T2", year=2023).transition, "new")
        # the 2022 income was wrong: the household was poor in 2022, so 2023 is no longer "new"
        codes = [i["code"] for i in t2_2022.standard.indicators[:3]]
        review_update(
            actor=self.maker, review=t2_2022, deprivations=codes, reason="Sửa theo biên bản rà soát"
        )
        t2_2022.refresh_from_db()
        self.assertEqual(t2_2022.poverty_class, "poor")
        later = Review.objects.get(household__code="T2", year=2023)
        self.assertEqual(later.transition, "")  # poor → poor: no transition
        self.assertTrue(
            ChangeRecord.objects.filter(object_id=str(later.pk), changes__transition=["new", ""]).exists()
        )
        self.assertEqual(tally_check(), [])

    def test_rollup_by_province_and_command_check(self) -> None:
        self.two_years()
        rows = {r["unit"]: r for r in rollup_by_province(2023, structure="pre2025")}
        self.assertEqual(len(rows), 63)
        self.assertEqual((rows["11"]["households"], rows["11"]["poor"]), (5, 4))
        self.assertEqual(rows["11"]["poor_rate"], 80.0)
        self.assertEqual(rows["04"]["households"], 0)
        within = rollup_by_province(2023, structure="pre2025", within=self.world.dien_bien_old)
        self.assertEqual([r["unit"] for r in within], ["11"])
        out = StringIO()
        call_command("poverty_tally", "--check", stdout=out)
        self.assertIn("khớp", out.getvalue())
        ReviewTally.objects.filter(year=2023).update(households=0)
        with self.assertRaises(CommandError):
            call_command("poverty_tally", "--check", stdout=StringIO())
        call_command("poverty_tally", stdout=StringIO())
        self.assertEqual(tally_check(), [])

    def test_by_province_api_is_scoped(self) -> None:
        self.two_years()
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/api/v1/reports/poverty-by-province/", {"unit": "11", "year": "2023"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([p["unit"] for p in response.json()["provinces"]], ["11"])
        self.assertEqual(
            self.client.get(
                "/api/v1/reports/poverty-by-province/", {"unit": "VN", "year": "2023"}
            ).status_code,
            404,
        )
