"""Report `ocop-summary`: products by star and group, subjects by type, share on e-commerce, expiring certificates.

Every figure is computed from the product, rating and channel records (nothing stored as a total).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from mtqg.core.tables import DATE, DECIMAL, INT, PERCENT, Column
from mtqg.reports.document import Figure, Report, figures_report, rows_table, unit_figures
from mtqg.reports.params import ReportParams

from .models import Product, ProductGroup, ProgramTarget, Subject
from .selectors import rated_rows, within_unit

DEFAULT_EXPIRY_DAYS = 90
STARS = (1, 2, 3, 4, 5)


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


def _base(model: Any, user: Any) -> Any:
    return model.objects.all() if user is None else model.objects.visible_to(user)


def ocop_summary(user: Any, params: ReportParams) -> dict[str, Any]:
    on = params.on
    days = int(params.extra.get("days") or DEFAULT_EXPIRY_DAYS)
    products = within_unit(_base(Product, user), params.unit)
    rows = rated_rows(products, on)
    rated = [r for r in rows if r["star"] is not None]
    certified = [r for r in rated if r["star"] >= 3]

    by_star = {str(s): sum(1 for r in rated if r["star"] == s) for s in STARS}
    groups = {g.code: g.name for g in ProductGroup.objects.filter(parent__isnull=True)}
    by_group = []
    for code, name in groups.items():
        in_group = [r for r in rated if (r["group__parent__code"] or r["group__code"]) == code]
        by_group.append(
            {
                "code": code,
                "name": name,
                "by_star": {str(s): sum(1 for r in in_group if r["star"] == s) for s in STARS},
                "certified": sum(1 for r in in_group if r["star"] >= 3),
            }
        )

    communes: dict[int, dict[str, Any]] = {}
    for r in certified:
        c = communes.setdefault(
            r["commune_id"],
            {"code": r["commune__code"], "name": r["commune__name"], "products": 0, "on_ecommerce": 0},
        )
        c["products"] += 1
        c["on_ecommerce"] += int(bool(r["on_ecommerce"]))
    by_commune = sorted(communes.values(), key=lambda c: (-c["products"], c["name"]))
    for c in by_commune:
        c["share_percent"] = _share(c["on_ecommerce"], c["products"])
    on_ecommerce = sum(1 for r in certified if r["on_ecommerce"])

    horizon = on + timedelta(days=days)
    expiring = sorted(
        (r for r in certified if r["cert_valid_to"] and on <= r["cert_valid_to"] <= horizon),
        key=lambda r: (r["cert_valid_to"], r["name"]),
    )
    valid = sum(1 for r in certified if r["cert_valid_to"] and r["cert_valid_to"] >= on)
    expired = sum(1 for r in certified if r["cert_valid_to"] and r["cert_valid_to"] < on)

    subjects = within_unit(_base(Subject, user), params.unit)
    kind_counts = dict(subjects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    by_kind = [
        {"kind": k.value, "label": str(k.label), "count": kind_counts.get(k.value, 0)} for k in Subject.Kind
    ]

    targets = [
        {
            "code": t.code,
            "label": t.label,
            "value": float(t.value),
            "unit": t.unit_label,
            "legal_basis": t.legal_basis,
        }
        for t in ProgramTarget.objects.order_by("pk")
    ]
    return {
        "report": "ocop-summary",
        "unit": {"code": params.unit.code, "name": params.unit.name, "structure": params.unit.structure},
        "as_of": on.isoformat(),
        "products": {
            "registered": len(rows),
            "rated": len(rated),
            "certified_3plus": len(certified),
            "by_star": by_star,
            "by_group": by_group,
            "certificates_valid": valid,
            "certificates_expired": expired,
        },
        "subjects": {"total": sum(kind_counts.values()), "by_kind": by_kind},
        "ecommerce": {
            "certified_products": len(certified),
            "on_ecommerce": on_ecommerce,
            "share_percent": _share(on_ecommerce, len(certified)),
            "by_commune": by_commune,
        },
        "expiring": {
            "days": days,
            "count": len(expiring),
            "items": [
                {
                    "id": r["pk"],
                    "product": r["name"],
                    "subject": r["subject__name"],
                    "commune": r["commune__name"],
                    "stars": r["star"],
                    "valid_to": r["cert_valid_to"].isoformat(),
                }
                for r in expiring
            ],
        },
        "targets": targets,
        "notes": [
            "Sản phẩm OCOP: hạng sao theo kết quả đánh giá gần nhất có quyết định trước hoặc vào ngày báo cáo.",
            "Tỷ lệ trên sàn TMĐT: sản phẩm từ 3 sao có ít nhất một gian hàng đang bán trên sàn thương mại điện tử.",
        ],
    }


def ocop_summary_layout(data: dict[str, Any]) -> Report:
    """Declared layout (catalog.LAYOUTS): each column's label and kind."""
    stars = [str(s) for s in STARS]
    figures = [
        *unit_figures(),
        Figure("as_of", _("Tính đến ngày"), DATE),
        Figure("products.registered", _("Sản phẩm đăng ký tham gia"), INT),
        Figure("products.rated", _("Sản phẩm đã đánh giá, phân hạng"), INT),
        Figure("products.certified_3plus", _("Sản phẩm đạt từ 3 sao"), INT),
    ]
    figures += [Figure(f"products.by_star.{s}", _("Sản phẩm %(n)s sao") % {"n": s}, INT) for s in stars]
    figures += [
        Figure("products.certificates_valid", _("Giấy chứng nhận còn hiệu lực"), INT),
        Figure("products.certificates_expired", _("Giấy chứng nhận hết hiệu lực"), INT),
        Figure("subjects.total", _("Chủ thể OCOP"), INT),
        Figure("ecommerce.certified_products", _("Sản phẩm từ 3 sao"), INT),
        Figure("ecommerce.on_ecommerce", _("Sản phẩm trên sàn thương mại điện tử"), INT),
        Figure("ecommerce.share_percent", _("Tỷ lệ trên sàn thương mại điện tử (%)"), PERCENT),
        Figure("expiring.days", _("Sắp hết hạn trong (ngày)"), INT),
        Figure("expiring.count", _("Giấy chứng nhận sắp hết hạn"), INT),
    ]
    by_group = [
        {**g, **{f"star_{s}": (g.get("by_star") or {}).get(s) for s in stars}}
        for g in (data.get("products") or {}).get("by_group") or []
    ]
    group_columns = [Column("code", _("Mã")), Column("name", _("Nhóm sản phẩm"))]
    group_columns += [Column(f"star_{s}", _("%(n)s sao") % {"n": s}, INT) for s in stars]
    group_columns.append(Column("certified", _("Đạt từ 3 sao"), INT))
    return figures_report(
        data,
        figures,
        rows_table(_("Sản phẩm theo nhóm"), by_group, group_columns),
        rows_table(
            _("Chủ thể theo loại hình"),
            (data.get("subjects") or {}).get("by_kind"),
            [Column("label", _("Loại hình")), Column("count", _("Số lượng"), INT)],
        ),
        rows_table(
            _("Sản phẩm trên sàn thương mại điện tử theo xã"),
            (data.get("ecommerce") or {}).get("by_commune"),
            [
                Column("code", _("Mã xã")),
                Column("name", _("Xã")),
                Column("products", _("Sản phẩm từ 3 sao"), INT),
                Column("on_ecommerce", _("Trên sàn thương mại điện tử"), INT),
                Column("share_percent", _("Tỷ lệ (%)"), PERCENT),
            ],
        ),
        rows_table(
            _("Giấy chứng nhận sắp hết hạn"),
            (data.get("expiring") or {}).get("items"),
            [
                Column("product", _("Sản phẩm")),
                Column("subject", _("Chủ thể")),
                Column("commune", _("Xã")),
                Column("stars", _("Hạng sao"), INT),
                Column("valid_to", _("Hiệu lực đến"), DATE),
            ],
        ),
        rows_table(
            _("Mục tiêu của Chương trình"),
            data.get("targets"),
            [
                Column("label", _("Mục tiêu")),
                Column("value", _("Giá trị"), DECIMAL),
                Column("unit", _("Đơn vị tính")),
                Column("legal_basis", _("Căn cứ pháp lý")),
            ],
        ),
        notes=data.get("notes") or [],
    )
