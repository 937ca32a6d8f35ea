from __future__ import annotations

import contextlib
import io
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.ntm import demo, services
from mtqg.ntm.models import DigitalInfrastructure
from mtqg.testing import make_world

from .factories import commune


class DigitalInfrastructureTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        demo.seed_digital()

    def test_white_communes_report_command_and_api(self) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            call_command("report", "ntm-white-communes", "--unit", "04", "--year", "2023", "--format", "json")
        data = json.loads(out.getvalue())
        self.assertEqual(data["communes_reported"], 139)
        self.assertEqual(len(data["communes_without_radio"]), 6)
        self.assertEqual(len(data["communes_without_mobile_signal"]), 4)
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get("/api/v1/ntm/white-communes/", {"unit": "04", "year": "2023"})
        self.assertEqual(response.json(), data)
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get("/api/v1/ntm/white-communes/", {"unit": "04", "year": "2023"})
        self.assertEqual(response.status_code, 404)
        demo.seed_digital()
        self.assertEqual(DigitalInfrastructure.objects.count(), 139)

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
