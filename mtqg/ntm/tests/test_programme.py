"""Issue 22 parts 7-11: tạm tính in the portal, the inheritance policy as data, criterion 11 from the register for
every set, district/province registers, the 2026-2035 programme targets, the tier register and context figures."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from decimal import Decimal
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.dashboards.services import summaries_rebuild
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion
from mtqg.ntm import programme
from mtqg.ntm.engine import REFERENCE_NOTE
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import (
    ContextIndicator,
    CriterionResult,
    Policy,
    ProgrammeTarget,
    RecognitionTier,
    TierTarget,
)
from mtqg.ntm.registers import ELIGIBLE, NOT_MET, UNKNOWN, district_rows, province_rows
from mtqg.ntm.reports import summary
from mtqg.ntm.tests.factories import all_pass_1980, assessed, commune, recognise
from mtqg.poverty.tests.factories import make_household
from mtqg.reports.params import ReportParams
from mtqg.supervision.briefing import Builder
from mtqg.testing import make_world


def changes_of(obj: object) -> object:
    ct = ContentType.objects.get_for_model(type(obj))
    return ChangeRecord.objects.filter(content_type=ct, object_id=str(obj.pk))  # type: ignore[attr-defined]


class ProvisionalInPortalTest(TestCase):
    """Part 7: the public portal marks "tạm tính" results (province table, province page, open data)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        cls.xa = commune(cls.world.dien_bien_old, 2)
        cls.a = assessed(cls.xa, 2020, values=all_pass_1980())
        summaries_rebuild(unit=cls.world.dien_bien)

    def test_portal_shows_the_mark(self) -> None:
        self.assertTrue(self.a.provisional)  # QĐ 1980 TDMNPB thresholds include unconfirmed rows
        response = self.client.get("/cong-khai/?year=2020")
        row = next(r for r in response.context["rows"] if r["code"] == "11")
        self.assertEqual(row["ntm_provisional"], 1)
        page = self.client.get(f"/cong-khai/tinh/{self.world.dien_bien_old.pk}/?year=2020")
        self.assertContains(page, 'id="ntm-provisional"')
        self.assertContains(page, "1 xã có kết quả đánh giá nông thôn mới tạm tính")
        data = json.loads(self.client.get("/cong-khai/du-lieu/xa-ntm.json?year=2020").content)
        mine = next(r for r in data["rows"] if r["code"] == self.xa.code)
        self.assertIs(mine["provisional"], True)
        self.assertIn("provisional", [f["name"] for f in data["fields"]])


