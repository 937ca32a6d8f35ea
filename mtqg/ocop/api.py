"""OCOP API: the summary report as JSON (same parameters and scope as the command)."""

from __future__ import annotations

from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.reports.api import report_response


@api_view(["GET"])
def summary(request: Request) -> Response:
    """GET /api/v1/ocop/summary/?unit=&as_of= — products by star and group, subjects, e-commerce share, expiring."""
    return report_response(request, "ocop-summary")
