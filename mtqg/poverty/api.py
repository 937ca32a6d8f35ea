"""Poverty API: the classification engine and the summary report."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.api.errors import bad_request
from mtqg.reports.api import json_body_schema, report_response, report_schema

from .standards import classify


def _parse_classify(data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if not isinstance(data, dict):
        return out, {"non_field_errors": [_("Nội dung phải là một đối tượng JSON.")]}
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        errors["year"] = [_("Năm rà soát phải là số nguyên (ví dụ 2024).")]
    else:
        out["year"] = year
    area = data.get("area")
    if area not in ("rural", "urban"):
        errors["area"] = [_("Khu vực phải là 'rural' (nông thôn) hoặc 'urban' (thành thị).")]
    else:
        out["area"] = area
    income = data.get("income_per_capita_month")
    if isinstance(income, bool) or not isinstance(income, int) or income < 0 or income > 1_000_000_000:
        errors["income_per_capita_month"] = [
            _("Thu nhập bình quân phải là số nguyên đồng, từ 0 đến 1.000.000.000.")
        ]
    else:
        out["income"] = income
    dep = data.get("deprivations", 0)
    if isinstance(dep, bool) or not (
        isinstance(dep, int) or (isinstance(dep, list) and all(isinstance(c, str) for c in dep))
    ):
        errors["deprivations"] = [_("Phải là số nguyên hoặc danh sách mã chỉ số thiếu hụt.")]
    else:
        out["deprivations"] = dep
    province = data.get("province", "")
    out["province_code"] = str(province or "")
    return out, errors


@json_body_schema
@api_view(["POST"])
def classify_view(request: Request) -> Response:
    """POST {"year", "area", "income_per_capita_month", "deprivations"} → class, standard, income line, reasons."""
    args, errors = _parse_classify(request.data)
    if errors:
        return bad_request(errors)
    try:
        result = classify(**args)
    except ValidationError as exc:
        return bad_request({k: list(v) for k, v in exc.message_dict.items()})
    return Response(result.as_api())


@report_schema
@api_view(["GET"])
def summary_view(request: Request) -> Response:
    return report_response(request, "poverty-summary")
