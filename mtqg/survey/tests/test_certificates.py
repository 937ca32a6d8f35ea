"""Part 4, household certificates (Mẫu số 03) as a register: issued after the decision for the recognised poor
and near-poor households with numbers per commune and year, revoked when a later decision takes a household out
of the certified class, revoked by hand with a reason; listed per commune, printable, scoped; each write audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.survey.certificates import certificate_revoke, certificates_issue
from mtqg.survey.models import Certificate
from mtqg.survey.services import campaign_create
from mtqg.testing import make_world
from mtqg.workflow.calendar import load_calendars

from .factories import ANSWERS_POOR, campaign_decide, make_campaign

NOT_POOR = {**ANSWERS_POOR, "b1_workers": "2+", "b1_house": "ban_kien_co", "b1_cattle": "3+", "b1_land": ">1"}


class CertificateTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.officer = cls.world.commune_officer
        cls.campaign = make_campaign(cls.world.muong_phang, villages=1, per_village=3, prefix="GC")

    def test_issue_after_the_decision_numbers_per_commune_and_year_and_is_audited(self) -> None:
        with self.assertRaisesMessage(ValidationError, "sau quyết định công nhận"):
            certificates_issue(actor=self.officer, campaign=self.campaign, issued_on=date(2025, 11, 15))
        campaign_decide(self.officer, self.campaign, [ANSWERS_POOR, ANSWERS_POOR, NOT_POOR], "12/QĐ-UBND")
        with self.assertRaisesMessage(ValidationError, "không được trước ngày ký quyết định (12/11/2025)"):
            certificates_issue(actor=self.officer, campaign=self.campaign, issued_on=date(2025, 11, 1))
        made = certificates_issue(actor=self.officer, campaign=self.campaign, issued_on=date(2025, 11, 15))
        self.assertEqual(
            [c.number for c in made], ["001/GCN-HN.HCN", "002/GCN-HN.HCN"]
        )  # not the non-poor one
        cert = made[0]
        self.assertEqual(
            (cert.household.code, cert.poverty_class, cert.year, cert.issuer, cert.issued_by),
            ("GC-1-0", "poor", 2025, "UBND Xã Mường Phăng", self.officer),
        )
        self.assertEqual(cert.decision, "Quyết định số 12/QĐ-UBND ngày 12/11/2025")
        self.assertEqual(ChangeRecord.objects.filter(action="issued").count(), 2)
        again = certificates_issue(actor=self.officer, campaign=self.campaign, issued_on=date(2025, 11, 16))
        self.assertEqual(again, [])  # one valid certificate per household and year

    def test_later_decision_revokes_the_certificate_of_a_household_that_exits(self) -> None:
        campaign_decide(self.officer, self.campaign, [ANSWERS_POOR, ANSWERS_POOR, ANSWERS_POOR], "12/QĐ-UBND")
        certificates_issue(actor=self.officer, campaign=self.campaign, issued_on=date(2025, 11, 15))
        load_calendars([2026])
        next_year = campaign_create(actor=self.officer, commune=self.world.muong_phang, year=2026)
        near = {**ANSWERS_POOR, "b2_nguon_nuoc": False}
        campaign_decide(self.officer, next_year, [ANSWERS_POOR, near, NOT_POOR], "30/QĐ-UBND")
        by_code = {
            c.household.code: c for c in Certificate.objects.filter(year=2025).select_related("household")
        }
        self.assertEqual(by_code["GC-1-0"].status, "valid")  # still poor
        self.assertEqual(
            (by_code["GC-1-1"].status, by_code["GC-1-1"].revoked_reason),
            ("revoked", "Chuyển sang hộ cận nghèo theo Quyết định số 30/QĐ-UBND ngày 12/11/2026"),
        )
        self.assertEqual(
            (by_code["GC-1-2"].status, by_code["GC-1-2"].revoked_on, by_code["GC-1-2"].revoked_reason),
            ("revoked", date(2026, 11, 12), "Thoát hộ nghèo theo Quyết định số 30/QĐ-UBND ngày 12/11/2026"),
        )
        self.assertEqual(ChangeRecord.objects.filter(action="revoked").count(), 2)

    def test_revoke_by_hand_needs_a_reason_and_the_screens_are_scoped(self) -> None:
        campaign_decide(self.officer, self.campaign, [ANSWERS_POOR, ANSWERS_POOR, NOT_POOR], "12/QĐ-UBND")
        self.client.force_login(self.officer)
        self.client.post(
            "/ra-soat/giay-chung-nhan/",
            {"action": "issue", "campaign": self.campaign.pk, "issued_on": "2025-11-15"},
        )
        cert = Certificate.objects.order_by("number").first()
        listing = self.client.get(f"/ra-soat/giay-chung-nhan/?unit={self.world.muong_phang.code}&year=2025")
        self.assertContains(listing, "001/GCN-HN.HCN")
        self.assertContains(listing, "Lò Văn GC10")
        page = self.client.get(f"/ra-soat/giay-chung-nhan/{cert.pk}/")
        self.assertContains(page, "HỘ NGHÈO NĂM 2025")
        self.assertContains(page, "011080123456")  # Mẫu số 03 carries the head's ID number (entry scope only)
        self.assertContains(page, "Quyết định số 12/QĐ-UBND ngày 12/11/2025")
        with self.assertRaisesMessage(ValidationError, "Thiếu lý do thu hồi"):
            certificate_revoke(actor=self.officer, certificate=cert, on=date(2025, 12, 1), reason=" ")
        self.client.post(
            "/ra-soat/giay-chung-nhan/",
            {
                "action": "revoke",
                "certificate": cert.pk,
                "on": "2025-12-01",
                "reason": "Hộ chuyển đi nơi khác",
            },
        )
        cert.refresh_from_db()
        self.assertEqual(
            (cert.status, cert.revoked_by, cert.revoked_reason),
            ("revoked", self.officer, "Hộ chuyển đi nơi khác"),
        )
        self.assertContains(
            self.client.get(f"/ra-soat/giay-chung-nhan/{cert.pk}.docx"),
            "đã thu hồi ngày 01/12/2025",
            status_code=400,
        )
        # a supervisor (view-only) sees the list with masked names, not the certificate itself
        self.client.force_login(self.world.supervisor)
        masked = self.client.get("/ra-soat/giay-chung-nhan/?year=2025")
        self.assertContains(masked, "001/GCN-HN.HCN")
        self.assertNotContains(masked, "Lò Văn GC10")
        self.assertEqual(self.client.get(f"/ra-soat/giay-chung-nhan/{cert.pk}/").status_code, 403)
        # another province's officer sees none of them
        self.client.force_login(self.world.cao_bang_officer)
        self.assertNotContains(self.client.get("/ra-soat/giay-chung-nhan/"), "GCN-HN.HCN")
        self.assertEqual(self.client.get(f"/ra-soat/giay-chung-nhan/{cert.pk}/").status_code, 404)
