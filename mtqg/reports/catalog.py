"""Every report, by slug: a plain dict, no registry. A report function takes (user, params) and returns
JSON-ready figures (dicts/lists); writers render them. user=None means the command line (system scope)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from .params import ReportParams

ReportFunc = Callable[[Any, ReportParams], Any]

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
    "ntm-white-communes": "mtqg.ntm.reports:white_communes",
    "ntm-digital-gaps": "mtqg.ntm.reports:digital_gaps",
    "supervision-recurring-themes": "mtqg.supervision.reports:recurring_themes",
    "planning-scenario": "mtqg.planning.reports:scenario_report",
    "workflow-completeness": "mtqg.workflow.reports:completeness_report",
    "workflow-validation": "mtqg.workflow.reports:validation_report",
    "dashboard": "mtqg.dashboards.reports:dashboard",
    "briefing": "mtqg.supervision.briefing:briefing",
}


def get_report(slug: str) -> ReportFunc:
    module, func = CATALOG[slug].split(":")
    return getattr(import_module(module), func)
