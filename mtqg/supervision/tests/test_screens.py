"""Entry screens (mission, finding, recommendation, attachment) and recommendation reminders."""

from __future__ import annotations

import io
from datetime import timedelta
from unittest import mock

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone

from mtqg.core.models import ChangeRecord
from mtqg.notifications.models import Notification
from mtqg.notifications.reminders import run_reminders
from mtqg.testing import make_world

from .. import reminders, services
from ..models import Attachment, Finding, Mission, Recommendation
from .factories import dien_bien_mission

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Biên bản làm việc")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class MissionScreensTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        cls.mission = dien_bien_mission(cls.w, "Đoàn công tác 2020")

    def setUp(self) -> None:
        self.client.force_login(self.w.dien_bien_officer)

    def mission_post(self, **over: str) -> dict[str, str]:
        data = {
            "kind": "supervision",
            "organiser": "provincial_council",
            "title": "Đoàn giám sát HĐND tỉnh",
            "leader": "Trưởng ban Dân tộc",
            "unit_code": "11",
            "start_date": "2021-03-01",
            "end_date": "2021-03-02",
            "programs": ["NTM", "GNBV"],
        }
        data.update(over)
        return data

    def test_create_and_edit_mission(self) -> None:
        self.assertEqual(self.client.get("/supervision/missions/new/").status_code, 200)
        response = self.client.post("/supervision/missions/new/", self.mission_post())
        mission = Mission.objects.get(title="Đoàn giám sát HĐND tỉnh")
        self.assertRedirects(response, f"/supervision/missions/{mission.pk}/", fetch_redirect_response=False)
        self.assertEqual(mission.unit, self.w.dien_bien_old)  # pre-2025 unit valid on 01/03/2021
        self.assertEqual(mission.programs, ["NTM", "GNBV"])
        page = self.client.get(f"/supervision/missions/{mission.pk}/edit/")
        self.assertContains(page, "Đoàn giám sát HĐND tỉnh")
        self.client.post(
            f"/supervision/missions/{mission.pk}/edit/", self.mission_post(title="Đoàn giám sát (sửa)")
        )
        mission.refresh_from_db()
        self.assertEqual(mission.title, "Đoàn giám sát (sửa)")
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(mission.pk), action="update").exists())

    def test_bad_mission_input_writes_nothing(self) -> None:
        before = Mission.objects.count()
        r = self.client.post("/supervision/missions/new/", self.mission_post(end_date="2021-02-01"))
        self.assertContains(r, "Ngày kết thúc không được trước ngày bắt đầu.", status_code=400)
        r = self.client.post("/supervision/missions/new/", self.mission_post(unit_code="04"))
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "quyền", status_code=400)
        r = self.client.post("/supervision/missions/new/", self.mission_post(unit_code="99999"))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Mission.objects.count(), before)

    def test_add_finding_and_recommendation(self) -> None:
        url = f"/supervision/missions/{self.mission.pk}/"
        self.client.post(
            url + "findings/new/",
            {"kind": "difficulty", "raised_by": "province", "theme": "sinh-ke", "content": "Dân trí thấp"},
        )
        self.assertTrue(Finding.objects.filter(mission=self.mission, content="Dân trí thấp").exists())
        r = self.client.post(
            url + "recommendations/new/",
            {
                "from_party": "delegation",
                "to_party": "province",
                "theme": "dau-tu-dan-trai",
                "content": "Tránh đầu tư dàn trải",
                "deadline": "2021-12-31",
            },
        )
        rec = Recommendation.objects.get(mission=self.mission, content="Tránh đầu tư dàn trải")
        self.assertRedirects(r, f"/supervision/recommendations/{rec.pk}/", fetch_redirect_response=False)
        self.assertEqual(rec.issued_by, self.w.dien_bien_officer)

    def test_bad_recommendation_input(self) -> None:
        url = f"/supervision/missions/{self.mission.pk}/recommendations/new/"
        base = {"from_party": "province", "to_party": "department", "theme": "sinh-ke", "content": "X"}
        r = self.client.post(url, {**base, "deadline": "2020-01-01"})
        self.assertContains(
            r, "Thời hạn không được trước ngày làm việc của đoàn (04/11/2020).", status_code=400
        )
        r = self.client.post(url, {**base, "responsible_code": "04"})
        self.assertContains(r, "ngoài phạm vi quản lý của bạn", status_code=400)
        self.assertFalse(Recommendation.objects.filter(content="X").exists())

    def upload(self, name: str, content: bytes, ctype: str) -> object:
        return self.client.post(
            f"/supervision/missions/{self.mission.pk}/attachments/new/",
            {
                "kind": "minutes",
                "caption": name,
                "file": SimpleUploadedFile(name, content, content_type=ctype),
            },
        )

    def test_attachments_sniffed(self) -> None:
        self.upload("anh.png", PNG, "image/png")
        self.upload("bien-ban.docx", docx_bytes(), "application/octet-stream")  # declared type not trusted
        kinds = set(Attachment.objects.filter(mission=self.mission).values_list("content_type", flat=True))
        self.assertEqual(
            kinds, {"image/png", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        )
        r = self.upload("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
        self.assertContains(r, "Chỉ chấp nhận tệp PDF, DOCX, JPEG hoặc PNG", status_code=400)
        r = self.upload("anh.pdf", PNG, "application/pdf")  # PNG bytes under a .pdf name
        self.assertEqual(r.status_code, 400)
        zip_not_docx = b"PK\x03\x04" + b"\x00" * 40
        self.assertEqual(self.upload("x.docx", zip_not_docx, "application/zip").status_code, 400)
        with override_settings(EVIDENCE_MAX_BYTES=16):
            r = self.upload("big.png", PNG, "image/png")
            self.assertContains(r, "vượt quá dung lượng", status_code=400)
        self.assertEqual(Attachment.objects.filter(mission=self.mission).count(), 2)
        att = Attachment.objects.get(content_type="image/png")
        response = self.client.get(f"/supervision/attachments/{att.pk}/")
        self.assertEqual(b"".join(response.streaming_content), PNG)
        self.client.force_login(self.w.cao_bang_officer)
        self.assertEqual(self.client.get(f"/supervision/attachments/{att.pk}/").status_code, 404)
        r = self.upload("anh.png", PNG, "image/png")
        self.assertEqual(r.status_code, 404)

    def test_view_only_user_cannot_write(self) -> None:
        self.client.force_login(self.w.supervisor)
        page = self.client.get(f"/supervision/missions/{self.mission.pk}/")
        self.assertNotContains(page, "findings/new/")
        r = self.client.post(
            f"/supervision/missions/{self.mission.pk}/findings/new/",
            {"kind": "difficulty", "raised_by": "province", "theme": "sinh-ke", "content": "Không được ghi"},
        )
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Finding.objects.filter(content="Không được ghi").exists())


class ReminderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        today = timezone.localdate()
        cls.today = today
        cls.mission = services.mission_create(
            actor=cls.w.dien_bien_officer,
            kind=Mission.Kind.WORKING,
            organiser=Mission.Organiser.CENTRAL_STEERING,
            title="Đoàn",
            leader="Trưởng đoàn",
            unit=cls.w.dien_bien,
            start_date=today - timedelta(days=60),
        )
        kw = {"mission": cls.mission, "from_party": "delegation", "to_party": "province", "theme": "sinh-ke"}
        cls.soon = services.recommendation_create(
            actor=cls.w.central, content="Sắp đến hạn", deadline=today + timedelta(days=10), **kw
        )
        cls.late = services.recommendation_create(
            actor=cls.w.central, content="Đã quá hạn", deadline=today - timedelta(days=5), **kw
        )
        cls.done = services.recommendation_create(
            actor=cls.w.central, content="Xong rồi", deadline=today - timedelta(days=5), **kw
        )
        services.recommendation_close(actor=cls.w.central, recommendation=cls.done)

    def test_due_and_overdue(self) -> None:
        items = {r.body: r for r in reminders.due(self.today)}
        self.assertEqual(set(items), {"Sắp đến hạn", "Đã quá hạn"})
        self.assertEqual(items["Sắp đến hạn"].category, "supervision.due")
        self.assertIn(self.w.dien_bien_officer, items["Sắp đến hạn"].recipients)
        self.assertNotIn(self.w.cao_bang_officer, items["Sắp đến hạn"].recipients)
        self.assertIn("quá hạn 5 ngày", items["Đã quá hạn"].title)
        self.assertIn(self.w.central, items["Đã quá hạn"].recipients)  # the issuer

    def test_sent_once(self) -> None:
        provider = ["mtqg.supervision.reminders:due"]
        first = run_reminders(self.today, provider)
        self.assertGreater(first[provider[0]], 0)
        self.assertEqual(run_reminders(self.today, provider)[provider[0]], 0)
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.w.dien_bien_officer, category="supervision.due"
            ).exists()
        )


class ReportFailureTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()

    def test_a_failing_report_shows_a_message_not_a_trace(self) -> None:
        def broken(user: object, params: object) -> None:
            raise RuntimeError("boom")

        self.client.force_login(self.w.dien_bien_officer)
        with mock.patch("mtqg.supervision.reporting.get_report", return_value=broken):
            response = self.client.get("/supervision/reports/?slug=ntm-summary&unit=11&year=2020")
        self.assertContains(response, "Không lập được báo cáo này", status_code=400)
        self.assertNotContains(response, "boom", status_code=400)

    def test_report_page_lists_the_catalog(self) -> None:
        self.client.force_login(self.w.dien_bien_officer)
        response = self.client.get("/supervision/reports/")
        self.assertContains(response, "Báo cáo tình hình thực hiện các Chương trình mục tiêu quốc gia")
        self.assertContains(response, 'value="ntm-summary"')
