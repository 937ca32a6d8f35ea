"""XLSX import of products with their latest rating and one sales channel, with a dry run.

One row per product. Every row goes through the same services as the screens; any error in any row rolls back the
whole file (nothing written), and a dry run always rolls back. Errors are reported per row, in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.core.xlsx_import import import_rows, read_sheet
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, unit_by_code

from .models import Product, ProductGroup, Subject
from .services import channel_add, product_create, rating_record, subject_create

COLUMNS = [
    "subject_name",
    "subject_kind",
    "commune_code",
    "product_name",
    "group_code",
    "round_year",
    "score_a",
    "score_b",
    "score_c",
    "council_level",
    "decision_number",
    "decision_date",
    "channel_kind",
    "channel_name",
    "channel_url",
]
HEADER = [
    "Tên chủ thể",
    "Loại hình",
    "Mã xã",
    "Tên sản phẩm",
    "Mã nhóm",
    "Năm đánh giá",
    "Điểm A",
    "Điểm B",
    "Điểm C",
    "Cấp hội đồng",
    "Số quyết định",
    "Ngày quyết định",
    "Kênh",
    "Tên sàn/cửa hàng",
    "Đường dẫn",
]
MAX_ROWS = 5_000  # products per file, header included (decision 0902)
KIND_LABELS = {str(label).lower(): value for value, label in Subject.Kind.choices}


@dataclass
class ImportResult:
    rows: int = 0
    products: int = 0
    ratings: int = 0
    channels: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def saved(self) -> bool:
        return not self.dry_run and not self.errors


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _row(actor: Any, data: dict[str, Any], result: ImportResult) -> None:
    decided = _date(data["decision_date"])
    if decided is None:
        raise ValidationError(_("Ngày quyết định không hợp lệ (dd/mm/yyyy)."))
    try:
        commune = unit_by_code(_text(data["commune_code"]), decided, level=UnitVersion.Level.COMMUNE)
    except UnitNotFound as exc:
        raise ValidationError(str(exc)) from exc
    group = ProductGroup.objects.filter(code=_text(data["group_code"])).first()
    if group is None:
        raise ValidationError(_("Mã nhóm sản phẩm không có trong danh mục."))
    kind_raw = _text(data["subject_kind"])
    kind = KIND_LABELS.get(kind_raw.lower(), kind_raw)
    name = _text(data["subject_name"])
    subject = Subject.objects.filter(name=name, commune=commune).first() or subject_create(
        actor=actor, name=name, kind=kind, commune=commune
    )
    product = Product.objects.filter(subject=subject, name=_text(data["product_name"])).first()
    if product is None:
        product = product_create(actor=actor, subject=subject, name=_text(data["product_name"]), group=group)
        result.products += 1
    try:
        year = int(data["round_year"] or decided.year)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Năm đánh giá không hợp lệ.")) from exc
    rating_record(
        actor=actor,
        product=product,
        round_year=year,
        scores={"A": data["score_a"], "B": data["score_b"], "C": data["score_c"]},
        council_level=_text(data["council_level"]) or "province",
        decision_number=_text(data["decision_number"]),
        decision_date=decided,
    )
    result.ratings += 1
    if _text(data["channel_kind"]):
        channel_add(
            actor=actor,
            product=product,
            kind=_text(data["channel_kind"]),
            name=_text(data["channel_name"]),
            url=_text(data["channel_url"]),
        )
        result.channels += 1


def import_products(*, actor: Any, content: bytes | IO[bytes], dry_run: bool = False) -> ImportResult:
    """`content`: the workbook's bytes or an open binary file (read as a stream). More than MAX_ROWS rows in a
    sheet → one error naming the limit, found while streaming, nothing written."""
    result = ImportResult(dry_run=dry_run)
    try:
        rows = read_sheet(content, MAX_ROWS)
    except ValidationError as exc:  # TooManyRows / TooLarge (the message names the limit), NotAWorkbook
        result.errors.extend(exc.messages)
        return result
    lines = [(number, values) for number, values in enumerate(rows[1:], start=2) if any(values)]
    result.rows = len(lines)

    def handle(values: tuple[Any, ...]) -> None:
        _row(actor, dict(zip(COLUMNS, list(values) + [None] * len(COLUMNS), strict=False)), result)

    result.errors = import_rows(lines, handle, dry_run=dry_run)
    return result
