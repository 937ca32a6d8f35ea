"""The 'Done when' walk-through through the screens: a commune officer, a provincial officer and a central officer
take a report from draft to approved; plus the entry grid (autosave, rules next to the field, conflict), list,
bulk approve, validation and national screens."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from mtqg.geo.models import UnitVersion
from mtqg.notifications.models import Notification
from mtqg.testing import make_world
from mtqg.workflow import services
from mtqg.workflow.calendar import load_calendars
from mtqg.workflow.figures import home_figures
from mtqg.workflow.models import Report, ReportDecision, ReportingPeriod, ReportType

HX = {"HTTP_HX_REQUEST": "true"}


class WalkThroughTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        load_calendars([2026])
        cls.rt = ReportType.objects.get(code="gnbv_6thang_nam")

    def _cell(self, pk: int, code: str, value: str, cell_version: int = 0) -> tuple[str, int]:
        """Autosave one cell as htmx does; returns the cell HTML and the report version sent back."""
        resp = self.client.post(
            f"/workflow/reports/{pk}/values/",
            {"cell": code, f"v_{code}": value, "cell_version": cell_version},
            **HX,
        )
        self.assertEqual(resp.status_code, 200)
        return resp.content.decode(), json.loads(resp["HX-Trigger"])["workflowVersion"]["value"]

    def _post(self, url: str, data: dict[str, object]) -> str:
        resp = self.client.post(url, data, follow=True)
        self.assertEqual(resp.status_code, 200)
        return resp.content.decode()

    def test_commune_province_central_take_a_report_from_draft_to_approved(self) -> None:
        w = self.w
        # 1. the commune officer opens the H1 report of Mường Phăng from the list page
        self.client.force_login(w.commune_officer)
        self.assertContains(self.client.get("/workflow/reports/"), "Lập báo cáo mới")
        resp = self.client.post(
            "/workflow/reports/new/", {"type": self.rt.code, "period": "2026-H1", "unit": w.muong_phang.code}
        )
        report = Report.objects.get(report_type=self.rt, unit=w.muong_phang, period__code="2026-H1")
        self.assertRedirects(resp, f"/workflow/reports/{report.pk}/")
        page = self.client.get(f"/workflow/reports/{report.pk}/").content.decode()
        self.assertIn('name="v_so_ho"', page)
        self.assertIn("Nộp báo cáo", page)
        self.assertNotIn(">Duyệt", page)
        # 2. autosave per cell (Vietnamese number format), a rule message next to the field, nothing written
        html, version = self._cell(report.pk, "so_ho", "1.200")
        self.assertIn("is-valid", html)
        self.assertEqual(version, 2)
        html, version = self._cell(report.pk, "so_ho_ngheo", "1.500")
        self.assertIn("Số hộ nghèo không được lớn hơn tổng số hộ.", html)
        self.assertIn('value="1.500"', html)  # the user's input stays in the cell
        self.assertEqual(version, 2)
        self.assertFalse(report.values.filter(code="so_ho_ngheo").exists())
        html, version = self._cell(report.pk, "so_ho_ngheo", "300")
        # the whole grid form (keyboard: Enter / the save button)
        page = self._post(
            f"/workflow/reports/{report.pk}/values/",
            {
                "version": version,
                "v_so_ho": "1.200",
                "v_so_ho_ngheo": "300",
                "v_von_ke_hoach": "5.000.000.000",
            },
        )
        self.assertIn("Đã lưu số liệu.", page)
        # an attachment while still a draft
        upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        page = self._post(
            f"/workflow/reports/{report.pk}/attachments/", {"title": "Biên bản họp", "file": upload}
        )
        self.assertIn("Biên bản họp", page)
        att = report.attachments.get()
        self.assertEqual(self.client.get(f"/workflow/attachments/{att.pk}/").status_code, 200)
        # 3. submit; the commune cannot approve its own report nor edit it any more
        report.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            page = self._post(f"/workflow/reports/{report.pk}/submit/", {"version": report.version})
        self.assertIn("Đã nộp báo cáo.", page)
        self.assertNotIn('name="v_so_ho"', page)
        report.refresh_from_db()
        self.assertEqual((report.status, report.pending_level), ("submitted", 1))
        self.assertTrue(
            Notification.objects.filter(recipient=w.dien_bien_officer, category="workflow.submitted")
        )
        resp = self.client.post(
            f"/workflow/reports/{report.pk}/values/", {"version": report.version, "v_so_ho": "1"}
        )
        self.assertEqual(resp.status_code, 400)
        self.assertContains(resp, "khóa", status_code=400)
        page = self._post(f"/workflow/reports/{report.pk}/approve/", {"version": report.version})
        self.assertIn("Bạn không có quyền duyệt", page)
        # 4. the province returns it with a reason (a blank reason is refused); the commune resubmits
        self.client.force_login(w.dien_bien_officer)
        page = self.client.get(f"/workflow/reports/{report.pk}/").content.decode()
        self.assertIn("Trả lại", page)
        page = self._post(
            f"/workflow/reports/{report.pk}/return/", {"version": report.version, "reason": " "}
        )
        self.assertIn("Cần ghi rõ lý do.", page)
        with self.captureOnCommitCallbacks(execute=True):
            page = self._post(
                f"/workflow/reports/{report.pk}/return/",
                {"version": report.version, "reason": "Thiếu số hộ cận nghèo"},
            )
        self.assertIn("Thiếu số hộ cận nghèo", page)
        self.assertTrue(
            Notification.objects.filter(recipient=w.commune_officer, category="workflow.returned")
        )
        report.refresh_from_db()
        self.client.force_login(w.commune_officer)
        html, version = self._cell(report.pk, "so_ho_can_ngheo", "150")
        self._post(f"/workflow/reports/{report.pk}/submit/", {"version": version})
        # 5. the province approves: the report goes up to the central level, still locked
        self.client.force_login(w.dien_bien_officer)
        report.refresh_from_db()
        page = self._post(f"/workflow/reports/{report.pk}/approve/", {"version": report.version})
        self.assertIn("chờ cấp Trung ương duyệt", page)
        report.refresh_from_db()
        self.assertEqual((report.status, report.pending_level), ("submitted", 0))
        # 6. the central officer approves: approved and locked
        self.client.force_login(w.central)
        with self.captureOnCommitCallbacks(execute=True):
            page = self._post(f"/workflow/reports/{report.pk}/approve/", {"version": report.version})
        self.assertIn("Đã duyệt báo cáo.", page)
        report.refresh_from_db()
        self.assertEqual(report.status, "approved")
        self.assertTrue(
            Notification.objects.filter(recipient=w.commune_officer, category="workflow.approved")
        )
        self.assertEqual(
            list(ReportDecision.objects.filter(report=report).values_list("action", "level")),
            [("submit", 3), ("return", 1), ("submit", 3), ("approve", 1), ("approve", 0)],
        )
        self.assertIn("Thiếu số hộ cận nghèo", page)  # the decision log is on the page
        self.assertEqual(report.values.get(code="so_ho_can_ngheo").value, 150)
        # 7. a reopen needs a reason from the approver level
        self.client.force_login(w.dien_bien_officer)
        page = self._post(
            f"/workflow/reports/{report.pk}/reopen/", {"version": report.version, "reason": "Sai số hộ"}
        )
        self.assertIn("Đã mở lại báo cáo.", page)
        report.refresh_from_db()
        self.assertEqual(report.status, "draft")

    def test_conflict_keeps_input_and_shows_other_version(self) -> None:
        report = services.report_create(
            actor=None,
            report_type=self.rt,
            unit=self.w.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-H1"),
        )
        self.client.force_login(self.w.commune_officer)
        services.report_save_values(
            actor=self.w.dien_bien_officer, report=report, version=1, values={"so_ho": "90"}
        )
        # the commune's page was loaded before: its so_ho cell had no value yet (cell version 0)
        html, _v = self._cell(report.pk, "so_ho", "100", 0)
        self.assertIn("Người khác vừa lưu giá trị", html)
        self.assertIn("<strong>90</strong>", html)
        self.assertIn('value="100"', html)
        self.assertIn('"cell_version": "1"', html)  # "keep mine" now overwrites knowingly
        self.assertEqual(report.values.get(code="so_ho").value, 90)
        # another cell from the same (old) page is not a conflict: only the same cell is
        self._cell(report.pk, "so_ho_ngheo", "10", 0)
        self.assertEqual(report.values.get(code="so_ho_ngheo").value, 10)
        html, _v = self._cell(report.pk, "so_ho", "100", 1)
        self.assertEqual(report.values.get(code="so_ho").value, 100)
        # whole-form conflict: 409, the user's input in the form and the other value beside it
        resp = self.client.post(f"/workflow/reports/{report.pk}/values/", {"version": 1, "v_so_ho": "120"})
        self.assertEqual(resp.status_code, 409)
        self.assertContains(resp, 'value="120"', status_code=409)
        self.assertContains(resp, "Giá trị người khác vừa lưu", status_code=409)
        self.assertEqual(report.values.get(code="so_ho").value, 100)

    def test_out_of_scope_users_get_404_and_nothing_changes(self) -> None:
        report = services.report_create(
            actor=None,
            report_type=self.rt,
            unit=self.w.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-H1"),
        )
        report = services.report_submit(actor=self.w.commune_officer, report=report, version=1)
        self.client.force_login(self.w.cao_bang_officer)
        for action in ("approve", "return", "reopen", "submit"):
            resp = self.client.post(f"/workflow/reports/{report.pk}/{action}/", {"version": report.version})
            self.assertEqual(resp.status_code, 404)
        self.assertEqual(self.client.get(f"/workflow/reports/{report.pk}/").status_code, 404)
        report.refresh_from_db()
        self.assertEqual(report.status, "submitted")
        # a supervisor (view only) sees the report but no buttons
        self.client.force_login(self.w.supervisor)
        page = self.client.get(f"/workflow/reports/{report.pk}/").content.decode()
        self.assertNotIn("Trả lại", page)
        self.assertNotIn('name="v_so_ho"', page)


class ListBulkAndQualityScreensTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        load_calendars([2025, 2026])
        cls.rt = ReportType.objects.get(code="gnbv_6thang_nam")
        cls.h1 = ReportingPeriod.objects.get(code="2026-H1")

        communes = list(
            UnitVersion.objects.filter(structure="2025", level=3, parent=cls.w.dien_bien).order_by("code")[:8]
        )
        cls.reports = []
        for i, unit in enumerate(communes):
            r = services.report_create(actor=None, report_type=cls.rt, unit=unit, period=cls.h1)
            poor = 5000 if i == 0 else 100 + i  # one outlier against its peers
            r = services.report_save_values(
                actor=None, report=r, version=1, values={"so_ho": 10000, "so_ho_ngheo": poor}
            )
            cls.reports.append(services.report_submit(actor=None, report=r, version=r.version))

    def test_list_filters_and_bulk_approve(self) -> None:
        self.client.force_login(self.w.dien_bien_officer)
        url = "/workflow/reports/?type=gnbv_6thang_nam&period=2026-H1&status=submitted&unit=11"
        with self.assertNumQueries(11):  # the scope in one query (0821)
            resp = self.client.get(url)
        self.assertEqual(resp.context["page"].paginator.count, 8)
        self.assertContains(resp, "Duyệt tất cả báo cáo đã nộp")

        self.assertEqual(home_figures(self.w.dien_bien, self.w.dien_bien_officer)[0]["value"], "8")
        self.assertEqual(home_figures(self.w.cao_bang, self.w.cao_bang_officer), [])
        resp = self.client.post(
            "/workflow/reports/bulk-approve/",
            {"type": "gnbv_6thang_nam", "period": "2026-H1", "unit": "11"},
            follow=True,
        )
        self.assertContains(resp, "Đã duyệt 8 báo cáo.")
        self.assertEqual(Report.objects.filter(status="submitted", pending_level=0).count(), 8)
        self.client.force_login(self.w.cao_bang_officer)
        resp = self.client.post(
            "/workflow/reports/bulk-approve/",
            {"type": "gnbv_6thang_nam", "period": "2026-H1", "unit": "11"},
            follow=True,
        )
        self.assertContains(resp, "Chọn tỉnh để duyệt hàng loạt.")
        self.assertEqual(Report.objects.filter(status="approved").count(), 0)

    def test_validation_screen_flags_outlier_not_blocking(self) -> None:
        self.client.force_login(self.w.dien_bien_officer)
        resp = self.client.get("/workflow/validation/?type=gnbv_6thang_nam&year=2026&unit=11")
        data = resp.context["data"]
        self.assertEqual(data["totals"]["reports"], 8)
        self.assertEqual(data["totals"]["errors"], 0)
        flagged = [row["report"] for row in data["rows"]]
        self.assertEqual(flagged, [self.reports[0].pk])
        self.assertContains(resp, "khác thường so với các xã cùng tỉnh")
        xlsx = self.client.get("/workflow/validation/?type=gnbv_6thang_nam&year=2026&unit=11&format=xlsx")
        self.assertEqual(
            xlsx["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        # and at entry, the report page shows the same flag next to the field
        page = self.client.get(f"/workflow/reports/{self.reports[0].pk}/")
        self.assertContains(page, "khác thường so với các xã cùng tỉnh")

    def test_national_view(self) -> None:
        self.client.force_login(self.w.central)
        resp = self.client.get("/workflow/national/?type=gnbv_6thang_nam&period=2026-H1")
        data = resp.context["data"]
        self.assertEqual(len(data["rows"]), 34)
        db = next(r for r in data["rows"] if r["code"] == "11")
        self.assertEqual(db["late"] + db["on_time"], 8)
        self.assertEqual(data["total"]["expected"], 3321)
        xlsx = self.client.get("/workflow/national/?type=gnbv_6thang_nam&period=2026-H1&format=xlsx")
        self.assertIn("tinh-hinh-nop-bao-cao-2026-H1.xlsx", xlsx["Content-Disposition"])
        # the year matrix (provinces × periods) agrees with the one-period view
        with self.assertNumQueries(10):  # the scope in one query (0821)
            m = self.client.get("/workflow/national/?type=gnbv_6thang_nam&year=2026").context["m"]
        self.assertEqual([p.code for p in m["periods"]], ["2026-H1", "2026-Y"])
        self.assertEqual([c["expected"] for c in m["total"]], [3321, 3321])
        cell = next(r for r in m["rows"] if r["code"] == "11")["cells"][0]
        keys = ("on_time", "late", "missing")
        self.assertEqual({k: cell[k] for k in keys}, {k: db[k] for k in keys})
        self.assertEqual(m["total"][1]["missing"], 3321)
        self.client.force_login(self.w.dien_bien_officer)
        rows = self.client.get("/workflow/national/?type=gnbv_6thang_nam&period=2026-H1").context["data"][
            "rows"
        ]
        self.assertEqual([r["code"] for r in rows], ["11"])
