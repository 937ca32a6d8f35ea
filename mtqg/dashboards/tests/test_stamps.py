"""Facts stamps (the cache keys) per province, and the country on today's units against as reported."""

from __future__ import annotations

from django.test import TestCase

from mtqg.geo.models import UnitVersion
from mtqg.testing import make_world

from .. import panels, selectors
from ..models import FactsStamp, PendingRefresh
from ..services import stamp_prefix, stamps_bump, summaries_refresh
from . import factories


class StampAndCountryTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = factories.dien_bien_facts(make_world())

    def test_refresh_bumps_only_its_province(self) -> None:
        commune = factories.xa(self.world.dien_bien_old, 1)[0]
        before = dict(FactsStamp.objects.values_list("path", "version"))
        PendingRefresh.objects.create(unit_path=commune.path, subtree=False)
        summaries_refresh(commune.path)
        after = dict(FactsStamp.objects.values_list("path", "version"))
        mine = stamp_prefix(commune.path)
        self.assertEqual(mine, self.world.dien_bien_old.path)
        self.assertEqual(after[mine], before.get(mine, 0) + 1)
        self.assertEqual(
            {k: v for k, v in after.items() if k != mine}, {k: v for k, v in before.items() if k != mine}
        )

    def test_stamp_of_a_unit_covers_its_lineage_and_the_country_every_province(self) -> None:
        stamps_bump([""])  # a country-wide rebuild: every province gets a stamp
        unit = UnitVersion.objects.get(pk=self.world.dien_bien.pk)
        _at, version = selectors.stamp(unit)
        both = FactsStamp.objects.filter(path__in=[self.world.dien_bien.path, self.world.dien_bien_old.path])
        self.assertEqual(both.count(), 2)
        self.assertEqual(version, sum(both.values_list("version", flat=True)))
        country = UnitVersion.objects.get(level=0)
        self.assertEqual(
            selectors.stamp(country)[1], sum(FactsStamp.objects.values_list("version", flat=True))
        )

    def test_country_on_todays_units_agrees_with_as_reported(self) -> None:
        country = UnitVersion.objects.get(level=0)
        reported = panels.load(None, panels.Filters(country, 2020))
        current = panels.load(None, panels.Filters(country, 2020, mode=selectors.CURRENT))
        for measure in ("ntm.tier", "poverty.poor", "ntm.communes"):
            self.assertEqual(reported.keys(measure, 2020), current.keys(measure, 2020), measure)
        rows = {
            r["id"]: r
            for r in panels.children(None, panels.Filters(country, 2020, mode=selectors.CURRENT))["rows"]
        }
        old = {r["id"]: r for r in panels.children(None, panels.Filters(country, 2020))["rows"]}
        self.assertEqual(
            rows[self.world.dien_bien.pk]["households"], old[self.world.dien_bien_old.pk]["households"]
        )
        self.assertEqual(rows[self.world.dien_bien.pk]["households"], 60)
