from __future__ import annotations

import contextlib
import io
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from mtqg.core.models import ChangeRecord
from mtqg.ntm import demo, services
from mtqg.ntm.models import DigitalInfrastructure, IndicatorValue
from mtqg.testing import make_world

from .factories import commune


class DigitalInfrastructureTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        demo.seed_cao_bang()
        demo.seed_digital()

    def _failed(self, code: str) -> set[str]:
        """Communes whose 2023 demo value of a criterion-8 indicator is 'không đạt'."""
        return set(
            IndicatorValue.objects.filter(
                assessment__year=2023,
                assessment__commune__path__startswith=self.world.cao_bang_old.path,
                indicator__code=code,
                value=0,
            ).values_list("assessment__commune__code", flat=True)
        )

    def test_digital_gaps_follow_the_criterion_8_records(self) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command("report", "ntm-digital-gaps", "--unit", "04", "--year", "2023", "--format", "json")
        data = json.loads(out.getvalue())
        self.assertEqual(data["communes_reported"], 139)
        no_radio = {r["code"] for r in data["communes_without_radio"]}
        no_signal = {r["code"] for r in data["communes_without_mobile_signal"]}
        self.assertTrue(no_radio and no_signal)  # 'xã trắng' exist, as the article says
        self.assertEqual(no_radio, self._failed("8.3"))
        self.assertEqual(no_signal, self._failed("8.2"))
        self.assertGreater(data["villages_reported"], 0)
        village_parents = {r["commune"] for r in data["villages_without_radio"]}
        names = {r["name"] for r in data["communes_without_radio"]}
        self.assertTrue(names <= village_parents)  # every village of a commune without radio lacks it too
        self.assertEqual(
            len(data["gaps"]),
            len(
                {
                    r["code"]
                    for key in (
                        "communes_without_radio",
                        "communes_without_mobile_signal",
                        "villages_without_radio",
                        "villages_without_mobile_signal",
                    )
                    for r in data[key]
                }
            ),
        )
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get("/api/v1/reports/ntm-digital-gaps/", {"unit": "04", "year": "2023"})
        self.assertEqual(response.json(), data)
        alias = self.client.get("/api/v1/reports/ntm-white-communes/", {"unit": "04", "year": "2023"})
        self.assertEqual(alias.json(), data)
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/api/v1/reports/ntm-digital-gaps/", {"unit": "04", "year": "2023"})
        self.assertEqual(response.status_code, 404)
        n = DigitalInfrastructure.objects.count()
        demo.seed_digital()
        self.assertEqual(DigitalInfrastructure.objects.count(), n)

    def test_screen_and_export(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        url = reverse("ntm:digital")
        params = {"unit": self.world.cao_bang_old.pk, "year": "2023"}
        self.client.get(url, params)
        with self.assertNumQueries(6):  # the scope in one query (0821)
            response = self.client.get(url, params)
        data = response.context["data"]
        self.assertContains(response, data["communes_without_radio"][0]["name"])
        self.assertContains(response, "Bản minh họa 1")
        xlsx = self.client.get(url, {**params, "format": "xlsx"})
        ws = load_workbook(io.BytesIO(xlsx.content)).active
        self.assertGreaterEqual(ws.max_row, len(data["gaps"]) + 2)
        self.client.force_login(self.world.dien_bien_officer)
        self.assertEqual(self.client.get(url, params).status_code, 404)
        self.assertContains(self.client.get(url), "Tỉnh Điện Biên")

    def test_service_validates_scopes_and_audits(self) -> None:
        xa = commune(self.world.dien_bien_old, 0)
        row = services.digital_infrastructure_set(
            actor=self.world.dien_bien_officer, unit=xa, year=2020, has_radio=True, mobile_signal="partial"
        )
        self.assertEqual(row.mobile_signal, "partial")
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(row.pk), action="created").exists())
        with self.assertRaises(ValidationError):
            services.digital_infrastructure_set(actor=None, unit=xa, year=2020, mobile_signal="5g")
        with self.assertRaises(ValidationError):
            services.digital_infrastructure_set(
                actor=None, unit=self.world.dien_bien_old, year=2020, has_radio=True
            )
        with self.assertRaises(PermissionDenied):
            services.digital_infrastructure_set(
                actor=self.world.cao_bang_officer, unit=xa, year=2020, has_radio=False
            )
