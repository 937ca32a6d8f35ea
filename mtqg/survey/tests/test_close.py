"""Closing a campaign (the commune decision): the enumerators' village assignments end on the close date with
change records, a closed campaign refuses sync and office saves with a Vietnamese message, and reopening is
refused with a message that says what happens instead."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.core.models import ChangeRecord
from mtqg.survey.models import Campaign, CampaignHousehold, SurveyResponse
from mtqg.survey.services import campaign_reopen, response_save
from mtqg.testing import make_world

from .factories import ANSWERS_POOR, assign, campaign_decide, make_campaign, make_enumerator


class CloseTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.officer = cls.world.commune_officer
        cls.campaign = make_campaign(cls.world.muong_phang, villages=1, per_village=2, prefix="CL")
        cls.enumerator = make_enumerator("dtv-close")
        assign(cls.campaign, 1, cls.enumerator, actor=cls.officer)
        cls.items = list(CampaignHousehold.objects.filter(campaign=cls.campaign).order_by("household__code"))

    def _decide(self) -> None:
        campaign_decide(self.officer, self.campaign, [ANSWERS_POOR] * len(self.items), "45/QĐ-UBND")

    def _sync(self) -> object:
        self.client.force_login(self.enumerator)
        item = {"client_id": str(uuid.uuid4()), "household": self.items[0].pk, "answers": ANSWERS_POOR}
        return self.client.post(
            "/api/v1/survey/sync/",
            {"device_id": "device-close", "items": [item]},
            content_type="application/json",
        )

    def test_decision_ends_the_enumerators_assignments_on_the_close_date(self) -> None:
        assignment = Assignment.objects.get(user=self.enumerator, role=Assignment.Role.ENUMERATOR)
        self.assertIsNone(assignment.valid_to)
        self._decide()
        assignment.refresh_from_db()
        self.assertEqual(assignment.valid_to, date(2025, 11, 12))
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        self.assertEqual((campaign.status, campaign.closed_on), ("closed", date(2025, 11, 12)))
        ended = ChangeRecord.objects.get(action="ended", object_id=str(assignment.pk))
        self.assertEqual(ended.actor, self.officer)
        self.assertIn("Kết thúc đợt rà soát", ended.reason)
        closed = ChangeRecord.objects.get(action="closed", object_id=str(campaign.pk))
        self.assertEqual(closed.changes["assignments_ended"], [0, 1])

    def test_closed_campaign_refuses_sync_and_office_saves_in_vietnamese(self) -> None:
        self._decide()
        response = self._sync()
        self.assertEqual(response.status_code, 403)  # the enumerator's scope ended with the campaign
        message = response.json()["error"]["message"]
        self.assertIn("Đợt rà soát năm 2025 của", message)
        self.assertIn("đã kết thúc (quyết định công nhận số 45/QĐ-UBND ngày 12/11/2025)", message)
        self.assertIn("Phiếu chưa gửi vẫn được giữ trên máy", message)
        self.assertEqual(SurveyResponse.objects.get(item=self.items[0]).version, 1)
        with self.assertRaisesMessage(ValidationError, "không nhận thêm phiếu"):
            response_save(actor=self.officer, item=self.items[0], answers=ANSWERS_POOR, expected_version=1)

    def test_closed_campaign_refuses_items_of_a_user_who_still_has_scope(self) -> None:
        self._decide()
        self.client.force_login(
            self.officer
        )  # commune officer: entry scope continues, the campaign is closed
        item = {"client_id": str(uuid.uuid4()), "household": self.items[1].pk, "answers": ANSWERS_POOR}
        body = self.client.post(
            "/api/v1/survey/sync/",
            {"device_id": "device-office", "items": [item]},
            content_type="application/json",
        ).json()
        self.assertEqual(body["results"][0]["status"], "error")
        self.assertIn("CL-1-1: Đợt rà soát năm 2025", body["results"][0]["message"])

    def test_reopening_is_refused_and_says_what_happens_instead(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Đợt rà soát đang mở."):
            campaign_reopen(actor=self.officer, campaign=self.campaign)
        self._decide()
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        with self.assertRaisesMessage(ValidationError, "rà soát thường xuyên"):
            campaign_reopen(actor=self.officer, campaign=campaign)
        self.assertEqual(Campaign.objects.get(pk=self.campaign.pk).status, "closed")
