"""Issue #19 part 7: one search without diacritics for every list (units, households, products, subjects,
missions, recommendations, works), on SQLite and PostgreSQL; the public catalogue never shows an expired
certificate as certified."""

from __future__ import annotations

from datetime import date

from django.test import TestCase
from django.urls import reverse

from mtqg.core.search import fold, search_q
from mtqg.finance.tests.factories import make_work
from mtqg.ocop.models import Subject
from mtqg.ocop.rules import load_rules
from mtqg.ocop.tests.factories import make_product, rate
from mtqg.supervision.tests.factories import make_mission, make_recommendation
from mtqg.testing import make_world

TRICKY = [
    "Chè Shan tuyết",
    "ĐẶC SẢN Điện Biên",
    "Mắc ca  Tuần Giáo",
    "Hợp tác xã Nông nghiệp Ứng Hòa",
    "Thịt trâu gác bếp Mường Ảng",
    "Gạo Séng Cù",
    "Cafe\u0301 NFD-decomposed",  # é written as e + combining acute
]


class FoldInDatabaseTest(TestCase):
    """The database `fold` transform gives exactly Python's fold() (so a folded query can be matched)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        for name in TRICKY:
            Subject.objects.create(name=name, kind=Subject.Kind.COOPERATIVE, commune=cls.world.muong_phang)

    def test_database_fold_equals_python_fold(self) -> None:
        rows = Subject.objects.filter(name__in=TRICKY).values_list("name", "name__fold")
        self.assertEqual(len(rows), len(TRICKY))
        for name, folded in rows:
            self.assertEqual(folded, fold(name), name)

    def test_search_q_matches_without_diacritics_or_case(self) -> None:
        for query, expected in [
            ("che shan", "Chè Shan tuyết"),
            ("CHÈ SHAN", "Chè Shan tuyết"),
            ("dac san dien bien", "ĐẶC SẢN Điện Biên"),
            ("ung hoa", "Hợp tác xã Nông nghiệp Ứng Hòa"),
            ("cafe", "Cafe\u0301 NFD-decomposed"),
        ]:
            names = list(Subject.objects.filter(search_q(query, ("name",))).values_list("name", flat=True))
            self.assertEqual(names, [expected], query)
        self.assertEqual(Subject.objects.filter(search_q("", ("name",))).count(), len(TRICKY))


class ListSearchTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        mp = cls.world.muong_phang
        cls.tea = make_product(
            mp, name="Chè Shan tuyết Mường Phăng", subject_name="HTX Chè Tủa Chùa", total=75
        )
        cls.nut = make_product(mp, name="Mắc ca Điện Biên", subject_name="HTX Mắc ca", total=70)
        # Certified 4★ but the certificate expired on 20/12/2025.
        cls.expired = make_product(mp, name="Mắc ca sấy hết hạn", subject_name="HTX Mắc ca", total=None)
        rate(cls.expired, 80, decision_date=date(2024, 6, 1), valid_to=date(2025, 12, 20))
        cls.mission = make_mission(mp, title="Đoàn giám sát chương trình giảm nghèo")
        cls.rec = make_recommendation(
            cls.mission, content="Đẩy nhanh giải ngân vốn sự nghiệp", deadline=date(2024, 1, 1)
        )
        cls.work = make_work(mp, name="Đường bê tông bản Củ Dề", year=2026)

    def _names(self, url: str, q: str, key: str = "page") -> list[str]:
        response = self.client.get(url, {"q": q})
        self.assertEqual(response.status_code, 200)
        return [str(obj) for obj in response.context[key].object_list]

    def test_ocop_list_and_subjects_without_diacritics(self) -> None:
        self.client.force_login(self.world.central)
        names = [p.name for p in self.client.get(reverse("ocop:index"), {"q": "che shan"}).context["page"]]
        self.assertEqual(names, ["Chè Shan tuyết Mường Phăng"])
        names = [
            p.name for p in self.client.get(reverse("ocop:index"), {"q": "htx che tua chua"}).context["page"]
        ]
        self.assertEqual(names, ["Chè Shan tuyết Mường Phăng"])
        response = self.client.get("/api/v1/ocop/subjects/", {"q": "mac ca"})
        self.assertEqual([r["name"] for r in response.json()["results"]], ["HTX Mắc ca"])

    def test_public_catalogue_without_diacritics_and_not_expired(self) -> None:
        response = self.client.get(reverse("ocop:catalogue"), {"q": "mac ca"})
        names = [item["product"].name for item in response.context["items"]]
        self.assertEqual(names, ["Mắc ca Điện Biên"])  # the expired certificate is not listed as certified
        self.assertNotContains(response, "hết hạn")
        self.assertContains(response, "Giấy chứng nhận hiệu lực đến")
        # Searching the public catalogue never matches a producer's name (it may be a person's name).
        response = self.client.get(reverse("ocop:catalogue"), {"q": "htx"})
        self.assertEqual(response.context["items"], [])

    def test_missions_recommendations_works_without_diacritics(self) -> None:
        self.client.force_login(self.world.central)
        response = self.client.get(reverse("supervision:index"), {"q": "giam ngheo"})
        self.assertEqual(list(response.context["page"].object_list), [self.mission])
        response = self.client.get(reverse("supervision:index"), {"q": "xay dung"})
        self.assertEqual(list(response.context["page"].object_list), [])
        response = self.client.get(reverse("supervision:overdue"), {"q": "giai ngan"})
        self.assertEqual(list(response.context["page"].object_list), [self.rec])
        response = self.client.get(
            reverse("finance:works"), {"q": "cu de", "unit": self.world.muong_phang.code, "year": 2026}
        )
        self.assertEqual(list(response.context["page"].object_list), [self.work])
        for url, q, expected in [
            ("/api/v1/supervision/missions/", "giam ngheo", self.mission.pk),
            ("/api/v1/supervision/recommendations/", "giai ngan", self.rec.pk),
            ("/api/v1/finance/works/", "duong be tong ban cu de", self.work.pk),
        ]:
            rows = self.client.get(url, {"q": q}).json()["results"]
            self.assertEqual([r["id"] for r in rows], [expected], url)
