"""Read API of the ntm app: fields and filters (scope, 404, anonymous, pagination, query count: the mixin)."""

from __future__ import annotations

from datetime import date

from django.test import TestCase

from mtqg.api.tests.mixins import ScopedReadApiMixin
from mtqg.ntm import services
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import CriteriaSet, DigitalInfrastructure
from mtqg.testing import make_world

from .factories import all_pass_1980, assessed, commune, recognise


class NtmReadApiTest(ScopedReadApiMixin, TestCase):
    endpoints = {
        "/api/v1/ntm/assessments/": "assessment",
        "/api/v1/ntm/indicator-values/": "value",
        "/api/v1/ntm/recognitions/": "recognition",
        "/api/v1/ntm/digital-infrastructure/": "digital",
    }

    @classmethod
    def setUpTestData(cls) -> None:
        load_all()
        cls.world = make_world()
        cls.db_commune = commune(cls.world.dien_bien_old, 3)
        cls.cb_commune = commune(cls.world.cao_bang_old, 3)
        cls.db_a = assessed(cls.db_commune, 2019, values=all_pass_1980())
        cls.db_a_2018 = assessed(cls.db_commune, 2018)
        cls.cb_a = assessed(cls.cb_commune, 2019, values=all_pass_1980())
        cls.db_rec = recognise(
            cls.db_commune, date(2020, 1, 15), decision_no="12/QĐ-UBND", standard_year=2019
        )
        cls.cb_rec = recognise(cls.cb_commune, date(2020, 2, 1), decision_no="99/QĐ-UBND", standard_year=2019)
        for unit in (cls.db_commune, cls.cb_commune):
            services.digital_infrastructure_set(
                actor=None, unit=unit, year=2023, has_radio=False, mobile_signal="none"
            )
        cls.own, cls.other = (
            {
                "assessment": assessment,
                "value": assessment.values.first(),
                "recognition": recognition,
                "digital": DigitalInfrastructure.objects.get(unit=commune),
            }
            for assessment, recognition, commune in (
                (cls.db_a, cls.db_rec, cls.db_commune),
                (cls.cb_a, cls.cb_rec, cls.cb_commune),
            )
        )

    def test_assessments_list_detail_and_scope(self) -> None:
        response = self.client.get("/api/v1/ntm/assessments/")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["count"], 2)
        first = body["results"][0]
        self.assertEqual(first["commune_code"], self.db_commune.code)
        self.assertEqual(first["year"], 2019)  # newest year first within a commune
        self.assertEqual(first["criteria_set"], "qd1980")
        self.assertEqual(first["criteria_total"], 19)
        self.assertEqual(first["criteria_met"], self.db_a.criteria_met)
        self.assertTrue(first["path"].startswith(self.world.dien_bien_old.path))
        self.assertNotIn("results", first)

        detail = self.client.get(f"/api/v1/ntm/assessments/{self.db_a.pk}/").json()
        self.assertEqual(len(detail["results"]), 19)
        self.assertEqual([r["number"] for r in detail["results"]], list(range(1, 20)))
        met = sum(1 for r in detail["results"] if r["status"] == "dat")
        self.assertEqual(met, self.db_a.criteria_met)
        self.assertTrue(met)
        labels = {r["status_label"] for r in detail["results"] if r["status"] == "dat"}
        self.assertEqual(labels, {"Đạt"})

    def test_assessment_filters(self) -> None:
        url = "/api/v1/ntm/assessments/"
        self.assertEqual(self.client.get(url, {"year": 2018}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"unit": "11"}).json()["count"], 2)
        self.assertEqual(self.client.get(url, {"unit": self.db_commune.code}).json()["count"], 2)
        self.assertEqual(self.client.get(url, {"unit": "04"}).json()["count"], 0)  # Cao Bằng: not visible
        self.assertEqual(self.client.get(url, {"unit": "nope"}).json()["count"], 0)
        self.assertEqual(self.client.get(url, {"criteria_set": "qd1980", "min_met": 19}).json()["count"], 1)
        bad = self.client.get(url, {"year": "abc"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("year", bad.json()["error"]["fields"])

    def test_indicator_values(self) -> None:
        url = "/api/v1/ntm/indicator-values/"
        body = self.client.get(url, {"assessment": self.db_a.pk, "indicator": "10"}).json()
        self.assertEqual(body["count"], 1)
        row = body["results"][0]
        self.assertEqual(row["criterion"], 10)
        self.assertEqual(row["year"], 2019)
        self.assertEqual(row["commune_code"], self.db_commune.code)
        self.assertEqual(row["value"], "40.0000")
        self.assertIsNone(row["evidence_url"])
        self.assertGreater(self.client.get(url).json()["count"], 19)  # the mixin counts this list's queries
        self.assertEqual(self.client.get(url, {"year": 2017}).json()["count"], 0)

    def test_recognitions(self) -> None:
        url = "/api/v1/ntm/recognitions/"
        body = self.client.get(url).json()
        self.assertEqual(body["count"], 1)
        self.assertEqual(body["results"][0]["decision_no"], "12/QĐ-UBND")
        self.assertEqual(body["results"][0]["tier"], "dat_chuan")
        self.assertEqual(self.client.get(f"{url}{self.db_rec.pk}/").json()["standard_year"], 2019)
        self.assertEqual(self.client.get(url, {"revoked": "true"}).json()["count"], 0)
        self.assertEqual(self.client.get(url, {"revoked": "false", "year": 2019}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"tier": "nang_cao"}).json()["count"], 0)

    def test_schemes_and_digital(self) -> None:
        body = self.client.get("/api/v1/ntm/schemes/").json()
        self.assertEqual([s["code"] for s in body["results"]], ["dien-bien-29-xa-bien-gioi"])
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get("/api/v1/ntm/schemes/").json()["count"], 0)
        cb_digital = self.client.get("/api/v1/ntm/digital-infrastructure/").json()["results"]
        self.assertEqual([d["unit_code"] for d in cb_digital], [self.cb_commune.code])
        self.client.force_login(self.world.dien_bien_officer)
        url = "/api/v1/ntm/digital-infrastructure/"
        rows = self.client.get(url, {"year": 2023, "mobile_signal": "none"}).json()["results"]
        self.assertEqual([(d["unit_code"], d["has_radio"]) for d in rows], [(self.db_commune.code, False)])
        self.assertEqual(self.client.get(url, {"year": 2022}).json()["count"], 0)

    def test_criteria_sets_are_reference_data(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        body = self.client.get("/api/v1/ntm/criteria-sets/").json()
        self.assertEqual(body["count"], CriteriaSet.objects.count())
        qd1980 = next(s for s in body["results"] if s["code"] == "qd1980")
        self.assertEqual(len(qd1980["criteria"]), 19)
        self.assertEqual(qd1980["criteria"][0]["number"], 1)
        self.assertTrue(qd1980["criteria"][9]["indicators"])
        one = self.client.get("/api/v1/ntm/criteria-sets/", {"code": "qd1980"}).json()
        self.assertEqual(one["count"], 1)
        detail = self.client.get(f"/api/v1/ntm/criteria-sets/{one['results'][0]['id']}/").json()
        self.assertIn("1980", detail["legal_basis"])
        criteria = self.client.get("/api/v1/ntm/criteria/", {"criteria_set": "qd1980"}).json()
        self.assertEqual(criteria["count"], 19)
        self.assertEqual(criteria["results"][0]["criteria_set"], "qd1980")
        self.client.logout()
        self.assertIn(self.client.get("/api/v1/ntm/criteria-sets/").status_code, (401, 403))
