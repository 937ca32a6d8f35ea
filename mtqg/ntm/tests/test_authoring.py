"""Issue 22 part 4: provincial criteria sets authored in the app (services, refusals, engine's choice of set)."""

from __future__ import annotations

import io
from datetime import date

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from mtqg.accounts.models import User
from mtqg.core.models import ChangeRecord
from mtqg.ntm import authoring, demo_authoring, set_excel
from mtqg.ntm import demo as ntm_demo
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import (
    Assessment,
    CriteriaSet,
    CriteriaSetPeriod,
    CriterionResult,
    Indicator,
    Threshold,
    ThresholdSource,
)
from mtqg.ntm.periods import set_in_force
from mtqg.ntm.reports import summary
from mtqg.ntm.set_excel import COL
from mtqg.ntm.tests.factories import assessed, commune
from mtqg.reliability_tests.test_export_formulas import HOSTILE, assert_no_formula_xlsx
from mtqg.reports.params import ReportParams
from mtqg.testing import make_world, unit

PDF = b"%PDF-1.4\nQuyet dinh\n"


def grant(user: object, *codenames: str) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="ntm", codename__in=codenames)
    )  # type: ignore[attr-defined]


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("qd.pdf", PDF)


class AuthoringBase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        grant(cls.world.dien_bien_officer, "author_provincial_set")
        grant(cls.world.cao_bang_officer, "author_provincial_set")
        grant(cls.world.central, "acknowledge_provincial_set")

    def setUp(self) -> None:
        # fresh user objects: permission and scope caches live on the instance
        w = self.world
        w.dien_bien_officer.refresh_from_db()
        self.officer = type(w.dien_bien_officer).objects.get(pk=w.dien_bien_officer.pk)
        self.central = type(w.central).objects.get(pk=w.central.pk)
        self.cb_officer = type(w.cao_bang_officer).objects.get(pk=w.cao_bang_officer.pk)

    def draft(self, valid_from: date = date(2023, 1, 1)) -> CriteriaSet:
        return authoring.criteria_set_inherit(
            actor=self.officer, province=self.world.dien_bien_old, valid_from=valid_from
        )

    def cited(self, cset: CriteriaSet, valid_to: date | None = None, **changes: object) -> CriteriaSet:
        """The officer cites the province's decision 1234/QĐ-UBND of 20/12/2022 (with its PDF) for the set."""
        kwargs = {
            "decision_no": "1234/QĐ-UBND",
            "decision_date": date(2022, 12, 20),
            "issuer": "UBND tỉnh Điện Biên",
            "valid_to": valid_to,
            "upload": pdf(),
        }
        kwargs.update(changes)
        return authoring.criteria_set_cite(actor=self.officer, criteria_set=cset, **kwargs)  # type: ignore[arg-type]

    def indicator(self, cset: CriteriaSet, code: str) -> Indicator:
        return Indicator.objects.get(criterion__criteria_set=cset, code=code)

    def override_22(self, cset: CriteriaSet, value: str = "90", source: str = "Điều 2 QĐ 1234") -> Threshold:
        """The officer sets indicator 2.2's threshold for the northern midlands and mountains (≥ `value`)."""
        return authoring.criteria_threshold_override(
            actor=self.officer,
            indicator=self.indicator(cset, "2.2"),
            region="tdmnpb",
            op="ge",
            value=value,
            source=source,
        )


