from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.geo.models import UnitVersion
from mtqg.testing import World, make_user, make_world
from mtqg.workflow import demo, services
from mtqg.workflow.calendar import load_calendars
from mtqg.workflow.models import Report, ReportDecision, ReportingPeriod, ReportType
from mtqg.workflow.selectors import completeness


class HalfYearTestCase(TestCase):
    """The world, the 2026 reporting calendar, and the half-year poverty report type and its first period."""

    w: World
    rt: ReportType
    h1: ReportingPeriod

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        load_calendars([2026])
        cls.rt = ReportType.objects.get(code="gnbv_6thang_nam")
        cls.h1 = ReportingPeriod.objects.get(code="2026-H1")


class ReportWorkflowTests(HalfYearTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_prov = make_user("db_other", Assignment.Role.PROVINCE, cls.w.dien_bien)

    def _report(self) -> Report:
        return services.report_create(
            actor=self.w.commune_officer, report_type=self.rt, unit=self.w.muong_phang, period=self.h1
        )

    def _submitted(self) -> Report:
        r = self._report()
        r = services.report_save_values(
            actor=self.w.commune_officer,
            report=r,
            version=r.version,
            values={"so_ho": "1.200", "so_ho_ngheo": "300"},
        )
        return services.report_submit(actor=self.w.commune_officer, report=r, version=r.version)

    def test_calendar_deadlines(self) -> None:
        self.assertEqual(self.rt.deadline_for(self.h1), date(2026, 7, 15))
        em = ReportType.objects.get(code="dtts_xa_chu_dau_tu")
        self.assertEqual(em.deadline_for(ReportingPeriod.objects.get(code="2026-Y")), date(2027, 1, 25))
        self.assertEqual(em.deadline_for(self.h1), date(2026, 9, 10))
        up = ReportType.objects.get(code="dtts_xa_len_tren")
        self.assertEqual(up.deadline_for(self.h1), date(2026, 9, 15))
        self.assertEqual(ReportingPeriod.objects.filter(year=2026).count(), 12 + 4 + 2 + 1 + 1)
        review = ReportingPeriod.objects.get(code="2026-REVIEW")
        self.assertEqual((review.start, review.end), (date(2026, 9, 1), date(2026, 12, 14)))

    def test_full_cycle_with_return_and_reopen(self) -> None:
        r = self._submitted()
        self.assertEqual(r.status, Report.Status.SUBMITTED)
        with self.assertRaises(ValidationError):  # locked
            services.report_save_values(
                actor=self.w.commune_officer, report=r, version=r.version, values={"so_ho": 1}
            )
        with self.assertRaises(ValidationError):
            services.report_return(actor=self.w.dien_bien_officer, report=r, version=r.version, reason=" ")
        r = services.report_return(
            actor=self.w.dien_bien_officer, report=r, version=r.version, reason="Thiếu số liệu"
        )
        self.assertEqual((r.status, r.reason), (Report.Status.RETURNED, "Thiếu số liệu"))
        r = services.report_submit(actor=self.w.commune_officer, report=r, version=r.version)
        self.assertEqual(r.pending_level, 1)
        with self.assertRaises(PermissionDenied):  # central decides only after the province
            services.report_approve(actor=self.w.commune_officer, report=r, version=r.version)
        r = services.report_approve(actor=self.w.dien_bien_officer, report=r, version=r.version)
        self.assertEqual((r.status, r.pending_level), (Report.Status.SUBMITTED, 0))
        with self.assertRaises(PermissionDenied):  # the province cannot decide at the central level
            services.report_approve(actor=self.w.dien_bien_officer, report=r, version=r.version)
        with self.assertRaises(ValidationError):  # still locked while the central level decides
            services.report_save_values(
                actor=self.w.commune_officer, report=r, version=r.version, values={"so_ho": 1}
            )
        r = services.report_approve(actor=self.w.central, report=r, version=r.version)
        self.assertEqual((r.status, r.pending_level), (Report.Status.APPROVED, None))
        with self.assertRaises(ValidationError):
            services.report_submit(actor=self.w.commune_officer, report=r, version=r.version)
        with self.assertRaises(PermissionDenied):
            services.report_reopen(actor=self.w.commune_officer, report=r, version=r.version, reason="Sửa")
        r = services.report_reopen(
            actor=self.w.dien_bien_officer, report=r, version=r.version, reason="Sai số hộ"
        )
        self.assertEqual(r.status, Report.Status.DRAFT)
        actions = list(ReportDecision.objects.filter(report=r).values_list("action", flat=True))
        self.assertEqual(actions, ["submit", "return", "submit", "approve", "approve", "reopen"])

    def test_decision_log_is_insert_only(self) -> None:
        r = self._submitted()
        d = ReportDecision.objects.get(report=r)
        d.reason = "sửa"
        with self.assertRaises(ValueError):
            d.save()
        with self.assertRaises(ValueError):
            d.delete()

    def test_out_of_scope_and_commune_cannot_approve(self) -> None:
        r = self._submitted()
        for actor in (self.w.cao_bang_officer, self.w.commune_officer, self.w.supervisor):
            with self.assertRaises(PermissionDenied):
                services.report_approve(actor=actor, report=r, version=r.version)
        r.refresh_from_db()
        self.assertEqual(r.status, Report.Status.SUBMITTED)
        with self.assertRaises(PermissionDenied):
            services.report_create(
                actor=self.w.cao_bang_officer,
                report_type=self.rt,
                unit=self.w.muong_phang,
                period=ReportingPeriod.objects.get(code="2026-Y"),
            )

    def test_separation_of_duties(self) -> None:
        r = self._report()
        r = services.report_submit(actor=self.w.dien_bien_officer, report=r, version=r.version)
        with self.assertRaises(PermissionDenied):
            services.report_approve(actor=self.w.dien_bien_officer, report=r, version=r.version)
        r = services.report_approve(actor=self.other_prov, report=r, version=r.version)
        r = services.report_approve(actor=self.w.central, report=r, version=r.version)
        self.assertEqual(r.status, Report.Status.APPROVED)
        ReportType.objects.filter(pk=self.rt.pk).update(separation_of_duties=False)
        r2 = services.report_create(
            actor=None,
            report_type=ReportType.objects.get(pk=self.rt.pk),
            unit=self.w.muong_phang,
            period=ReportingPeriod.objects.get(code="2026-Y"),
        )
        r2 = services.report_submit(actor=self.w.dien_bien_officer, report=r2, version=r2.version)
        r2 = services.report_approve(actor=self.w.dien_bien_officer, report=r2, version=r2.version)
        self.assertEqual((r2.status, r2.pending_level), (Report.Status.SUBMITTED, 0))

    def test_stale_version_keeps_input(self) -> None:
        r = self._report()
        v0 = r.version
        services.report_save_values(
            actor=self.w.commune_officer, report=r, version=v0, values={"so_ho": "100"}
        )
        with self.assertRaises(services.StaleVersion) as ctx:
            services.report_save_values(
                actor=self.w.commune_officer, report=r, version=v0, values={"so_ho": "90"}
            )
        self.assertEqual(ctx.exception.submitted, {"so_ho": "90"})
        self.assertEqual(str(ctx.exception.current["so_ho"]), "100.00")
        self.assertIn("người khác", ctx.exception.messages[0])
        r.refresh_from_db()
        self.assertEqual(r.values.get(code="so_ho").value, 100)
        with self.assertRaises(services.StaleVersion):
            services.report_submit(actor=self.w.commune_officer, report=r, version=v0)

    def test_rules_block_save_with_field_message(self) -> None:
        r = self._report()
        with self.assertRaises(ValidationError) as ctx:
            services.report_save_values(
                actor=self.w.commune_officer,
                report=r,
                version=r.version,
                values={"so_ho": "100", "so_ho_ngheo": "101"},
            )
        self.assertIn("so_ho_ngheo", ctx.exception.message_dict)
        self.assertFalse(r.values.exists())
        with self.assertRaises(ValidationError):
            services.report_save_values(
                actor=self.w.commune_officer,
                report=r,
                version=r.version,
                values={"von_giai_ngan": "10", "von_ke_hoach": "9"},
            )
        with self.assertRaises(ValidationError):
            services.report_save_values(
                actor=self.w.commune_officer, report=r, version=r.version, values={"so_ho": "abc"}
            )
        self.assertEqual(
            services.check_rules({"so_tieu_chi_dat": 20, "so_tieu_chi_bo": 19}),  # type: ignore[dict-item]
            {"so_tieu_chi_dat": ["Số tiêu chí đạt không được lớn hơn số tiêu chí của bộ tiêu chí."]},
        )

    def test_bulk_approve(self) -> None:
        r = self._submitted()
        own = services.report_submit(
            actor=self.w.dien_bien_officer,
            report=services.report_create(
                actor=None,
                report_type=self.rt,
                unit=self.w.muong_phang,
                period=ReportingPeriod.objects.get(code="2026-Y"),
            ),
            version=1,
        )
        # the central level has nothing to decide yet; the province skips its own submission
        self.assertEqual(services.report_bulk_approve(actor=self.w.central, reports=[r, own]), 0)
        self.assertEqual(services.report_bulk_approve(actor=self.w.dien_bien_officer, reports=[r, own]), 1)
        r.refresh_from_db()
        own.refresh_from_db()
        self.assertEqual((r.status, r.pending_level, own.pending_level), (Report.Status.SUBMITTED, 0, 1))
        self.assertEqual(services.report_bulk_approve(actor=self.w.central, reports=[r, own]), 1)
        r.refresh_from_db()
        self.assertEqual(r.status, Report.Status.APPROVED)


class CompletenessViewTests(HalfYearTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        r = services.report_create(actor=None, report_type=cls.rt, unit=cls.w.muong_phang, period=cls.h1)
        cls.report = services.report_submit(actor=cls.w.commune_officer, report=r, version=r.version)

    def test_index_counts_and_export(self) -> None:
        self.client.force_login(self.w.dien_bien_officer)
        url = "/workflow/?type=gnbv_6thang_nam&period=2026-H1"
        with self.assertNumQueries(9):  # the scope in one query (0821)
            resp = self.client.get(url)
        self.assertEqual(resp.status_code, 200)
        data = resp.context["data"]
        self.assertEqual(data["counts"]["late"], 1)  # submitted today, after the 15/07/2026 deadline
        self.assertEqual(data["counts"]["missing"], data["expected"] - 1)
        Report.objects.filter(pk=self.report.pk).update(submitted_at=datetime(2026, 7, 1, 8, tzinfo=UTC))
        self.assertEqual(self.client.get(url).context["data"]["counts"]["on_time"], 1)
        xlsx = self.client.get(url + "&format=xlsx")
        self.assertEqual(xlsx.status_code, 200)
        self.assertEqual(self.client.get(f"/workflow/reports/{self.report.pk}/").status_code, 200)
        self.client.force_login(self.w.cao_bang_officer)
        self.assertEqual(self.client.get(f"/workflow/reports/{self.report.pk}/").status_code, 404)


class DemoTests(TestCase):
    def test_demo_seed_is_idempotent_with_mixed_states(self) -> None:
        demo.seed()
        n = Report.objects.count()
        demo.seed()
        self.assertEqual(Report.objects.count(), n)
        self.assertEqual(
            set(Report.objects.values_list("status", flat=True)),
            {"approved", "submitted", "returned", "draft"},
        )
        periods = set(Report.objects.values_list("report_type__code", "period__code"))
        self.assertEqual(len(periods), 6)  # 4 quarters + 6-month + annual
        self.assertEqual(set(Report.objects.values_list("unit__parent__code", flat=True)), {"11", "04"})
        rt = ReportType.objects.get(code="ntm_tien_do_quy")
        for province in ("11", "04"):
            unit = UnitVersion.objects.get(structure="2025", level=1, code=province)
            counts = completeness(None, rt, ReportingPeriod.objects.get(code="2026-Q2"), unit)["counts"]
            self.assertTrue(all(counts[k] > 0 for k in ("on_time", "late", "missing")), counts)
        walk = Report.objects.get(report_type=rt, period__code="2026-Q4", unit__code="03325")
        self.assertEqual(walk.status, "draft")
        self.assertTrue(Report.objects.filter(status="submitted", pending_level=0).exists())
        self.assertFalse(Report.objects.filter(status="submitted", pending_level__isnull=True).exists())
