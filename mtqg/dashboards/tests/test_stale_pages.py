"""Decision 0835: a commune save invalidates that commune's pages only; the province's and the country's pages are
served from their last computation within a bounded staleness, their as-of shown; a page is computed once at a
time however many readers miss it together."""

from __future__ import annotations

import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mtqg.geo.models import UnitVersion
from mtqg.ntm.models import Recognition
from mtqg.testing import make_world

from .. import pagecache
from ..filecache import FileCache
from ..models import PendingRefresh
from ..services import stamps_bump, summaries_rebuild, summaries_refresh
from . import factories

FACT_READS = ("dashboards_summaryfact", "dashboards_rollup")
BIG_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
}


@override_settings(CACHES=BIG_CACHE, DASHBOARDS_STALE_SECONDS=60)
class CommuneSaveTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.communes = factories.ntm_rows(cls.world.dien_bien_old)
        summaries_rebuild(unit=cls.world.dien_bien)
        stamps_bump([""])

    def setUp(self) -> None:
        cache.clear()
        self.client.force_login(self.world.central)

    def _get(self, url: str, **headers: Any) -> tuple[Any, bool]:
        """(response, whether the facts were read: a cache miss)."""
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, **headers)
        self.assertEqual(response.status_code, 200, url)
        return response, any(t in q["sql"] for q in queries.captured_queries for t in FACT_READS)

    def _save(self, commune: Any) -> None:
        """A data-entry save in the commune: a row-level mark and its refresh (receivers.mark_stale, _refresh)."""
        PendingRefresh.objects.create(unit_path=commune.path, subtree=False)
        summaries_refresh(commune.path)

    def test_a_commune_save_invalidates_that_commune_and_marks_its_ancestors_stale(self) -> None:
        saved, other = (f"/dashboards/{c.pk}/?year=2020" for c in self.communes[:2])
        province = f"/dashboards/{self.world.dien_bien.pk}/?year=2020"
        country = f"/dashboards/{self.world.country.pk}/?year=2020"
        for url in (saved, other, province, country):
            self.assertTrue(self._get(url)[1], url)  # cold
            self.assertFalse(self._get(url)[1], url)  # cached
        self._save(self.communes[0])
        # another commune of the same province: still a hit (its stamp did not move)
        response, missed = self._get(other)
        self.assertFalse(missed)
        self.assertIsNone(response.context["stale"])
        # the saved commune: recomputed at once, never stale
        response, missed = self._get(saved)
        self.assertTrue(missed)
        self.assertIsNone(response.context["stale"])
        # its province and the country: the previous page, marked stale with its as-of
        for url in (province, country):
            response, missed = self._get(url)
            self.assertFalse(missed, url)
            self.assertIsNotNone(response.context["stale"], url)
            self.assertContains(response, 'id="stale"')

    def test_a_stale_page_shows_its_as_of_in_both_languages(self) -> None:
        url = f"/dashboards/{self.world.dien_bien.pk}/?year=2020"
        self._get(url)
        self._save(self.communes[0])
        response, _missed = self._get(url)
        stale = response.context["stale"]
        as_of = timezone.localtime(stale.as_of).strftime("%H:%M %d/%m/%Y")
        self.assertContains(response, f"Số liệu lúc {as_of}.")
        self.assertContains(response, "trong vòng 60 giây")
        english, _missed = self._get(url, HTTP_ACCEPT_LANGUAGE="en")
        if english.context["stale"] is not None:  # the English page has its own key: cold, then stale
            self.fail("a page never computed in English cannot be stale")
        self._save(self.communes[1])
        english, _missed = self._get(url, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(english, "Figures as of ")
        self.assertContains(english, "within 60 seconds")

    def test_past_the_bound_the_page_is_recomputed(self) -> None:
        url = f"/dashboards/{self.world.dien_bien.pk}/?year=2020"
        self._get(url)
        self._save(self.communes[0])
        with self.settings(DASHBOARDS_STALE_SECONDS=0):
            response, missed = self._get(url)
        self.assertTrue(missed)
        self.assertIsNone(response.context["stale"])
        response, missed = self._get(url)  # and that computation is current for the next reader
        self.assertFalse(missed)
        self.assertIsNone(response.context["stale"])

    def _report(self, unit: Any) -> Any:
        """get() -> (JSON, response, whether the report was computed) for the unit's ntm-summary."""
        url = f"/api/v1/reports/ntm-summary/?unit={unit.code}&as_of=2020-12-31"

        def get() -> tuple[Any, Any, bool]:
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            return (
                response.json(),
                response,
                any("ntm_recognition" in q["sql"] for q in queries.captured_queries),
            )

        return get

    def test_the_ntm_summary_api_is_cached_per_scope_and_exact_while_nothing_changed(self) -> None:
        get = self._report(self.world.dien_bien)
        first, response, computed = get()
        self.assertTrue(computed)
        self.assertIs(first["stale"], False)
        as_of = datetime.fromisoformat(first["figures_as_of"])
        self.assertEqual(as_of.utcoffset(), timedelta(hours=7))  # local time, with its offset
        self.assertLess(abs((timezone.now() - as_of).total_seconds()), 5)
        self.assertIn(int(response["Age"]), (0, 1))
        again, _response, computed = get()
        self.assertFalse(computed)
        self.assertEqual(again, first)
        # another scope has its own entry: the province officer's request computes it
        self.client.force_login(self.world.dien_bien_officer)
        _mine, _response, computed = get()
        self.assertTrue(computed)

    def test_after_a_save_the_api_answers_from_the_previous_figures_within_the_bound_then_exact(self) -> None:
        get = self._report(self.world.dien_bien)
        first, _response, _computed = get()
        Recognition.objects.filter(commune=self.communes[0]).delete()
        self._save(self.communes[0])
        # within the bound: the previous figures, no computation, saying so and from when
        stale, response, computed = get()
        self.assertFalse(computed)
        self.assertEqual(stale["recognised"], first["recognised"])
        self.assertIs(stale["stale"], True)
        self.assertEqual(stale["figures_as_of"], first["figures_as_of"])
        self.assertLessEqual(int(response["Age"]), 60)
        # past the bound: never older than it — computed again, exact
        later = time.time() + 61
        with mock.patch.object(pagecache.time, "time", return_value=later):
            exact, response, computed = get()
        self.assertTrue(computed)
        self.assertIs(exact["stale"], False)
        self.assertEqual(exact["recognised"], first["recognised"] - 1)
        self.assertGreaterEqual(exact["figures_as_of"], first["figures_as_of"])
        self.assertIn(int(response["Age"]), (0, 1))

    def test_a_communes_report_is_exact_at_once_after_its_own_save_and_kept_after_anothers(self) -> None:
        get = self._report(self.communes[0])
        first, _response, computed = get()
        self.assertTrue(computed)
        self._save(self.communes[1])  # another commune: this one's stamp did not move
        kept, _response, computed = get()
        self.assertFalse(computed)
        self.assertEqual(kept, first)
        Recognition.objects.filter(commune=self.communes[0]).delete()
        self._save(self.communes[0])
        exact, _response, computed = get()
        self.assertTrue(computed)
        self.assertIs(exact["stale"], False)
        self.assertEqual(exact["recognised"], first["recognised"] - 1)


class PageCacheTest(SimpleTestCase):
    """`pagecache.get_or_compute` on the local-memory cache (atomic add) and on the file cache (exclusive lock
    file): the production profile's shared cache (0716)."""

    def _caches(self) -> list[dict[str, Any]]:
        folder = tempfile.mkdtemp(prefix="mtqg-pagecache-")
        return [
            BIG_CACHE,
            {
                **BIG_CACHE,
                "dashboards": {
                    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                    "LOCATION": folder,
                },
            },
        ]

    @staticmethod
    def _race(readers: int) -> tuple[int, list[Any]]:
        """`readers` threads miss the same page at once; (computations, what each got)."""
        calls: list[int] = []
        results: list[Any] = []

        def compute() -> str:
            calls.append(1)
            time.sleep(0.3)
            return "page"

        def read() -> None:
            results.append(pagecache.get_or_compute("k", 1, timezone.now(), compute, timeout=60))

        threads = [threading.Thread(target=read) for _ in range(readers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return len(calls), results

    def test_concurrent_misses_compute_once(self) -> None:
        for caches in self._caches():
            with self.subTest(caches=list(caches)), override_settings(CACHES=caches):
                calls, results = self._race(8)
                self.assertEqual(calls, 1)
                self.assertEqual(results, [("page", None)] * 8)

    def test_report_figures_are_computed_once_for_concurrent_readers(self) -> None:
        province = UnitVersion(level=UnitVersion.Level.PROVINCE, code="11", path="01/11/")
        province._stamp = (timezone.now(), 1)  # type: ignore[attr-defined]  (selectors.stamp's per-object memo)
        calls: list[int] = []

        def compute() -> dict[str, int]:
            calls.append(1)
            time.sleep(0.3)
            return {"recognised": 7}

        results: list[Any] = []
        for caches in self._caches():
            calls.clear()
            results.clear()
            with self.subTest(caches=list(caches)), override_settings(CACHES=caches):
                threads = [
                    threading.Thread(
                        target=lambda: results.append(pagecache.figures_serve(province, "r", compute))
                    )
                    for _ in range(8)
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(len(calls), 1)
                self.assertEqual(
                    {(r[0]["recognised"], r[1], r[2]) for r in results}, {(7, results[0][1], False)}
                )

    def test_stale_within_the_bound_then_one_recomputation(self) -> None:
        for caches in self._caches():
            with (
                self.subTest(caches=list(caches)),
                override_settings(CACHES=caches, DASHBOARDS_STALE_SECONDS=60),
            ):
                now = timezone.now()
                pagecache.get_or_compute("s", 1, now, lambda: "old", timeout=60)
                # version 2 exists, the stored page was read just now: served, marked, nothing computed
                value, stale = pagecache.get_or_compute(
                    "s", 2, now, lambda: self.fail("computed"), timeout=60
                )
                self.assertEqual(value, "old")
                assert stale is not None
                self.assertEqual((stale.latest, stale.bound), (now, 60))
                # read 40 s ago (past half the bound): this reader recomputes; one holding the lock gets it stale
                entry = pagecache.selectors.panel_cache().get("s")
                entry["read_at"] -= 40
                pagecache.selectors.panel_cache().set("s", entry, 60)
                self.assertTrue(pagecache.lock_acquire("s"))
                value, stale = pagecache.get_or_compute(
                    "s", 2, now, lambda: self.fail("computed"), timeout=60
                )
                self.assertEqual(value, "old")
                self.assertIsNotNone(stale)
                pagecache.lock_release("s")
                self.assertEqual(
                    pagecache.get_or_compute("s", 2, now, lambda: "new", timeout=60), ("new", None)
                )
                # past the bound: never served stale
                entry = pagecache.selectors.panel_cache().get("s")
                entry["read_at"] -= 61
                pagecache.selectors.panel_cache().set("s", entry, 60)
                self.assertEqual(
                    pagecache.get_or_compute("s", 3, now, lambda: "newer", timeout=60), ("newer", None)
                )


class FileCacheTest(SimpleTestCase):
    def test_the_directory_is_listed_once_per_cull_period_and_stays_bounded(self) -> None:
        folder = tempfile.mkdtemp(prefix="mtqg-filecache-")
        store = FileCache(folder, {"OPTIONS": {"MAX_ENTRIES": 20, "CULL_EVERY": 10}})
        with mock.patch.object(store, "_list_cache_files", wraps=store._list_cache_files) as listing:
            for i in range(100):
                store.set(f"k{i}", i)
        self.assertEqual(listing.call_count, 10)  # Django's FileBasedCache: 100, one per write
        self.assertLessEqual(len(list(Path(folder).glob("*.djcache"))), 20 + 10)
        self.assertEqual(store.get("k99"), 99)
