"""Report functions listed in mtqg/reports/catalog.py: (user, params) → JSON-ready data."""

from __future__ import annotations

from datetime import date
from typing import Any

from mtqg.reports.params import ReportParams

from . import selectors


def _year_and_as_of(params: ReportParams) -> tuple[int, date]:
    """The year (given, else the as-of date's, else this year) and the as-of date (given, else the statutory day
    of the year, as on the finance page and the dashboards: `selectors.statutory_as_of`)."""
    year = params.year or (params.as_of.year if params.as_of else date.today().year)
    return year, params.as_of or selectors.statutory_as_of(year)


def disbursement(user: Any, params: ReportParams) -> dict[str, Any]:
    """Plan, disbursed and rate for central (NSTW) and local counterpart funds, by program and by source."""
    year, as_of = _year_and_as_of(params)
    return selectors.disbursement_summary(user, params.unit, year, as_of, params.include_carry_over)


def outputs(user: Any, params: ReportParams) -> list[dict[str, Any]]:
    """Output indicators: [{code, name, actual, target, unit}]."""
    year, _as_of = _year_and_as_of(params)
    return selectors.outputs(user, params.unit, year)


def finance_alerts(user: Any, params: ReportParams) -> list[dict[str, Any]]:
    """Alerts (slow disbursement, scattered investment, behind schedule) with causes."""
    year, as_of = _year_and_as_of(params)
    rows = selectors.alerts(user, params.unit, year, as_of, params.include_carry_over)
    return [{**a, "unit": a["unit"].code} for a in rows]
