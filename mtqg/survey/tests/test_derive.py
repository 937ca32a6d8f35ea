"""Part 3: deprivations derived from member data, shown with their reason; an answer against them needs a note."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.test import TestCase

from mtqg.poverty.models import Member
from mtqg.survey.models import CampaignHousehold, SurveyResponse
from mtqg.survey.services import derived_for, response_save
from mtqg.testing import make_world

from .factories import ANSWERS_POOR, make_campaign


class DeriveTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.campaign = make_campaign(cls.world.muong_phang, villages=1, per_village=1, prefix="DV")
        cls.item = CampaignHousehold.objects.get(campaign=cls.campaign)
        household = cls.item.household
        Member.objects.filter(household=household).update(health_insurance=True)  # the head (born 1980)
        for name, born, school, insured in (
            ("Lò Thị Mai", date(2015, 3, 1), "không đi học", False),  # 10 on 01/9/2025
            ("Lò Văn Tùng", date(2012, 1, 1), "THCS", True),
        ):
            Member.objects.create(
                household=household,
                full_name=name,
                search_name=name,
                birth_date=born,
                schooling=school,
                health_insurance=insured,
                relation="Con",
            )

    def test_derived_answers_and_reasons_fill_the_form(self) -> None:
        answers = {
            k: v
            for k, v in ANSWERS_POOR.items()
            if k not in ("b2_bhyt", "b2_di_hoc_tre_em", "b2_nguoi_phu_thuoc")
        }
        response = response_save(
            actor=self.world.commune_officer, item=self.item, answers=answers, expected_version=0
        )
        self.assertTrue(response.answers["b2_bhyt"])
        self.assertTrue(response.answers["b2_di_hoc_tre_em"])
        self.assertTrue(response.answers["b2_nguoi_phu_thuoc"] is True)  # 2 of 3 under 16
        self.assertEqual(response.overrides, {})
        self.client.force_login(self.world.commune_officer)
        page = self.client.get(f"/ra-soat/ho/{self.item.pk}/")
        self.assertContains(page, "Không có BHYT: Lò Thị Mai (10 tuổi)")
        self.assertContains(page, "Trẻ không đi học: Lò Thị Mai (10 tuổi)")
        self.assertContains(page, "2/3 thành viên là người phụ thuộc (&gt; 50%)")

    def test_override_needs_a_note_and_is_kept(self) -> None:
        against = {**ANSWERS_POOR, "b2_bhyt": False, "b2_di_hoc_tre_em": True, "b2_nguoi_phu_thuoc": True}
        with self.assertRaisesMessage(
            ValidationError,
            "Bảo hiểm y tế: trả lời khác dữ liệu thành viên (Không có BHYT: Lò Thị Mai (10 tuổi)): cần ghi chú",
        ):
            response_save(
                actor=self.world.commune_officer, item=self.item, answers=against, expected_version=0
            )
        self.assertFalse(SurveyResponse.objects.exists())
        response = response_save(
            actor=self.world.commune_officer,
            item=self.item,
            answers=against,
            expected_version=0,
            notes={"bhyt": "Thẻ BHYT cấp tháng 8, chưa cập nhật sổ"},
        )
        self.assertEqual(response.overrides["bhyt"]["note"], "Thẻ BHYT cấp tháng 8, chưa cập nhật sổ")
        self.assertEqual(response.overrides["bhyt"]["derived"], True)
        self.assertFalse(response.answers["b2_bhyt"])

    def test_field_roster_is_used_when_synced(self) -> None:
        roster = [
            {"full_name": "Lò Văn A", "birth_date": "1990-01-01", "health_insurance": True},
            {
                "full_name": "Lò Văn B",
                "birth_date": "2014-01-01",
                "health_insurance": True,
                "schooling": "Tiểu học",
            },
        ]
        derived = derived_for(self.item, roster)
        self.assertEqual(derived["bhyt"], (False, "Mọi thành viên từ 6 tuổi có BHYT"))
        self.assertFalse(derived["di_hoc_tre_em"][0])
