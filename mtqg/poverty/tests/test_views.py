from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from mtqg.accounts.models import Assignment
from mtqg.core.models import ChangeRecord
from mtqg.geo.selectors import successors
from mtqg.notifications.models import Notification
from mtqg.poverty.importing import template_headers
from mtqg.poverty.models import ImportBatch, PersonalDataExport, Review
from mtqg.poverty.privacy import mask_id, mask_name, suppress, validate_id_number
from mtqg.poverty.standards import load_standards, standard_for
from mtqg.poverty.tests.factories import first_commune, make_household
from mtqg.testing import World, make_user, make_world


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
        with self.assertNumQueries(
            7
        ):  # incl. the badge, the access-log row (0908), the scope in one query (0821)
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

        with self.assertRaises(ValidationError):
            validate_id_number("12ab")


class BatchScreenTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

        load_standards()

    def test_template_upload_and_errors_download(self) -> None:
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


class EditAndBatchScreenTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

        cls.old_commune = first_commune(cls.world.dien_bien_old)
        cls.household = make_household(cls.old_commune, "11-EDIT-1", "Lò Văn Pâng")

    def test_household_member_and_review_edit_are_audited(self) -> None:
        h = self.household
        self.client.force_login(self.world.dien_bien_officer)
        resp = self.client.post(
            f"/poverty/ho/{h.pk}/sua/",
            {
                "head_name": "Lò Văn Pâng Mới",
                "address": "Bản 2",
                "village_name": "",
                "ethnicity": "Thái",
                "area": "rural",
            },
        )
        self.assertRedirects(resp, f"/poverty/ho/{h.pk}/")
        h.refresh_from_db()
        self.assertEqual((h.head_name, h.head_search), ("Lò Văn Pâng Mới", "lo van pang moi"))

        def audit_of(obj: object) -> ChangeRecord:
            ct = ContentType.objects.get_for_model(type(obj))
            return ChangeRecord.objects.get(action="updated", object_id=str(obj.pk), content_type=ct)  # type: ignore[attr-defined]

        record = audit_of(h)
        self.assertEqual(record.changes["address"], ["", "Bản 2"])
        member = h.members.get()
        data = {
            "full_name": "Lò Văn Pâng",
            "birth_date": "2999-01-01",
            "sex": "M",
            "relation": "Chủ hộ",
            "id_number": "011080999888",
        }
        resp = self.client.post(f"/poverty/ho/{h.pk}/thanh-vien/{member.pk}/", data)
        self.assertContains(resp, "Ngày sinh ở tương lai")  # nothing written
        data["birth_date"] = "1980-01-01"
        data["id_number"] = "12ab"
        self.assertContains(
            self.client.post(f"/poverty/ho/{h.pk}/thanh-vien/{member.pk}/", data), "9 hoặc 12 chữ số"
        )
        data["id_number"] = "011080999888"
        self.assertRedirects(
            self.client.post(f"/poverty/ho/{h.pk}/thanh-vien/{member.pk}/", data), f"/poverty/ho/{h.pk}/"
        )
        audit = audit_of(member)
        self.assertEqual(
            audit.changes["id_number"], ["*********456", "*********888"]
        )  # masked in the audit trail
        resp = self.client.post(
            f"/poverty/ho/{h.pk}/thanh-vien/them/", {"full_name": "Vừ Thị Mai", "sex": "F", "id_number": ""}
        )
        self.assertRedirects(resp, f"/poverty/ho/{h.pk}/")
        self.assertEqual(h.members.count(), 2)
        review = h.reviews.get()
        self.assertEqual(review.poverty_class, "poor")
        resp = self.client.post(
            f"/poverty/ho/{h.pk}/ra-soat/{review.pk}/",
            {"income_per_capita_month": "3000000", "deprivations": ["bhyt"], "reason": "Sửa thu nhập"},
        )
        self.assertRedirects(resp, f"/poverty/ho/{h.pk}/")
        review.refresh_from_db()
        self.assertEqual((review.poverty_class, review.deprivation_count), ("none", 1))
        rec = audit_of(review)
        self.assertEqual((rec.changes["poverty_class"], rec.reason), (["poor", "none"], "Sửa thu nhập"))
        bad = self.client.post(
            f"/poverty/ho/{h.pk}/ra-soat/{review.pk}/", {"income_per_capita_month": "-1", "reason": "x"}
        )
        self.assertContains(bad, "Thu nhập phải là số nguyên")

    def test_supervisor_cannot_edit(self) -> None:
        self.client.force_login(self.world.supervisor)
        self.assertEqual(self.client.get(f"/poverty/ho/{self.household.pk}/sua/").status_code, 403)
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(f"/poverty/ho/{self.household.pk}/sua/").status_code, 404)

    def test_search_under_new_commune_through_lineage(self) -> None:
        new_commune = successors(self.old_commune)[0]
        self.client.force_login(self.world.dien_bien_officer)
        resp = self.client.get("/poverty/ho/", {"unit": new_commune.code})
        self.assertContains(resp, "11-EDIT-1")
        self.assertContains(self.client.get(f"/poverty/ho/{self.household.pk}/"), new_commune.name)
        resp = self.client.get("/poverty/ho/", {"unit": self.world.cao_bang.code})
        self.assertNotContains(resp, "11-EDIT-1")

    def test_batch_page_decisions_and_commit_job(self) -> None:

        checker = make_user("db_checker2", Assignment.Role.PROVINCE, self.world.dien_bien)
        headers = ",".join(template_headers(standard_for(2023)))
        rows = [
            f"B{i},{self.old_commune.code},Lò Văn {i},,Thái,nông thôn,1000000,x,x,x,,,,,,,,,"
            for i in range(30)
        ]  # type: ignore[union-attr]
        upload = SimpleUploadedFile("b.csv", ("\r\n".join([headers, *rows]) + "\r\n").encode())
        self.client.force_login(self.world.dien_bien_officer)
        resp = self.client.post("/poverty/nhap/", {"unit": "11", "year": "2023", "file": upload})
        batch = ImportBatch.objects.get()
        self.assertEqual((batch.status, batch.row_count), ("staged", 30))
        self.assertTrue(
            Notification.objects.filter(recipient=checker, category="poverty.batch_staged").exists()
        )
        self.client.force_login(checker)
        # constant: 100 rows per page (one chunk + its decisions), no per-row query; the scope: 1 query (0821)
        with self.assertNumQueries(9):
            resp = self.client.get(f"/poverty/nhap/{batch.pk}/")
        self.assertContains(resp, "Lò Văn 29")
        self.client.post(f"/poverty/nhap/{batch.pk}/", {"action": "reject", "line": ["2", "3"]})
        self.client.post(f"/poverty/nhap/{batch.pk}/", {"action": "accept_rest"})
        with self.captureOnCommitCallbacks(execute=True):
            resp = self.client.post(f"/poverty/nhap/{batch.pk}/", {"action": "commit"})
        self.assertEqual(resp.status_code, 302)
        self.assertIn("/jobs/", resp["Location"])
        self.assertEqual(Review.objects.filter(batch=batch).count(), 28)
        self.assertContains(self.client.get(resp["Location"]), "28")
        resp = self.client.get("/poverty/nhap/mau/", {"year": "2023", "format": "xlsx"})
        self.assertEqual(resp["Content-Type"][:24], "application/vnd.openxmlf")
        self.assertIn(
            "Số định danh".encode(), self.client.get("/poverty/nhap/mau/", {"kind": "members"}).content
        )
