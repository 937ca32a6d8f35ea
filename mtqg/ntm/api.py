"""NTM API: the summary report over the same catalog function as the command."""

from __future__ import annotations

from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.reports.api import report_response, report_schema


@report_schema
@api_view(["GET"])
def summary(request: Request) -> Response:
    """GET /api/v1/ntm/summary/?unit=<code>&as_of=YYYY-MM-DD[&bands=19,15-18,…]"""
    return report_response(request, "ntm-summary")


@report_schema
@api_view(["GET"])
def digital_gaps(request: Request) -> Response:
    """GET /api/v1/ntm/digital-gaps/?unit=<code>&year=YYYY — communes/villages without radio or mobile signal."""
    return report_response(request, "ntm-digital-gaps")


@report_schema
@api_view(["GET"])
def white_communes(request: Request) -> Response:
    """GET /api/v1/ntm/white-communes/ — the session-1 name of /api/v1/ntm/digital-gaps/."""
    return report_response(request, "ntm-white-communes")
