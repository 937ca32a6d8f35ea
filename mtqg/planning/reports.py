"""Report 'planning-scenario': the saved scenarios of a unit (latest first) with their side-by-side figures."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mtqg.core.tables import DATE, DECIMAL, INT, MONEY, Column
from mtqg.reports.document import Figure, Report, figures_table, rows_table
from mtqg.reports.params import ReportParams

from .models import Scenario
from .selectors import summary


def scenario_report(user: Any, params: ReportParams) -> dict[str, Any]:
    qs = Scenario.objects.all() if user is None else Scenario.objects.visible_to(user)
    unit = params.unit
    rows = qs.filter(province__path__startswith=unit.path).select_related("province")
    if params.as_of:
        rows = rows.filter(as_of__lte=params.as_of)
    items = [summary(s) for s in rows.order_by("-created_at", "-pk")[:20]]
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "scenarios": items,
        "latest": items[0] if items else None,
    }


def scenario_layout(data: dict[str, Any]) -> Report:
    """Declared layout (catalog.LAYOUTS): the saved scenarios, then the latest one's comparison and sensitivity."""
    latest = data.get("latest") or {}
    scenarios = [
        Column("name", _("Kịch bản")),
        Column("as_of", _("Tính đến ngày"), DATE),
        Column("budget", _("Ngân sách (đồng)"), MONEY),
        Column("mode", _("Cách phân bổ")),
        Column("objective", _("Mục tiêu")),
        Column("converted", _("Đã chuyển thành kế hoạch")),
    ]
    side = [
        Column("label", _("Phương án")),
        Column("communes_reaching", _("Xã đạt chuẩn thêm"), INT),
        Column("total_standard", _("Tổng số xã đạt chuẩn"), INT),
        Column("criteria_closed", _("Tiêu chí hoàn thành"), INT),
        Column("spent", _("Vốn sử dụng (đồng)"), MONEY),
        Column("funded_communes", _("Số xã được đầu tư"), INT),
        Column("money_per_funded_commune", _("Bình quân mỗi xã (đồng)"), MONEY),
    ]
    sensitivity = [
        Column("factor", _("Hệ số ngân sách"), DECIMAL),
        Column("budget", _("Ngân sách (đồng)"), MONEY),
        Column("communes_reaching", _("Xã đạt chuẩn thêm"), INT),
        Column("per_extra_billion", _("Xã thêm trên mỗi tỷ đồng tăng thêm"), DECIMAL),
    ]
    comparison = rows_table(_("So sánh phương án"), latest.get("side_by_side"), side)
    if comparison is not None:
        comparison.notes = [str(latest.get("name", "")), *[str(n) for n in latest.get("notes") or []]]
    return Report(
        data,
        [
            figures_table(
                _("Chỉ tiêu"), data, [Figure("unit.code", _("Mã đơn vị")), Figure("unit.name", _("Đơn vị"))]
            ),
            rows_table(_("Các kịch bản"), data.get("scenarios"), scenarios),
            comparison,
            rows_table(_("Độ nhạy ngân sách"), latest.get("sensitivity"), sensitivity),
        ],
    )
