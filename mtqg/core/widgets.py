"""Input widgets every form uses for dates and money (decision 0022), and the one styling mixin (decision 0050).

- `IsoDateInput`: `<input type="date">` needs its value as yyyy-mm-dd whatever the page's language; Django would
  localise a date to "06/12/2026" and the browser would show an empty box.
- `MoneyInput` / `MoneyField`: whole VND (or whole triệu đồng) typed and shown with Vietnamese grouping
  ("3.873.000"); static/js/app.js regroups while typing; the server accepts "3.873.000", "3 873 000" and
  "3873000" alike, so the form still works without JavaScript.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def group_vnd(value: Any) -> str:
    """3873000 → '3.873.000' (whole numbers; anything else is returned as typed)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number != number.to_integral_value():
        return str(value)
    return f"{int(number):,}".replace(",", ".")


# 3.873.000 or 3 873 000: groups of exactly three digits after the first (so "1500000.5" is refused, not read as
# 15.000.005).
GROUPED = re.compile(r"-?\d{1,3}(?:([. ])\d{3})(?:\1\d{3})*")


def parse_vnd(raw: Any) -> Decimal | None:
    """'3.873.000', '3 873 000' or '3873000' → Decimal('3873000'); '' → None; a fraction or text → error."""
    text = str(raw or "").strip().replace("\u00a0", " ")
    if not text:
        return None
    grouped = GROUPED.fullmatch(text)
    text = text.replace(" ", "").replace(".", "") if grouped else text
    if not text.lstrip("-").isdigit():
        raise ValidationError(
            _(
                "Số tiền không hợp lệ: chỉ nhập số nguyên, có thể có dấu chấm ngăn cách hàng nghìn (ví dụ 3.873.000)."
            ),
            code="invalid",
        )
    return Decimal(text)


class MoneyInput(forms.TextInput):
    """Text box (not type=number, which cannot show separators) with numeric keyboard and grouping."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"inputmode": "numeric", "autocomplete": "off", "data-money": ""}
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return group_vnd(value)


class MoneyField(forms.DecimalField):
    """Whole amounts with Vietnamese thousands separators."""

    widget = MoneyInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 0)
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs say int
        if value in self.empty_values:
            return None
        return parse_vnd(value)


def bootstrap_class(widget: forms.Widget) -> str:
    """The Bootstrap class of one widget: check box, select, or text-like control (small)."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select form-select-sm"
    return "form-control form-control-sm"


class StyledFormMixin:
    """Bootstrap classes on every widget that has none yet (a list of check boxes or radio buttons is left as is)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):  # CheckboxSelectMultiple is one too
                continue
            field.widget.attrs.setdefault("class", bootstrap_class(field.widget))


class StyledForm(StyledFormMixin, forms.Form):
    """A plain form with Bootstrap classes on its widgets."""
