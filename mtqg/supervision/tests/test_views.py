from __future__ import annotations

import io
from datetime import date

from django.test import TestCase
from openpyxl import load_workbook

from mtqg.core.models import ChangeRecord
from mtqg.testing import make_world

from .. import demo, services
from ..briefing import briefing_sections
from ..figures import home_figures
from ..models import FollowUp, Mission, Recommendation
from ..snapshots import compare


class ViewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        demo.seed()
        cls.db = Mission.objects.get(unit=cls.w.dien_bien_old)
        cls.cb = Mission.objects.get(unit=cls.w.cao_bang_old)

    def test_demo_is_idempotent_and_holds_the_articles(self) -> None:
        before = ChangeRecord.objects.count()
        self.assertEqual(demo.seed(), 0)
        self.assertEqual(ChangeRecord.objects.count(), before)
        self.assertEqual(self.db.start_date, date(2020, 11, 4))
        self.assertIn("Phạm Anh Tuấn", self.db.leader)
        self.assertEqual(self.db.unit.structure, "pre2025")
        self.assertIn("33/115 xã", " ".join(self.db.findings.values_list("content", flat=True)))
        self.assertIn("69,06%", " ".join(self.cb.findings.values_list("content", flat=True)))
        self.assertEqual(self.db.agreements.get().period, "2021-2025")
        for m in (self.db, self.cb):
            parties = set(m.recommendations.values_list("from_party", flat=True))
            self.assertIn("delegation", parties)
            self.assertIn("province", parties)
        statuses = set(Recommendation.objects.values_list("status", flat=True))
        self.assertEqual(statuses, {"new", "in_progress", "done", "not_done"})

    def test_index_scoped_with_filters_and_recurring(self) -> None:
        self.client.force_login(self.w.central)
        with self.assertNumQueries(9):  # + unread badge in base.html; the scope in one query (0821)
            r = self.client.get("/supervision/")
        self.assertContains(r, "Tỉnh Điện Biên")
        self.assertContains(r, "Đầu tư dàn trải, nhỏ lẻ")
        self.assertContains(r, "2020, 2024")
        r = self.client.get("/supervision/?year=2024")
        self.assertNotContains(r, "Phạm Anh Tuấn")
        self.assertContains(r, "Bùi Hoàng Phương")
        r = self.client.get("/supervision/?theme=bo-may")
        self.assertContains(r, "Phạm Anh Tuấn")
        self.assertNotContains(r, "Bùi Hoàng Phương")
        self.client.force_login(self.w.cao_bang_officer)
        r = self.client.get("/supervision/")
        self.assertNotContains(r, "Phạm Anh Tuấn")
        self.assertEqual(self.client.get(f"/supervision/missions/{self.db.pk}/").status_code, 404)

    def test_mission_page(self) -> None:
        self.client.force_login(self.w.dien_bien_officer)
        r = self.client.get(f"/supervision/missions/{self.db.pk}/")
        self.assertContains(r, "Biên bản ghi nhớ về hợp tác phát triển thông tin và truyền thông")
        self.assertContains(r, "tránh đầu tư dàn trải")
        self.assertContains(r, "04/11/2020")

    def test_followup_form(self) -> None:
        rec = self.db.recommendations.filter(status="new").first()
        assert rec is not None
        self.client.force_login(self.w.dien_bien_officer)
        url = f"/supervision/recommendations/{rec.pk}/"
        r = self.client.post(url, {"reported_on": "2020-01-01", "content": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Ngày báo cáo không được trước ngày làm việc", status_code=400)
        r = self.client.post(
            url, {"reported_on": "2021-05-05", "content": "Đã triển khai", "new_status": "in_progress"}
        )
        self.assertEqual(r.status_code, 302)
        rec.refresh_from_db()
        self.assertEqual(rec.status, "in_progress")
        self.assertEqual(FollowUp.objects.filter(recommendation=rec).count(), 1)
        self.client.force_login(self.w.supervisor)  # view-only
        r = self.client.post(url, {"reported_on": "2021-05-05", "content": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "không có quyền", status_code=400)

    def test_overdue_list_and_xlsx(self) -> None:
        self.client.force_login(self.w.central)
        with self.assertNumQueries(6):  # + unread badge in base.html; the scope in one query (0821)
            r = self.client.get("/supervision/overdue/")
        self.assertContains(r, "Sở TT&amp;TT tham mưu")  # new, deadline 31/03/2021
        self.assertNotContains(r, "Quan tâm đến vốn sự nghiệp")  # closed by the issuer
        self.assertNotContains(r, "Kiến nghị bố trí vốn ưu tiên")  # closed
        r = self.client.get("/supervision/overdue/?format=xlsx")
        ws = load_workbook(io.BytesIO(r.content)).active
        contents = [row[4] for row in ws.iter_rows(min_row=3, values_only=True)]
        self.assertIn("Sở TT&TT tham mưu cho UBND tỉnh rà soát lại các chương trình về TT&TT.", contents)
        self.client.force_login(self.w.cao_bang_officer)
        r = self.client.get("/supervision/overdue/?format=xlsx")
        ws = load_workbook(io.BytesIO(r.content)).active
        self.assertNotIn("Tỉnh Điện Biên", [row[1] for row in ws.iter_rows(min_row=3, values_only=True)])

    def test_api_lists_scoped(self) -> None:
        self.client.force_login(self.w.cao_bang_officer)
        r = self.client.get("/api/v1/supervision/missions/")
        body = r.json()
        items = body["results"] if isinstance(body, dict) else body
        self.assertEqual([m["unit_code"] for m in items], ["04"])
        r = self.client.get("/api/v1/supervision/recommendations/")
        body = r.json()
        items = body["results"] if isinstance(body, dict) else body
        self.assertEqual({i["mission"] for i in items}, {self.cb.pk})
        r = self.client.get("/api/v1/reports/supervision-recurring-themes/?unit=04")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["rows"], [])  # one mission to Cao Bằng: nothing recurs within it

    def test_briefing_sections(self) -> None:
        s = briefing_sections(
            self.w.dien_bien_officer, self.w.dien_bien, date(2020, 1, 1), date(2020, 12, 31)
        )
        self.assertIn("Một số tiêu chí", s["difficulties"][0]["content"])
        self.assertEqual(len(s["recommendations"]), 10)
        self.assertEqual(
            briefing_sections(
                self.w.cao_bang_officer, self.w.dien_bien, date(2020, 1, 1), date(2020, 12, 31)
            ),
            {"difficulties": [], "recommendations": []},
        )

    def test_snapshot_compare(self) -> None:
        a = services.snapshot_create(
            actor=None,
            report="briefing",
            unit=self.w.dien_bien_old,
            figures={"ntm": {"dat": 19, "co_ban": 14}},
        )
        b = services.snapshot_create(
            actor=None,
            report="briefing",
            unit=self.w.dien_bien_old,
            figures={"ntm": {"dat": 21, "co_ban": 14}},
        )
        self.assertEqual(
            compare(a, b),
            [
                {"key": "ntm.co_ban", "a": 14, "b": 14, "changed": False},
                {"key": "ntm.dat", "a": 19, "b": 21, "changed": True},
            ],
        )


class FigureTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        demo.seed()

    def test_home_figure_counts_overdue(self) -> None:
        figs = home_figures(self.w.dien_bien, self.w.dien_bien_officer)
        # Điện Biên demo: 10 recommendations, 2 closed, 1 không thực hiện, 1 without deadline → 6 overdue
        self.assertEqual([(str(f["label"]), f["value"]) for f in figs], [("Kiến nghị quá hạn", "6")])
        self.assertEqual(home_figures(self.w.dien_bien, self.w.cao_bang_officer), [])
