"""Open data sets of the public portal: columns with Vietnamese descriptions (the data dictionary) and rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from mtqg.dashboards import panels
from mtqg.dashboards.selectors import per_unit_reported
from mtqg.geo.models import UnitVersion

from .selectors import country, province_rows


@dataclass
class Field:
    name: str
    kind: str
    description: Any


@dataclass
class Dataset:
    slug: str
    title: Any
    description: Any
    fields: list[Field]
    rows: Callable[[int], list[dict[str, Any]]]


def commune_ntm_rows(year: int) -> list[dict[str, Any]]:
    """NTM tier and criteria met of every commune as reported in the year (public decisions, no households)."""
    nation = country()
    measures = ("ntm.communes", "ntm.assessed", "ntm.tier", "ntm.provisional")
    per_unit = per_unit_reported(None, nation, measures, year, UnitVersion.Level.COMMUNE)
    ids = list(per_unit)
    units = {
        u.pk: u
        for u in UnitVersion.objects.filter(pk__in=ids).select_related("parent__parent").order_by("path")
    }
    labels = panels._tier_labels()
    rows = []
    for uid, unit in units.items():
        facts = panels.Facts(per_unit[uid])
        tiers = facts.keys("ntm.tier", year)
        best = next((t for t in reversed(panels.TIERS) if tiers.get(t, [0])[0]), "")
        assessed = facts.keys("ntm.assessed", year)
        met = next((int(k) for k in assessed if k.isdigit()), None)
        province = (
            unit.parent
            if unit.parent and unit.parent.level == 1
            else (unit.parent.parent if unit.parent else None)
        )
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "province_code": province.code if province else "",
                "province": province.name if province else "",
                "structure": unit.structure,
                "year": year,
                "tier": best,
                "tier_label": labels.get(best, ""),
                "criteria_met": met,
                "provisional": bool(facts.get("ntm.provisional", year)[0]) if met is not None else None,
            }
        )
    return rows


DATASETS = {
    "tinh": Dataset(
        "tinh",
        _("Số liệu tổng hợp theo tỉnh"),
        _(
            "Nông thôn mới, hộ nghèo, giải ngân vốn ngân sách trung ương theo tỉnh (đơn vị tại thời điểm báo cáo)."
        ),
        [
            Field("code", "text", _("Mã tỉnh (mã thống kê)")),
            Field("name", "text", _("Tên tỉnh")),
            Field("structure", "text", _("Hệ đơn vị hành chính: pre2025 (trước 01/7/2025) hoặc 2025")),
            Field("year", "int", _("Năm số liệu")),
            Field("communes", "int", _("Số xã (loại xã) còn hiệu lực ngày 31/12")),
            Field(
                "ntm_recognised",
                "int",
                _("Số xã đạt chuẩn nông thôn mới trở lên (quyết định còn hiệu lực 31/12)"),
            ),
            Field("ntm_recognised_rate", "percent", _("Tỷ lệ xã đạt chuẩn (%)")),
            Field(
                "ntm_provisional",
                "int",
                _("Số xã có kết quả đánh giá tạm tính (tính theo ngưỡng tiêu chí chưa xác minh)"),
            ),
            Field("households_reviewed", "int", _("Số hộ được rà soát định kỳ trong năm")),
            Field("poor_households", "int", _("Số hộ nghèo (trống nếu dưới 5 hộ)")),
            Field("poverty_rate", "percent", _("Tỷ lệ hộ nghèo (%)")),
            Field("near_poor_households", "int", _("Số hộ cận nghèo (trống nếu dưới 5 hộ)")),
            Field("near_poverty_rate", "percent", _("Tỷ lệ hộ cận nghèo (%)")),
            Field(
                "central_plan_vnd",
                "int",
                _(
                    "Kế hoạch vốn NSTW của năm gồm vốn chuyển nguồn (đồng), quyết định đến 31/01 năm sau; trống nếu chưa có số liệu"
                ),
            ),
            Field("central_disbursed_vnd", "int", _("Vốn NSTW đã giải ngân của kế hoạch năm (đồng)")),
            Field("central_disbursement_rate", "percent", _("Tỷ lệ giải ngân vốn NSTW (%)")),
        ],
        province_rows,
    ),
    "xa-ntm": Dataset(
        "xa-ntm",
        _("Nông thôn mới theo xã"),
        _(
            "Hạng nông thôn mới được công nhận và số tiêu chí đạt của từng xã có số liệu (đơn vị tại thời điểm báo cáo)."
        ),
        [
            Field("code", "text", _("Mã xã")),
            Field("name", "text", _("Tên xã")),
            Field("province_code", "text", _("Mã tỉnh")),
            Field("province", "text", _("Tên tỉnh")),
            Field("structure", "text", _("Hệ đơn vị hành chính")),
            Field("year", "int", _("Năm số liệu")),
            Field("tier", "text", _("Mã hạng cao nhất còn hiệu lực ngày 31/12 (trống: chưa đạt)")),
            Field("tier_label", "text", _("Tên hạng")),
            Field("criteria_met", "int", _("Số tiêu chí đạt theo lần đánh giá gần nhất")),
            Field(
                "provisional",
                "bool",
                _("Tạm tính: lần đánh giá gần nhất tính theo ngưỡng tiêu chí chưa xác minh"),
            ),
        ],
        commune_ntm_rows,
    ),
}


def first_year() -> int:
    return date(2016, 1, 1).year
