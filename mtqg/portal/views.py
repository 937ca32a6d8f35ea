"""Public transparency portal (no login): per-province aggregates and charts, open data with a dictionary.

These views are deliberately public: no login_required, no personal data (aggregates from summary facts only),
poverty cells under 5 households suppressed.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mtqg.core.indicators import NO_DATA
from mtqg.core.tables import safe_cell
from mtqg.dashboards.measures import definitions
from mtqg.dashboards.panels import disbursement_basis
from mtqg.dashboards.selectors import cached_for
from mtqg.dashboards.views import _chart_json
from mtqg.geo.models import UnitVersion

from .datasets import DATASETS
from .selectors import country, latest_year, province_rows, public_charts


class BadYear(Exception):
    pass


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return int(cached_for(country(), "portal.latest_year", latest_year))
    if not raw.isdigit() or not 2016 <= int(raw) <= timezone.localdate().year:
        raise BadYear(_("Năm không hợp lệ (từ 2016 đến năm hiện tại)."))
    return int(raw)


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/error.html", {"message": message}, status=400)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    try:
        year = _year(request)
    except BadYear as exc:
        return _bad(request, str(exc))
    rows = cached_for(country(), ("portal.index", year), lambda: province_rows(year))
    return render(
        request,
        "portal/index.html",
        {
            "rows": rows,
            "year": year,
            "no_data": NO_DATA,
            "disbursement_basis": disbursement_basis(year),
            "with_data": [
                r for r in rows if r["ntm_recognised"] or r["households_reviewed"] or r["central_plan_vnd"]
            ],
        },
    )


@require_GET
def province(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(UnitVersion, pk=pk, level=UnitVersion.Level.PROVINCE)
    try:
        year = _year(request)
    except BadYear as exc:
        return _bad(request, str(exc))
    data = cached_for(unit, ("portal.province", year), lambda: public_charts(unit, year))
    return render(
        request,
        "portal/province.html",
        {
            "unit": unit,
            "year": year,
            **data,
            "chart_data": {c["id"]: _chart_json(c) for c in data["charts"]},
        },
    )


@require_GET
def dictionary(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/dictionary.html",
        {"datasets": DATASETS.values(), "measures": definitions()["measures"]},
    )


@require_GET
def dataset(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    ds = DATASETS.get(slug)
    if ds is None or fmt not in ("csv", "json"):
        raise Http404(_("Không có bộ dữ liệu này."))
    try:
        year = _year(request)
    except BadYear as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    rows = ds.rows(year)
    names = [f.name for f in ds.fields]
    if fmt == "json":
        body: Any = json.dumps(
            {
                "dataset": slug,
                "title": str(ds.title),
                "year": year,
                "fields": [
                    {"name": f.name, "type": f.kind, "description": str(f.description)} for f in ds.fields
                ],
                "rows": [{k: r.get(k) for k in names} for r in rows],
            },
            ensure_ascii=False,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        for r in rows:
            writer.writerow(["" if r.get(k) is None else safe_cell(r.get(k)) for k in names])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{year}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
