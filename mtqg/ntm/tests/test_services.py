from __future__ import annotations

import io
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from mtqg.core.models import ChangeRecord, Job
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion
from mtqg.ntm import engine, services
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import Assessment, CriterionResult, IndicatorValue, RecognitionTier, Status, Threshold
from mtqg.ntm.selectors import predecessor_recognition, tiers_on
from mtqg.testing import make_world

from .factories import all_pass_1980, assessed, commune, guard_sample


class AssessmentServiceTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.xa = commune(cls.world.dien_bien_old, 0)
        cls.a = assessed(cls.xa, 2019, values=all_pass_1980(), actor=cls.world.dien_bien_officer)

    def test_all_values_passing_give_19_criteria(self) -> None:
        self.assertEqual(self.a.region, "tdmnpb")
        self.assertEqual((self.a.criteria_met, self.a.criteria_total, self.a.criteria_unknown), (19, 19, 0))
        self.assertEqual(services.eligible_tier(self.a), RecognitionTier.STANDARD)

    def test_one_edit_updates_status_and_explanation(self) -> None:
        a = services.indicator_values_set(
            actor=self.world.dien_bien_officer, assessment=self.a, values={"10": "32,5"}
        )
        self.assertEqual(a.criteria_met, 18)
        result = CriterionResult.objects.get(assessment=a, criterion__number=10)
        self.assertEqual(result.status, Status.NOT_MET)
        self.assertEqual(
            result.explanation,
            ["10: 32,5 triệu đồng/người/năm < 36 triệu đồng/người/năm yêu cầu vùng TDMNPB"],
        )
        record = ChangeRecord.objects.filter(object_id=str(a.pk), action="updated").latest("at")
        self.assertEqual(record.changes["10"][1], "32.5")

    def test_bad_input_is_rejected_atomically_with_clear_messages(self) -> None:
        before = IndicatorValue.objects.filter(assessment=self.a).count()
        with self.assertRaises(ValidationError) as ctx:
            services.indicator_values_set(
                actor=None,
                assessment=self.a,
                values={
                    "3.1": "abc",
                    "5": "120",
                    "99.9": "1",
                    "1.1": "có lẽ",
                    "9.1": "1.5",
                    "13.1": "KAD",
                    "10": "40",
                },
            )
        errors = ctx.exception.message_dict
        self.assertIn("cần một số", errors["3.1"][0])
        self.assertIn("0-100%", errors["5"][0])
        self.assertIn("Không có chỉ tiêu mã 99.9", errors["99.9"][0])
        self.assertIn("Đạt/Không đạt", errors["1.1"][0])
        self.assertIn("số nguyên", errors["9.1"][0])
        self.assertIn("không thể đánh dấu không áp dụng", errors["13.1"][0])
        self.assertEqual(IndicatorValue.objects.filter(assessment=self.a).count(), before)

    def test_missing_values_are_unknown_not_passed(self) -> None:
        a = assessed(commune(self.world.dien_bien_old, 1), 2019, values={"1.1": "đạt"})
        self.assertEqual(a.criteria_met, 0)
        statuses = dict(
            CriterionResult.objects.filter(assessment=a).values_list("criterion__number", "status")
        )
        self.assertEqual(statuses[1], Status.UNKNOWN)  # 1.2 missing
        self.assertEqual(a.criteria_unknown, 19)

    def test_scope_is_enforced(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.indicator_values_set(
                actor=self.world.cao_bang_officer, assessment=self.a, values={"10": 40}
            )
        with self.assertRaises(PermissionDenied):
            services.indicator_values_set(actor=self.world.supervisor, assessment=self.a, values={"10": 40})

    def test_override_needs_reason_is_audited_and_survives_recompute(self) -> None:
        criterion = self.a.criteria_set.criteria.get(number=8)
        with self.assertRaises(ValidationError):
            services.criterion_override_set(
                actor=self.world.dien_bien_officer,
                assessment=self.a,
                criterion=criterion,
                status=Status.NOT_MET,
                reason=" ",
            )
        services.criterion_override_set(
            actor=self.world.dien_bien_officer,
            assessment=self.a,
            criterion=criterion,
            status=Status.NOT_MET,
            reason="Đài truyền thanh hỏng từ tháng 10",
        )
        engine.recompute(Assessment.objects.filter(pk=self.a.pk))
        result = CriterionResult.objects.get(assessment=self.a, criterion=criterion)
        self.assertEqual(
            (result.status, result.computed_status, result.overridden), (Status.NOT_MET, Status.MET, True)
        )
        self.a.refresh_from_db()
        self.assertEqual(self.a.criteria_met, 18)
        record = ChangeRecord.objects.filter(object_id=str(self.a.pk), action="status").latest("at")
        self.assertEqual(record.reason, "Đài truyền thanh hỏng từ tháng 10")
        self.assertEqual(record.actor, self.world.dien_bien_officer)

    def test_region_override_rule_r3(self) -> None:
        """A ĐBKK commune outside TDMNPB is assessed with TDMNPB thresholds under QĐ 318."""
        xa = commune(self.world.cao_bang_old, 0)
        scheme = ClassificationScheme.objects.get(code="ntm_region")
        UnitClassification.objects.filter(unit=xa, scheme=scheme).update(value="dbsh")
        a = assessed(xa, 2023, code="qd318-1")
        self.assertEqual(a.region, "dbsh")
        UnitClassification.objects.create(
            unit=xa, scheme=ClassificationScheme.objects.get(code="p135_commune"), value="dbkk"
        )
        engine.recompute(Assessment.objects.filter(pk=a.pk))
        a.refresh_from_db()
        self.assertEqual(a.region, "tdmnpb")


class RecognitionTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.good = commune(cls.world.dien_bien_old, 0)
        cls.weak = commune(cls.world.dien_bien_old, 1)
        assessed(cls.good, 2019, code="dien-bien-2017", values=all_pass_1980())
        weak_values = {**all_pass_1980(), "10": 32, "11": 15, "1.1": "không đạt"}
        cls.weak_a = assessed(cls.weak, 2019, code="dien-bien-2017", values=weak_values)

    def _create(self, unit: UnitVersion, tier: str, **kw: object) -> object:
        args = {
            "actor": self.world.dien_bien_officer,
            "commune": unit,
            "tier": tier,
            "decision_no": "12/QĐ-UBND",
            "decision_date": date(2020, 3, 1),
            "standard_year": 2019,
            **kw,
        }
        return services.recognition_create(**args)  # type: ignore[arg-type]

    def test_recognition_follows_the_computed_assessment(self) -> None:
        rec = self._create(self.good, RecognitionTier.STANDARD)
        self.assertEqual(rec.criteria_set.code, "dien-bien-2017")  # type: ignore[attr-defined]
        with self.assertRaises(ValidationError):
            self._create(self.weak, RecognitionTier.STANDARD)
        with self.assertRaises(ValidationError):  # 1 criterion chưa đạt: not even cơ bản đạt
            self._create(self.weak, RecognitionTier.BASIC)
        services.indicator_values_set(actor=None, assessment=self.weak_a, values={"1.1": "đạt"})
        self.assertEqual(self._create(self.weak, RecognitionTier.BASIC).tier, RecognitionTier.BASIC)  # type: ignore[attr-defined]
        with self.assertRaises(ValidationError):
            self._create(self.good, RecognitionTier.STANDARD, standard_year=2018)

    def test_advanced_requires_standard_and_revocation_is_dated(self) -> None:
        with self.assertRaises(ValidationError):
            self._create(
                self.good, RecognitionTier.ADVANCED, decision_date=date(2020, 12, 1), standard_year=2020
            )
        rec = self._create(self.good, RecognitionTier.STANDARD)
        self._create(self.good, RecognitionTier.ADVANCED, decision_date=date(2020, 12, 1), standard_year=2020)
        services.recognition_revoke(
            actor=self.world.dien_bien_officer,
            recognition=rec,  # type: ignore[arg-type]
            revoked_on=date(2021, 6, 1),
            decision_no="5/QĐ-UBND",
            reason="Không duy trì",
        )

        self.assertEqual(tiers_on([self.good.pk], date(2021, 1, 1))[self.good.pk], RecognitionTier.ADVANCED)
        self.assertEqual(tiers_on([self.good.pk], date(2020, 6, 1))[self.good.pk], RecognitionTier.STANDARD)

    def test_merged_commune_does_not_inherit(self) -> None:
        self._create(self.good, RecognitionTier.STANDARD)
        with self.assertRaises(ValidationError):  # the pre-2025 commune no longer exists in 2026
            self._create(self.good, RecognitionTier.STANDARD, decision_date=date(2026, 1, 5))
        edge = UnitLineage.objects.filter(predecessor=self.good).select_related("successor").first()
        assert edge is not None
        n, m = predecessor_recognition([edge.successor_id])[edge.successor_id]
        self.assertEqual(n, 1)
        self.assertGreaterEqual(m, 1)
        self.assertFalse(
            services.valid_recognitions(date(2026, 1, 1)).filter(commune=edge.successor).exists()
        )


class GuardSampleTest(TestCase):
    """The ntm guard sample (used by accounts' scoping guard test) gives Điện Biên-only URLs that hold."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.urls = guard_sample(cls.world)

    def test_sample_urls_are_scoped(self) -> None:
        self.assertEqual(len(self.urls), 9)  # 5 pages (with the programme page) + 4 API details
        for user, expected in ((self.world.dien_bien_officer, 200), (self.world.cao_bang_officer, 404)):
            self.client.force_login(user)
            for url in self.urls:
                self.assertEqual(self.client.get(url).status_code, expected, url)
        self.client.force_login(self.world.cao_bang_officer)
        for url in (
            "/ntm/recognitions/",
            f"/ntm/digital/?unit={self.world.cao_bang_old.pk}",
            f"/ntm/programme/?unit={self.world.cao_bang_old.pk}&year=2020",
        ):
            self.assertNotContains(self.client.get(url), "GUARD-ĐB")


class RecomputeJobTest(TestCase):
    """A threshold corrected in the admin takes effect when the set is recomputed (background job or command)."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.a = assessed(commune(cls.world.dien_bien_old, 1), 2019, values=all_pass_1980())

    def test_job_recomputes_in_scope_and_reports_in_vietnamese(self) -> None:
        self.assertEqual(self.a.criteria_met, 19)
        Threshold.objects.filter(
            indicator__criterion__criteria_set=self.a.criteria_set, indicator__code="10", region="tdmnpb"
        ).update(value=45)
        url = reverse("ntm:criteria_set_recompute", args=[self.a.criteria_set_id])
        self.client.force_login(self.world.dien_bien_officer)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url)
        job = Job.objects.get(kind="ntm.recompute", created_by=self.world.dien_bien_officer)
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED)
        self.assertEqual(job.result["Số đánh giá đã tính lại"], 1)
        self.a.refresh_from_db()
        self.assertEqual(self.a.criteria_met, 18)
        self.assertIn(
            "< 45 triệu đồng",
            CriterionResult.objects.get(assessment=self.a, criterion__number=10).explanation[0],
        )
        self.client.force_login(self.world.cao_bang_officer)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)
        failed = Job.objects.get(kind="ntm.recompute", created_by=self.world.cao_bang_officer)
        self.assertEqual(failed.status, Job.Status.FAILED)
        self.assertIn("Không có đánh giá nào", failed.error)
        self.client.force_login(self.world.supervisor)  # view-only
        response = self.client.post(url, follow=True)
        self.assertContains(response, "không có quyền")

    def test_command(self) -> None:
        out = io.StringIO()
        call_command("recompute_ntm", "--set", "qd1980", stdout=out)
        self.assertIn("Đã tính lại 1 đánh giá", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("recompute_ntm", "--set", "qd318-2")
