"""Warming the page cache after a refresh (decision 0820): warmed pages are the pages a cold request computes,
per scope, and an edit still changes the page."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mtqg.core.audit import record_change
from mtqg.core.models import Job
from mtqg.geo.models import UnitVersion
from mtqg.ntm.models import Recognition, RecognitionTier
from mtqg.testing import make_world

from .. import selectors
from ..models import PendingRefresh
from ..services import stamps_bump, summaries_rebuild, summaries_refresh
from ..warming import pages_warm, scope_users, variants, warm_units
from . import factories

FACT_READS = ("dashboards_summaryfact", "dashboards_rollup")
# room for every warmed entry (the test default of 300 culls them; production: the shared file cache, 0716)
BIG_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
}


@override_settings(CACHES=BIG_CACHE)
class WarmingTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.communes = factories.ntm_rows(cls.world.dien_bien_old)
        factories.poverty_rows(cls.world.dien_bien_old)
        summaries_rebuild(unit=cls.world.dien_bien)
        stamps_bump([""])

    def setUp(self) -> None:
        cache.clear()
        # a pre-2025 commune in today's Mường Phăng's lineage: its refresh moves Mường Phăng's stamp (0835)
        self.merged = selectors.unit_prefixes(self.world.muong_phang)[1]

    def _get(self, user: Any, url: str) -> tuple[Any, bool]:
        """(response, whether the facts were read: a cache miss)."""
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response, any(t in q["sql"] for q in queries.captured_queries for t in FACT_READS)

    @staticmethod
    def _page(response: Any) -> tuple[Any, ...]:
        """What the page cache holds: content, breadcrumb, charts, map points."""
        ctx = response.context
        return (str(ctx["content"]), ctx["ancestors"], ctx["charts"], ctx["points"])

    def _urls(self) -> list[str]:
        year = timezone.localdate().year
        db = self.world.dien_bien.pk
        return [
            f"/dashboards/{db}/",
            f"/dashboards/{db}/?program=poverty&year={year}",
            f"/dashboards/{db}/?year={year}&program=ntm",  # other order, same key: same page
            f"/dashboards/{self.world.muong_phang.pk}/",
        ]

    def test_warmed_pages_are_hits_and_equal_cold_pages(self) -> None:
        done = pages_warm(self.merged)
        self.assertGreater(done["pages"], 0)
        warmed = {}
        for url in self._urls():
            response, missed = self._get(self.world.dien_bien_officer, url)
            self.assertFalse(missed, f"{url} was not warmed")
            warmed[url] = self._page(response)
        for url in self._urls():
            cache.clear()
            response, missed = self._get(self.world.dien_bien_officer, url)
            self.assertTrue(missed)
            self.assertEqual(self._page(response), warmed[url], url)

    def test_each_scope_gets_its_own_pages_and_no_other(self) -> None:
        pages_warm(self.merged)
        commune_url = f"/dashboards/{self.world.muong_phang.pk}/"
        response, missed = self._get(self.world.commune_officer, commune_url)  # its own scope was warmed
        self.assertFalse(missed)
        warmed = self._page(response)
        cache.clear()
        cold, _missed = self._get(self.world.commune_officer, commune_url)
        self.assertEqual(self._page(cold), warmed)
        # a user of another province: Điện Biên's pages stay closed, its own province was not warmed
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(f"/dashboards/{self.world.dien_bien.pk}/").status_code, 404)
        _response, missed = self._get(self.world.cao_bang_officer, f"/dashboards/{self.world.cao_bang.pk}/")
        self.assertTrue(missed)
        # a province officer's warmed pages are not the commune officer's: their scopes differ
        users = {u.pk for u in scope_users()}
        self.assertTrue({self.world.dien_bien_officer.pk, self.world.commune_officer.pk} <= users)

    def test_units_and_variants(self) -> None:
        units = warm_units(self.merged)  # a pre-2025 commune: today's Điện Biên reads its stamp
        pks = {u.pk for u in units}
        self.assertTrue({self.world.country.pk, self.world.dien_bien.pk, self.world.muong_phang.pk} <= pks)
        self.assertNotIn(self.world.cao_bang.pk, pks)
        # a commune outside Mường Phăng's lineage: its page's stamp did not move, it is not rendered again
        self.assertNotIn(self.world.muong_phang.pk, {u.pk for u in warm_units(self.communes[0].path)})
        year = timezone.localdate().year
        self.assertEqual(variants(self.world.muong_phang, year), [{}])
        self.assertIn({"program": "poverty", "year": str(year)}, variants(self.world.dien_bien, year))
        # what readers open first (0835): not every program of the last five years
        self.assertNotIn({"program": "poverty", "year": str(year - 3)}, variants(self.world.dien_bien, year))
        # a commune's refresh warms the communes that read it, not every commune of the province
        others = UnitVersion.objects.filter(
            level=UnitVersion.Level.COMMUNE, path__startswith=self.world.dien_bien.path
        )
        self.assertLess(sum(1 for u in units if u.level == UnitVersion.Level.COMMUNE), others.count())

    def test_an_edit_changes_the_warmed_page(self) -> None:
        pages_warm(self.communes[0].path)
        url = f"/dashboards/{self.world.dien_bien.pk}/?program=ntm&year=2020"
        before, _missed = self._get(self.world.dien_bien_officer, url)
        recognition = Recognition.objects.filter(commune=self.communes[0]).first()
        assert recognition is not None
        recognition.delete()
        PendingRefresh.objects.create(unit_path=self.communes[0].path, subtree=False)
        summaries_refresh(self.communes[0].path)
        stale, missed = self._get(self.world.dien_bien_officer, url)  # the province's page within the bound
        self.assertFalse(missed)
        self.assertEqual(self._page(stale), self._page(before))
        self.assertIsNotNone(stale.context["stale"])
        with self.settings(DASHBOARDS_STALE_SECONDS=0):
            after, missed = self._get(self.world.dien_bien_officer, url)
        self.assertTrue(missed)
        self.assertIsNone(after.context["stale"])
        self.assertNotEqual(self._page(after), self._page(before))

    @override_settings(DASHBOARDS_WARM=True)
    def test_a_committed_change_warms_the_pages_in_a_job(self) -> None:
        recognition = Recognition.objects.filter(commune=self.communes[1]).first()
        assert recognition is not None
        url = f"/dashboards/{self.world.dien_bien.pk}/?program=ntm&year={timezone.localdate().year}"
        before, _missed = self._get(self.world.dien_bien_officer, url)
        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            recognition.tier = (
                RecognitionTier.ADVANCED
                if recognition.tier != RecognitionTier.ADVANCED
                else RecognitionTier.STANDARD
            )
            recognition.save()
            record_change(
                actor=self.world.dien_bien_officer,
                obj=recognition,
                action="updated",
                changes={"tier": [None, recognition.tier]},
                unit_path=self.communes[1].path,
            )
        job = Job.objects.get(kind="dashboards.warm")
        self.assertEqual(job.status, Job.Status.SUCCEEDED, job.message)
        after, missed = self._get(self.world.dien_bien_officer, url)
        self.assertFalse(missed)  # warmed by the job
        self.assertIsNone(after.context["stale"])  # recomputed by the job, not the previous page
        self.assertNotEqual(self._page(after), self._page(before))
        cache.clear()
        cold, _missed = self._get(self.world.dien_bien_officer, url)
        self.assertEqual(self._page(cold), self._page(after))

    @override_settings(DASHBOARDS_WARM_INTERVAL=30)
    def test_a_second_warming_within_the_interval_renders_nothing_and_one_after_it_renders_again(
        self,
    ) -> None:
        """A unit's pages are warmed at most once per `DASHBOARDS_WARM_INTERVAL` (decision 0856)."""
        path = self.communes[0].path
        first = pages_warm(path)["pages"]
        self.assertGreater(first, 0)
        self.assertEqual(pages_warm(path)["pages"], 0)  # the same units, within the interval
        with self.settings(DASHBOARDS_WARM_INTERVAL=0):
            self.assertEqual(pages_warm(path)["pages"], first)
        cache.clear()  # the marks expire (here: the cache emptied, as after the interval's timeout)
        self.assertEqual(pages_warm(path)["pages"], first)