class InheritTest(AuthoringBase):
    def test_inherit_copies_the_national_set_in_force_with_references(self) -> None:
        cset = self.draft()
        national = CriteriaSet.objects.get(code="qd318-1")
        self.assertEqual(cset.parent, national)
        self.assertEqual(cset.state, CriteriaSet.State.DRAFT)
        self.assertEqual((cset.code, cset.version), ("tinh-11-xa", 1))
        self.assertEqual(cset.criteria.count(), national.criteria.count())
        ind = self.indicator(cset, "2.2")
        self.assertEqual(ind.inherited_from, self.indicator(national, "2.2"))
        self.assertEqual(ind.origin, Indicator.Origin.INHERITED)
        n_thr = Threshold.objects.filter(indicator__criterion__criteria_set=national).count()
        copied = Threshold.objects.filter(indicator__criterion__criteria_set=cset)
        self.assertEqual(copied.count(), n_thr)
        self.assertFalse(copied.filter(inherited_from__isnull=True).exists())
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(cset.pk), action="created").exists())

    def test_sector_decisions_are_cited_sources_of_national_rows(self) -> None:
        moet = ThresholdSource.objects.get(code="qd1491-bgddt-2022")
        self.assertTrue(moet.unconfirmed)
        rows = Threshold.objects.filter(indicator__criterion__criteria_set__code="qd318-1", cited_source=moet)
        self.assertEqual(set(rows.values_list("indicator__code", flat=True)), {"5", "14.1"})
        cset = self.draft()
        self.assertTrue(
            Threshold.objects.filter(
                indicator__criterion__criteria_set=cset, indicator__code="5", cited_source=moet
            ).exists()
        )

    def test_refused_outside_the_province_or_without_the_permission(self) -> None:
        with self.assertRaises(PermissionDenied):
            authoring.criteria_set_inherit(
                actor=self.cb_officer, province=self.world.dien_bien_old, valid_from=date(2023, 1, 1)
            )
        commune_officer = self.world.commune_officer
        with self.assertRaisesMessage(PermissionDenied, "không có quyền"):
            authoring.criteria_set_inherit(
                actor=commune_officer, province=self.world.dien_bien_old, valid_from=date(2023, 1, 1)
            )
        self.assertFalse(CriteriaSet.objects.filter(authored=True).exists())

    def test_second_draft_refused(self) -> None:
        self.draft()
        with self.assertRaisesMessage(ValidationError, "dự thảo phiên bản 1"):
            self.draft()


class EditTest(AuthoringBase):
    def test_override_threshold_needs_a_citation(self) -> None:
        cset = self.draft()
        ind = self.indicator(cset, "2.2")
        with self.assertRaisesMessage(ValidationError, "phải có trích dẫn"):
            self.override_22(cset, source="  ")
        self.assertFalse(Threshold.objects.filter(indicator=ind, overridden=True).exists())
        row = self.override_22(cset)
        self.assertTrue(row.overridden)
        self.assertEqual(row.value, 90)
        self.assertIsNotNone(row.inherited_from_id)
        record = ChangeRecord.objects.filter(object_id=str(cset.pk), action="updated").latest("pk")
        self.assertIn("ngưỡng 2.2 tdmnpb", record.changes)

    def test_override_bad_value_refused_in_vietnamese(self) -> None:
        cset = self.draft()
        with self.assertRaisesMessage(ValidationError, "0-100%"):
            self.override_22(cset, "120", "QĐ")
        with self.assertRaisesMessage(ValidationError, "không phải là số"):
            self.override_22(cset, "chín", "QĐ")

    def test_add_and_split_indicators(self) -> None:
        cset = self.draft()
        criterion = cset.criteria.get(number=2)
        added = authoring.criteria_indicator_add(
            actor=self.officer,
            criterion=criterion,
            spec={
                "code": "2.5",
                "name": "Tỷ lệ đường liên bản được cứng hóa",
                "value_type": "percent",
                "thresholds": [{"region": "all", "op": "ge", "value": "60", "source": "Điều 3 QĐ 1234"}],
            },
        )
        self.assertEqual(added.origin, Indicator.Origin.ADDED)
        with self.assertRaisesMessage(ValidationError, "đã có chỉ tiêu mã 2.5"):
            authoring.criteria_indicator_add(
                actor=self.officer,
                criterion=criterion,
                spec={"code": "2.5", "name": "x", "thresholds": [{"op": "true", "source": "QĐ"}]},
            )
        with self.assertRaisesMessage(ValidationError, "phải có trích dẫn"):
            authoring.criteria_indicator_add(
                actor=self.officer,
                criterion=criterion,
                spec={"code": "2.6", "name": "x", "thresholds": [{"op": "true"}]},
            )
        national_21 = self.indicator(cset.parent, "2.1")  # type: ignore[arg-type]
        parts = authoring.criteria_indicator_split(
            actor=self.officer,
            indicator=self.indicator(cset, "2.1"),
            parts=[
                {
                    "code": "2.1a",
                    "name": "Đường xã được nhựa hóa",
                    "value_type": "percent",
                    "thresholds": [{"region": "all", "op": "ge", "value": "100", "source": "Điều 3 QĐ 1234"}],
                },
                {
                    "code": "2.1b",
                    "name": "Đường xã có rãnh thoát nước",
                    "value_type": "percent",
                    "thresholds": [{"region": "all", "op": "ge", "value": "70", "source": "Điều 3 QĐ 1234"}],
                },
            ],
        )
        self.assertEqual([p.inherited_from for p in parts], [national_21, national_21])
        self.assertFalse(Indicator.objects.filter(criterion__criteria_set=cset, code="2.1").exists())
        n_national = Indicator.objects.filter(criterion__criteria_set=cset.parent).count()
        self.assertEqual(Indicator.objects.filter(criterion__criteria_set=cset).count(), n_national + 2)

    def test_split_refused_with_one_part_and_nothing_written(self) -> None:
        cset = self.draft()
        with self.assertRaisesMessage(ValidationError, "ít nhất hai"):
            authoring.criteria_indicator_split(
                actor=self.officer, indicator=self.indicator(cset, "2.1"), parts=[{"code": "2.1a"}]
            )
        with self.assertRaisesMessage(ValidationError, "phải có trích dẫn"):
            authoring.criteria_indicator_split(
                actor=self.officer,
                indicator=self.indicator(cset, "2.1"),
                parts=[
                    {"code": "2.1a", "name": "a", "thresholds": [{"op": "true", "source": "QĐ"}]},
                    {"code": "2.1b", "name": "b", "thresholds": [{"op": "true"}]},
                ],
            )
        self.assertTrue(Indicator.objects.filter(criterion__criteria_set=cset, code="2.1").exists())


