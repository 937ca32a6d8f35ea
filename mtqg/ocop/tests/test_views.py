from __future__ import annotations

import io
from datetime import date

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.ocop.rules import load_rules
from mtqg.testing import make_world

from .factories import commune_in, make_product, rate


class ViewsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        mp = cls.world.muong_phang
        cls.coffee = make_product(mp, name="Cà phê Mường Phăng", total=75, ecommerce=True)
        cls.tea = make_product(
            mp, name="Chè Mường Phăng", subject_name="Hộ Lò Văn B", kind="household", total=55
        )
        cls.low = make_product(mp, name="Rượu ngô", total=40, is_published=True)
        cls.hidden = make_product(mp, name="Mật ong ẩn", total=60, is_published=False)
        cls.cb = make_product(
            commune_in(cls.world.cao_bang),
            name="Hạt dẻ Trùng Khánh",
            subject_name="HTX Hạt dẻ",
            total=65,
            ecommerce=True,
        )

    def test_list_filters_and_scope(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(reverse("ocop:index"))
        self.assertContains(response, "Cà phê Mường Phăng")
        self.assertNotContains(response, "Hạt dẻ Trùng Khánh")
        response = self.client.get(reverse("ocop:index"), {"stars": 4})
        self.assertContains(response, "Cà phê Mường Phăng")
        self.assertNotContains(response, "Chè Mường Phăng")
        response = self.client.get(reverse("ocop:index"), {"channel": "ecommerce"})
        self.assertEqual([p.name for p in response.context["page"].object_list], ["Cà phê Mường Phăng"])
        response = self.client.get(
            reverse("ocop:index"), {"group": "1", "commune": self.world.muong_phang.pk}
        )
        self.assertEqual(response.context["page"].paginator.count, 4)

    def test_list_query_count_is_fixed(self) -> None:
        self.client.force_login(self.world.central)
        self.client.get(reverse("ocop:index"))  # warm the session
        with self.assertNumQueries(
            8
        ):  # session, user, scope (1, decision 0821), unread notifications, count, groups, communes, page
            self.client.get(reverse("ocop:index"))
        for i in range(5):
            make_product(self.world.muong_phang, name=f"Thêm {i}", total=60 + i, ecommerce=True)
        with self.assertNumQueries(
            8
        ):  # session, user, scope (1, decision 0821), unread notifications, count, groups, communes, page
            response = self.client.get(reverse("ocop:index"))
        self.assertEqual(response.context["page"].paginator.count, 10)

    def test_product_page_and_history(self) -> None:
        rate(self.coffee, 80, decision_date=date(2025, 3, 1))
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(reverse("ocop:product", args=[self.coffee.pk]))
        self.assertContains(response, "Postmart")
        self.assertContains(response, "01/03/2025")
        self.assertContains(response, "01/06/2024")
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(reverse("ocop:product", args=[self.coffee.pk])).status_code, 404)

    def test_export_xlsx(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(reverse("ocop:export"), {"stars": 3})
        self.assertEqual(response.status_code, 200)
        ws = load_workbook(io.BytesIO(response.content)).active
        names = [row[1] for row in ws.iter_rows(min_row=3, values_only=True) if row[1]]
        self.assertEqual(set(names), {"Chè Mường Phăng", "Mật ong ẩn"})

    def test_summary_page(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(reverse("ocop:summary"), {"as_of": "2025-01-01"})
        self.assertEqual(response.status_code, 200)
        result = response.context["result"]
        self.assertEqual(result["unit"]["code"], "11")
        self.assertEqual(result["products"]["certified_3plus"], 3)
        self.assertContains(response, "33,33%")
        self.assertEqual(self.client.get(reverse("ocop:summary"), {"unit": "04"}).status_code, 404)
        self.assertContains(self.client.get(reverse("ocop:summary"), {"unit": "99999"}), "alert-warning")

    def test_public_catalogue_without_login(self) -> None:
        self.client.logout()
        response = self.client.get(reverse("ocop:catalogue"))
        self.assertEqual(response.status_code, 200)
        names = [item["product"].name for item in response.context["items"]]
        self.assertEqual(set(names), {"Cà phê Mường Phăng", "Chè Mường Phăng", "Hạt dẻ Trùng Khánh"})
        self.assertContains(response, "https://postmart.vn/p/1")
        # a household's own name and contact details are not published
        self.assertNotContains(response, "Hộ Lò Văn B")
        self.assertNotContains(response, "Lò Văn A")
        response = self.client.get(reverse("ocop:catalogue"), {"province": "04"})
        self.assertEqual([i["product"].name for i in response.context["items"]], ["Hạt dẻ Trùng Khánh"])

    def test_catalogue_query_count(self) -> None:
        self.client.logout()
        with self.assertNumQueries(6):  # count, page ids, page products, channels, groups, provinces
            self.client.get(reverse("ocop:catalogue"))
        for i in range(4):
            make_product(self.world.muong_phang, name=f"Thêm {i}", total=60 + i, ecommerce=True)
        with self.assertNumQueries(6):
            response = self.client.get(reverse("ocop:catalogue"))
        self.assertEqual(len(response.context["items"]), 7)
