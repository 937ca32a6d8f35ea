from __future__ import annotations

from datetime import date

from django.db.models import Model
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.ocop.models import ProductGroup, ProgramTarget, RatingPart, RuleSet, StarBand
from mtqg.ocop.rules import add_months, load_rules, ruleset_on, stars_for

BAND_EDGES = [(0, 1), (29, 1), (30, 2), (49, 2), (50, 3), (69, 3), (70, 4), (89, 4), (90, 5), (100, 5)]
RULE_MODELS: tuple[type[Model], ...] = (
    RuleSet,
    RatingPart,
    StarBand,
    ProductGroup,
    ProgramTarget,
    ChangeRecord,
)


def _row_counts() -> tuple[int, ...]:
    """How many rows the rule tables (and the change log) hold: a second load must leave them unchanged."""
    return tuple(model._default_manager.count() for model in RULE_MODELS)


class RulesTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_rules()

    def test_loader_is_idempotent_and_audited_once(self) -> None:
        counts = _row_counts()
        result = load_rules()
        self.assertEqual(result["created"], 0)
        self.assertEqual(counts, _row_counts())
        self.assertEqual(ChangeRecord.objects.filter(action="load_rules").count(), 1)

    def test_qd148_parts_and_citation(self) -> None:
        rs = ruleset_on(date(2024, 1, 1))
        self.assertEqual(rs.code, "qd148-2023")
        self.assertIn("148/QĐ-TTg", rs.legal_basis)
        self.assertEqual({p.code: p.max_points for p in rs.parts.all()}, {"A": 40, "B": 25, "C": 35})
        old = ruleset_on(date(2023, 2, 23))
        self.assertEqual({p.code: p.max_points for p in old.parts.all()}, {"A": 35, "B": 25, "C": 40})
        self.assertEqual(ruleset_on(date(2023, 2, 24)).code, "qd148-2023")

    def test_six_groups_with_subgroups(self) -> None:
        tops = ProductGroup.objects.filter(parent__isnull=True)
        self.assertEqual(tops.count(), 6)
        for top in tops:
            self.assertTrue(top.subgroups.exists(), top.name)

    def test_program_targets(self) -> None:
        target = ProgramTarget.objects.get(code="products_3star")
        self.assertEqual(target.value, 10000)
        self.assertIn("919/QĐ-TTg", target.legal_basis)

    def test_star_at_every_band_edge(self) -> None:
        for rs in RuleSet.objects.all():
            for total, stars in BAND_EDGES:
                with self.subTest(ruleset=rs.code, total=total):
                    self.assertEqual(stars_for(rs, total), stars)

    def test_add_months(self) -> None:
        self.assertEqual(add_months(date(2024, 6, 1), 36), date(2027, 6, 1))
        self.assertEqual(add_months(date(2024, 1, 31), 1), date(2024, 2, 29))
        self.assertEqual(add_months(date(2023, 12, 15), 36), date(2026, 12, 15))