class LifecycleTest(AuthoringBase):
    def test_cite_submit_acknowledge_and_frozen_after_submit(self) -> None:
        cset = self.draft()
        with self.assertRaisesMessage(ValidationError, "Chưa trích dẫn quyết định"):
            authoring.criteria_set_submit(actor=self.officer, criteria_set=cset)
        with self.assertRaisesMessage(ValidationError, "Thiếu số quyết định"):
            self.cited(cset, decision_no="", decision_date=None, issuer="", upload=None)
        with self.assertRaisesMessage(ValidationError, "phải là PDF"):
            self.cited(cset, upload=SimpleUploadedFile("qd.png", b"\x89PNG\r\n\x1a\n0000"))
        cset = self.cited(cset)
        self.assertEqual(cset.legal_basis, "QĐ 1234/QĐ-UBND ngày 20/12/2022 của UBND tỉnh Điện Biên")
        self.assertTrue(cset.decision_file.name.endswith(".pdf"))
        self.assertTrue(ThresholdSource.objects.filter(code="tinh-11-xa-v1").exists())
        cset = authoring.criteria_set_submit(actor=self.officer, criteria_set=cset)
        self.assertEqual(cset.state, CriteriaSet.State.SUBMITTED)
        with self.assertRaisesMessage(ValidationError, "không sửa được"):
            self.override_22(cset, source="QĐ")
        with self.assertRaises(PermissionDenied):
            authoring.criteria_set_acknowledge(actor=self.officer, criteria_set=cset)
        authoring.criteria_set_acknowledge(actor=self.central, criteria_set=cset)
        cset.refresh_from_db()
        self.assertEqual(cset.state, CriteriaSet.State.ACKNOWLEDGED)
        self.assertEqual(cset.acknowledged_by, self.central)
        period = CriteriaSetPeriod.objects.get(criteria_set=cset)
        self.assertEqual(
            (period.scope, period.valid_from, period.valid_to), ("p11-app-standard", date(2023, 1, 1), None)
        )
        with self.assertRaisesMessage(ValidationError, "không sửa được"):
            self.cited(
                cset, decision_no="9/QĐ-UBND", decision_date=date(2023, 1, 2), issuer="UBND tỉnh", upload=None
            )

    def test_overlap_and_gap_refused(self) -> None:
        v1 = self.cited(self.draft(), valid_to=date(2023, 12, 31))
        authoring.criteria_set_submit(actor=self.officer, criteria_set=v1)
        authoring.criteria_set_acknowledge(actor=self.central, criteria_set=v1)
        v2 = self.draft(valid_from=date(2023, 6, 1))
        with self.assertRaisesMessage(ValidationError, "chồng lấn"):
            self.cited(v2)
        v2.valid_from = date(2024, 3, 1)
        v2.save(update_fields=["valid_from"])
        with self.assertRaisesMessage(ValidationError, "Khoảng trống từ 01/01/2024 đến 29/02/2024"):
            self.cited(v2)
        v2.refresh_from_db()
        self.assertEqual(v2.decision_no, "")  # nothing written
        # the loaded 2017 set's span (to 31/12/2021) is the same province's scope too
        early = CriteriaSet.objects.get(pk=v2.pk)
        early.valid_from = date(2021, 6, 1)
        with self.assertRaisesMessage(ValidationError, "chồng lấn"):
            authoring.check_validity(early)

    def test_open_ended_version_is_closed_by_the_next(self) -> None:
        v1 = self.cited(self.draft())
        authoring.criteria_set_submit(actor=self.officer, criteria_set=v1)
        authoring.criteria_set_acknowledge(actor=self.central, criteria_set=v1)
        v2 = self.cited(self.draft(valid_from=date(2024, 3, 1)))
        self.assertEqual(v2.version, 2)
        authoring.criteria_set_submit(actor=self.officer, criteria_set=v2)
        authoring.criteria_set_acknowledge(actor=self.central, criteria_set=v2)
        v1.refresh_from_db()
        self.assertEqual(v1.valid_to, date(2024, 2, 29))
        self.assertEqual(set_in_force(date(2023, 5, 1), province=self.world.dien_bien_old).criteria_set, v1)  # type: ignore[union-attr]
        self.assertEqual(set_in_force(date(2024, 5, 1), province=self.world.dien_bien_old).criteria_set, v2)  # type: ignore[union-attr]

    def test_submit_refuses_an_uncited_threshold(self) -> None:
        cset = self.cited(self.draft())
        Threshold.objects.filter(indicator__criterion__criteria_set=cset, indicator__code="2.2").update(
            overridden=True, source="", cited_source=None
        )
        with self.assertRaisesMessage(ValidationError, "Ngưỡng chưa có trích dẫn: 2.2"):
            authoring.criteria_set_submit(actor=self.officer, criteria_set=cset)


