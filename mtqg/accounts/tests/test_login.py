"""Login with lockout, logout, password change, password validators."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase, override_settings

from mtqg.accounts.models import LoginFailure, User
from mtqg.accounts.services import assignment_create, user_create
from mtqg.core.models import ChangeRecord
from mtqg.testing import PASSWORD, make_world


@override_settings(LOGIN_LOCKOUT_ATTEMPTS=3)
class LoginTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_login_page_is_vietnamese_and_login_works(self) -> None:
        response = self.client.get("/accounts/login/")
        self.assertContains(response, "Đăng nhập hệ thống")
        response = self.client.post("/accounts/login/", {"username": "db_officer", "password": PASSWORD})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        home = self.client.get("/")
        self.assertContains(home, "Tỉnh Điện Biên")

    def test_wrong_password_message_and_lockout(self) -> None:
        for _ in range(3):
            response = self.client.post(
                "/accounts/login/", {"username": "db_officer", "password": "sai-mat-khau"}
            )
            self.assertContains(response, "Tên đăng nhập hoặc mật khẩu không đúng")
        self.assertEqual(LoginFailure.objects.filter(username="db_officer").count(), 3)
        response = self.client.post("/accounts/login/", {"username": "db_officer", "password": PASSWORD})
        self.assertContains(response, "tạm bị khóa")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_success_clears_failures_and_logout(self) -> None:
        self.client.post("/accounts/login/", {"username": "db_officer", "password": "x"})
        self.client.post("/accounts/login/", {"username": "db_officer", "password": PASSWORD})
        self.assertFalse(LoginFailure.objects.filter(username="db_officer").exists())
        self.client.post("/accounts/logout/")
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_password_change(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "Cao-Bang-2026-moi",
                "new_password2": "Cao-Bang-2026-moi",
            },
        )
        self.assertRedirects(response, "/accounts/password/done/")
        self.world.cao_bang_officer.refresh_from_db()
        self.assertTrue(self.world.cao_bang_officer.check_password("Cao-Bang-2026-moi"))


class AccountServicesTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_user_and_assignment_creation_is_validated_and_audited(self) -> None:
        with self.assertRaises(ValidationError):
            user_create(actor=None, username="weak", password="123")
        user = user_create(
            actor=None, username="newbie", password="Mot-mat-khau-dai-2026", full_name="Cán bộ mới"
        )
        self.assertTrue(ChangeRecord.objects.filter(object_id=str(user.pk), action="created").exists())
        with self.assertRaisesMessage(ValidationError, "không thể gán"):
            assignment_create(actor=None, user=user, role="commune", unit=self.world.dien_bien)
        assignment = assignment_create(
            actor=None, user=user, role="supervisor", unit=self.world.dien_bien, access="entry"
        )
        self.assertEqual(assignment.access, "view", "supervisors are read-only")

        with self.assertRaises(PermissionDenied):
            user_create(actor=self.world.dien_bien_officer, username="x2", password="Mot-mat-khau-dai-2026")


class AdminLoginLockoutTest(TestCase):
    """Issue #20 part 2: /admin/login/ is the app's login, with its lockout and per-address limit (0906)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = User.objects.create_superuser(username="admin", password=PASSWORD, full_name="Quản trị")

    def test_forty_wrong_passwords_then_the_right_one_is_refused_and_recorded(self) -> None:
        for _ in range(40):
            response = self.client.post(
                "/admin/login/?next=/admin/", {"username": "admin", "password": "sai"}
            )
            self.assertEqual(response.status_code, 200)

        # recorded until the username locks (later attempts are refused before the password is checked)
        self.assertEqual(
            LoginFailure.objects.filter(username="admin").count(), settings.LOGIN_LOCKOUT_ATTEMPTS
        )
        response = self.client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
        self.assertContains(response, "tạm bị khóa")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_admin_signs_in_there_and_lands_on_the_admin(self) -> None:
        response = self.client.get("/admin/")
        self.assertRedirects(response, "/admin/login/?next=/admin/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/admin/login/?next=/admin/"), "Đăng nhập hệ thống")
        response = self.client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_signed_in_officer_without_staff_rights_gets_403_not_a_loop(self) -> None:
        world = make_world()
        self.client.force_login(world.central)
        self.assertEqual(self.client.get("/admin/login/?next=/admin/").status_code, 403)
