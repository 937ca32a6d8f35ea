"""The Server-Timing header and the portal index cached until a refresh."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext

from mtqg.testing import make_world

from ..middleware import ServerTimingMiddleware
from ..services import stamps_bump, summaries_rebuild
from . import factories


class ServerTimingAndPortalCacheTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        factories.ntm_rows(cls.world.dien_bien_old)
        summaries_rebuild(unit=cls.world.dien_bien)
        stamps_bump([""])

    def setUp(self) -> None:
        cache.clear()

    def test_server_timing_header(self) -> None:
        response = ServerTimingMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
        self.assertRegex(response["Server-Timing"], r"^app;dur=\d+\.\d, cpu;dur=\d+\.\d$")

    def test_portal_index_is_cached_until_a_refresh(self) -> None:
        with CaptureQueriesContext(connection) as first:
            self.assertEqual(self.client.get("/cong-khai/?year=2020").status_code, 200)
        with CaptureQueriesContext(connection) as again:
            self.assertEqual(self.client.get("/cong-khai/?year=2020").status_code, 200)
        self.assertLess(len(again), len(first))
        reads = ("dashboards_summaryfact", "dashboards_rollup")  # the facts, or their roll-ups (0715)
        self.assertFalse(any(t in q["sql"] for q in again.captured_queries for t in reads))
        stamps_bump(
            [self.world.cao_bang.path]
        )  # any refresh in the country: the national table is recomputed
        with CaptureQueriesContext(connection) as after:
            self.client.get("/cong-khai/?year=2020")
        self.assertTrue(any(t in q["sql"] for q in after.captured_queries for t in reads))