class EngineChoiceTest(AuthoringBase):
    def test_province_set_in_force_is_used_and_named(self) -> None:
        village = commune(self.world.dien_bien_old, 2)
        a = assessed(village, 2023, code="qd318-1", values={"2.2": 85})
        other = assessed(commune(self.world.cao_bang_old, 2), 2023, code="qd318-1", values={"2.2": 85})
        result = CriterionResult.objects.get(assessment=a, criterion__number=2)
        self.assertTrue(any("2.2: 85% ≥ 80%" in n for n in result.explanation))
        figures = summary(None, ReportParams(unit=self.world.dien_bien_old, as_of=date(2023, 12, 31)))
        self.assertEqual(figures["criteria_set_scope"], "national")

        cset = self.draft()
        self.override_22(cset, source="Điều 2 QĐ 1234/QĐ-UBND")
        self.cited(cset)
        authoring.criteria_set_submit(actor=self.officer, criteria_set=cset)
        moved = authoring.criteria_set_acknowledge(actor=self.central, criteria_set=cset)
        self.assertEqual(moved, 1)
        a.refresh_from_db()
        other.refresh_from_db()
        self.assertEqual(a.criteria_set, cset)
        self.assertEqual(other.criteria_set.code, "qd318-1")  # Cao Bằng keeps the national set
        self.assertEqual(a.values.get().indicator.criterion.criteria_set, cset)
        result = CriterionResult.objects.get(assessment=a, criterion__number=2)
        self.assertEqual(result.criterion.criteria_set, cset)
        self.assertTrue(any("2.2: 85% < 90%" in n for n in result.explanation), result.explanation)
        figures = summary(None, ReportParams(unit=self.world.dien_bien_old, as_of=date(2023, 12, 31)))
        self.assertEqual(figures["criteria_set"]["code"], "tinh-11-xa")
        self.assertEqual(figures["criteria_set_scope"], "provincial")
        late = commune(self.world.dien_bien_old, 6)
        with self.assertRaisesMessage(ValidationError, "có bộ tiêu chí riêng đang áp dụng"):
            assessed(late, 2023, code="qd318-1")
        self.assertEqual(assessed(late, 2023, code="tinh-11-xa").criteria_set, cset)
        self.assertEqual(
            assessed(commune(self.world.cao_bang_old, 6), 2023, code="qd318-1").criteria_set.code, "qd318-1"
        )
        self.client.force_login(self.officer)
        api = self.client.get(f"/api/v1/ntm/assessments/{a.pk}/").json()
        self.assertEqual((api["criteria_set"], api["criteria_set_scope"]), ("tinh-11-xa", "provincial"))
        self.assertContains(self.client.get(reverse("ntm:scorecard", args=[a.pk])), "bộ tiêu chí tỉnh")
        self.assertEqual(
            set_in_force(date(2023, 6, 1), province=self.world.dien_bien_old).criteria_set,
            cset,  # type: ignore[union-attr]
        )
        self.assertEqual(
            set_in_force(date(2023, 6, 1), province=self.world.cao_bang_old).criteria_set.code, "qd318-1"
        )  # type: ignore[union-attr]


