"""Issue #20 part 1: an import never writes to a household outside the batch's unit (decision 0905)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.geo.models import UnitVersion
from mtqg.poverty.importing import batch_approve, batch_stage, batch_write_to_register
from mtqg.poverty.models import Household, ImportBatch, Member, Review, StagedChunk
from mtqg.poverty.standards import load_standards
from mtqg.testing import World, make_user, make_world

from .factories import first_commune, make_household
from .test_import import csv_bytes, member, members_bytes, row


class ForeignHouseholdCodeTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_standards()
        cls.cb_commune = first_commune(cls.world.cao_bang_old).code
        cls.checker = make_user("cb_checker", Assignment.Role.PROVINCE, cls.world.cao_bang)
        cls.db_household = make_household(cls.world.muong_phang, "11-03325-0001", "Lò Văn Điện", year=2022)

    def stage(self, data: bytes, **kw: object) -> ImportBatch:
        return batch_stage(
            actor=self.world.cao_bang_officer,
            unit=self.world.cao_bang,
            year=2023,
            data=data,
            name="cb.csv",
            **kw,
        )  # type: ignore[arg-type]

    def test_cao_bang_batch_with_a_dien_bien_code_is_refused_and_writes_nothing(self) -> None:
        before = (Review.objects.count(), Member.objects.count(), Household.objects.count())
        batch = self.stage(
            csv_bytes([row("04-NEW-1", self.cb_commune), row("11-03325-0001", self.cb_commune)]),
            members=members_bytes([member("11-03325-0001", id_number="011185999999")]),
            members_name="m.csv",
        )
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        self.assertEqual(
            [(e["line"], e["field"]) for e in batch.errors if "đơn vị khác" in e["message"]], [(3, "Mã hộ")]
        )
        self.assertIn("11-03325-0001", batch.errors[0]["message"])
        self.assertFalse(StagedChunk.objects.filter(batch=batch).exists())
        with self.assertRaises(ValidationError):
            batch_approve(actor=self.checker, batch=batch)
        self.assertEqual((Review.objects.count(), Member.objects.count(), Household.objects.count()), before)
        self.assertFalse(Review.objects.filter(household=self.db_household, year=2023).exists())

    def test_household_of_the_province_under_its_pre_2025_commune_is_accepted(self) -> None:
        cb_old = UnitVersion.objects.get(structure="pre2025", level=3, code=self.cb_commune)
        make_household(cb_old, "04-OLD-1", "Nông Văn Cũ", year=2022)
        batch = self.stage(csv_bytes([row("04-OLD-1", self.cb_commune)]))
        self.assertEqual(batch.status, ImportBatch.Status.STAGED, batch.errors)
        self.assertEqual(batch_approve(actor=self.checker, batch=batch), 1)

    def test_commit_rechecks_a_code_taken_by_another_unit_after_staging(self) -> None:
        batch = self.stage(csv_bytes([row("LATE-1", self.cb_commune)]))
        self.assertEqual(batch.status, ImportBatch.Status.STAGED)
        make_household(self.world.muong_phang, "LATE-1", "Lò Văn Muộn", year=2022)
        batch.accept_undecided = True
        batch.save()
        with self.assertRaisesMessage(ValidationError, "đơn vị khác"):
            batch_write_to_register(batch, actor=self.checker)
        self.assertFalse(Review.objects.filter(household__code="LATE-1", year=2023).exists())

    def test_staging_counts_codes_already_on_the_register(self) -> None:
        """The commit's choice (plain insert of new households, or skipping existing ones) comes from staging."""
        make_household(
            UnitVersion.objects.get(structure="pre2025", level=3, code=self.cb_commune),
            "04-OLD-2",
            "Nông Văn Cũ",
            year=2022,
        )
        batch = self.stage(csv_bytes([row("04-OLD-2", self.cb_commune), row("04-NEW-2", self.cb_commune)]))
        self.assertEqual(
            (batch.status, batch.existing_households), (ImportBatch.Status.STAGED, 1), batch.errors
        )
        self.assertEqual(batch_approve(actor=self.checker, batch=batch), 2)
        self.assertEqual(
            Review.objects.filter(household__code__in=["04-OLD-2", "04-NEW-2"], year=2023).count(), 2
        )
