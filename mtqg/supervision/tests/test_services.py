from __future__ import annotations

import tempfile
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from mtqg.core.models import ChangeRecord
from mtqg.geo.models import UnitVersion
from mtqg.testing import make_world, unit

from .. import selectors, services
from ..models import Attachment, Mission, Recommendation, Snapshot
from .factories import dien_bien_mission, make_mission

PDF = b"%PDF-1.4\n%test\n"


class ServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        cls.mission = dien_bien_mission(cls.w, "Đoàn công tác")

    def other_mission(self, actor: Any, unit: UnitVersion, on: date) -> Mission:
        return services.mission_create(
            actor=actor, kind="working", organiser="other", title="x", leader="y", unit=unit, start_date=on
        )

    def rec(self, **kw: object) -> Recommendation:
        args: dict[str, object] = {
            "actor": self.w.dien_bien_officer,
            "mission": self.mission,
            "from_party": Recommendation.Party.DELEGATION,
            "to_party": Recommendation.Party.PROVINCE,
            "theme": "dau-tu-dan-trai",
            "content": "Tránh đầu tư dàn trải",
            "deadline": date(2021, 12, 31),
        }
        args.update(kw)
        return services.recommendation_create(**args)  # type: ignore[arg-type]

    def follow_up(self, rec: Recommendation, new_status: str = "", content: str = "x", **kw: Any) -> None:
        """The Điện Biên officer reports on the recommendation (5/1/2021 unless `reported_on` is given)."""
        kw.setdefault("reported_on", date(2021, 1, 5))
        services.followup_create(
            actor=self.w.dien_bien_officer, recommendation=rec, content=content, new_status=new_status, **kw
        )

    def test_mission_audited_and_out_of_scope_refused(self) -> None:
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(self.mission.pk), action="create").exists())
        with self.assertRaises(PermissionDenied):
            self.other_mission(self.w.cao_bang_officer, self.w.dien_bien_old, date(2020, 1, 1))

    def test_unit_must_be_valid_on_mission_date(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self.other_mission(None, self.w.dien_bien, date(2020, 11, 4))
        self.assertIn("không còn hiệu lực", str(ctx.exception))

    def test_deadline_before_mission_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self.rec(deadline=date(2020, 11, 3))
        self.assertIn("Thời hạn không được trước ngày làm việc của đoàn (04/11/2020)", str(ctx.exception))
        self.assertFalse(Recommendation.objects.exists())

    def test_unknown_theme_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.rec(theme="khong-co")

    def test_province_recommendation_responsible_unit_must_be_in_scope(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            self.rec(from_party=Recommendation.Party.PROVINCE, responsible_unit=self.w.cao_bang_old)
        self.assertIn("ngoài phạm vi", str(ctx.exception))
        district = unit("pre2025", 2, "094")  # Điện Biên Phủ city
        rec = self.rec(from_party=Recommendation.Party.PROVINCE, responsible_unit=district)
        self.assertEqual(rec.responsible_unit, district)

    def test_followup_status_and_closure_by_issuer_only(self) -> None:
        rec = self.rec()
        self.follow_up(rec, "in_progress", "Đang rà soát")
        rec.refresh_from_db()
        self.assertEqual(rec.status, "in_progress")
        with self.assertRaises(ValidationError):
            self.follow_up(rec, "done")
        with self.assertRaises(ValidationError) as ctx:
            self.follow_up(rec, "not_done")
        self.assertIn("lý do", str(ctx.exception))
        with self.assertRaises(PermissionDenied):
            services.recommendation_close(actor=self.w.central, recommendation=rec)
        services.recommendation_close(actor=self.w.dien_bien_officer, recommendation=rec)
        rec.refresh_from_db()
        self.assertEqual((rec.status, rec.closed_by), ("done", self.w.dien_bien_officer))
        with self.assertRaises(ValidationError):
            self.follow_up(rec, reported_on=date(2021, 2, 1))

    def test_overdue_is_derived(self) -> None:
        late = self.rec(deadline=date(2021, 1, 31))
        self.rec(deadline=None)
        self.assertTrue(late.is_overdue(date(2021, 2, 1)))
        self.assertFalse(late.is_overdue(date(2021, 1, 31)))
        self.assertEqual(list(selectors.overdue(self.w.dien_bien_officer, date(2021, 2, 1))), [late])
        self.assertEqual(list(selectors.overdue(self.w.cao_bang_officer, date(2021, 2, 1))), [])
        self.assertEqual(late.display_status, "Quá hạn")

    @override_settings(EVIDENCE_MAX_BYTES=100)
    def test_attachment_type_and_size(self) -> None:
        good = SimpleUploadedFile("bb.pdf", PDF, content_type="application/pdf")
        with self.settings(MEDIA_ROOT=self._tmp()):
            att = services.attachment_add(
                actor=self.w.dien_bien_officer, mission=self.mission, kind="minutes", upload=good
            )
            self.assertEqual(att.size, len(PDF))
            fake = SimpleUploadedFile("a.pdf", b"MZ not a pdf", content_type="application/pdf")
            with self.assertRaises(ValidationError) as ctx:
                services.attachment_add(
                    actor=self.w.dien_bien_officer, mission=self.mission, kind="minutes", upload=fake
                )
            self.assertIn("PDF, DOCX, JPEG hoặc PNG", str(ctx.exception))
            big = SimpleUploadedFile("b.pdf", PDF + b"0" * 200, content_type="application/pdf")
            with self.assertRaises(ValidationError) as ctx:
                services.attachment_add(
                    actor=self.w.dien_bien_officer, mission=self.mission, kind="minutes", upload=big
                )
            self.assertIn("dung lượng", str(ctx.exception))
        self.assertEqual(Attachment.objects.count(), 1)

    def _tmp(self) -> str:
        d = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, d, True)
        return d

    def test_snapshot_immutable(self) -> None:
        snap = services.snapshot_create(
            actor=self.w.dien_bien_officer,
            report="briefing",
            unit=self.w.dien_bien_old,
            figures={"xa_dat_chuan": 33},
            rendered=b"docx",
        )
        self.assertEqual(len(snap.sha256), 64)
        snap.figures = {"xa_dat_chuan": 34}
        with self.assertRaises(ValidationError):
            snap.save()
        with self.assertRaises(ValidationError):
            snap.delete()
        self.assertEqual(Snapshot.objects.get().figures, {"xa_dat_chuan": 33})

    def test_recurring_themes_across_years(self) -> None:
        self.rec()
        later = make_mission(self.w.cao_bang_old, on=date(2024, 2, 1))
        services.finding_create(
            actor=None,
            mission=later,
            kind="difficulty",
            raised_by="province",
            theme="dau-tu-dan-trai",
            content="Dàn trải, nhỏ lẻ",
        )
        rows = selectors.recurring_themes(self.w.central)
        self.assertEqual(
            [(r["theme"], r["years"], r["units"]) for r in rows],
            [("dau-tu-dan-trai", [2020, 2024], ["Tỉnh Cao Bằng", "Tỉnh Điện Biên"])],
        )
        self.assertEqual(selectors.recurring_themes(self.w.dien_bien_officer), [])
