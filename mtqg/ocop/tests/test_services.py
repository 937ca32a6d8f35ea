from __future__ import annotations

import tempfile
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from mtqg.core.models import ChangeRecord
from mtqg.ocop.models import Product, ProductGroup, Rating, SalesChannel, Subject
from mtqg.ocop.rules import load_rules
from mtqg.ocop.services import channel_add, product_create, rating_record, subject_create
from mtqg.testing import image_bytes, make_world

from .factories import commune_in, make_product, split
from .test_rules import BAND_EDGES

MEDIA_TMP = tempfile.mkdtemp(prefix="mtqg-ocop-")
PNG = image_bytes("PNG")


class ServicesTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        cls.product = make_product(cls.world.muong_phang, total=None)

    def _rate(self, **kwargs: object) -> Rating:
        args: dict[str, object] = {
            "actor": self.world.dien_bien_officer,
            "product": self.product,
            "round_year": 2024,
            "scores": {"A": 30, "B": 15, "C": 20},
            "council_level": "province",
            "decision_date": date(2024, 6, 1),
            "decision_number": "12/QĐ-UBND",
        }
        args.update(kwargs)
        return rating_record(**args)  # type: ignore[arg-type]

    def _assert_nothing_saved(self, call: object, field: str, text: str) -> None:
        ratings, changes = Rating.objects.count(), ChangeRecord.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            call()  # type: ignore[operator]
        self.assertIn(field, ctx.exception.message_dict)
        self.assertIn(text, " ".join(ctx.exception.message_dict[field]))
        self.assertEqual((ratings, changes), (Rating.objects.count(), ChangeRecord.objects.count()))

    def test_rating_computes_star_and_validity(self) -> None:
        rating = self._rate()
        self.assertEqual((rating.total, rating.stars), (65, 3))
        self.assertEqual(rating.valid_to, date(2027, 6, 1))
        self.product.refresh_from_db()
        self.assertEqual(self.product.current_rating, rating)
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(rating.pk), action="create").exists())

    def test_star_at_every_band_edge_through_the_service(self) -> None:
        for total, stars in BAND_EDGES:
            level = "ministry" if stars == 5 else "province"
            with self.subTest(total=total):
                rating = self._rate(scores=split(total), council_level=level)
                self.assertEqual(rating.stars, stars)
                self.assertEqual(rating.valid_to is not None, stars >= 3)

    def test_re_rating_moves_current_and_keeps_history(self) -> None:
        first = self._rate(
            decision_date=date(2021, 6, 1), round_year=2021, scores={"A": 30, "B": 15, "C": 15}
        )
        second = self._rate(decision_date=date(2024, 6, 1), scores={"A": 35, "B": 20, "C": 20})
        self.product.refresh_from_db()
        self.assertEqual(self.product.current_rating, second)
        self.assertEqual(list(self.product.ratings.order_by("decision_date")), [first, second])
        self.assertEqual(first.ruleset.code, "qd1048-2019")
        self.assertEqual(second.stars, 4)

    def test_score_above_part_maximum(self) -> None:
        self._assert_nothing_saved(
            lambda: self._rate(scores={"A": 41, "B": 15, "C": 20}), "score_a", "từ 0 đến 40"
        )
        # the old rule set allows only 35 in part A
        self._assert_nothing_saved(
            lambda: self._rate(
                scores={"A": 36, "B": 15, "C": 20}, decision_date=date(2022, 5, 1), round_year=2022
            ),
            "score_a",
            "từ 0 đến 35",
        )
        self._assert_nothing_saved(
            lambda: self._rate(scores={"A": 30, "B": -1, "C": 20}), "score_b", "từ 0 đến 25"
        )
        self._assert_nothing_saved(lambda: self._rate(scores={"A": 30, "B": 15}), "score_c", "Thiếu điểm")

    def test_criteria_must_add_up_to_the_part(self) -> None:
        self._assert_nothing_saved(
            lambda: self._rate(criteria={"A": {"A1": 10, "A2": 10}}), "score_a", "khác điểm phần"
        )
        rating = self._rate(criteria={"A": {"A1": 20, "A2": 10}})
        self.assertEqual(rating.criteria, {"A": {"A1": 20, "A2": 10}})

    def test_five_star_by_provincial_council_is_refused(self) -> None:
        self._assert_nothing_saved(
            lambda: self._rate(scores={"A": 38, "B": 23, "C": 32}), "council_level", "Hội đồng cấp Trung ương"
        )
        self.assertEqual(self._rate(scores={"A": 38, "B": 23, "C": 32}, council_level="ministry").stars, 5)

    def test_validity_before_decision_is_refused(self) -> None:
        self._assert_nothing_saved(
            lambda: self._rate(valid_to=date(2024, 5, 31)), "valid_to", "không được trước ngày quyết định"
        )

    def test_out_of_scope_officer_cannot_rate(self) -> None:
        with self.assertRaises(PermissionDenied):
            self._rate(actor=self.world.cao_bang_officer)
        self.assertFalse(Rating.objects.exists())

    def test_listing_url_must_be_http(self) -> None:
        for url in ("ftp://shop.vn/x", "javascript:alert(1)", "shopee.vn/x"):
            with self.subTest(url=url), self.assertRaises(ValidationError) as ctx:
                channel_add(
                    actor=self.world.dien_bien_officer,
                    product=self.product,
                    kind="ecommerce",
                    name="Shopee",
                    url=url,
                )
            self.assertIn("http://", " ".join(ctx.exception.message_dict["url"]))
        self.assertFalse(SalesChannel.objects.exists())
        channel = channel_add(
            actor=self.world.dien_bien_officer,
            product=self.product,
            kind="ecommerce",
            name="Shopee",
            url="https://shopee.vn/x",
            promotion_amount=5_000_000,
        )
        self.assertEqual(channel.promotion_amount, 5_000_000)

    def test_money_must_be_whole_non_negative(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            channel_add(
                actor=None, product=self.product, kind="export", name="EU", sales_amount=-1, sales_year=2024
            )
        self.assertIn("sales_amount", ctx.exception.message_dict)

    def test_subject_needs_a_commune_and_kind(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            subject_create(actor=None, name="HTX", kind="bad", commune=self.world.dien_bien)
        self.assertEqual(set(ctx.exception.message_dict), {"kind", "commune"})
        subject = subject_create(
            actor=self.world.commune_officer,
            name="HTX Mới",
            kind="cooperative",
            commune=self.world.muong_phang,
        )
        self.assertEqual(subject.kind, Subject.Kind.COOPERATIVE)
        with self.assertRaises(PermissionDenied):
            subject_create(
                actor=self.world.commune_officer,
                name="HTX Khác",
                kind="cooperative",
                commune=commune_in(self.world.cao_bang),
            )

    @override_settings(MEDIA_ROOT=MEDIA_TMP)
    def test_photo_type_and_size_checked(self) -> None:
        subject = self.product.subject
        group = ProductGroup.objects.get(code="1.3")
        bad = [
            (SimpleUploadedFile("a.exe", b"MZ" + b"\x00" * 20), "JPG, PNG"),
            (SimpleUploadedFile("a.png", b"<?php echo 1; ?>" + b"\x00" * 20), "không phải ảnh"),
            (SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "không phải ảnh"),
            (SimpleUploadedFile("a.webp", b"RIFF\x00\x00\x00\x00WEBP" + b"\x00" * 20), "không phải ảnh"),
            (SimpleUploadedFile("a.png", image_bytes("JPEG")), "không phải ảnh"),
            (SimpleUploadedFile("a.png", PNG + b"\x00" * (2 * 1024 * 1024)), "2 MB"),
        ]
        for upload, text in bad:
            with self.subTest(name=upload.name), self.assertRaises(ValidationError) as ctx:
                product_create(actor=None, subject=subject, name="Mật ong", group=group, photo=upload)
            self.assertIn(text, " ".join(ctx.exception.message_dict["photo"]))
        self.assertFalse(Product.objects.filter(name="Mật ong").exists())
        product = product_create(
            actor=None, subject=subject, name="Mật ong", group=group, photo=SimpleUploadedFile("a.png", PNG)
        )
        self.assertTrue(product.photo.name.endswith(".png"))
        webp = product_create(
            actor=None,
            subject=subject,
            name="Mật ong rừng",
            group=group,
            photo=SimpleUploadedFile("a.webp", image_bytes("WEBP")),
        )
        self.assertTrue(webp.photo.name.endswith(".webp"))
