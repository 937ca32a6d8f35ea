"""API edges: out-of-range numbers, id filters that tell whether an out-of-scope id
exists, the schema's concurrent first load, null fields the schema did not declare nullable, map tooltips."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import RequestFactory, SimpleTestCase, TestCase
from drf_spectacular.generators import SchemaGenerator

from mtqg.api.schema import CachedSchemaView, schema_cache_clear
from mtqg.finance.api import ProgramSerializer
from mtqg.finance.models import Allocation
from mtqg.finance.tests.factories import guard_sample as finance_sample
from mtqg.ntm.api import CriteriaSetSerializer, RecognitionSerializer
from mtqg.ntm.models import Assessment
from mtqg.ntm.tests.factories import guard_sample as ntm_sample
from mtqg.ocop.models import Product
from mtqg.ocop.tests.factories import guard_sample as ocop_sample
from mtqg.testing import World, make_world
from mtqg.workflow.api import DecisionSerializer


class OutOfRangeNumbersTest(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_huge_numbers_in_filters_and_ids_are_400_not_500(self) -> None:
        self.client.raise_request_exception = False
        self.client.force_login(self.world.central)
        for url in (
            "/api/v1/geo/units/?parent=1e30",
            "/api/v1/geo/units/?parent=99999999999999999999",
            "/api/v1/geo/units/?parent=-99999999999999999999",
            "/api/v1/finance/disbursements/?allocation=99999999999999999999",
            "/api/v1/ocop/ratings/?stars=99999999999999999999",
            "/api/v1/ntm/assessments/?min_met=1e300",
            "/api/v1/geo/units/99999999999999999999/",
            "/api/v1/reports/ntm-summary/?unit=%00&as_of=2020-12-31",  # NUL: a 500 on PostgreSQL
            "/api/v1/geo/units/?code=%00",
        ):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (400, 404), url)
                self.assertIn("error", response.json())


class ScopedIdFiltersTest(TestCase):
    """Cao Bằng's officer asks for rows filtered by a Điện Biên id and by an id that does not exist: the two
    answers must be identical (status and body), so the filter does not reveal what exists outside the scope."""

    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        finance_sample(cls.world)
        ocop_sample(cls.world)
        ntm_sample(cls.world)

    def test_absent_and_out_of_scope_ids_answer_the_same(self) -> None:
        db = self.world.dien_bien.path
        cases = {
            "/api/v1/finance/disbursements/?allocation=": Allocation.objects.filter(
                unit__path__startswith=db[:3]
            ),
            "/api/v1/ocop/ratings/?product=": Product.objects.filter(commune__path__startswith=db[:3]),
            "/api/v1/ocop/sales-channels/?product=": Product.objects.filter(commune__path__startswith=db[:3]),
            "/api/v1/ntm/indicator-values/?assessment=": Assessment.objects.filter(note="GUARD-ĐB"),
            "/api/v1/ntm/assessments/?commune=": Assessment.objects.filter(note="GUARD-ĐB").values_list(
                "commune", flat=True
            ),
            "/api/v1/ocop/subjects/?commune=": Product.objects.filter(
                commune__path__startswith=db[:3]
            ).values_list("commune", flat=True),
        }
        self.client.force_login(self.world.cao_bang_officer)
        for prefix, rows in cases.items():
            first = rows.first()
            self.assertIsNotNone(first, prefix)
            pk = first if isinstance(first, int) else first.pk  # type: ignore[union-attr]
            inside = self.client.get(f"{prefix}{pk}")
            absent = self.client.get(f"{prefix}987654321")
            with self.subTest(prefix):
                self.assertEqual(inside.status_code, absent.status_code, prefix)
                body = re.sub(r"\d+", "N", inside.content.decode())
                self.assertEqual(body, re.sub(r"\d+", "N", absent.content.decode()), prefix)


class SchemaTest(TestCase):
    def test_concurrent_first_loads_generate_the_schema_once(self) -> None:
        schema_cache_clear()
        real = SchemaGenerator.get_schema
        calls: list[int] = []

        def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return real(self, *args, **kwargs)

        view = CachedSchemaView.as_view()
        statuses: list[int] = []

        def load() -> None:
            response = view(RequestFactory().get("/api/schema/", {"format": "json"}))
            response.render()
            statuses.append(response.status_code)

        with mock.patch.object(SchemaGenerator, "get_schema", counting):
            threads = [threading.Thread(target=load) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.assertEqual(statuses, [200] * 6)
        self.assertEqual(len(calls), 1)

    def test_fields_that_can_be_null_are_declared_nullable(self) -> None:
        for serializer, name in (
            (ProgramSerializer, "parent_code"),
            (CriteriaSetSerializer, "parent_code"),
            (CriteriaSetSerializer, "province_code"),
            (RecognitionSerializer, "criteria_set"),
            (DecisionSerializer, "actor"),
        ):
            with self.subTest(f"{serializer.__name__}.{name}"):
                self.assertTrue(serializer().fields[name].allow_null)


class MapTooltipsTest(SimpleTestCase):
    def test_tooltips_take_text_nodes_not_html_strings(self) -> None:
        """Leaflet inserts a string tooltip as HTML; a unit named `<img onerror=…>` would run. Every bindTooltip
        in our scripts passes an element built with textContent."""
        root = Path(__file__).resolve().parents[2] / "static" / "js"
        calls = 0
        for name in ("dashboards.js", "finance.js"):
            text = (root / name).read_text(encoding="utf-8")
            for arg in re.findall(r"bindTooltip\((.{0,12})", text):
                calls += 1
                self.assertTrue(arg.startswith("textTip("), f"{name}: bindTooltip({arg}…")
            self.assertIn("textContent = text", text)
        self.assertEqual(calls, 2)
