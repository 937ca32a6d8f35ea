"""Issue #20 part 8 / #23 part 7: no lost updates. Two people open the same record; the second save, made on the
stale form, is refused with the first person's change shown field by field, and nothing is overwritten
(decision 0909). One test per versioned model."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.test import TestCase

from mtqg.accounts.models import Assignment, User
from mtqg.core.api.errors import exception_handler
from mtqg.core.models import ChangeRecord
from mtqg.core.versioning import StaleEdit
from mtqg.finance.services import work_set_status
from mtqg.finance.tests.factories import commune_of, make_work
from mtqg.ntm.loader import load_all
from mtqg.ntm.models import Threshold
from mtqg.ocop.services import product_update
from mtqg.ocop.tests.factories import make_product
from mtqg.poverty.erasure import household_erase
from mtqg.poverty.models import Household, Review
from mtqg.poverty.services import household_update
from mtqg.poverty.tests.factories import make_household
from mtqg.supervision.forms import MissionForm
from mtqg.supervision.models import Mission, Recommendation
from mtqg.supervision.tests.factories import make_mission, make_recommendation
from mtqg.testing import PASSWORD, World, make_user, make_world


class LostUpdateTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.second = make_user("db_officer_2", Assignment.Role.PROVINCE, cls.world.dien_bien)

    def as_user(self, user: Any) -> Any:
        client = self.client_class()
        client.force_login(user)
        return client

    def test_household_edit_form(self) -> None:
        h = make_household(self.world.muong_phang, "11-VER-1", "Lò Văn A", address="Bản 1")
        url = f"/poverty/ho/{h.pk}/sua/"
        a, b = self.as_user(self.world.dien_bien_officer), self.as_user(self.second)
        form = {
            "head_name": "Lò Văn A",
            "address": "Bản 1",
            "village_name": "",
            "ethnicity": "Thái",
            "area": "rural",
        }
        self.assertContains(a.get(url), 'name="version" value="1"')
        self.assertContains(b.get(url), 'name="version" value="1"')
        self.assertEqual(a.post(url, {**form, "address": "Bản 2", "version": 1}).status_code, 302)
        stale = b.post(url, {**form, "head_name": "Lò Văn Bình", "version": 1})
        self.assertEqual(stale.status_code, 200)
        self.assertContains(stale, "db_officer")
        self.assertContains(stale, "địa chỉ: Bản 1 → Bản 2")
        self.assertContains(stale, 'name="version" value="2"')  # may now save on purpose
        h = Household.objects.get(pk=h.pk)
        self.assertEqual((h.head_name, h.address, h.version), ("Lò Văn A", "Bản 2", 2))
        self.assertEqual(
            b.post(url, {**form, "address": "Bản 2", "head_name": "Lò Văn Bình", "version": 2}).status_code,
            302,
        )
        h.refresh_from_db()
        self.assertEqual((h.head_name, h.address, h.version), ("Lò Văn Bình", "Bản 2", 3))
        self.assertEqual(ChangeRecord.objects.filter(object_id=str(h.pk), action="updated").count(), 2)

    def test_household_form_opened_before_an_erasure_cannot_restore_the_data(self) -> None:
        h = make_household(self.world.muong_phang, "11-VER-9", "Lò Văn Xóa", address="Bản 9")
        url = f"/poverty/ho/{h.pk}/sua/"
        b = self.as_user(self.second)
        self.assertContains(b.get(url), 'name="version" value="1"')
        household_erase(
            actor=self.world.dien_bien_officer, household=h, reason="Yêu cầu của chủ thể", commit=True
        )
        form = {"head_name": "Lò Văn Xóa", "address": "Bản 9", "village_name": "", "ethnicity": "Thái"}
        stale = b.post(url, {**form, "area": "urban", "version": 1})
        self.assertContains(stale, "Không lưu")
        h = Household.objects.get(pk=h.pk)
        self.assertNotEqual(h.head_name, "Lò Văn Xóa")
        self.assertEqual((h.address, h.area, h.version), ("", "rural", 2))

    def test_review_edit_form(self) -> None:
        h = make_household(self.world.muong_phang, "11-VER-2", "Lò Văn B", income=1_000_000)
        review = Review.objects.get(household=h)
        url = f"/poverty/ho/{h.pk}/ra-soat/{review.pk}/"
        form = {"income_per_capita_month": "1000000", "approval_decision": "", "reason": "Sửa", "version": 1}
        a, b = self.as_user(self.world.dien_bien_officer), self.as_user(self.second)
        self.assertEqual(a.post(url, {**form, "income_per_capita_month": "1200000"}).status_code, 302)
        stale = b.post(url, {**form, "policy_credit": "on"})
        self.assertContains(stale, "1000000 → 1200000")
        review.refresh_from_db()
        self.assertEqual(
            (review.income_per_capita_month, review.policy_credit, review.version), (1_200_000, False, 2)
        )

    def test_mission_edit_form(self) -> None:
        mission = make_mission(self.world.dien_bien_old, title="Đoàn giám sát")
        initial = MissionForm.initial_for(mission)
        form = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in initial.items() if v is not None}
        url = f"/supervision/missions/{mission.pk}/edit/"
        a, b = self.as_user(self.world.dien_bien_officer), self.as_user(self.second)
        self.assertEqual(a.post(url, {**form, "leader": "Ông Hùng"}).status_code, 302)
        stale = b.post(url, {**form, "title": "Đoàn khác"})
        self.assertEqual(stale.status_code, 400)
        self.assertContains(stale, "Trưởng đoàn → Ông Hùng", status_code=400)
        mission = Mission.objects.get(pk=mission.pk)
        self.assertEqual((mission.title, mission.leader, mission.version), ("Đoàn giám sát", "Ông Hùng", 2))

    def test_recommendation_page(self) -> None:
        mission = make_mission(self.world.dien_bien_old)
        rec = make_recommendation(mission, issued_by=self.world.dien_bien_officer)
        url = f"/supervision/recommendations/{rec.pk}/"
        a, b = self.as_user(self.world.dien_bien_officer), self.as_user(self.second)
        self.assertContains(a.get(url), 'name="version" value="1"')
        moved = b.post(
            url,
            {
                "reported_on": "2020-12-01",
                "content": "Không đủ vốn",
                "new_status": "not_done",
                "reason": "Hết vốn",
                "version": 1,
            },
        )
        self.assertEqual(moved.status_code, 302)
        stale = a.post(url, {"action": "close", "reason": "Đã xong", "version": 1})
        self.assertContains(stale, "Hết vốn", status_code=400)
        rec = Recommendation.objects.get(pk=rec.pk)
        self.assertEqual((rec.status, rec.version), ("not_done", 2))

    def test_work_status(self) -> None:
        work = make_work(commune_of(self.world.dien_bien_old))
        work_set_status(actor=self.world.dien_bien_officer, work=work, status="completed", expected_version=1)
        with self.assertRaises(StaleEdit) as caught:
            work_set_status(actor=self.second, work=work, status="suspended", expected_version=1)
        self.assertIn("completed", caught.exception.messages[0])
        work.refresh_from_db()
        self.assertEqual((work.status, work.version), ("completed", 2))

    def test_ocop_product(self) -> None:
        product = make_product(self.world.muong_phang)
        product_update(
            actor=self.world.dien_bien_officer,
            product=product,
            expected_version=1,
            description="Chè shan tuyết",
        )
        with self.assertRaises(ValidationError) as caught:
            product_update(actor=self.second, product=product, expected_version=1, is_published=False)
        self.assertEqual(caught.exception.code, "stale")
        self.assertIn("Chè shan tuyết", caught.exception.messages[0])
        product.refresh_from_db()
        self.assertEqual(
            (product.description, product.is_published, product.version), ("Chè shan tuyết", True, 2)
        )

    def test_ntm_threshold_in_the_admin(self) -> None:
        load_all()
        threshold = Threshold.objects.filter(value__isnull=False).order_by("pk").first()
        assert threshold is not None
        url = f"/admin/ntm/threshold/{threshold.pk}/change/"
        admins = [
            User.objects.create_superuser(username=f"qt{i}", password=PASSWORD, full_name=f"Quản trị {i}")
            for i in (1, 2)
        ]
        a, b = self.as_user(admins[0]), self.as_user(admins[1])
        page = a.get(url)
        self.assertContains(page, 'name="version"')
        form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
        form = {k: (str(v) if not isinstance(v, bool) else ("on" if v else "")) for k, v in form.items()}
        form["indicator"] = str(threshold.indicator_id)
        old = threshold.value
        self.assertEqual(a.post(url, {**form, "value": str(old + 1), "version": "1"}).status_code, 302)
        stale = b.post(url, {**form, "value": str(old + 5), "version": "1"})
        self.assertEqual(stale.status_code, 200)
        self.assertContains(stale, "Không lưu")
        self.assertContains(stale, "Quản trị 1")
        threshold.refresh_from_db()
        self.assertEqual((threshold.value, threshold.version), (old + 1, 2))
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(threshold.pk), action="updated").exists())

    def test_api_shows_the_version_and_answers_a_stale_write_with_409(self) -> None:
        h = make_household(self.world.muong_phang, "11-VER-3", "Lò Văn C")
        data = self.as_user(self.world.dien_bien_officer).get(f"/api/v1/poverty/households/{h.pk}/").json()
        self.assertEqual(data["version"], 1)
        household_update(actor=self.world.dien_bien_officer, household=h, expected_version=1, address="Bản 3")
        try:
            household_update(actor=self.second, household=h, expected_version=1, address="Bản 4")
        except StaleEdit as exc:
            response = exception_handler(exc, {})
        assert response is not None
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.data["error"]["code"], "conflict")
        self.assertEqual(response.data["error"]["fields"]["current_version"], ["2"])
