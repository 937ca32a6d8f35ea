from __future__ import annotations

from django.test import TestCase

from mtqg.poverty.privacy import mask_id, mask_name, suppress, validate_id_number
from mtqg.poverty.tests.factories import make_household
from mtqg.testing import World, make_world


class ScreenTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.household = make_household(
            cls.world.muong_phang, "11-TEST-1", "Lò Văn Pâng", address="Bản Phăng 1"
        )

    def test_dashboard(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        resp = self.client.get("/poverty/", {"unit": "11", "year": "2020"})
        self.assertEqual(resp.status_code, 200)

    def test_search_without_diacritics_by_entry_user(self) -> None:
        self.client.force_login(self.world.commune_officer)
        with self.assertNumQueries(9):
            resp = self.client.get("/poverty/ho/", {"q": "lo van pang"})
        self.assertContains(resp, "Lò Văn Pâng")

    def test_supervisor_sees_masked_values(self) -> None:
        self.client.force_login(self.world.supervisor)
        resp = self.client.get(f"/poverty/ho/{self.household.pk}/")
        self.assertEqual(resp.status_code, 200)
        self.assertNotContains(resp, "Lò Văn Pâng")
        self.assertNotContains(resp, "011080123456")
        self.assertContains(resp, mask_id("011080123456"))
        self.assertContains(resp, "thu nhập 1.200.000 ≤ 1.500.000")

    def test_entry_user_sees_names_and_history(self) -> None:
        self.client.force_login(self.world.commune_officer)
        resp = self.client.get(f"/poverty/ho/{self.household.pk}/")
        self.assertContains(resp, "Lò Văn Pâng")
        self.assertContains(resp, "011080123456")

    def test_out_of_scope_404(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(f"/poverty/ho/{self.household.pk}/").status_code, 404)

    def test_privacy_helpers(self) -> None:
        self.assertEqual(mask_name("Lò Văn Pâng"), "L. V. P***")
        self.assertEqual(suppress(3), "< 5")
        self.assertEqual(suppress(5), 5)
        self.assertEqual(validate_id_number("011080123456"), "011080123456")
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            validate_id_number("12ab")


class BatchScreenTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        from mtqg.poverty.standards import load_standards

        load_standards()

    def test_template_upload_and_errors_download(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from mtqg.poverty.models import ImportBatch, PersonalDataExport

        self.client.force_login(self.world.dien_bien_officer)
        resp = self.client.get("/poverty/nhap/mau/", {"year": "2023"})
        self.assertEqual(resp.status_code, 200)
        self.assertIn("Mã hộ".encode(), resp.content)
        upload = SimpleUploadedFile("x.csv", "Sai,Tiêu đề\r\n1,2\r\n".encode())
        resp = self.client.post("/poverty/nhap/", {"unit": "11", "year": "2023", "file": upload})
        batch = ImportBatch.objects.get()
        self.assertRedirects(resp, f"/poverty/nhap/{batch.pk}/")
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        self.assertContains(self.client.get(f"/poverty/nhap/{batch.pk}/loi/"), "Tiêu đề cột không đúng mẫu")
        self.assertEqual(self.client.get("/poverty/ho/xuat/", {"unit": "11"}).status_code, 400)  # no reason
        resp = self.client.get("/poverty/ho/xuat/", {"unit": "11", "reason": "Rà soát chính sách"})
        self.assertEqual(resp.status_code, 200)
        log = PersonalDataExport.objects.get()
        self.assertEqual((log.user, log.reason), (self.world.dien_bien_officer, "Rà soát chính sách"))
