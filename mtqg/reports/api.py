"""Serve any catalog report as JSON over the API, with the same parameters and scope as everything else:
GET /api/v1/reports/<slug>/?unit=…  (one endpoint for every slug of catalog.py; docs/api.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.core.api.errors import bad_request
from mtqg.core.scoping import path_visible, view_prefixes

from .catalog import CATALOG, get_report
from .params import parse_params


def report_response(request: Request, slug: str) -> Response:
    """400 with field messages for bad parameters; 404 for a unit outside the user's scope."""
    try:
        params = parse_params(request.query_params.dict())
    except ValidationError as exc:
        return bad_request({k: list(v) for k, v in exc.message_dict.items()})
    if not path_visible(request.user, params.unit.path):
        raise Http404(_("Không tìm thấy đơn vị hoặc bạn không có quyền xem."))
    if slug not in CACHED_REPORTS:
        return Response(get_report(slug)(request.user, params))
    given = sorted(request.query_params.items())
    raw = repr((slug, given, view_prefixes(request.user), get_language()))
    key = "reports:api:" + hashlib.sha256(raw.encode()).hexdigest()
    figures, read_at, stale = CACHED_REPORTS[slug](
        params.unit, key, lambda: get_report(slug)(request.user, params)
    )
    return figures_response(figures, read_at, stale)


# Reports computed from source rows whose every write refreshes the unit's facts stamp (decisions 0835, 0850):
# served per user scope, parameters and language, a province's or the country's within the dashboards' staleness
# bound after a save, their JSON saying from when (`figures_as_of`, `stale`). The stamps, the cache and the rule
# belong to the dashboards, a layer above this one: it registers them at start-up (`cached_report_register`,
# DashboardsConfig) with `serve(unit, key, compute) -> (figures, read_at, stale)`.
ServeFigures = Callable[[Any, str, Callable[[], Any]], tuple[Any, datetime, bool]]
CACHED_REPORTS: dict[str, ServeFigures] = {}


def cached_report_register(slug: str, *, serve: ServeFigures) -> None:
    """Serve report `slug` (whose figures are a JSON object) through `serve`."""
    CACHED_REPORTS[slug] = serve


def figures_response(figures: dict[str, Any], read_at: datetime, stale: bool) -> Response:
    """The figures with the moment they were read from the database (ISO 8601, local time with its offset) and
    whether newer data have been saved since (then they are at most the staleness bound old); `Age`: the seconds
    since they were read (RFC 9111 5.1). No `Last-Modified`: it would let HTTP caches keep the answer by heuristic."""
    body = {
        **figures,
        "figures_as_of": timezone.localtime(read_at).isoformat(timespec="seconds"),
        "stale": stale,
    }
    response = Response(body)
    response["Age"] = str(max(0, int((timezone.now() - read_at).total_seconds())))
    return response


REPORT_PARAMETERS = [
    OpenApiParameter("unit", str, required=True, description="Mã đơn vị hành chính (GSO)"),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="Tính đến ngày (YYYY-MM-DD)"),
    OpenApiParameter("year", int, description="Năm"),
    OpenApiParameter("baseline", int, description="Năm gốc để so sánh"),
    OpenApiParameter("bands", str, description="Nhóm số tiêu chí, ví dụ 19,15-18,10-14,5-9,0-4"),
    OpenApiParameter("include_carry_over", bool, description="Mẫu số gồm vốn chuyển nguồn"),
]
json_body_schema = extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "slug",
            str,
            OpenApiParameter.PATH,
            enum=sorted(CATALOG),
            description="Mã báo cáo (danh mục báo cáo)",
        ),
        *REPORT_PARAMETERS,
        OpenApiParameter(
            "Age",
            int,
            OpenApiParameter.HEADER,
            response=[200],
            description="Số giây kể từ khi số liệu được đọc (báo cáo có figures_as_of)",
        ),
    ],
    responses={
        200: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description=(
                "Số liệu của báo cáo. Báo cáo tổng hợp từ bảng điều khiển (ntm-summary) thêm figures_as_of "
                "(thời điểm đọc số liệu, ISO 8601 có múi giờ) và stale (true: đã có số liệu mới hơn, trả lời "
                "trong giới hạn DASHBOARDS_STALE_SECONDS)."
            ),
        )
    },
)
@api_view(["GET"])
def report_view(request: Request, slug: str) -> Response:
    """Any report of the catalogue as JSON, for the unit given in ?unit= (which must be in the user's scope)."""
    if slug not in CATALOG:
        raise NotFound(_("Không có báo cáo này."))
    return report_response(request, slug)


@extend_schema(exclude=True)
@api_view(["GET"])
def report_redirect(request: Request, slug: str) -> HttpResponsePermanentRedirect:
    """A report's path before /api/v1/reports/<slug>/ (deprecated): 301 there with the same query string.
    Authentication comes first, so an anonymous client still gets the API's 401/403."""
    target = reverse("api-report", args=[slug])
    query = request.META.get("QUERY_STRING", "")
    response = HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
    response["Deprecation"] = "true"
    response["Link"] = f'<{target}>; rel="successor-version"'
    return response
