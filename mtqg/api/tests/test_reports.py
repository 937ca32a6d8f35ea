"""The one report endpoint /api/v1/reports/<slug>/: the catalogue's function with the user's scope, 404 for an
unknown slug or an out-of-scope unit, and the old per-app paths as 301 redirects that keep the query string."""

from __future__ import annotations

import json
from typing import Any

from django.test import TestCase
from rest_framework.utils.encoders import JSONEncoder

from mtqg.api.urls import DEPRECATED_REPORT_PATHS
from mtqg.reports.api import CACHED_REPORTS
from mtqg.reports.catalog import CATALOG, get_report
from mtqg.reports.params import parse_params
from mtqg.testing import make_world


def as_json(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=JSONEncoder))


class ReportEndpointTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def setUp(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)

    def test_serves_the_catalogue_function_with_the_user(self) -> None:
        for slug, query in (
            ("ntm-summary", {"unit": "11", "as_of": "2020-12-31"}),
            ("poverty-by-province", {"unit": "11", "year": "2023"}),
            ("workflow-completeness", {"unit": "11", "year": "2026"}),
        ):
            response = self.client.get(f"/api/v1/reports/{slug}/", query)
            self.assertEqual(response.status_code, 200, slug)
            expected = get_report(slug)(self.world.dien_bien_officer, parse_params(query))
            served = response.json()
            if slug in CACHED_REPORTS:  # the figures' as-of (decision 0850), then the same JSON
                self.assertIs(served.pop("stale"), False)
                self.assertIn("T", served.pop("figures_as_of"))
            self.assertEqual(served, as_json(expected), slug)

    def test_unknown_slug_is_404_in_the_error_format(self) -> None:
        response = self.client.get("/api/v1/reports/khong-co/", {"unit": "11"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            response.json(),
            {"error": {"code": "not_found", "message": "Không có báo cáo này.", "fields": {}}},
        )

    def test_out_of_scope_unit_and_bad_parameters(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        refused = self.client.get("/api/v1/reports/ntm-summary/", {"unit": "11", "as_of": "2020-12-31"})
        self.assertEqual(refused.status_code, 404)
        self.assertEqual(refused.json()["error"]["code"], "not_found")
        self.assertEqual(
            self.client.get(
                "/api/v1/reports/ntm-summary/", {"unit": "04", "as_of": "2020-12-31"}
            ).status_code,
            200,
        )
        bad = self.client.get("/api/v1/reports/ntm-summary/", {"as_of": "31/12/2020"})
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(set(bad.json()["error"]["fields"]), {"unit", "as_of"})

    def test_anonymous_refused(self) -> None:
        self.client.logout()
        response = self.client.get("/api/v1/reports/ntm-summary/", {"unit": "11"})
        self.assertIn(response.status_code, (401, 403))
        self.assertIn("error", response.json())


class DeprecatedReportPathsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_every_old_path_redirects_to_its_slug_with_the_query_string(self) -> None:
        self.assertEqual(len(DEPRECATED_REPORT_PATHS), 14)
        self.client.force_login(self.world.dien_bien_officer)
        for old, slug in DEPRECATED_REPORT_PATHS.items():
            self.assertIn(slug, CATALOG, old)
            response = self.client.get(f"/api/v1/{old}?unit=11&year=2020&as_of=2020-12-31")
            self.assertEqual(response.status_code, 301, old)
            self.assertEqual(
                response["Location"], f"/api/v1/reports/{slug}/?unit=11&year=2020&as_of=2020-12-31", old
            )
            self.assertEqual(response["Deprecation"], "true")
        bare = self.client.get("/api/v1/ntm/summary/")
        self.assertEqual(bare["Location"], "/api/v1/reports/ntm-summary/")

    def test_following_the_redirect_gives_the_same_answer_and_scope(self) -> None:
        self.client.force_login(self.world.dien_bien_officer)
        query = {"unit": "11", "as_of": "2020-12-31"}
        old = self.client.get("/api/v1/ntm/summary/", query, follow=True)
        self.assertEqual(old.redirect_chain, [("/api/v1/reports/ntm-summary/?unit=11&as_of=2020-12-31", 301)])
        self.assertEqual(old.json(), self.client.get("/api/v1/reports/ntm-summary/", query).json())
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get("/api/v1/ntm/summary/", query, follow=True).status_code, 404)

    def test_anonymous_gets_the_api_refusal_not_a_redirect(self) -> None:
        response = self.client.get("/api/v1/finance/disbursement/", {"unit": "04", "year": "2023"})
        self.assertIn(response.status_code, (401, 403))
        self.assertIn("error", response.json())
