"""The checks every scoped read endpoint must pass, written once. An app's read-API test declares its endpoints and
one row in and one row out of the signed-in user's scope per endpoint; the mixin walks them:

    class FinanceReadApiTest(ScopedReadApiMixin, TestCase):
        endpoints = {"/api/v1/finance/allocations/": "alloc", ...}   # list URL → key of the row pair

        @classmethod
        def setUpTestData(cls) -> None:
            cls.world = make_world()
            cls.own = {"alloc": ...}      # rows the Điện Biên officer sees
            cls.other = {"alloc": ...}    # the same kind of row in Cao Bằng

The app's own tests then check only what is its own: fields, filters, masking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from mtqg.core.scoping import view_prefixes
from mtqg.testing import World

LIST_QUERIES = 5  # session, user, scope (one query, decision 0821), count, page: whatever the number of rows


if TYPE_CHECKING:
    _Base = TestCase
else:
    _Base = object  # a mixin: its tests run only in the TestCase that declares the endpoints


class ScopedReadApiMixin(_Base):
    endpoints: ClassVar[dict[str, str]] = {}
    list_queries: ClassVar[dict[str, int]] = {}  # an endpoint whose list needs more (a prefetch) says so here
    world: World
    own: ClassVar[dict[str, Any]]
    other: ClassVar[dict[str, Any]]

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.world.dien_bien_officer)

    def detail(self, url: str) -> dict[str, Any]:
        """The in-scope row of `url` as the API gives it (200 checked)."""
        response = self.client.get(f"{url}{self.own[self.endpoints[url]].pk}/")
        self.assertEqual(response.status_code, 200, url)
        return dict(response.json())

    def test_lists_hold_only_rows_in_scope(self) -> None:
        allowed = view_prefixes(self.world.dien_bien_officer)
        for url, key in self.endpoints.items():
            body = self.client.get(url).json()
            ids = [item["id"] for item in body["results"]]
            self.assertIn(self.own[key].pk, ids, url)
            self.assertNotIn(self.other[key].pk, ids, url)
            for path in [item["path"] for item in body["results"] if "path" in item]:
                self.assertTrue(path.startswith(allowed), f"{url} leaks {path}")

    def test_detail_out_of_scope_is_the_404_of_an_absent_row(self) -> None:
        for url, key in self.endpoints.items():
            self.detail(url)
            other = self.client.get(f"{url}{self.other[key].pk}/")
            absent = self.client.get(f"{url}999999999/")
            for response in (other, absent):
                self.assertEqual(response.status_code, 404, url)
                self.assertEqual(response.json()["error"]["code"], "not_found", url)
            self.assertEqual(other.json(), absent.json(), url)

    def test_anonymous_refused(self) -> None:
        self.client.logout()
        for url, key in self.endpoints.items():
            for target in (url, f"{url}{self.own[key].pk}/"):
                response = self.client.get(target)
                self.assertIn(response.status_code, (401, 403), target)
                self.assertIn("error", response.json(), target)

    def test_lists_are_paginated(self) -> None:
        for url in self.endpoints:
            body = self.client.get(url).json()
            self.assertEqual(set(body), {"count", "next", "previous", "results"}, url)
            self.assertEqual(body["count"], len(body["results"]), url)  # one page of a small world
            beyond = self.client.get(url, {"page": 999})
            self.assertEqual(beyond.status_code, 404, url)
            self.assertEqual(beyond.json()["error"]["code"], "not_found", url)

    def test_list_queries_do_not_grow_with_rows(self) -> None:
        for url in self.endpoints:
            self.client.get(url)  # warm the per-process caches (content types, lineage)
            with CaptureQueriesContext(connection) as queries:
                self.client.get(url)
            expected = self.list_queries.get(url, LIST_QUERIES)
            self.assertEqual(len(queries), expected, url)
