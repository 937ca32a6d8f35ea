"""Entry screens: disbursement form (conflict shown), progress reports, work photos, disaggregated outputs, alert →
cause → proposed adjustment → recommendation (through the supervision service)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from mtqg.finance import demo
from mtqg.finance.models import AlertNote, Allocation, Disbursement, Indicator, WorkPhoto, WorkProgress
from mtqg.finance.services import indicator_value_record, sniff_photo
from mtqg.finance.tests.factories import commune_of, make_allocation, make_work
from mtqg.supervision.models import Recommendation
from mtqg.supervision.services import mission_create
from mtqg.testing import image_bytes, make_world

Q = "?unit=04&year=2023&as_of=2024-01-31&include_carry_over=1"
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


class DisbursementFormTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.work = make_work(commune_of(cls.world.cao_bang_old))
        cls.alloc = make_allocation(cls.work, 100_000_000)
        cls.url = reverse("finance:disburse", args=[cls.work.pk])

    def setUp(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)

    def _post(self, amount: str, seen: str | None = None, paid_on: str = "2023-06-01") -> object:
        data = {"allocation": self.alloc.pk, "paid_on": paid_on, "amount": amount, "reference": "UNC 12"}
        if seen is not None:
            data["seen"] = seen
        return self.client.post(self.url, data)

    def test_form_shows_allocations_and_records_a_payment(self) -> None:
        r = self.client.get(self.url)
        self.assertContains(r, "100.000.000")
        self.assertContains(r, f'value="{self.alloc.pk}:0"')
        r = self._post("40.000.000", seen=f"{self.alloc.pk}:0")
        self.assertRedirects(r, reverse("finance:work", args=[self.work.pk]))
        row = Disbursement.objects.get(allocation=self.alloc)
        self.assertEqual(row.amount, Decimal(40_000_000))
        self.assertEqual(row.reference, "UNC 12")

    def test_beyond_allocation_refused_nothing_written(self) -> None:
        r = self._post("150.000.000")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Vượt vốn được phân bổ", status_code=400)
        self.assertFalse(Disbursement.objects.exists())

    def test_date_outside_window_and_bad_amount(self) -> None:
        r = self._post("1.000", paid_on="2026-03-01")
        self.assertContains(r, "nằm ngoài thời hạn", status_code=400)
        r = self._post("abc")
        self.assertContains(r, "Số tiền không hợp lệ", status_code=400)
        r = self._post("-5")
        self.assertContains(r, "không được âm", status_code=400)
        self.assertFalse(Disbursement.objects.exists())

    def test_conflict_shown_when_another_payment_landed_meanwhile(self) -> None:
        seen = f"{self.alloc.pk}:0"  # the form was opened before the other officer's payment
        Disbursement.objects.create(
            allocation=self.alloc, paid_on=date(2023, 5, 1), amount=Decimal(10_000_000)
        )
        r = self._post("20.000.000", seen=seen)
        self.assertContains(r, "Xung đột", status_code=400)
        self.assertEqual(Disbursement.objects.filter(allocation=self.alloc).count(), 1)
        # the re-shown form carries the fresh total, so resubmitting it goes through
        self.assertContains(r, f"{self.alloc.pk}:10000000", status_code=400)
        r = self._post("20.000.000", seen=f"{self.alloc.pk}:10000000")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Disbursement.objects.filter(allocation=self.alloc).count(), 2)

    def test_out_of_scope_and_view_only(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self._post("1.000").status_code, 404)
        self.assertFalse(Disbursement.objects.exists())


class IndicatorValueFormTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.commune = commune_of(cls.world.cao_bang_old)
        make_work(cls.commune)  # loads programs, indicators and the disaggregation lists
        cls.water = Indicator.objects.get(code="DTTS.NUOC_PT")
        cls.url = reverse("finance:indicator-value-new")

    def setUp(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)

    def test_value_with_category_recorded_and_wrong_dimension_refused(self) -> None:
        base = {"indicator": self.water.pk, "commune_code": self.commune.code, "year": 2023, "value": "12"}
        r = self.client.get(self.url)
        self.assertContains(r, "Phân tổ: Dân tộc")
        r = self.client.post(self.url, {**base, "dim_sex_of_head": "female"})
        self.assertContains(r, "không phân tổ theo", status_code=400)
        r = self.client.post(self.url, {**base, "commune_code": "99999"})
        self.assertContains(r, "Không có xã mã 99999", status_code=400)
        self.assertFalse(self.water.values.exists())
        r = self.client.post(self.url, {**base, "dim_ethnicity": "nung"})
        self.assertEqual(r.status_code, 302)
        row = self.water.values.get()
        self.assertEqual((row.value, row.disaggregation), (Decimal(12), {"ethnicity": "nung"}))


class ProgressAndPhotoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.work = make_work(commune_of(cls.world.cao_bang_old))
        WorkProgress.objects.create(work=cls.work, reported_on=date(2023, 6, 30), percent=40)

    def setUp(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)

    def test_progress_report_recorded(self) -> None:
        url = reverse("finance:progress-add", args=[self.work.pk])
        r = self.client.post(
            url, {"reported_on": "2023-09-30", "percent": "75", "note": "Đổ bê tông mặt đường"}
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.work.progress.first().percent, 75)
        page = self.client.get(reverse("finance:work", args=[self.work.pk]))
        self.assertContains(page, "30/09/2023: 75% Đổ bê tông mặt đường")

    def test_progress_bad_input(self) -> None:
        url = reverse("finance:progress-add", args=[self.work.pk])
        for data, message in (
            ({"reported_on": "2023-09-30", "percent": "120"}, "từ 0 đến 100"),
            ({"reported_on": "2023-09-30", "percent": "30"}, "không được thấp hơn báo cáo ngày 30/06/2023"),
            ({"reported_on": "2999-01-01", "percent": "50"}, "không được sau hôm nay"),
            ({"reported_on": "2023-09-30", "percent": "4,5"}, "từ 0 đến 100"),
        ):
            r = self.client.post(url, data)
            self.assertContains(r, message, status_code=400)
        self.assertEqual(self.work.progress.count(), 1)

    def test_photo_upload_shown_and_served_in_scope_only(self) -> None:
        url = reverse("finance:photo-add", args=[self.work.pk])
        upload = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
        r = self.client.post(url, {"image": upload, "caption": "Mặt đường sau thi công"})
        self.assertEqual(r.status_code, 302)
        photo = WorkPhoto.objects.get(work=self.work)
        self.assertEqual(photo.content_type, "image/png")
        page = self.client.get(reverse("finance:work", args=[self.work.pk]))
        self.assertContains(page, reverse("finance:photo", args=[photo.pk]))
        self.assertContains(page, "Mặt đường sau thi công")
        served = self.client.get(reverse("finance:photo", args=[photo.pk]))
        self.assertEqual(served["Content-Type"], "image/png")
        self.assertEqual(b"".join(served.streaming_content), PNG)  # type: ignore[attr-defined]
        self.client.force_login(self.world.dien_bien_officer)
        self.assertEqual(self.client.get(reverse("finance:photo", args=[photo.pk])).status_code, 404)

    def test_photo_sniffed_by_content_and_size_limited(self) -> None:
        url = reverse("finance:photo-add", args=[self.work.pk])
        fake = SimpleUploadedFile("anh.jpg", b"<html>not an image</html>", content_type="image/jpeg")
        r = self.client.post(url, {"image": fake})
        self.assertContains(r, "JPEG hoặc PNG", status_code=400)
        big = SimpleUploadedFile("lon.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), content_type="image/jpeg")
        r = self.client.post(url, {"image": big})
        self.assertContains(r, "không được lớn hơn 5 MB", status_code=400)
        self.assertFalse(WorkPhoto.objects.exists())
        # a JPEG named .png is accepted as what it is
        self.assertEqual(sniff_photo(SimpleUploadedFile("x.png", JPEG)), "image/jpeg")
        # the first bytes of a PNG followed by something else are no photo: Pillow reads the whole image
        for head in (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"):
            with self.subTest(head=head), self.assertRaises(ValidationError):
                sniff_photo(SimpleUploadedFile("x.png", head + b"<html><script>alert(1)</script></html>"))


class DemoEntryTests(TestCase):
    """On the Cao Bằng demo: disaggregated outputs and alert → recommendation."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        demo.seed()
        cls.mission = mission_create(
            actor=None,
            kind="supervision",
            organiser="na_committee",
            title="Đoàn giám sát thử",
            leader="Trưởng đoàn",
            unit=cls.world.cao_bang_old,
            start_date=date(2024, 5, 20),
        )

    def setUp(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)

    def test_outputs_disaggregated_by_ethnicity_and_sex(self) -> None:
        rows = {r["code"]: r for r in self.client.get("/api/v1/reports/outputs/?unit=04&year=2023").json()}
        water = rows["DTTS.NUOC_PT"]
        self.assertEqual(water["actual"], 2427)
        (ethnicity,) = water["disaggregations"]
        self.assertEqual(ethnicity["dimension"], "ethnicity")
        self.assertEqual(sum(v["actual"] for v in ethnicity["values"]), 2427)
        self.assertIn("Tày", {v["label"] for v in ethnicity["values"]})
        land = {d["dimension"]: d for d in rows["DTTS.DAT_NHA"]["disaggregations"]}
        self.assertEqual(sum(v["actual"] for v in land["sex_of_head"]["values"]), 186)
        r = self.client.get(reverse("finance:outputs") + Q)
        self.assertContains(r, "Giới tính chủ hộ: Nam")
        self.assertContains(r, "2.427/6.269 hộ")

    def test_indicator_value_disaggregation_checked(self) -> None:
        water = Indicator.objects.get(code="DTTS.NUOC_PT")
        commune = commune_of(self.world.cao_bang_old)
        record = partial(indicator_value_record, indicator=water, unit=commune, year=2023, value=5)
        with self.assertRaisesMessage(ValidationError, "không phân tổ theo"):
            record(actor=self.world.cao_bang_officer, disaggregation={"sex_of_head": "female"})
        with self.assertRaisesMessage(ValidationError, "không có trong danh mục Dân tộc"):
            record(actor=None, disaggregation={"ethnicity": "xyz"})
        row = record(actor=None, disaggregation={"ethnicity": "mong"})
        self.assertEqual(row.disaggregation, {"ethnicity": "mong"})

    def test_alert_cause_adjustment_then_recommendation(self) -> None:
        page = self.client.get(reverse("finance:alerts") + Q)
        self.assertContains(page, "Chuyển thành kiến nghị")
        alerts = self.client.get("/api/v1/reports/finance-alerts/" + Q).json()
        late = next(a for a in alerts if a["key"] == "behind_schedule")
        unit_pk = self.world.cao_bang_old.pk
        post = {"unit": unit_pk, "key": "behind_schedule", "mission": self.mission.pk}
        post.update({"from_party": "delegation", "to_party": "province"})
        # no proposed adjustment yet → refused, nothing created
        r = self.client.post(reverse("finance:alert-recommend") + Q, post, follow=True)
        self.assertContains(r, "Cần ghi nguyên nhân và đề xuất điều chỉnh")
        self.assertFalse(Recommendation.objects.exists())
        r = self.client.post(
            reverse("finance:alert-note") + Q,
            {
                "unit": unit_pk,
                "key": "behind_schedule",
                "cause": "Mặt bằng thi công chậm",
                "proposed_adjustment": "Điều chuyển vốn sang công trình sẵn sàng",
            },
        )
        self.assertEqual(r.status_code, 302)
        note = AlertNote.objects.get(key="behind_schedule", year=2023)
        self.assertEqual(note.cause, "Mặt bằng thi công chậm")
        r = self.client.post(reverse("finance:alert-recommend") + Q, post)
        rec = Recommendation.objects.get()
        self.assertRedirects(
            r, reverse("supervision:recommendation", args=[rec.pk]), fetch_redirect_response=False
        )
        self.assertEqual(rec.mission, self.mission)
        self.assertEqual(rec.theme, "ket-qua")
        self.assertIn(late["evidence"][:30], rec.content)
        self.assertIn("Điều chuyển vốn", rec.content)
        page = self.client.get(reverse("finance:alerts") + Q)
        self.assertContains(page, f"Đã chuyển thành kiến nghị #{rec.pk}")
        # a second time is refused
        r = self.client.post(reverse("finance:alert-recommend") + Q, post, follow=True)
        self.assertContains(r, "đã được chuyển thành kiến nghị")
        self.assertEqual(Recommendation.objects.count(), 1)

    def test_view_only_user_gets_no_forms(self) -> None:
        self.client.force_login(self.world.supervisor)
        r = self.client.get(reverse("finance:alerts") + "?unit=11&year=2023")
        self.assertNotContains(r, "Chuyển thành kiến nghị")
        alloc = Allocation.objects.filter(work__isnull=False).first()
        self.assertEqual(self.client.get(reverse("finance:disburse", args=[alloc.work_id])).status_code, 404)
