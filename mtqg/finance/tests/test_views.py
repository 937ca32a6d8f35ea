"""Screens and API of the finance app, on the Cao Bằng demo, as the Cao Bằng and Điện Biên officers."""

from __future__ import annotations

from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse

from mtqg.finance import demo
from mtqg.finance.models import Allocation, Disbursement, Work
from mtqg.testing import make_world

Q = "?unit=04&year=2023&as_of=2024-01-31&include_carry_over=1"


class FinanceViewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        demo.seed()
        cls.work = Work.objects.filter(code__startswith="CB23-").order_by("code").first()

    def setUp(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)

    def test_index_tree_and_rates(self) -> None:
        r = self.client.get(reverse("finance:index") + Q)
        self.assertContains(r, "69,06%")
        self.assertContains(r, "85,35%")
        self.assertContains(r, "GNBV.DA1.TDA1")
        self.assertContains(r, "bao gồm vốn chuyển nguồn")
        self.assertContains(r, "js/finance.js")
        self.assertNotContains(r, "<script>")

    def test_curve_json(self) -> None:
        data = self.client.get(reverse("finance:curve") + Q).json()
        self.assertEqual(set(data["series"]), {"2022", "2023"})
        self.assertEqual(data["series"]["2023"][12], 69.06)

    def test_works_list_queries_bounded(self) -> None:
        url = reverse("finance:works") + Q
        self.client.get(url)
        with self.assertNumQueries(11):  # the scope in one query (0821)
            r = self.client.get(url)
        self.assertContains(r, "CB23-0001")
        with self.assertNumQueries(11):  # the scope in one query (0821)
            self.client.get(url + "&page=3&kind=infrastructure")

    def test_works_map_points(self) -> None:
        points = self.client.get(reverse("finance:works-map") + Q).json()["points"]
        self.assertEqual(sum(p["works"] for p in points), 747)
        self.assertTrue(all(p["lat"] and p["lon"] for p in points))
        r = self.client.get(reverse("finance:works") + Q)
        self.assertContains(r, "vendor/leaflet/leaflet.js")

    def test_work_page(self) -> None:
        r = self.client.get(reverse("finance:work", args=[self.work.pk]))
        self.assertContains(r, self.work.code)
        self.assertContains(r, "NSTW đầu tư phát triển")

    def test_outputs_table(self) -> None:
        r = self.client.get(reverse("finance:outputs") + Q)
        self.assertContains(r, "2.427/6.269 hộ")
        self.assertContains(r, "186/550 nhà")
        self.assertContains(r, "62/86 công trình")
        self.assertContains(r, "3.412 nhà")

    def test_alerts_page(self) -> None:
        r = self.client.get(reverse("finance:alerts") + Q)
        self.assertContains(r, "Đầu tư dàn trải, nhỏ lẻ")
        self.assertContains(r, "Nguyên nhân")
        self.assertContains(r, "Công trình chậm tiến độ")

    def test_out_of_scope(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        self.assertEqual(self.client.get(reverse("finance:work", args=[self.work.pk])).status_code, 404)
        r = self.client.get("/api/v1/reports/disbursement/" + Q)
        self.assertEqual(r.status_code, 404)
        r = self.client.get(reverse("finance:works") + Q)
        self.assertNotContains(r, "CB23-0001")

    def test_home_figures(self) -> None:
        r = self.client.get("/")
        self.assertContains(r, "Giải ngân NSTW")


class FinanceApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        demo.seed()

    def setUp(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)

    def test_disbursement(self) -> None:
        data = self.client.get("/api/v1/reports/disbursement/" + Q).json()
        self.assertEqual(data["central"]["rate"], 69.06)
        self.assertEqual(data["local_counterpart"]["rate"], 85.35)

    def test_outputs(self) -> None:
        rows = {r["code"]: r for r in self.client.get("/api/v1/reports/outputs/?unit=04&year=2023").json()}
        self.assertEqual(rows["DTTS.NUOC_PT"]["actual"], 2427)

    def test_bad_params(self) -> None:
        r = self.client.get("/api/v1/reports/disbursement/?unit=04&year=abc")
        self.assertEqual(r.status_code, 400)
        self.assertIn("year", r.json()["error"]["fields"])
        r = self.client.get("/api/v1/reports/disbursement/?unit=99999&year=2023")
        self.assertEqual(r.status_code, 400)

    def test_post_disbursement(self) -> None:
        alloc = (
            Allocation.objects.filter(work__isnull=False, year=2023, carry_over=False).order_by("pk").first()
        )
        body = {
            "work_code": alloc.work.code,
            "year": 2023,
            "source": alloc.source,
            "paid_on": "2024-03-01",
            "amount": "1000",
            "reference": "API-1",
        }
        paid = Disbursement.objects.filter(allocation=alloc).aggregate(s=Sum("amount"))["s"] or 0
        r = self.client.post("/api/v1/finance/disbursements/", body, content_type="application/json")
        if alloc.amount - paid >= 1000:
            self.assertEqual(r.status_code, 201)
        over = {**body, "amount": str(int(alloc.amount) + 1)}
        r = self.client.post("/api/v1/finance/disbursements/", over, content_type="application/json")
        self.assertEqual(r.status_code, 400)
        self.assertIn("Vượt vốn", str(r.json()["error"]["fields"]["amount"]))
        r = self.client.post(
            "/api/v1/finance/disbursements/",
            {**body, "work_code": "KHONG-CO"},
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("work_code", r.json()["error"]["fields"])
        r = self.client.post(
            "/api/v1/finance/disbursements/", {**body, "amount": "-5"}, content_type="application/json"
        )
        self.assertEqual(r.status_code, 400)
        self.client.force_login(self.world.dien_bien_officer)
        r = self.client.post("/api/v1/finance/disbursements/", body, content_type="application/json")
        self.assertEqual(
            r.status_code, 400, r.content
        )  # a work outside the officer's scope is an unknown code
        self.assertIn("Không có công trình", str(r.json()["error"]["fields"]["work_code"]))

    def test_works_api_scoped(self) -> None:
        r = self.client.get("/api/v1/finance/works/")
        self.assertEqual(r.status_code, 200)
        self.client.force_login(self.world.dien_bien_officer)
        body = self.client.get("/api/v1/finance/works/").json()
        count = body["count"] if isinstance(body, dict) else len(body)
        self.assertEqual(count, 0)
