"""Issue #19 part 10: date boxes start filled (ISO value whatever the language) and money boxes show thousands
separators and still submit correctly."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import translation

from mtqg.core.widgets import MoneyField, MoneyInput, StyledForm, StyledFormMixin, group_vnd, parse_vnd
from mtqg.testing import make_world


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class declared in an mtqg app's forms.py."""
    found: list[type[forms.BaseForm]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mtqg."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


class FormGuardTest(SimpleTestCase):
    def test_every_date_box_gets_an_iso_value_in_every_language(self) -> None:
        checked = 0
        for form_class in project_form_classes():
            for name, field in form_class.base_fields.items():
                widget = field.widget
                if getattr(widget, "input_type", "") != "date" and widget.attrs.get("type") != "date":
                    continue
                for lang in ("vi", "en"):
                    with translation.override(lang):
                        html = widget.render(name, date(2026, 12, 6))
                    self.assertIn('value="2026-12-06"', html, f"{form_class.__name__}.{name} ({lang})")
                checked += 1
        self.assertGreater(checked, 5)

    def test_every_money_box_groups_thousands(self) -> None:
        checked = 0
        for form_class in project_form_classes():
            for name, field in form_class.base_fields.items():
                label = str(field.label or "")
                if "(đồng" not in label and "triệu đồng)" not in label:
                    continue
                self.assertIsInstance(field.widget, MoneyInput, f"{form_class.__name__}.{name}: {label}")
                self.assertIn('value="3.873.000"', field.widget.render(name, 3873000))
                checked += 1
        # disbursement, OCOP support and sales, planning budget and minimum, household income
        self.assertGreaterEqual(checked, 6)


class MoneyTest(SimpleTestCase):
    def test_grouping_and_parsing(self) -> None:
        self.assertEqual(group_vnd(Decimal("3873000")), "3.873.000")
        self.assertEqual(group_vnd(950), "950")
        for typed in ("3.873.000", "3 873 000", "3873000", " 3.873.000 "):
            self.assertEqual(parse_vnd(typed), Decimal("3873000"), typed)
        self.assertIsNone(parse_vnd(""))
        for bad in ("3,5", "ba triệu", "3.873.000,50", "1500000.5", "3.87.000"):
            with self.assertRaises(ValidationError):
                parse_vnd(bad)

    def test_field_round_trip(self) -> None:
        class F(forms.Form):
            amount = MoneyField(label="Số tiền (đồng)")

        form = F({"amount": "3.873.000"})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["amount"], Decimal("3873000"))
        self.assertIn('value="3.873.000"', str(F(initial={"amount": Decimal("3873000")})["amount"]))
        form = F({"amount": "3,5"})
        self.assertFalse(form.is_valid())
        self.assertIn("Số tiền không hợp lệ", str(form.errors))


class PlanningFormTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_as_of_starts_filled_and_budget_grouped(self) -> None:
        self.client.force_login(self.world.central)
        response = self.client.get(reverse("planning:index"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'value="{date.today().isoformat()}"')
        self.assertContains(response, 'name="budget_million"')
        self.assertContains(response, "data-money")


class StyledFormTest(SimpleTestCase):
    """One styling mixin (decision 0050): each kind of widget gets its Bootstrap class, a class set by hand stays."""

    class Sample(StyledForm):
        name = forms.CharField()
        kind = forms.ChoiceField(choices=[("a", "A")])
        flags = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
        done = forms.BooleanField(required=False)
        note = forms.CharField(widget=forms.Textarea(attrs={"class": "mine"}))

    def test_classes(self) -> None:
        fields = self.Sample().fields
        self.assertEqual(fields["name"].widget.attrs["class"], "form-control form-control-sm")
        self.assertEqual(fields["kind"].widget.attrs["class"], "form-select form-select-sm")
        self.assertNotIn("class", fields["flags"].widget.attrs)
        self.assertEqual(fields["done"].widget.attrs["class"], "form-check-input")
        self.assertEqual(fields["note"].widget.attrs["class"], "mine")

    def test_the_apps_use_the_one_mixin(self) -> None:
        styled = [f for f in project_form_classes() if issubclass(f, StyledFormMixin)]
        apps_using = {f.__module__.split(".")[1] for f in styled}
        self.assertTrue({"finance", "ocop", "supervision", "planning"} <= apps_using, apps_using)