class InheritancePolicyTest(TestCase):
    """Part 7: "merged communes do not inherit recognition" is an editable, flagged policy the summary reads."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        new = (
            UnitLineage.objects.filter(
                successor__path__startswith=cls.world.cao_bang.path,
                successor__kind=UnitVersion.Kind.COMMUNE,
            )
            .values_list("successor_id", flat=True)
            .first()
        )
        cls.new = UnitVersion.objects.get(pk=new)
        for pred in UnitLineage.objects.filter(successor=cls.new).select_related("predecessor"):
            recognise(pred.predecessor, date(2024, 6, 1))
        cls.policy = Policy.objects.get(code=programme.INHERIT_POLICY)

    def test_policy_is_data_and_the_summary_follows_it(self) -> None:
        self.assertFalse(self.policy.enabled)
        self.assertTrue(self.policy.unconfirmed)
        params = ReportParams(unit=self.world.cao_bang, as_of=date(2026, 1, 31))
        before = summary(None, params)
        self.assertEqual(before["recognised"], 0)
        self.assertEqual(before["merged_communes"]["inherited"], 0)
        self.assertFalse(before["merged_communes"]["policy"]["inherits"])
        programme.policy_set(
            actor=self.world.central,
            policy=self.policy,
            enabled=True,
            citation="Công văn hướng dẫn (minh họa kiểm thử)",
            unconfirmed=True,
        )
        after = summary(None, params)
        self.assertEqual(after["recognised"], 1)
        self.assertEqual(after["merged_communes"]["inherited"], 1)
        self.assertIn("kế thừa danh hiệu khi mọi xã", after["merged_communes"]["note"])
        record = changes_of(self.policy).get()
        self.assertEqual(record.changes["enabled"], [False, True])

    def test_bad_input_and_scope_write_nothing(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Ghi rõ căn cứ"):
            programme.policy_set(
                actor=self.world.central, policy=self.policy, enabled=True, citation=" ", unconfirmed=True
            )
        with self.assertRaises(PermissionDenied):
            programme.policy_set(
                actor=self.world.cao_bang_officer,
                policy=self.policy,
                enabled=True,
                citation="Quyết định của tỉnh",
                unconfirmed=False,
            )
        self.policy.refresh_from_db()
        self.assertFalse(self.policy.enabled)
        self.assertFalse(changes_of(self.policy).exists())


class CriterionElevenEverySetTest(TestCase):
    """Part 8: the register rate for QĐ 1980 (poor) and, as a shown reference, for QĐ 51 (6.1); the typed value
    is the fallback with its source said; Điện Biên's 2017 set keeps the reported values (as data)."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.covered_old = commune(cls.world.cao_bang_old, 5)
        make_household(cls.covered_old, "H1", "Nguyễn Văn A", year=2019, income=500_000, deprivations=4)
        for i in range(3):
            make_household(
                cls.covered_old, f"H{i + 2}", "Trần Văn B", year=2019, income=9_000_000, deprivations=0
            )
        cls.covered_new = commune(cls.world.dien_bien, 4)
        make_household(cls.covered_new, "N1", "Lò Văn C", year=2026, income=500_000, deprivations=4)
        make_household(cls.covered_new, "N2", "Lò Thị D", year=2026, income=9_000_000, deprivations=0)
        UnitClassification.objects.create(
            unit=cls.covered_new,
            scheme=ClassificationScheme.objects.get(code="commune_group_2026"),
            value="3",
            valid_from=date(2026, 2, 15),
            legal_basis="kiểm thử",
        )

    def test_qd1980_uses_the_register_where_it_covers(self) -> None:
        a = assessed(self.covered_old, 2019, values={"11": 3})
        result = CriterionResult.objects.get(assessment=a, criterion__number=11)
        self.assertEqual(result.status, "chua_dat")  # 25% poor > 12% although 3% was typed
        self.assertIn("tính từ sổ hộ: 1/4 hộ, rà soát định kỳ năm 2019", result.explanation[0])
        fallback = assessed(commune(self.world.cao_bang_old, 6), 2019, values={"11": 3})
        result = CriterionResult.objects.get(assessment=fallback, criterion__number=11)
        self.assertEqual(result.status, "dat")
        self.assertIn("số liệu nhập; chưa có rà soát định kỳ năm 2019", result.explanation[0])

    def test_dien_bien_2017_keeps_the_reported_value(self) -> None:
        xa = commune(self.world.dien_bien_old, 7)
        make_household(xa, "D1", "Quàng Văn E", year=2019, income=500_000, deprivations=4)
        a = assessed(xa, 2019, code="dien-bien-2017", values={"11": 3})
        result = CriterionResult.objects.get(assessment=a, criterion__number=11)
        self.assertEqual(result.status, "dat")
        self.assertNotIn("sổ hộ", result.explanation[0])

    def test_qd51_shows_the_register_rate_as_reference(self) -> None:
        a = assessed(self.covered_new, 2026, code="qd51-2025", values={"6.TH": "đạt"})
        self.assertEqual(a.region, "3")
        result = CriterionResult.objects.get(assessment=a, criterion__number=6)
        self.assertEqual(result.status, "dat")  # the reference indicator is never counted
        note = result.explanation[1]
        self.assertIn("6.1: 50%", note)
        self.assertIn(REFERENCE_NOTE, note)
        self.assertIn("tính từ sổ hộ: 1/2 hộ, rà soát định kỳ năm 2026", note)


