"""Entry screens: subject → product → rating → channel through the services, with the issue's bad-input messages
shown and nothing saved."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from mtqg.core.models import ChangeRecord
from mtqg.ocop.models import Product, ProductGroup, Rating, SalesChannel, Subject
from mtqg.ocop.rules import load_rules
from mtqg.testing import image_bytes, make_world

from .factories import commune_in, make_product

RATING = {
    "round_year": "2024",
    "round_label": "Đợt 1",
    "score_a": "30",
    "score_b": "20",
    "score_c": "25",
    "council_level": "province",
    "decision_number": "123/QĐ-UBND",
    "decision_date": "2024-06-01",
}


class EntryFormsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        cls.product = make_product(cls.world.muong_phang, name="Cà phê Mường Phăng", total=60)
        cls.group = ProductGroup.objects.filter(parent__isnull=False).order_by("code").first()

    def setUp(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)

    def test_subject_then_product_then_rating_then_channel(self) -> None:
        r = self.client.post(
            reverse("ocop:subject-new"),
            {"name": "HTX Chè Tủa Chùa", "kind": "cooperative", "commune_code": self.world.muong_phang.code},
        )
        subject = Subject.objects.get(name="HTX Chè Tủa Chùa")
        self.assertRedirects(r, reverse("ocop:product-new") + f"?subject={subject.pk}")
        self.assertEqual(subject.commune, self.world.muong_phang)
        png = SimpleUploadedFile("che.png", image_bytes("PNG"), content_type="image/png")
        r = self.client.post(
            reverse("ocop:product-new") + f"?subject={subject.pk}",
            {
                "name": "Chè Shan tuyết",
                "group": self.group.pk,
                "description": "Chè cổ thụ",
                "photo": png,
                "is_published": "on",
            },
        )
        product = Product.objects.get(name="Chè Shan tuyết")
        self.assertRedirects(r, reverse("ocop:rating-new", args=[product.pk]))
        r = self.client.post(
            reverse("ocop:rating-new", args=[product.pk]),
            {**RATING, "criteria_a": "A1=10; A2=20"},
        )
        self.assertRedirects(r, reverse("ocop:product", args=[product.pk]))
        rating = Rating.objects.get(product=product)
        self.assertEqual((rating.total, rating.stars), (75, 4))
        self.assertEqual(rating.criteria, {"A": {"A1": 10, "A2": 20}})
        self.assertIsNotNone(rating.valid_to)
        r = self.client.post(
            reverse("ocop:channel-new", args=[product.pk]),
            {
                "kind": "ecommerce",
                "name": "Postmart",
                "url": "https://postmart.vn/che",
                "status": "active",
                "promotion_program": "Đưa sản phẩm OCOP lên sàn",
                "promotion_amount": "1.500.000",
            },
        )
        self.assertRedirects(r, reverse("ocop:product", args=[product.pk]))
        channel = SalesChannel.objects.get(product=product)
        self.assertEqual(int(channel.promotion_amount or 0), 1_500_000)
        page = self.client.get(reverse("ocop:product", args=[product.pk]))
        self.assertContains(page, "Postmart")
        self.assertContains(page, "123/QĐ-UBND")

    def _rate(self, **changes: str) -> object:
        return self.client.post(reverse("ocop:rating-new", args=[self.product.pk]), {**RATING, **changes})

    def test_rating_bad_input_messages_nothing_saved(self) -> None:
        before = (Rating.objects.count(), ChangeRecord.objects.count())
        r = self._rate(score_a="45")
        self.assertContains(r, "phải từ 0 đến 40 (đã nhập 45)", status_code=400)
        r = self._rate(score_a="40", score_b="25", score_c="30", council_level="province")
        self.assertContains(r, "phải do Hội đồng cấp Trung ương công nhận", status_code=400)
        r = self._rate(valid_to="2024-01-01")
        self.assertContains(r, "không được trước ngày quyết định", status_code=400)
        r = self._rate(criteria_a="A1=10; A2=5")
        self.assertContains(r, "khác điểm phần", status_code=400)
        r = self._rate(criteria_b="A1 mười")
        self.assertContains(r, "A1=10; A2=8", status_code=400)
        r = self._rate(score_c="")
        self.assertEqual(r.status_code, 400)
        self.assertEqual((Rating.objects.count(), ChangeRecord.objects.count()), before)

    def test_channel_url_and_money_refused(self) -> None:
        url = reverse("ocop:channel-new", args=[self.product.pk])
        base = {"kind": "ecommerce", "name": "Shopee", "status": "active"}
        r = self.client.post(url, {**base, "url": "ftp://shop.vn/x"})
        self.assertContains(r, "phải bắt đầu bằng http:// hoặc https://", status_code=400)
        r = self.client.post(url, {**base, "url": "javascript:alert(1)"})
        self.assertContains(r, "phải bắt đầu bằng http:// hoặc https://", status_code=400)
        r = self.client.post(url, {**base, "promotion_amount": "-5"})
        self.assertContains(r, "không âm", status_code=400)
        r = self.client.post(url, {**base, "sales_amount": "1.000.000"})
        self.assertContains(r, "Doanh số phải kèm năm", status_code=400)
        self.assertFalse(SalesChannel.objects.filter(product=self.product, name="Shopee").exists())

    def test_subject_and_product_bad_input(self) -> None:
        r = self.client.post(
            reverse("ocop:subject-new"), {"name": "X", "kind": "cooperative", "commune_code": "99999"}
        )
        self.assertContains(r, "Không có xã mã 99999", status_code=400)
        cb_code = commune_in(self.world.cao_bang).code  # out of the Điện Biên officer's scope
        r = self.client.post(
            reverse("ocop:subject-new"), {"name": "X", "kind": "cooperative", "commune_code": cb_code}
        )
        self.assertContains(r, "trong phạm vi của bạn", status_code=400)
        subject = self.product.subject
        fake = SimpleUploadedFile("a.jpg", b"not an image at all", content_type="image/jpeg")
        r = self.client.post(
            reverse("ocop:product-new") + f"?subject={subject.pk}",
            {"name": "Sản phẩm mới", "group": self.group.pk, "photo": fake},
        )
        self.assertContains(r, "không phải ảnh hợp lệ", status_code=400)
        self.assertFalse(Product.objects.filter(name="Sản phẩm mới").exists())

    def test_out_of_scope_and_view_only(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(reverse("ocop:rating-new", args=[self.product.pk])).status_code, 404)
        self.assertEqual(self._rate().status_code, 404)
        self.client.force_login(self.world.supervisor)  # view-only on Điện Biên
        r = self._rate()
        self.assertContains(r, "không có quyền nhập liệu", status_code=400)
        page = self.client.get(reverse("ocop:product", args=[self.product.pk]))
        self.assertNotContains(page, reverse("ocop:rating-new", args=[self.product.pk]))
        self.assertNotContains(self.client.get(reverse("ocop:index")), reverse("ocop:subject-new"))
        self.assertFalse(Rating.objects.filter(product=self.product, decision_number="123/QĐ-UBND").exists())
