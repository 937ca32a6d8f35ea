"""Read side: scenario lists, the side-by-side rows and XLSX tables of a scenario."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mtqg.core.tables import DECIMAL, INT, MONEY, PERCENT, Column, Table

from .models import Scenario
from .optimiser import flag_labels


def scenarios_for(user: Any) -> QuerySet[Scenario]:
    return Scenario.objects.visible_to(user).select_related("province", "created_by")


def summary(scenario: Scenario) -> dict[str, Any]:
    """The figures another report (briefing) shows for one scenario."""
    result = scenario.result
    return {
        "id": scenario.pk,
        "name": scenario.name,
        "unit": result.get("unit"),
        "as_of": result.get("as_of"),
        "budget": int(scenario.budget),
        "mode": scenario.mode,
        "objective": scenario.objective,
        "side_by_side": result.get("side_by_side", []),
        "gain_vs_even": result.get("gain_vs_even"),
        "gain_vs_greedy": result.get("gain_vs_greedy"),
        "sensitivity": result.get("sensitivity", []),
        "notes": result.get("notes", []),
        "converted": scenario.converted_at is not None,
    }


def side_by_side_columns() -> list[Column]:
    """The comparison of the allocation methods (the screen's side-by-side table, the XLSX and the report)."""
    return [
        Column("label", _("Phương án")),
        Column("communes_reaching", _("Xã đạt chuẩn thêm"), INT),
        Column("total_standard", _("Tổng số xã đạt chuẩn"), INT),
        Column("criteria_closed", _("Tiêu chí hoàn thành"), INT),
        Column("spent", _("Vốn sử dụng (đồng)"), MONEY),
        Column("funded_communes", _("Số xã được đầu tư"), INT),
        Column("money_per_funded_commune", _("Bình quân mỗi xã (đồng)"), MONEY),
    ]


def sensitivity_columns() -> list[Column]:
    """The budget sensitivity: communes reaching the standard at each budget factor."""
    return [
        Column("factor", _("Hệ số ngân sách"), DECIMAL),
        Column("budget", _("Ngân sách (đồng)"), MONEY),
        Column("communes_reaching", _("Xã đạt chuẩn thêm"), INT),
        Column("per_extra_billion", _("Xã thêm trên mỗi tỷ đồng tăng thêm"), DECIMAL),
    ]


def tables(scenario: Scenario) -> list[Table]:
    labels = flag_labels()
    side = scenario.result.get("side_by_side", [])
    side_rows = []
    for r in side:
        row = {
            k: r[k]
            for k in (
                "label",
                "communes_reaching",
                "total_standard",
                "criteria_closed",
                "spent",
                "funded_communes",
                "money_per_funded_commune",
            )
        }
        for flag, value in r["priority_shares"].items():
            row[f"share_{flag}"] = value
        side_rows.append(row)
    side_cols = [
        *side_by_side_columns(),
        *[
            Column(f"share_{f}", _("Tỷ trọng cho %(f)s (%%)") % {"f": label}, PERCENT)
            for f, label in labels.items()
        ],
    ]
    communes = [
        {
            "code": c["code"],
            "name": c["name"],
            "area": c["area_name"],
            "met": c["met"],
            "gaps": ", ".join(str(g["criterion"]) for g in c["gaps"]),
            "cost": c["cost_to_standard"],
            "funded": c["funded_amount"],
            "reaches": _("Có") if c["reaches"] else "",
            "why": c["explanation"],
        }
        for c in scenario.result.get("communes", [])
    ]
    commune_cols = [
        Column("code", _("Mã xã")),
        Column("name", _("Xã")),
        Column("area", _("Huyện/khu vực")),
        Column("met", _("Tiêu chí đạt"), "int"),
        Column("gaps", _("Tiêu chí chưa đạt")),
        Column("cost", _("Chi phí đến chuẩn (đồng)"), "money"),
        Column("funded", _("Vốn phân bổ (đồng)"), "money"),
        Column("reaches", _("Đạt chuẩn")),
        Column("why", _("Giải thích")),
    ]
    notes = [f"{scenario.name} — {scenario.province.name}", *scenario.result.get("notes", [])]
    return [
        Table(_("So sánh phương án"), side_cols, side_rows, notes),
        Table(_("Các xã"), commune_cols, communes),
        Table(_("Độ nhạy ngân sách"), sensitivity_columns(), scenario.result.get("sensitivity", [])),
    ]
