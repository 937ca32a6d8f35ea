"""API of the planning app: the scenario report (same JSON as `manage.py report planning-scenario`)."""

from __future__ import annotations

from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.reports.api import report_response, report_schema


@report_schema
@api_view(["GET"])
def scenario_report(request: Request) -> Response:
    return report_response(request, "planning-scenario")
