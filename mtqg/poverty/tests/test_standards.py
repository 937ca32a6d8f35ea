from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase

from mtqg.poverty.models import PovertyStandard
from mtqg.poverty.standards import classify, load_standards
from mtqg.testing import make_world

# (year, area, income, deprivations, expected standard, expected class) — poverty-standards.md §4 plus both sides
# of every line of every standard.
CASES = [
    # QĐ 59/2015 rural: poor_any 700k, line 1.0m, average to 1.5m
    (2019, "rural", 700_000, 0, "QĐ 59/2015/QĐ-TTg", "poor"),  # T01
    (2019, "rural", 700_001, 2, "QĐ 59/2015/QĐ-TTg", "near_poor"),  # T02
    (2019, "rural", 700_001, 3, "QĐ 59/2015/QĐ-TTg", "poor"),
    (2019, "rural", 1_000_000, 3, "QĐ 59/2015/QĐ-TTg", "poor"),  # T03
    (2019, "rural", 1_000_000, 0, "QĐ 59/2015/QĐ-TTg", "near_poor"),  # T04
    (2021, "rural", 1_000_001, 5, "QĐ 59/2015/QĐ-TTg", "average"),  # T05
    (2016, "rural", 1_500_000, 0, "QĐ 59/2015/QĐ-TTg", "average"),
    (2016, "rural", 1_500_001, 0, "QĐ 59/2015/QĐ-TTg", "none"),
    # QĐ 59/2015 urban: 900k, 1.3m, 1.95m
    (2018, "urban", 900_000, 4, "QĐ 59/2015/QĐ-TTg", "poor"),  # T06
    (2018, "urban", 900_000, 0, "QĐ 59/2015/QĐ-TTg", "poor"),
    (2018, "urban", 900_001, 2, "QĐ 59/2015/QĐ-TTg", "near_poor"),
    (2018, "urban", 1_300_000, 3, "QĐ 59/2015/QĐ-TTg", "poor"),
    (2018, "urban", 1_300_000, 2, "QĐ 59/2015/QĐ-TTg", "near_poor"),
    (2018, "urban", 1_300_001, 0, "QĐ 59/2015/QĐ-TTg", "average"),  # T07
    (2018, "urban", 1_950_000, 6, "QĐ 59/2015/QĐ-TTg", "average"),  # T08
    (2018, "urban", 1_950_001, 6, "QĐ 59/2015/QĐ-TTg", "none"),
    # NĐ 07/2021 rural 1.5m (average to 2.25m)
    (2023, "rural", 1_500_000, 3, "NĐ 07/2021/NĐ-CP", "poor"),  # T09
    (2023, "rural", 1_500_000, 2, "NĐ 07/2021/NĐ-CP", "near_poor"),  # T10
    (2023, "rural", 1_500_001, 9, "NĐ 07/2021/NĐ-CP", "average"),  # T11
    (2023, "rural", 0, 0, "NĐ 07/2021/NĐ-CP", "near_poor"),
    (2024, "rural", 2_250_000, 0, "NĐ 07/2021/NĐ-CP", "average"),  # T12
    (2024, "rural", 2_250_001, 0, "NĐ 07/2021/NĐ-CP", "none"),  # T13
    # NĐ 07/2021 urban 2.0m (average to 3.0m)
    (2025, "urban", 2_000_000, 3, "NĐ 07/2021/NĐ-CP", "poor"),  # T14
    (2025, "urban", 2_000_000, 0, "NĐ 07/2021/NĐ-CP", "near_poor"),  # T15
    (2025, "urban", 2_000_001, 3, "NĐ 07/2021/NĐ-CP", "average"),
    (2025, "urban", 3_000_000, 0, "NĐ 07/2021/NĐ-CP", "average"),
    (2025, "urban", 3_000_001, 0, "NĐ 07/2021/NĐ-CP", "none"),  # T16
    # 2026 keeps NĐ 07/2021 Art. 3
    (2026, "rural", 2_000_000, 4, "NĐ 07/2021/NĐ-CP", "average"),  # T17
    (2026, "urban", 2_000_000, 3, "NĐ 07/2021/NĐ-CP", "poor"),
    # NĐ 351/2025 rural 2.2m, urban 2.8m, single band
    (2027, "rural", 2_000_000, 4, "NĐ 351/2025/NĐ-CP", "poor"),  # T18
    (2027, "rural", 2_200_000, 3, "NĐ 351/2025/NĐ-CP", "poor"),  # T19
    (2027, "rural", 2_200_000, 2, "NĐ 351/2025/NĐ-CP", "near_poor"),  # T20
    (2027, "rural", 2_200_001, 3, "NĐ 351/2025/NĐ-CP", "none"),
    (2028, "rural", 1_800_000, 0, "NĐ 351/2025/NĐ-CP", "near_poor"),  # T21
    (2030, "urban", 2_500_000, 2, "NĐ 351/2025/NĐ-CP", "near_poor"),  # T22
    (2029, "urban", 2_800_000, 3, "NĐ 351/2025/NĐ-CP", "poor"),  # T23
    (2029, "urban", 2_800_000, 2, "NĐ 351/2025/NĐ-CP", "near_poor"),
    (2029, "urban", 2_800_001, 8, "NĐ 351/2025/NĐ-CP", "none"),  # T24
]


class ClassificationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_standards()
        cls.world = make_world()

    def test_every_boundary(self) -> None:
        for year, area, income, dep, standard, expected in CASES:
            with self.subTest(year=year, area=area, income=income, dep=dep):
                result = classify(year=year, area=area, income=income, deprivations=dep)
                self.assertEqual(result.standard.instrument, standard)
                self.assertEqual(result.poverty_class, expected)

    def test_loader_is_idempotent_and_flags_unconfirmed(self) -> None:
        before = PovertyStandard.objects.count()
        call_command("load_poverty_standards", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(PovertyStandard.objects.count(), before)
        nd07 = PovertyStandard.objects.get(code="nd07_2021")
        self.assertEqual(len(nd07.indicators), 12)
        self.assertEqual(len(PovertyStandard.objects.get(code="qd59_2015").indicators), 10)
        self.assertTrue(nd07.unconfirmed)

    def test_reasons_in_vietnamese(self) -> None:
        result = classify(
            year=2024, area="rural", income=1_400_000, deprivations=["bhyt", "nha_tieu", "vien_thong"]
        )
        self.assertEqual(result.poverty_class, "poor")
        self.assertEqual(result.income_line, 1_500_000)
        self.assertEqual(result.reasons[0], "thu nhập 1.400.000 ≤ 1.500.000")
        self.assertTrue(result.reasons[1].startswith("thiếu hụt 3/12: BHYT, nhà tiêu, viễn thông"))

    def test_local_standard_higher_than_national(self) -> None:  # T25, Bắc Ninh 2025
        national = classify(year=2025, area="rural", income=1_600_000, deprivations=3)
        local = classify(year=2025, area="rural", income=1_600_000, deprivations=3, province_code="27")
        self.assertEqual(national.poverty_class, "average")
        self.assertEqual(local.poverty_class, "poor")
        self.assertEqual(local.income_line, 1_750_000)

    def test_bad_input(self) -> None:
        with self.assertRaises(ValidationError):
            classify(year=2024, area="rural", income=-1, deprivations=0)
        with self.assertRaises(ValidationError):
            classify(year=2024, area="rural", income=1, deprivations=["khong_co"])
        with self.assertRaises(ValidationError):
            classify(year=2024, area="rural", income=1, deprivations=13)
        with self.assertRaises(ValidationError):
            classify(year=1999, area="rural", income=1, deprivations=0)

    def test_api_contract(self) -> None:
        self.client.force_login(self.world.commune_officer)
        url = "/api/v1/poverty/classify/"
        body = {"year": 2024, "area": "rural", "income_per_capita_month": 1400000, "deprivations": 3}
        resp = self.client.post(url, body, content_type="application/json")
        self.assertEqual(resp.status_code, 200)
        data = resp.json()
        self.assertEqual(set(data), {"class", "standard", "income_line", "reasons", "flags"})
        self.assertEqual(
            (data["class"], data["standard"], data["income_line"]), ("poor", "NĐ 07/2021/NĐ-CP", 1500000)
        )
        body = {
            "year": 2024,
            "area": "rural",
            "income_per_capita_month": 1400000,
            "deprivations": ["bhyt", "nha_tieu"],
        }
        self.assertEqual(
            self.client.post(url, body, content_type="application/json").json()["class"], "near_poor"
        )

    def test_api_errors_per_field(self) -> None:
        self.client.force_login(self.world.commune_officer)
        resp = self.client.post(
            "/api/v1/poverty/classify/",
            {"year": "x", "area": "city", "income_per_capita_month": -5, "deprivations": "3"},
            content_type="application/json",
        )
        self.assertEqual(resp.status_code, 400)
        fields = resp.json()["error"]["fields"]
        self.assertEqual(set(fields), {"year", "area", "income_per_capita_month", "deprivations"})
        resp = self.client.post(
            "/api/v1/poverty/classify/",
            {"year": 2024, "area": "rural", "income_per_capita_month": 5, "deprivations": ["xx"]},
            content_type="application/json",
        )
        self.assertEqual(resp.status_code, 400)
        self.assertIn("deprivations", resp.json()["error"]["fields"])
