from __future__ import annotations

from datetime import date

from django.test import TestCase

from mtqg.ocop.figures import home_figures
from mtqg.ocop.rules import load_rules
from mtqg.testing import make_world

from .factories import make_product


class FiguresTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()
        cls.world = make_world()
        make_product(
            cls.world.muong_phang, name="A", total=75, ecommerce=True, decision_date=date(2024, 1, 10)
        )
        make_product(cls.world.muong_phang, name="B", total=55)
        make_product(cls.world.muong_phang, name="C", total=40)

    def test_home_figures(self) -> None:
        figures = home_figures(self.world.dien_bien, self.world.dien_bien_officer)
        self.assertEqual([f["value"] for f in figures], ["2", "50,00%"])
        self.assertIn("/ocop/summary/?unit=11", figures[0]["url"])
        self.assertEqual(home_figures(self.world.dien_bien, self.world.cao_bang_officer), [])

    def test_home_page_shows_them(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        self.assertContains(self.client.get("/"), "Sản phẩm OCOP trên sàn TMĐT")