class SetExcelTest(AuthoringBase):
    def _book(self, content: bytes) -> tuple[Workbook, Worksheet]:
        wb = load_workbook(io.BytesIO(content))
        return wb, wb.worksheets[0]

    def _save(self, wb: Workbook) -> bytes:
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def _row(self, ws: Worksheet, code: str, region: str = "tdmnpb") -> int:
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, COL["ma_chi_tieu"] + 1).value == code and ws.cell(r, COL["vung"] + 1).value in (
                region,
                None,
            ):
                return r
        raise AssertionError(code)

    def test_export_escapes_formulas(self) -> None:
        cset = self.draft()
        Indicator.objects.filter(criterion__criteria_set=cset, code="2.2").update(name=HOSTILE)
        assert_no_formula_xlsx(self, set_excel.criteria_set_xlsx(cset), "criteria set")

    def test_round_trip_dry_run_then_new_draft(self) -> None:
        v1 = self.draft()
        self.override_22(v1)
        v1 = self.cited(v1)
        authoring.criteria_set_submit(actor=self.officer, criteria_set=v1)
        authoring.criteria_set_acknowledge(actor=self.central, criteria_set=v1)
        wb, ws = self._book(set_excel.criteria_set_xlsx(v1))
        ws.cell(self._row(ws, "2.3"), COL["nguong"] + 1).value = 65
        ws.cell(self._row(ws, "2.3"), COL["trich_dan"] + 1).value = "Điều 2 QĐ 77/QĐ-UBND 2024"
        ws.append(
            [
                2,
                "Giao thông",
                "2.9",
                "Đường nội đồng cứng hóa",
                "percent",
                "%",
                "",
                "",
                "all",
                None,
                "≥",
                50,
                None,
                "Điều 3 QĐ 77",
            ]
        )
        content = self._save(wb)
        result = set_excel.criteria_set_import(
            actor=self.officer,
            province=self.world.dien_bien_old,
            content=content,
            valid_from=date(2024, 3, 1),
        )
        self.assertEqual(result.errors, [])
        self.assertFalse(result.committed)
        self.assertEqual((result.overridden, result.added), (2, 1))  # 2.2 (still ≠ national) and 2.3
        self.assertEqual(
            CriteriaSet.objects.filter(code="tinh-11-xa").count(), 1
        )  # the dry run wrote nothing
        result = set_excel.criteria_set_import(
            actor=self.officer,
            province=self.world.dien_bien_old,
            content=content,
            valid_from=date(2024, 3, 1),
            dry_run=False,
        )
        self.assertTrue(result.committed)
        v2 = result.criteria_set
        assert v2 is not None
        self.assertEqual((v2.version, v2.state), (2, CriteriaSet.State.DRAFT))
        t22 = Threshold.objects.get(indicator=self.indicator(v2, "2.2"), region="tdmnpb")
        self.assertEqual((t22.value, t22.source, t22.overridden), (90, "Điều 2 QĐ 1234", True))
        self.assertEqual(
            Threshold.objects.get(indicator=self.indicator(v2, "2.3"), region="tdmnpb").value, 65
        )
        self.assertEqual(self.indicator(v2, "2.9").origin, Indicator.Origin.ADDED)

    def test_every_bad_row_reported_and_nothing_written(self) -> None:
        cset = CriteriaSet.objects.get(code="qd318-1")
        wb, ws = self._book(set_excel.criteria_set_xlsx(cset))
        ws.cell(self._row(ws, "2.3"), COL["nguong"] + 1).value = 65  # changed without citation
        ws.cell(self._row(ws, "2.4"), COL["nguong"] + 1).value = "bảy mươi"
        ws.cell(self._row(ws, "2.2"), COL["phep_so_sanh"] + 1).value = "≈"
        ws.append([2, "Giao thông", "2.9", "Mới", "percent", "%", "", "", "all", None, "≥", 150, None, "QĐ"])
        ws.append([99, "Không có", "99.1", "Mới", "bool", "", "", "", "all", None, "Đạt", None, None, "QĐ"])
        result = set_excel.criteria_set_import(
            actor=self.officer,
            province=self.world.dien_bien_old,
            content=self._save(wb),
            valid_from=date(2023, 1, 1),
            dry_run=False,
        )
        messages = " | ".join(e["message"] for e in result.errors)
        self.assertIn("khác bộ quốc gia nhưng chưa có trích dẫn", messages)
        self.assertIn("phải là số không âm", messages)
        self.assertIn("Phép so sánh phải là", messages)
        self.assertIn("0-100%", messages)
        self.assertIn("không có tiêu chí số 99", messages)
        self.assertGreaterEqual(len(result.errors), 5)
        self.assertFalse(result.committed)
        self.assertFalse(CriteriaSet.objects.filter(authored=True).exists())

    def test_import_refused_outside_the_province(self) -> None:
        content = set_excel.criteria_set_xlsx(CriteriaSet.objects.get(code="qd318-1"))
        with self.assertRaises(PermissionDenied):
            set_excel.criteria_set_import(
                actor=self.cb_officer,
                province=self.world.dien_bien_old,
                content=content,
                valid_from=date(2023, 1, 1),
            )


