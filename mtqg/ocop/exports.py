"""The product list as a table (XLSX export)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mtqg.core.tables import Column, Table

from .models import Product


def _rows(qs: QuerySet[Product]) -> Iterator[dict[str, Any]]:
    for p in qs.iterator(chunk_size=2000):
        rating = p.current_rating
        yield {
            "id": p.pk,
            "name": p.name,
            "group": str(p.group.top.name),
            "subgroup": p.group.name if p.group.parent_id else "",
            "subject": p.subject.name,
            "subject_kind": p.subject.get_kind_display(),
            "commune": p.commune.name,
            "district": p.commune.parent.name if p.commune.parent else "",
            "stars": rating.stars if rating else None,
            "total": rating.total if rating else None,
            "decision_number": rating.decision_number if rating else "",
            "decision_date": rating.decision_date if rating else None,
            "valid_to": rating.valid_to if rating else None,
            "on_ecommerce": _("Có") if getattr(p, "on_ecommerce", False) else _("Không"),
        }


def product_table(qs: QuerySet[Product]) -> Table:
    columns = [
        Column("id", _("Mã"), "int"),
        Column("name", _("Tên sản phẩm")),
        Column("group", _("Nhóm")),
        Column("subgroup", _("Phân nhóm")),
        Column("subject", _("Chủ thể")),
        Column("subject_kind", _("Loại hình chủ thể")),
        Column("commune", _("Xã")),
        Column("district", _("Huyện/Tỉnh")),
        Column("stars", _("Hạng sao"), "int"),
        Column("total", _("Tổng điểm"), "int"),
        Column("decision_number", _("Số quyết định")),
        Column("decision_date", _("Ngày quyết định"), "date"),
        Column("valid_to", _("Hiệu lực đến"), "date"),
        Column("on_ecommerce", _("Trên sàn TMĐT")),
    ]
    return Table(title=_("Sản phẩm OCOP"), columns=columns, rows=_rows(qs))
