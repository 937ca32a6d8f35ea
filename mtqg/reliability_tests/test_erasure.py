"""`manage.py erase_household`: dry run writes nothing; --commit erases names, ID numbers and exact birth dates
(household, members, staged import rows, earlier change records), keeps class/year/unit, and is audited."""

from __future__ import annotations

import io
import json
from datetime import date

from django.core.management import CommandError, call_command
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.poverty.erasure import ERASED, household_erase
from mtqg.poverty.models import Household, ImportBatch, Member, Review, StagedMember
from mtqg.poverty.services import household_update, member_create
from mtqg.poverty.tests.factories import make_household
from mtqg.testing import World, make_world

NAMES = ("Lò Văn Pâng", "Lò Thị Xoan", "011080123456", "011090654321", "Bản Na Hai")


class EraseHouseholdTest(TestCase):
    world: World
    household: Household
    other_id: int

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = w = make_world()
        cls.household = h = make_household(w.muong_phang, "DB-ERASE-1", "Lò Văn Pâng", address="Bản Na Hai")
        other = make_household(w.muong_phang, "DB-KEEP-1", "Quàng Văn Giữ")
        cls.other_id = other.pk
        member_create(
            actor=w.dien_bien_officer,
            household=h,
            full_name="Lò Thị Xoan",
            birth_date=date(1992, 7, 15),
            id_number="011090654321",
            sex="F",
            relation="Vợ",
        )
        household_update(actor=w.dien_bien_officer, household=h, address="Bản Na Hai, Mường Phăng")
        batch = ImportBatch.objects.create(
            unit=w.muong_phang, year=2023, file_name="a.csv", file_sha256="0" * 64, status="staged"
        )
        StagedMember.objects.create(
            batch=batch,
            line=2,
            household_code=h.code,
            full_name="Lò Thị Xoan",
            search_name="lo thi xoan",
            birth_date=date(1992, 7, 15),
            id_number="011090654321",
        )

    def _dump(self) -> str:
        h = self.household
        parts = [repr(list(type(h).objects.filter(pk=h.pk).values()))]
        parts.append(repr(list(Member.objects.filter(household=h).values())))
        parts.append(repr(list(StagedMember.objects.filter(household_code=h.code).values())))
        parts.append(repr(list(ChangeRecord.objects.values("object_repr", "changes"))))
        return " ".join(parts)

    def test_dry_run_writes_nothing(self) -> None:
        before, records = self._dump(), ChangeRecord.objects.count()
        out = io.StringIO()
        call_command(
            "erase_household", self.household.code, "--reason", "Đơn yêu cầu số 12/ĐN ngày 1/11", stdout=out
        )
        self.assertEqual(json.loads(out.getvalue().splitlines()[0])["members"], 2)
        self.assertIn("Chạy thử", out.getvalue())
        self.assertEqual(before, self._dump())
        self.assertEqual(records, ChangeRecord.objects.count())

    def test_commit_erases_personal_data_keeps_figures_and_is_audited(self) -> None:
        h = self.household
        self.assertTrue(any(n in self._dump() for n in NAMES))
        reviews = list(Review.objects.filter(household=h).values("year", "poverty_class", "commune_id"))
        out = io.StringIO()
        call_command(
            "erase_household",
            str(h.pk),
            "--reason",
            "Đơn yêu cầu số 12/ĐN",
            "--commit",
            "--by",
            "db_officer",
            stdout=out,
        )
        dump = self._dump()
        for value in NAMES:
            self.assertNotIn(value, dump)
        self.assertNotIn("1992-07-15", dump)
        h.refresh_from_db()
        self.assertEqual(
            (h.head_name, h.address, h.code, h.commune_id), (ERASED, "", "DB-ERASE-1", h.commune_id)
        )
        members = list(Member.objects.filter(household=h).order_by("pk"))
        self.assertEqual([m.birth_date for m in members], [date(1980, 1, 1), date(1992, 1, 1)])  # year kept
        self.assertEqual([m.sex for m in members], ["M", "F"])
        self.assertEqual(
            reviews, list(Review.objects.filter(household=h).values("year", "poverty_class", "commune_id"))
        )
        record = ChangeRecord.objects.get(action="erased")
        self.assertEqual(
            (record.reason, record.actor, record.object_id),
            ("Đơn yêu cầu số 12/ĐN", self.world.dien_bien_officer, str(h.pk)),
        )
        self.assertEqual(record.changes["members"][1], 2)
        self.assertTrue(record.unit_path.startswith(self.world.dien_bien.path[:8]))
        # the neighbour is untouched
        self.assertEqual(type(h).objects.get(pk=self.other_id).head_name, "Quàng Văn Giữ")

    def test_refusals(self) -> None:
        before = self._dump()
        with self.assertRaisesMessage(CommandError, "lý do"):
            call_command("erase_household", self.household.code, "--reason", " ", "--commit")
        with self.assertRaisesMessage(CommandError, "Không tìm thấy hộ"):
            call_command("erase_household", "KHONG-CO", "--reason", "Đơn yêu cầu", "--commit")
        for username in ("cb_officer", "supervisor"):  # another province; view access only (not enough)
            with self.subTest(username), self.assertRaisesMessage(CommandError, "quyền"):
                call_command(
                    "erase_household",
                    self.household.code,
                    "--reason",
                    "Đơn yêu cầu",
                    "--commit",
                    "--by",
                    username,
                )
        self.assertEqual(before, self._dump())

    def test_second_run_is_harmless(self) -> None:
        household_erase(actor=None, household=self.household, reason="Đơn yêu cầu 1", commit=True)
        report = household_erase(actor=None, household=self.household, reason="Đơn yêu cầu 2", commit=True)
        self.assertEqual(report.members, 2)
        self.assertEqual(ChangeRecord.objects.filter(action="erased").count(), 2)