class ScreensTest(AuthoringBase):
    def test_officer_creates_overrides_cites_and_submits_through_the_screens(self) -> None:
        self.client.force_login(self.officer)
        page = self.client.get(reverse("ntm:provincial_sets") + f"?unit={self.world.dien_bien_old.pk}")
        self.assertContains(page, "Tạo dự thảo")
        response = self.client.post(
            reverse("ntm:provincial_set_new"),
            {"unit": self.world.dien_bien_old.pk, "valid_from": "2023-01-01"},
        )
        cset = CriteriaSet.objects.get(code="tinh-11-xa")
        self.assertRedirects(response, reverse("ntm:provincial_set", args=[cset.pk]))
        page = self.client.get(reverse("ntm:provincial_set", args=[cset.pk]))
        self.assertContains(page, "Gửi Trung ương")
        self.assertContains(page, "Điều chỉnh")
        self.assertNotContains(page, "Tiếp nhận</button>")
        ind = self.indicator(cset, "2.2")
        url = reverse("ntm:provincial_set_action", args=[cset.pk, "override"])
        page = self.client.post(
            url, {"indicator": ind.pk, "region": "tdmnpb", "op": "ge", "value": "90"}, follow=True
        )
        self.assertContains(page, "phải có trích dẫn")
        self.client.post(
            url,
            {"indicator": ind.pk, "region": "tdmnpb", "op": "ge", "value": "90", "source": "Điều 2 QĐ 1234"},
        )
        self.assertEqual(Threshold.objects.get(indicator=ind, region="tdmnpb").value, 90)
        self.client.post(
            reverse("ntm:provincial_set_action", args=[cset.pk, "cite"]),
            {
                "decision_no": "1234/QĐ-UBND",
                "decision_date": "2022-12-20",
                "issuer": "UBND tỉnh Điện Biên",
                "valid_from": "2023-01-01",
                "decision_file": pdf(),
            },
        )
        page = self.client.post(reverse("ntm:provincial_set_action", args=[cset.pk, "submit"]), follow=True)
        self.assertContains(page, "Đã gửi bộ tiêu chí lên Trung ương")
        self.assertNotContains(page, "Gửi Trung ương</button>")
        decision = self.client.get(reverse("ntm:provincial_set_decision", args=[cset.pk]))
        self.assertEqual(decision["Content-Type"], "application/pdf")
        self.assertIn("attachment", decision["Content-Disposition"])

    def test_central_sees_waiting_version_and_acknowledges(self) -> None:
        cset = self.cited(self.draft())
        authoring.criteria_set_submit(actor=self.officer, criteria_set=cset)
        self.client.force_login(self.central)
        page = self.client.get(reverse("ntm:provincial_sets"))
        self.assertContains(page, "Phiên bản chờ Trung ương tiếp nhận")
        page = self.client.get(reverse("ntm:provincial_set", args=[cset.pk]))
        self.assertContains(page, "Tiếp nhận</button>")
        self.assertNotContains(page, "Gửi Trung ương</button>")
        page = self.client.post(
            reverse("ntm:provincial_set_action", args=[cset.pk, "acknowledge"]), follow=True
        )
        self.assertContains(page, "Đã tiếp nhận")
        cset.refresh_from_db()
        self.assertEqual(cset.state, CriteriaSet.State.ACKNOWLEDGED)

    def test_other_province_and_view_only_users(self) -> None:
        cset = self.draft()
        self.client.force_login(self.cb_officer)
        self.assertEqual(self.client.get(reverse("ntm:provincial_set", args=[cset.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("ntm:criteria_set_export", args=[cset.pk])).status_code, 404)
        loaded = CriteriaSet.objects.get(code="dien-bien-2017")  # acknowledged: reference data for everyone
        self.assertEqual(
            self.client.get(reverse("ntm:criteria_set_export", args=[loaded.pk])).status_code, 200
        )
        self.client.post(reverse("ntm:provincial_set_action", args=[cset.pk, "submit"]))
        cset.refresh_from_db()
        self.assertEqual(cset.state, CriteriaSet.State.DRAFT)
        self.assertEqual(self.client.get(reverse("ntm:criteria_set", args=[cset.pk])).status_code, 302)
        self.client.force_login(self.world.supervisor)
        page = self.client.get(reverse("ntm:provincial_set", args=[cset.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Điều chỉnh</button>")
        self.assertNotContains(page, "Gửi Trung ương</button>")
        self.assertNotContains(page, "Tạo dự thảo")

    def test_api_lists_acknowledged_sets_only(self) -> None:
        cset = self.draft()
        self.client.force_login(self.cb_officer)
        codes = [
            s["code"] for s in self.client.get("/api/v1/ntm/criteria-sets/?page_size=100").json()["results"]
        ]
        self.assertIn("qd318-1", codes)
        self.assertNotIn(cset.code, codes)
        self.assertEqual(self.client.get(f"/api/v1/ntm/criteria-sets/{cset.pk}/").status_code, 404)

    def test_import_screen_dry_run_lists_errors(self) -> None:
        self.client.force_login(self.officer)
        wb = load_workbook(io.BytesIO(set_excel.criteria_set_xlsx(CriteriaSet.objects.get(code="qd318-1"))))
        wb.worksheets[0].append(
            [2, "x", "2.9", "Mới", "percent", "%", "", "", "all", None, "≥", 150, None, "QĐ"]
        )
        out = io.BytesIO()
        wb.save(out)
        upload = SimpleUploadedFile("bo.xlsx", out.getvalue())
        page = self.client.post(
            reverse("ntm:provincial_set_import"),
            {"unit": self.world.dien_bien_old.pk, "valid_from": "2023-01-01", "file": upload, "commit": "1"},
        )
        self.assertContains(page, "0-100%")
        self.assertContains(page, "chưa ghi gì")
        self.assertFalse(CriteriaSet.objects.filter(authored=True).exists())
        export = self.client.get(
            reverse("ntm:criteria_set_export", args=[CriteriaSet.objects.get(code="qd318-1").pk])
        )
        self.assertEqual(export.status_code, 200)


class VersionsTest(AuthoringBase):
    def test_next_version_on_the_same_national_set_carries_the_changes_forward(self) -> None:
        v1 = self.draft()
        self.override_22(v1)
        village = commune(self.world.dien_bien_old, 4)
        a = assessed(village, 2023, code="qd318-1", values={"2.2": 95})
        authoring.criteria_set_submit(actor=self.officer, criteria_set=self.cited(v1))
        self.assertEqual(authoring.criteria_set_acknowledge(actor=self.central, criteria_set=v1), 1)
        v2 = self.draft(valid_from=date(2023, 9, 1))
        self.assertEqual(v2.parent, v1.parent)
        row = Threshold.objects.get(indicator=self.indicator(v2, "2.2"), region="tdmnpb")
        national = Threshold.objects.get(indicator=self.indicator(v1.parent, "2.2"), region="tdmnpb")  # type: ignore[arg-type]
        self.assertEqual((row.value, row.overridden, row.inherited_from), (90, True, national))
        authoring.criteria_set_submit(actor=self.officer, criteria_set=self.cited(v2))
        self.assertEqual(authoring.criteria_set_acknowledge(actor=self.central, criteria_set=v2), 1)
        a.refresh_from_db()
        self.assertEqual(a.criteria_set, v2)  # assessed 31/12/2023, in v2's span
        self.assertEqual(a.values.get().indicator.criterion.criteria_set, v2)


class DemoTest(TestCase):
    def test_dien_bien_2026_set_authored_acknowledged_and_a_draft_in_progress(self) -> None:
        ntm_demo.seed_dien_bien_2026()
        moved = demo_authoring.seed()
        province = unit("2025", 1, "11")
        v1 = CriteriaSet.objects.get(code="tinh-11-xa", version=1)
        v2 = CriteriaSet.objects.get(code="tinh-11-xa", version=2)
        self.assertEqual((v1.state, v2.state), (CriteriaSet.State.ACKNOWLEDGED, CriteriaSet.State.DRAFT))
        self.assertEqual(v1.acknowledged_by.username, "trunguong")  # type: ignore[union-attr]
        self.assertEqual(v1.created_by.username, "dienbien")  # type: ignore[union-attr]
        self.assertEqual(moved, Assessment.objects.filter(criteria_set=v1).count())
        self.assertGreater(moved, 30)
        self.assertFalse(
            Assessment.objects.filter(
                commune__path__startswith=province.path, criteria_set__code="qd51-2025"
            ).exists()
        )
        figures = summary(None, ReportParams(unit=province, as_of=date(2026, 12, 31)))
        self.assertEqual(
            (figures["criteria_set"]["code"], figures["criteria_set_scope"]), ("tinh-11-xa", "provincial")
        )
        self.assertTrue(
            Indicator.objects.filter(criterion__criteria_set=v2, origin=Indicator.Origin.SPLIT).exists()
        )
        officer = User.objects.get(username="dienbien")
        self.assertTrue(officer.has_perm("ntm.author_provincial_set"))
        self.assertFalse(officer.has_perm("ntm.acknowledge_provincial_set"))
        self.assertTrue(User.objects.get(username="trunguong").has_perm("ntm.acknowledge_provincial_set"))
        self.assertEqual(demo_authoring.seed(), 0)  # idempotent
