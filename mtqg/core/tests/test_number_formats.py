"""Identifiers, codes and years are never localised; quantities are, through the `vi` filters (decision 0010)."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import translation


class NumberFormatsTest(SimpleTestCase):
    def render(self, source: str, **context: object) -> str:
        with translation.override("vi"):
            return Template("{% load vi %}" + source).render(Context(context))

    def test_ids_and_years_are_printed_as_is(self) -> None:
        out = self.render(
            '<a href="?unit={{ pk }}&year={{ year }}">{{ year }}</a><input value="{{ pk }}">',
            pk=11105,
            year=2025,
        )
        self.assertEqual(out, '<a href="?unit=11105&year=2025">2025</a><input value="11105">')

    def test_quantities_keep_vietnamese_grouping_through_the_filters(self) -> None:
        self.assertEqual(self.render("{{ n|number_vi }}", n=1234567), "1.234.567")
        self.assertEqual(self.render("{{ x|number_vi:2 }}", x=Decimal("1234.5")), "1.234,50")
        self.assertEqual(self.render("{{ r|percent_vi }}", r=69.0612), "69,06%")
        self.assertEqual(self.render("{{ n|number_vi }}", n=5.0), "5")  # a count held as a float