class RegistersTest(TestCase):
    """Part 9: district NTM (QĐ 320 + QĐ 211's district without communes) and province completion registers."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        old = cls.world.cao_bang_old
        cls.district = (
            UnitVersion.objects.as_of(date(2023, 12, 31))
            .filter(
                path__startswith=old.path, level=UnitVersion.Level.DISTRICT, kind=UnitVersion.Kind.DISTRICT
            )
            .order_by("code")
            .first()
        )
        for xa in UnitVersion.objects.as_of(date(2023, 12, 31)).filter(
            path__startswith=cls.district.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
        ):
            recognise(xa, date(2023, 6, 1))

    def test_district_register(self) -> None:
        rule, rows = district_rows(self.world.cao_bang_old, date(2023, 12, 31))
        self.assertEqual(rule["code"], "qd320-2022")
        mine = next(r for r in rows if r["id"] == self.district.pk)
        self.assertEqual(mine["status"], ELIGIBLE)  # every commune recognised; district criteria unknown
        self.assertEqual(mine["recognised"], mine["communes"])
        others = [r for r in rows if r["id"] != self.district.pk and r["communes"]]
        self.assertTrue(others)
        self.assertTrue(all(r["status"] == NOT_MET for r in others))
        self.assertTrue(all(r["status"] == UNKNOWN for r in rows if not r["communes"]))
        self.assertIsNone(district_rows(self.world.cao_bang_old, date(2021, 12, 31))[0])  # before QĐ 320

    def test_province_register_and_report(self) -> None:
        rule, rows = province_rows(self.world.cao_bang_old, date(2023, 12, 31))
        self.assertEqual(rule["code"], "qd321-2022")
        self.assertEqual([r["status"] for r in rows], [NOT_MET])  # not every district
        rule, rows = province_rows(self.world.cao_bang, date(2026, 6, 30))
        self.assertEqual(rule["code"], "qd51-2025-p3")
        self.assertEqual(rows[0]["status"], NOT_MET)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command(
                "report",
                "ntm-district-register",
                "--unit",
                "04",
                "--as-of",
                "2023-12-31",
                "--format",
                "json",
            )
        data = json.loads(out.getvalue())
        self.assertEqual(data["eligible"], 1)
        self.assertIn("Quyết định 211/QĐ-TTg", data["rule"]["special_cases"][0]["citation"])
        self.assertTrue(data["rule"]["not_computable"])

    def test_district_register_refuses_a_date_after_the_reform(self) -> None:
        with self.assertRaisesMessage(CommandError, "Cấp huyện không còn từ 01/07/2025"):
            call_command(
                "report", "ntm-district-register", "--unit", "04", "--as-of", "2025-08-01", "--format", "json"
            )


class ProgrammeTargetsTest(TestCase):
    """Part 10: the 2026-2035 targets as cited data with progress, national and provincial, on the dashboards."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        for i in range(3):
            recognise(commune(cls.world.dien_bien, i), date(2026, 5, 1))

    def set_target(self, actor: object, **changes: object) -> ProgrammeTarget:
        """The 2030 target of the share of communes meeting the standard, as `actor` (national unless `province`)."""
        kwargs = {
            "programme": "2026-2035",
            "code": "ntm-communes",
            "label": "x",
            "unit_label": "%",
            "target_year": 2030,
            "citation": "Nghị quyết 257/2025/QH15",
            "unconfirmed": False,
        }
        kwargs.update(changes)
        return programme.programme_target_set(actor=actor, **kwargs)  # type: ignore[arg-type]

    def test_targets_are_cited_data(self) -> None:
        target = ProgrammeTarget.objects.get(code="ntm-communes", province=None)
        self.assertEqual((target.value, target.target_year), (Decimal("65.00"), 2030))
        self.assertIn("257/2025/QH15", target.citation)
        self.assertTrue(target.unconfirmed)

    def test_progress_national_and_provincial(self) -> None:
        on = date(2026, 12, 31)
        rows = {r["code"]: r for r in programme.programme_progress(self.world.dien_bien, on)}
        n = (
            UnitVersion.objects.as_of(on)
            .filter(
                path__startswith=self.world.dien_bien.path,
                level=UnitVersion.Level.COMMUNE,
                kind=UnitVersion.Kind.COMMUNE,
            )
            .count()
        )
        expected = (Decimal(300) / Decimal(n)).quantize(Decimal("0.01"))
        self.assertEqual(rows["ntm-communes"]["current"], expected)
        self.assertIs(rows["ntm-communes"]["reached"], False)
        self.assertFalse(rows["rural-income"]["computed"])  # no measure: "chưa tính tự động"
        self.set_target(
            self.world.dien_bien_officer,
            label="Tỷ lệ xã đạt chuẩn NTM của tỉnh",
            value="5",
            citation="Nghị quyết của HĐND tỉnh (minh họa kiểm thử)",
            unconfirmed=True,
            province=self.world.dien_bien,
            measure="ntm.recognised_rate",
        )
        rows = {r["code"]: r for r in programme.programme_progress(self.world.dien_bien, on)}
        self.assertTrue(rows["ntm-communes"]["own"])
        self.assertIs(rows["ntm-communes"]["reached"], True)
        country = {r["code"]: r for r in programme.programme_progress(self.world.country, on)}
        self.assertFalse(country["ntm-communes"]["own"])
        self.assertEqual(country["ntm-provinces"]["current"], Decimal(0))

    def test_target_without_citation_is_refused(self) -> None:
        before = ProgrammeTarget.objects.count()
        with self.assertRaisesMessage(ValidationError, "Ghi rõ căn cứ"):
            self.set_target(
                self.world.dien_bien_officer, value="70", citation="", province=self.world.dien_bien
            )
        with self.assertRaisesMessage(ValidationError, "Giá trị phải là số"):
            self.set_target(self.world.central, value="nhiều")
        self.assertEqual(ProgrammeTarget.objects.count(), before)

    def test_dashboard_2026_shows_progress(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(f"/dashboards/{self.world.dien_bien.pk}/?year=2026")
        self.assertContains(response, 'id="programme-targets"')
        self.assertContains(response, "Tỷ lệ xã đạt chuẩn nông thôn mới (trên số xã sau sắp xếp)")
        self.client.force_login(self.world.central)
        response = self.client.get(f"/dashboards/{self.world.country.pk}/?year=2026")
        self.assertContains(response, "Số tỉnh, thành phố hoàn thành nhiệm vụ xây dựng NTM")


class TierTargetsAndContextTest(TestCase):
    """Part 11: the communes a province chose per tier (with progress) and cited, dated context figures."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        cls.xa = commune(cls.world.dien_bien_old, 1)

    def add(self, **changes: object) -> TierTarget:
        kwargs = {
            "actor": self.world.central,
            "province": self.world.dien_bien_old,
            "commune": self.xa,
            "tier": RecognitionTier.MODEL,
            "period_start": 2016,
            "period_end": 2020,
            "citation": "Giai đoạn 2016-2020, tỉnh Điện Biên lựa chọn 1 xã NTM kiểu mẫu (bài báo 12/2020)",
        }
        kwargs.update(changes)
        return programme.tier_target_add(**kwargs)  # type: ignore[arg-type]

    def test_register_with_progress(self) -> None:
        target = self.add()
        recognise(self.xa, date(2020, 10, 1), RecognitionTier.ADVANCED)
        rows = programme.tier_targets_progress(None, self.world.dien_bien_old, date(2020, 12, 31))
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["status"], "dang_thuc_hien")
        self.assertEqual(rows[0]["current_tier"], "NTM nâng cao")
        rows = programme.tier_targets_progress(None, self.world.dien_bien_old, date(2021, 6, 30))
        self.assertEqual(rows[0]["status"], "chua_dat")  # the period ended below kiểu mẫu
        recognise(self.xa, date(2020, 12, 1), RecognitionTier.MODEL)
        rows = programme.tier_targets_progress(None, self.world.dien_bien_old, date(2021, 6, 30))
        self.assertEqual(rows[0]["status"], "da_dat")
        self.assertEqual([r.action for r in changes_of(target)], ["created"])

    def test_refusals_write_nothing(self) -> None:
        district = self.xa.parent
        with self.assertRaisesMessage(ValidationError, "không phải là xã"):
            self.add(commune=district)
        with self.assertRaisesMessage(ValidationError, "không thuộc"):
            self.add(commune=commune(self.world.cao_bang_old, 1))
        with self.assertRaisesMessage(ValidationError, "Ghi rõ căn cứ"):
            self.add(citation="")
        with self.assertRaisesMessage(ValidationError, "Giai đoạn không hợp lệ"):
            self.add(period_start=2021, period_end=2020)
        with self.assertRaises(PermissionDenied):
            self.add(actor=self.world.cao_bang_officer)
        self.assertFalse(TierTarget.objects.exists())

    def test_context_figure_on_dashboard_and_briefing(self) -> None:
        grdp_2020 = partial(
            programme.context_indicator_set,
            actor=self.world.central,
            unit=self.world.dien_bien_old,
            code="grdp-per-capita",
            label="GRDP bình quân đầu người",
            unit_label="triệu đồng/người/năm",
            year=2020,
        )
        with self.assertRaisesMessage(ValidationError, "Ghi rõ căn cứ"):
            grdp_2020(value="38.25", source="")
        self.assertFalse(ContextIndicator.objects.exists())
        grdp_2020(
            value="38,25",
            estimated=True,
            source="Báo cáo của UBND tỉnh Điện Biên với Đoàn công tác Ban Chỉ đạo Trung ương, 12/2020",
        )
        self.client.force_login(self.world.central)
        response = self.client.get(f"/dashboards/{self.world.dien_bien_old.pk}/?year=2020")
        self.assertContains(response, 'id="context-indicators"')
        self.assertContains(response, "38,25 triệu đồng/người/năm")
        builder = Builder(None, ReportParams(unit=self.world.dien_bien_old, year=2020))
        builder.context()
        text = builder.blocks[0]["text"]
        self.assertIn("GRDP bình quân đầu người năm 2020 (ước) đạt 38,25 triệu đồng/người/năm", text)
        self.assertEqual(builder.figures["context.grdp-per-capita"], 38.25)


class ProgrammePageTest(TestCase):
    """The programme page: forms go through the services; refusals are shown, nothing written."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()

    def test_add_refuse_and_policy_through_the_page(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        province = self.world.dien_bien
        xa = commune(province, 0)
        url = "/ntm/programme/"
        page = self.client.get(url, {"unit": province.pk, "year": 2026})
        self.assertContains(page, 'id="programme-targets"')
        self.assertContains(page, "Thêm xã vào danh sách phấn đấu")
        self.assertNotContains(page, "policy_set")  # a provincial user cannot change national policies
        post = {"unit": province.pk, "commune": xa.pk, "tier": RecognitionTier.MODERN, "period_start": 2026}
        response = self.client.post(
            "/ntm/programme/tier-targets/", {**post, "period_end": 2030, "citation": ""}
        )
        self.assertRedirects(response, f"{url}?unit={province.pk}", fetch_redirect_response=False)
        self.assertFalse(TierTarget.objects.exists())
        page = self.client.get(url, {"unit": province.pk, "year": 2026})
        self.assertContains(page, "Ghi rõ căn cứ")
        self.client.post(
            "/ntm/programme/tier-targets/",
            {**post, "period_end": 2030, "citation": "QĐ của UBND tỉnh (kiểm thử)"},
        )
        self.assertEqual(TierTarget.objects.get().commune, xa)
        policy = Policy.objects.get(code=programme.INHERIT_POLICY)
        self.client.post(
            f"/ntm/policies/{policy.pk}/",
            {"unit": province.pk, "enabled": "1", "citation": "Văn bản của tỉnh"},
        )
        policy.refresh_from_db()
        self.assertFalse(policy.enabled)  # refused: national rights needed
        self.client.force_login(self.world.central)
        self.client.post(
            f"/ntm/policies/{policy.pk}/",
            {
                "unit": province.pk,
                "enabled": "1",
                "citation": "Văn bản trung ương (kiểm thử)",
                "unconfirmed": "on",
            },
        )
        policy.refresh_from_db()
        self.assertTrue(policy.enabled)
        page = self.client.get(url, {"unit": self.world.country.pk, "year": 2026})
        self.assertContains(page, "Văn bản trung ương (kiểm thử)")
