"""The OpenAPI 3 schema validates without a single generator warning and lists every router endpoint."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from drf_spectacular.drainage import GENERATOR_STATS

from mtqg.api.router import router
from mtqg.api.urls import DEPRECATED_REPORT_PATHS
from mtqg.reports.catalog import CATALOG
from mtqg.testing import make_world


class SchemaTest(SimpleTestCase):
    def test_schema_validates_without_warnings_and_lists_every_viewset(self) -> None:
        GENERATOR_STATS.reset()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "schema.json"
            # --fail-on-warn raises on any warning or error of the generator; --validate checks OpenAPI 3
            call_command(
                "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out)
            )
            schema = json.loads(out.read_text(encoding="utf-8"))
        self.assertTrue(schema["openapi"].startswith("3."))
        paths = schema["paths"]
        self.assertGreaterEqual(len(router.registry), 29)
        for prefix, _viewset, _basename in router.registry:
            list_path, detail_path = f"/api/v1/{prefix}/", f"/api/v1/{prefix}/{{id}}/"
            self.assertIn(list_path, paths)
            self.assertIn(detail_path, paths)
            list_op = paths[list_path]["get"]
            names = {p["name"] for p in list_op.get("parameters", [])}
            self.assertIn("page", names, list_path)  # paginated
            self.assertIn("200", list_op["responses"], list_path)
        # filters are documented: the ?unit=<code> filter on a scoped list, year/status where they exist
        params = {p["name"] for p in paths["/api/v1/finance/works/"]["get"]["parameters"]}
        self.assertTrue({"unit", "year", "status"} <= params)
        # recording a payment is documented on the same collection as the disbursement list
        self.assertIn("post", paths["/api/v1/finance/disbursements/"])
        # one report endpoint, its slug one of the catalogue's; the deprecated redirects are not documented
        report = paths["/api/v1/reports/{slug}/"]["get"]
        slug = next(p for p in report["parameters"] if p["name"] == "slug")
        self.assertEqual((slug["in"], slug["schema"]["enum"]), ("path", sorted(CATALOG)))
        self.assertTrue({"unit", "as_of", "year"} <= {p["name"] for p in report["parameters"]})
        for old in DEPRECATED_REPORT_PATHS:
            self.assertNotIn(f"/api/v1/{old}", paths)


class SchemaEndpointsTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_schema_and_docs_are_served_from_the_server(self) -> None:
        self.client.force_login(self.world.cao_bang_officer)
        response = self.client.get("/api/schema/", {"format": "json"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("/api/v1/ntm/assessments/", response.json()["paths"])
        docs = self.client.get("/api/docs/")
        self.assertEqual(docs.status_code, 200)
        body = docs.content.decode()
        self.assertIn("swagger-ui", body)
        self.assertNotIn("cdn.", body)
