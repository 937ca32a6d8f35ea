"""Excel template and import (dry run, per-cell errors), the read API, hidden unapproved data, reminders,
the batch validation command and the z-score helper."""

from __future__ import annotations

from datetime import date
from io import BytesIO, StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from openpyxl import load_workbook

from mtqg.notifications.models import Notification
from mtqg.notifications.reminders import run_reminders
from mtqg.testing import make_world
from mtqg.workflow import services
from mtqg.workflow.calendar import load_calendars
from mtqg.workflow.models import Report, ReportingPeriod, ReportType
from mtqg.workflow.validation import zscore

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExcelTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        load_calendars([2026])
        cls.rt = ReportType.objects.get(code="gnbv_6thang_nam")
        cls.report = services.report_create(
            actor=None,
            report_type=cls.rt,
            unit=cls.w.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-H1"),
        )

    def _filled(self, values: dict[str, object], version: int | None = None) -> SimpleUploadedFile:
        resp = self.client.get(f"/workflow/reports/{self.report.pk}/template.xlsx")
        self.assertEqual(resp["Content-Type"], XLSX)
        wb = load_workbook(BytesIO(resp.content))
        ws = wb["So lieu"]
        if version is not None:
            ws["B1"] = version
        for row in range(4, ws.max_row + 1):
            code = ws.cell(row=row, column=1).value
            if code in values:
                ws.cell(row=row, column=3, value=values[code])
        out = BytesIO()
        wb.save(out)
        return SimpleUploadedFile("mau.xlsx", out.getvalue(), content_type=XLSX)

    def test_dry_run_errors_per_cell_then_import(self) -> None:
        self.client.force_login(self.w.commune_officer)
        url = f"/workflow/reports/{self.report.pk}/import/"
        bad = self._filled({"so_ho": 1000, "so_ho_ngheo": 1200, "so_ho_can_ngheo": "nhiều"})
        resp = self.client.post(url, {"file": bad, "dry_run": "1"})
        self.assertEqual(resp.status_code, 400)
        errors = resp.context["import_result"].errors
        self.assertEqual([(e["cell"], e["code"]) for e in errors], [("C6", "so_ho_can_ngheo")])
        self.assertContains(resp, "Giá trị không phải là số.", status_code=400)
        bad = self._filled({"so_ho": 1000, "so_ho_ngheo": 1200})
        errors = self.client.post(url, {"file": bad}).context["import_result"].errors
        self.assertEqual([(e["cell"], e["code"]) for e in errors], [("C5", "so_ho_ngheo")])
        self.assertFalse(self.report.values.exists())
        good = self._filled({"so_ho": 1000, "so_ho_ngheo": 120, "von_ke_hoach": "2.500.000.000"})
        resp = self.client.post(url, {"file": good, "dry_run": "1"})
        self.assertEqual(resp.status_code, 200)
        self.assertContains(resp, "Kiểm tra thử: tệp hợp lệ")
        self.assertFalse(self.report.values.exists())  # a dry run writes nothing
        good = self._filled({"so_ho": 1000, "so_ho_ngheo": 120, "von_ke_hoach": "2.500.000.000"})
        resp = self.client.post(url, {"file": good}, follow=True)
        self.assertContains(resp, "Đã nhập 5 chỉ tiêu")
        self.assertEqual(self.report.values.get(code="von_ke_hoach").value, 2_500_000_000)
        # an old template (stale version) is refused, nothing lost
        stale = self._filled({"so_ho": 999}, version=1)
        errors = self.client.post(url, {"file": stale}).context["import_result"].errors
        self.assertEqual(errors[0]["cell"], "B1")
        self.assertEqual(self.report.values.get(code="so_ho").value, 1000)
        junk = SimpleUploadedFile("x.xlsx", b"not excel", content_type=XLSX)
        self.assertContains(self.client.post(url, {"file": junk}), "Không đọc được tệp", status_code=400)


class ApiAndOptionsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        load_calendars([2026])
        cls.rt = ReportType.objects.get(code="gnbv_6thang_nam")
        r = services.report_create(
            actor=None,
            report_type=cls.rt,
            unit=cls.w.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-H1"),
        )
        r = services.report_save_values(actor=None, report=r, version=1, values={"so_ho": 500})
        cls.report = r

    def test_read_api_is_scoped(self) -> None:
        self.client.force_login(self.w.dien_bien_officer)
        with self.assertNumQueries(5):  # the scope in one query (0821)
            data = self.client.get("/api/v1/workflow/reports/?type=gnbv_6thang_nam").json()
        self.assertEqual([r["id"] for r in data["results"]], [self.report.pk])
        detail = self.client.get(f"/api/v1/workflow/reports/{self.report.pk}/").json()
        self.assertEqual(detail["values"][0]["value"], "500.00")
        comp = self.client.get("/api/v1/reports/workflow-completeness/?unit=11&year=2026").json()
        h1 = next(
            r for r in comp["rows"] if r["report_type"] == "gnbv_6thang_nam" and r["period"] == "2026-H1"
        )
        self.assertEqual(h1["missing"], h1["expected"])  # a draft is not submitted
        val = self.client.get("/api/v1/reports/workflow-validation/?unit=11&year=2026").json()
        self.assertEqual(len(val["types"]), ReportType.objects.count())
        self.client.force_login(self.w.cao_bang_officer)
        self.assertEqual(self.client.get("/api/v1/workflow/reports/").json()["count"], 0)
        self.assertEqual(self.client.get(f"/api/v1/workflow/reports/{self.report.pk}/").status_code, 404)
        self.assertEqual(
            self.client.get("/api/v1/reports/workflow-completeness/?unit=11&year=2026").status_code, 404
        )
        err = self.client.get("/api/v1/reports/workflow-completeness/?year=abc").json()
        self.assertEqual(sorted(err["error"]["fields"]), ["unit", "year"])

    def test_hide_unapproved_from_upper_levels(self) -> None:
        ReportType.objects.filter(pk=self.rt.pk).update(hide_unapproved=True)
        self.client.force_login(self.w.central)
        self.assertContains(
            self.client.get(f"/workflow/reports/{self.report.pk}/"), "chưa hiển thị với cấp trên"
        )
        self.assertEqual(self.client.get(f"/api/v1/workflow/reports/{self.report.pk}/").json()["values"], [])
        self.client.force_login(self.w.commune_officer)
        self.assertContains(self.client.get(f"/workflow/reports/{self.report.pk}/"), 'name="v_so_ho"')
        # once submitted, the province (deciding) sees it; the central level only after its turn
        r = services.report_submit(
            actor=self.w.commune_officer, report=self.report, version=self.report.version
        )
        self.client.force_login(self.w.dien_bien_officer)
        self.assertEqual(
            self.client.get(f"/api/v1/workflow/reports/{r.pk}/").json()["values"][0]["code"], "so_ho"
        )
        self.client.force_login(self.w.central)
        self.assertEqual(self.client.get(f"/api/v1/workflow/reports/{r.pk}/").json()["values"], [])


class RemindersAndCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        load_calendars([2026])

    def test_approaching_and_overdue_reminders_once(self) -> None:
        # GNBV H1 deadline 15/07/2026: approaching on 12/07, overdue on 20/07; Mường Phăng has a commune officer
        run_reminders(date(2026, 7, 12), ["mtqg.workflow.notify:due"])
        titles = list(
            Notification.objects.filter(recipient=self.w.commune_officer).values_list("category", "title")
        )
        self.assertIn(
            (
                "workflow.approaching",
                "Sắp đến hạn nộp Báo cáo giám sát 6 tháng, hằng năm (Mẫu 01) - CTMTQG GNBV "
                "— 6 tháng đầu năm 2026 (hạn 15/07/2026)",
            ),
            titles,
        )
        again = run_reminders(date(2026, 7, 12), ["mtqg.workflow.notify:due"])
        self.assertEqual(again["mtqg.workflow.notify:due"], 0)
        rt = ReportType.objects.get(code="gnbv_6thang_nam")
        r = services.report_create(
            actor=None,
            report_type=rt,
            unit=self.w.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-H1"),
        )
        services.report_submit(actor=self.w.commune_officer, report=r, version=r.version)
        run_reminders(date(2026, 7, 20), ["mtqg.workflow.notify:due"])
        overdue = Notification.objects.filter(recipient=self.w.commune_officer, category="workflow.overdue")
        self.assertFalse(overdue.filter(title__contains="Mẫu 01").exists())  # submitted: no overdue reminder
        self.assertTrue(overdue.filter(title__contains="NTM").exists())  # Q2 NTM (due 15/07) not submitted
        self.assertEqual(Notification.objects.filter(recipient=self.w.cao_bang_officer).count(), 0)

    def test_validate_command_and_zscore(self) -> None:
        out = StringIO()
        call_command(
            "validate_reports", "--type", "gnbv_6thang_nam", "--unit", "11", "--year", "2026", stdout=out
        )
        self.assertIn("0 báo cáo", out.getvalue())
        self.assertIsNone(zscore(5, [1, 1, 1]))  # no spread: never an outlier
        self.assertAlmostEqual(zscore(10, [1, 2, 3]) or 0, 8.0)
        self.assertEqual(Report.objects.count(), 0)
