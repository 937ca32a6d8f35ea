"""Part 4: village meeting (≥ 50 % as data), posting with complaints, commune decision; each step recorded with
who and when; after the meeting a result changes only through a complaint; the reviews come from the decision."""

from __future__ import annotations

import io
from datetime import date

from django.core.exceptions import ValidationError
from django.test import TestCase
from docx import Document

from mtqg.core.models import ChangeRecord
from mtqg.poverty.models import Review, ReviewTally
from mtqg.survey.certificates import certificates_issue
from mtqg.survey.models import Campaign, CampaignHousehold, Complaint, SurveyResponse, VillageMeeting
from mtqg.survey.paperwork import (
    complaint_record,
    complaint_resolve,
    decision_record,
)
from mtqg.survey.services import response_save
from mtqg.testing import make_world

from .factories import ANSWERS_POOR, list_posted, make_campaign, make_village, village_meeting


class PaperworkTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.officer = cls.world.commune_officer
        cls.campaign = make_campaign(cls.world.muong_phang, villages=1, per_village=2, prefix="PW")
        cls.village = make_village(cls.world.muong_phang, 1)
        cls.items = list(CampaignHousehold.objects.filter(campaign=cls.campaign).order_by("household__code"))

    def _survey_all(self) -> None:
        near = {**ANSWERS_POOR, "b2_nguon_nuoc": False}
        response_save(actor=self.officer, item=self.items[0], answers=ANSWERS_POOR, expected_version=0)
        response_save(actor=self.officer, item=self.items[1], answers=near, expected_version=0)

    def _meet(self, attendees: int, agreed: int) -> VillageMeeting:
        return village_meeting(self.officer, self.campaign, attendees, agreed)

    def test_meeting_rule_is_data_and_below_half_sends_the_village_back(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Thôn còn hộ chưa rà soát xong"):
            self._meet(40, 30)
        self._survey_all()
        failed = self._meet(40, 19)  # 47,5 % < 50 %
        self.assertFalse(failed.passed)
        self.assertEqual(
            set(CampaignHousehold.objects.filter(campaign=self.campaign).values_list("status", flat=True)),
            {"pending"},
        )
        for item in self.items:
            SurveyResponse.objects.filter(item=item).update(version=1)
            CampaignHousehold.objects.filter(pk=item.pk).update(status="surveyed")
        self.assertTrue(self._meet(40, 20).passed)  # exactly 50 % passes ("từ 50% trở lên")
        self.campaign.form.definition["meeting"]["min_share"] = 0.6
        self.campaign.form.save()
        self.assertFalse(self._meet(40, 20).passed)  # the share is data
        record = ChangeRecord.objects.filter(action="meeting").last()
        self.assertEqual(record.actor, self.officer)

    def test_full_path_to_the_decision_and_the_register(self) -> None:
        self._survey_all()
        self._meet(30, 25)
        with self.assertRaisesMessage(ValidationError, "chỉ thay đổi qua giải quyết khiếu nại"):
            response_save(actor=self.officer, item=self.items[1], answers=ANSWERS_POOR, expected_version=1)
        with self.assertRaisesMessage(ValidationError, "Chưa niêm yết"):
            complaint_record(
                actor=self.officer,
                item=self.items[1],
                received_on=date(2025, 11, 5),
                complainant="Lò Văn A",
                content="x",
            )
        list_posted(self.officer, self.campaign, "Nhà văn hóa bản")
        complaint = complaint_record(
            actor=self.officer,
            item=self.items[1],
            received_on=date(2025, 11, 6),
            complainant="Lò Văn A",
            content="Hộ thiếu nước sạch, chưa được tính",
        )
        with self.assertRaises(ValidationError) as ctx:
            decision_record(
                actor=self.officer,
                campaign=self.campaign,
                number="123/QĐ-UBND",
                signed_on=date(2025, 11, 8),
                signer="Chủ tịch UBND xã",
            )
        self.assertIn("Chưa niêm yết hoặc chưa hết thời gian niêm yết trước ngày ký.", ctx.exception.messages)
        self.assertIn("Còn khiếu nại chưa giải quyết.", ctx.exception.messages)
        complaint_resolve(
            actor=self.officer,
            complaint=complaint,
            resolution="Phúc tra: hộ thiếu nước sạch",
            answers=ANSWERS_POOR,
        )
        self.assertEqual(SurveyResponse.objects.get(item=self.items[1]).poverty_class, "poor")
        self.assertEqual(Complaint.objects.get().resolved_by, self.officer)
        decision = decision_record(
            actor=self.officer,
            campaign=self.campaign,
            number="123/QĐ-UBND",
            signed_on=date(2025, 11, 12),
            signer="Chủ tịch UBND xã",
        )
        self.assertEqual(decision.reviews, 2)
        reviews = Review.objects.filter(year=2025, household__code__startswith="PW")
        self.assertEqual(sorted(reviews.values_list("poverty_class", flat=True)), ["poor", "poor"])
        self.assertEqual(reviews.first().approval_decision, "123/QĐ-UBND (12/11/2025)")
        self.assertEqual(set(reviews.values_list("transition", flat=True)), {""})  # poor in 2024 and 2025
        self.assertEqual(ReviewTally.objects.get(commune=self.world.muong_phang, year=2025).households, 2)
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).status, "closed")
        self.client.force_login(self.officer)
        page = self.client.get(f"/ra-soat/{self.campaign.pk}/")
        self.assertContains(page, "123/QĐ-UBND")
        self.assertContains(page, "25/30")
        # Mẫu số 03 for a recognised household once issued, data-entry scope only
        self.assertEqual(
            self.client.get(f"/ra-soat/ho/{self.items[0].pk}/giay-chung-nhan.docx").status_code, 400
        )
        certificates_issue(actor=self.officer, campaign=self.campaign, issued_on=date(2025, 11, 15))
        cert = self.client.get(f"/ra-soat/ho/{self.items[0].pk}/giay-chung-nhan.docx")
        self.assertEqual(cert.status_code, 200)
        document = Document(io.BytesIO(cert.content))
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("GIẤY CHỨNG NHẬN", text)
        self.assertIn("HỘ NGHÈO NĂM 2025", text)
        self.assertIn("Số định danh cá nhân: 011080123456", text)
        self.assertIn("Theo Quyết định số 123/QĐ-UBND ngày 12/11/2025", text)
        self.client.force_login(self.world.supervisor)
        self.assertEqual(
            self.client.get(f"/ra-soat/ho/{self.items[0].pk}/giay-chung-nhan.docx").status_code, 403
        )

    def test_screen_posts_each_step(self) -> None:
        self._survey_all()
        self.client.force_login(self.officer)
        url = f"/ra-soat/{self.campaign.pk}/thu-tuc/"
        data = {
            "action": "meeting",
            "village": str(self.village.pk),
            "held_on": "2025-11-02",
            "attendees": "10",
            "agreed": "9",
            "chaired_by": "Trưởng bản",
        }
        self.client.post(url, data)
        self.assertTrue(VillageMeeting.objects.get().passed)
        bad = self.client.post(
            url,
            {"action": "posting", "starts_on": "2025-11-10", "ends_on": "2025-11-01", "place": "x"},
            follow=True,
        )
        self.assertContains(bad, "Ngày kết thúc niêm yết phải sau ngày bắt đầu.")
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.post(url, data).status_code, 404)
