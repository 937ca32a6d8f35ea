"""The dashboard breadcrumb links only units the user can open."""

from __future__ import annotations

from django.test import TestCase

from mtqg.testing import make_world


class BreadcrumbTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_a_commune_officer_sees_the_units_above_as_names_not_links(self) -> None:
        w = self.world
        self.client.force_login(w.commune_officer)
        response = self.client.get(f"/dashboards/{w.muong_phang.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, f'href="/dashboards/{w.dien_bien.pk}/"')
        self.assertNotContains(response, f'href="/dashboards/{w.country.pk}/"')
        self.assertContains(response, w.dien_bien.name)
        self.assertEqual(self.client.get(f"/dashboards/{w.dien_bien.pk}/").status_code, 404)

    def test_a_province_officer_can_open_the_province_from_a_commune(self) -> None:
        w = self.world
        self.client.force_login(w.dien_bien_officer)
        response = self.client.get(f"/dashboards/{w.muong_phang.pk}/")
        self.assertContains(response, f'href="/dashboards/{w.dien_bien.pk}/"')
        self.assertNotContains(response, f'href="/dashboards/{w.country.pk}/"')
