"""Every report, by slug: plain dicts, no registry. A report is two declared parts: its figures function
(CATALOG: `(user, params) -> dict | list`, JSON-ready; user=None means the command line, system scope) and its layout
(LAYOUTS: a pure `(figures) -> Report` with the blocks the writers render, each table column declaring its kind and
label). `run_report` composes them into the typed `Report` (reports/document.py), whose `as_dict()` is what the API
and the command serve; `report_from_data` lays out figures kept in a signed snapshot again (decision 0055)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

from .document import Report
from .labels import REPORT_TITLES
from .params import ReportParams

ReportFunc = Callable[[Any, ReportParams], Any]  # the figures: JSON-ready dict or list

# slug → "module:function"
CATALOG: dict[str, str] = {
    "disbursement": "mtqg.finance.reports:disbursement",
    "outputs": "mtqg.finance.reports:outputs",
    "finance-alerts": "mtqg.finance.reports:finance_alerts",
    "ocop-summary": "mtqg.ocop.reports:ocop_summary",
    "poverty-summary": "mtqg.poverty.reports:summary",
    "poverty-by-province": "mtqg.poverty.reports:by_province",
    "poverty-review-results": "mtqg.survey.reports:review_results",
    "poverty-review-by-village": "mtqg.survey.reports:review_by_village",
    "poverty-review-deprivations": "mtqg.survey.reports:review_deprivations",
    "ntm-summary": "mtqg.ntm.reports:summary",
    "ntm-keeping": "mtqg.ntm.reports:keeping",
    "ntm-context": "mtqg.ntm.reports:context",
    "ntm-district-register": "mtqg.ntm.registers:district_register",
    "ntm-province-register": "mtqg.ntm.registers:province_register",
    "ntm-white-communes": "mtqg.ntm.reports:white_communes",
    "ntm-digital-gaps": "mtqg.ntm.reports:digital_gaps",
    "supervision-recurring-themes": "mtqg.supervision.reports:recurring_themes",
    "planning-scenario": "mtqg.planning.reports:scenario_report",
    "workflow-completeness": "mtqg.workflow.reports:completeness_report",
    "workflow-validation": "mtqg.workflow.reports:validation_report",
    "dashboard": "mtqg.dashboards.reports:dashboard",
    "briefing": "mtqg.supervision.briefing:briefing",
}

# slug → "module:function" laying out the report's stored figures: (data) -> Report. A document report (its data
# carries its own blocks) uses document_report.
DOCUMENT = "mtqg.reports.document:document_report"
LAYOUTS: dict[str, str] = {
    "disbursement": "mtqg.finance.reports:disbursement_layout",
    "outputs": "mtqg.finance.reports:outputs_layout",
    "finance-alerts": "mtqg.finance.reports:finance_alerts_layout",
    "ocop-summary": "mtqg.ocop.reports:ocop_summary_layout",
    "poverty-summary": "mtqg.poverty.reports:summary_layout",
    "poverty-by-province": "mtqg.poverty.reports:by_province_layout",
    "poverty-review-results": DOCUMENT,
    "poverty-review-by-village": DOCUMENT,
    "poverty-review-deprivations": DOCUMENT,
    "poverty-certificate": DOCUMENT,  # not run from the catalogue (one household, personal data): survey/views.py
    "ntm-summary": "mtqg.ntm.reports:summary_layout",
    "ntm-keeping": "mtqg.ntm.reports:keeping_layout",
    "ntm-context": "mtqg.ntm.reports:context_layout",
    "ntm-district-register": "mtqg.ntm.reports:unit_register_layout",
    "ntm-province-register": "mtqg.ntm.reports:unit_register_layout",
    "ntm-white-communes": "mtqg.ntm.reports:digital_gaps_layout",
    "ntm-digital-gaps": "mtqg.ntm.reports:digital_gaps_layout",
    "supervision-recurring-themes": "mtqg.supervision.reports:recurring_themes_layout",
    "planning-scenario": "mtqg.planning.reports:scenario_layout",
    "workflow-completeness": "mtqg.workflow.reports:completeness_layout",
    "workflow-validation": "mtqg.workflow.reports:validation_layout",
    "dashboard": "mtqg.dashboards.reports:dashboard_layout",
    "briefing": DOCUMENT,
}


def _load(path: str) -> Any:
    return import_string(path.replace(":", "."))


def get_report(slug: str) -> ReportFunc:
    return _load(CATALOG[slug])


def report_title(slug: str) -> str:
    return str(REPORT_TITLES.get(slug, slug))


def report_from_data(slug: str, data: Any) -> Report:
    """The typed report for figures already computed (and possibly stored as JSON: dates as ISO text)."""
    report: Report = _load(LAYOUTS[slug])(data)
    report.title = report.title or report_title(slug)
    return report


def run_report(slug: str, user: Any, params: ReportParams) -> Report:
    """Report `slug` for `user` (None: system scope): its figures laid out by its declared layout."""
    return report_from_data(slug, get_report(slug)(user, params))
