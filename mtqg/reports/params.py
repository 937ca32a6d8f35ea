"""Parameters shared by every report (command line, API and UI build the same object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, unit_by_code


@dataclass
class ReportParams:
    unit: UnitVersion
    as_of: date | None = None
    year: int | None = None
    baseline: int | None = None
    bands: str | None = None
    include_carry_over: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def on(self) -> date:
        """The date used to resolve units: as_of, else the end of the year, else today."""
        if self.as_of:
            return self.as_of
        if self.year:
            return date(self.year, 12, 31)
        return date.today()


def parse_params(raw: dict[str, Any]) -> ReportParams:
    """Build ReportParams from strings (query string or command options); Vietnamese errors per field."""
    errors: dict[str, str] = {}
    as_of = None
    if raw.get("as_of"):
        as_of = raw["as_of"] if isinstance(raw["as_of"], date) else parse_date(str(raw["as_of"]))
        if as_of is None:
            errors["as_of"] = _("Ngày không hợp lệ (định dạng YYYY-MM-DD).")
    year = baseline = None
    for key in ("year", "baseline"):
        value = raw.get(key)
        if value in (None, ""):
            continue
        try:
            number = int(value)
            if not 1990 <= number <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            errors[key] = _("Năm không hợp lệ.")
            continue
        if key == "year":
            year = number
        else:
            baseline = number
    code = str(raw.get("unit") or "").strip()
    if not code:
        errors["unit"] = _("Thiếu mã đơn vị (unit).")
    elif "\x00" in code:  # PostgreSQL refuses NUL in a text parameter: a 400, not a database error
        errors["unit"] = _("Ký tự không hợp lệ (NUL) trong dữ liệu gửi lên.")
    if errors:
        raise ValidationError(errors)
    on = as_of or (date(year, 12, 31) if year else date.today())
    try:
        unit = unit_by_code(code, on)
    except UnitNotFound as exc:
        raise ValidationError({"unit": str(exc)}) from exc
    include = raw.get("include_carry_over")
    return ReportParams(
        unit=unit,
        as_of=as_of,
        year=year,
        baseline=baseline,
        bands=raw.get("bands") or None,
        include_carry_over=str(include).lower() in {"1", "true", "yes", "on"},
    )
