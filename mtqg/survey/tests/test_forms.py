"""Part 2: survey forms as versioned data; the class computed with the classify API's engine, live."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.test import TestCase

from mtqg.poverty.tests.factories import make_household
from mtqg.survey.definitions import evaluate, form_for, load_forms, standard_of
from mtqg.survey.models import CampaignHousehold, SurveyForm, SurveyResponse
from mtqg.survey.services import response_save
from mtqg.testing import make_world

from .factories import ANSWERS_POOR, make_campaign


class FormDataTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.campaign = make_campaign(cls.world.muong_phang, villages=1, per_village=1)
        cls.item = CampaignHousehold.objects.get(campaign=cls.campaign)

    def _classify_api(self, income: int, codes: list[str]) -> dict[str, Any]:
        self.client.force_login(self.world.central)
        body = {"year": 2025, "area": "rural", "income_per_capita_month": income, "deprivations": codes}
        return self.client.post("/api/v1/poverty/classify/", body, content_type="application/json").json()

    def test_forms_per_period_with_citations_and_unconfirmed_flags(self) -> None:
        self.assertEqual(load_forms(), 0)  # already loaded by the factory: idempotent
        self.assertEqual(form_for(2023).code, "tt07_2021")
        self.assertEqual(form_for(2026).code, "tt07_2021")  # NĐ 351/2025 keeps the 2022-2025 standard in 2026
        self.assertEqual(form_for(2027).code, "nd351_2025")
        for form in SurveyForm.objects.all():
            self.assertIn("NĐ", form.citation)
            self.assertTrue(form.unconfirmed and form.unconfirmed_notes)
        with self.assertRaisesMessage(ValidationError, "Chưa có phiếu rà soát cho năm 2019"):
            form_for(2019)

    def test_class_matches_the_classify_api(self) -> None:
        form = form_for(2025)
        std = standard_of(form)
        result = evaluate(form, std, area="rural", region="", answers=ANSWERS_POOR)
        self.assertEqual(result.b1_score, 40)
        self.assertEqual(result.band, "le_line")
        self.assertEqual(result.missing, [])
        api = self._classify_api(1_500_000, result.deprivations)
        self.assertEqual(result.poverty_class, api["class"])
        self.assertEqual(result.poverty_class, "poor")
        self.assertEqual(result.reasons[1], api["reasons"][1])  # "thiếu hụt 3/12: … (≥ 3)"
        self.assertTrue(result.flags)  # the form is UNCONFIRMED: said in the result
        two = {**ANSWERS_POOR, "b2_bhyt": False}
        near = evaluate(form, std, area="rural", region="", answers=two)
        self.assertEqual(near.poverty_class, self._classify_api(1_500_000, near.deprivations)["class"])
        self.assertEqual(near.poverty_class, "near_poor")

    def test_cut_offs_are_editable_data(self) -> None:
        form = form_for(2025)
        form.definition["b1"]["cutoffs"]["rural"]["_default"] = {"line": 30, "average": 60}
        form.save()
        result = evaluate(form, standard_of(form), area="rural", region="", answers=ANSWERS_POOR)
        self.assertEqual(result.band, "average")
        self.assertEqual(result.poverty_class, self._classify_api(1_500_001, result.deprivations)["class"])
        self.assertIn("B1 = 40 điểm, 30 < điểm ≤ 60", result.reasons[0])
        # the region's own cut-off wins over the default (Trung du và miền núi phía Bắc: line 60)
        self.assertEqual(
            evaluate(form, standard_of(form), area="rural", region="tdmnpb", answers=ANSWERS_POOR).band,
            "le_line",
        )

    def test_phieu_a_excludes_and_bad_options_are_refused(self) -> None:
        form = form_for(2025)
        std = standard_of(form)
        result = evaluate(form, std, area="rural", region="", answers={"a2": True})
        self.assertTrue(result.excluded_by_a)
        self.assertEqual(result.poverty_class, "none")
        self.assertIn("Hộ có ô tô", result.reasons[0])
        with self.assertRaisesMessage(ValidationError, "lựa chọn không hợp lệ"):
            evaluate(form, std, area="rural", region="", answers={"b1_house": "lau_dai"})

    def test_missing_answers_refused_on_save_nothing_written(self) -> None:
        partial = {k: v for k, v in ANSWERS_POOR.items() if k != "b1_house"}
        with self.assertRaisesMessage(ValidationError, "Thiếu câu trả lời bắt buộc: Loại nhà đang ở"):
            response_save(
                actor=self.world.commune_officer, item=self.item, answers=partial, expected_version=0
            )
        self.assertFalse(SurveyResponse.objects.exists())
        response = response_save(
            actor=self.world.commune_officer, item=self.item, answers=ANSWERS_POOR, expected_version=0
        )
        self.assertEqual((response.poverty_class, response.version), ("poor", 1))
        with self.assertRaisesMessage(ValidationError, "Phiếu đã được người khác lưu (phiên bản 1)"):
            response_save(
                actor=self.world.commune_officer, item=self.item, answers=ANSWERS_POOR, expected_version=0
            )

    def test_form_page_and_live_preview(self) -> None:
        self.client.force_login(self.world.commune_officer)
        page = self.client.get(f"/ra-soat/ho/{self.item.pk}/")
        self.assertContains(page, "Phiếu B1")
        self.assertContains(page, f'hx-post="/ra-soat/ho/{self.item.pk}/xem-truoc/"')
        post = {"b1_members": "1", "b1_house": "kien_co", "b2_bhyt": "yes"}
        live = self.client.post(f"/ra-soat/ho/{self.item.pk}/xem-truoc/", post)
        self.assertContains(live, "Tạm tính: còn")
        # Mường Phăng is in Trung du và miền núi phía Bắc (ntm_region): its cut-off 60 applies, not the default 70
        self.assertContains(live, 'data-class="average"')
        self.assertContains(live, "B1 = 65 điểm, 60 &lt; điểm ≤ 90")
        data = {k: ("yes" if v is True else "no" if v is False else v) for k, v in ANSWERS_POOR.items()}
        saved = self.client.post(f"/ra-soat/ho/{self.item.pk}/", data | {"version": "0"})
        self.assertRedirects(saved, f"/ra-soat/{self.campaign.pk}/")
        self.assertEqual(SurveyResponse.objects.get(item=self.item).poverty_class, "poor")


class ReviewEditPreviewTest(TestCase):
    """Issue #19 part 10: the household review form shows its class live (script posting to the classify API)."""

    def test_review_edit_page_carries_the_live_preview(self) -> None:
        world = make_world()
        household = make_household(world.muong_phang, "PV-1", "Lò Văn Preview", year=2024)
        review = household.reviews.get()
        self.client.force_login(world.commune_officer)
        page = self.client.get(f"/poverty/ho/{household.pk}/ra-soat/{review.pk}/")
        self.assertContains(page, 'id="review-preview" class="mt-3" data-year="2024" data-area="rural"')
        self.assertContains(page, "survey/review-preview.js")
        household_page = self.client.get(f"/poverty/ho/{household.pk}/sua/")
        self.assertNotContains(household_page, "review-preview")
