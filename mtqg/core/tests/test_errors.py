"""Error pages: 400/403/404/500 in the site's layout with a way back, Vietnamese or English,
in production (DEBUG off) and in the demo (DEBUG on); Django's debug pages only with DEBUG_ERROR_PAGES."""

from __future__ import annotations

from django.test import Client, TestCase, override_settings

from mtqg.testing import make_world

PAGES = {
    400: ("/test-errors/400/", "Yêu cầu không hợp lệ", "Bad request"),
    403: ("/test-errors/403/", "Không có quyền truy cập", "Access denied"),
    404: ("/khong-co-trang-nay/", "Không tìm thấy trang", "Page not found"),
    500: ("/test-errors/500/", "Lỗi hệ thống", "System error"),
}


@override_settings(ROOT_URLCONF="mtqg.core.tests.error_urls")
class ErrorPagesTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def setUp(self) -> None:
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.world.commune_officer)

    def _check(self, status: int, *, english: bool = False) -> None:
        url, vi_title, en_title = PAGES[status]
        headers = {"HTTP_ACCEPT_LANGUAGE": "en"} if english else {}
        if english:
            self.client.cookies["django_language"] = "en"
        response = self.client.get(url, HTTP_REFERER="http://testserver/ntm/", **headers)
        self.assertEqual(response.status_code, status)
        body = response.content.decode()
        self.assertIn('id="error-page"', body)
        self.assertIn(en_title if english else vi_title, body)
        self.assertIn('class="navbar', body)  # the site's layout, signed in
        self.assertIn('href="/"', body)  # a way back: home
        self.assertIn('href="http://testserver/ntm/"', body)  # and the page the user came from
        self.assertNotIn("DEBUG = True", body)
        self.assertNotIn("Traceback", body)

    def test_each_status_in_production(self) -> None:
        for status in PAGES:
            with self.subTest(status=status):
                self._check(status)

    def test_each_status_in_english(self) -> None:
        for status in PAGES:
            with self.subTest(status=status):
                self._check(status, english=True)

    @override_settings(DEBUG=True)
    def test_the_demo_shows_the_same_pages(self) -> None:
        for status in PAGES:
            with self.subTest(status=status):
                self._check(status)

    @override_settings(DEBUG=True)
    def test_an_out_of_scope_page_in_the_demo(self) -> None:
        # a commune officer opening the province's dashboard: the site's 404, not Django's URL map
        response = self.client.get(f"/dashboards/{self.world.dien_bien.pk}/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Không tìm thấy trang", status_code=404)
        self.assertNotContains(response, "URLconf", status_code=404)

    @override_settings(DEBUG=True, DEBUG_ERROR_PAGES=True)
    def test_developers_opt_into_debug_pages(self) -> None:
        response = self.client.get(PAGES[404][0])
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "DEBUG = True", status_code=404)
        response = self.client.get(PAGES[500][0])
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "test failure", status_code=500)
