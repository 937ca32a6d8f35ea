"""Reading an upload (CSV streamed with csv.reader, XLSX with python-calamine), its SHA-256, and the files the
importer hands out: the templates and the per-row error list (decision 0201)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from python_calamine import CalamineError, CalamineWorkbook

from mtqg.core.tables import safe_cell

from ..models import ImportBatch, PovertyStandard
from ..standards import standard_for

BASE_HEADERS = [
    "Mã hộ",
    "Mã xã",
    "Chủ hộ",
    "Địa chỉ",
    "Dân tộc",
    "Khu vực",
    "Thu nhập bình quân (đồng/người/tháng)",
]
MEMBER_HEADERS = [
    "Mã hộ",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Quan hệ với chủ hộ",
    "Số định danh",
    "Dân tộc",
    "Trình độ học vấn",
    "BHYT",
    "Khuyết tật",
    "Việc làm",
]
MEMBER_SHEET = "Thành viên"


def unreadable_file_message() -> str:
    """What the user reads when the file is not a CSV/XLSX at all; the library's English text goes to the log."""
    return _(
        "Không đọc được tệp: cần tệp CSV mã UTF-8 hoặc bảng tính Excel (.xlsx) theo mẫu. "
        "Hãy mở tệp, lưu lại đúng định dạng rồi tải lên lại."
    )


def unreadable_line_message() -> str:
    return _("Không đọc được dòng này: tệp bị cắt giữa chừng hoặc không phải mã UTF-8.")


def template_headers(standard: PovertyStandard) -> list[str]:
    return BASE_HEADERS + [i["name"] for i in standard.indicators]


def template_csv(year: int, kind: str = "households") -> bytes:
    headers = MEMBER_HEADERS if kind == "members" else template_headers(standard_for(year))
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(h) for h in headers])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(year: int) -> bytes:
    """Households on the first sheet, members on the sheet 'Thành viên'."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Hộ"
    ws.append([safe_cell(h) for h in template_headers(standard_for(year))])
    wb.create_sheet(MEMBER_SHEET).append([safe_cell(h) for h in MEMBER_HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def errors_csv(batch: ImportBatch) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Bảng"), _("Dòng"), _("Cột"), _("Lỗi")])
    for e in batch.errors:
        writer.writerow([safe_cell(v) for v in (e.get("sheet", ""), e["line"], e["field"], e["message"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    return str(v)


def xlsx_rows(source: IO[bytes], sheet: str | None) -> Iterator[list[str]]:
    try:
        book = CalamineWorkbook.from_filelike(source)
        if sheet is None:
            ws = book.get_sheet_by_index(0)
        elif sheet in book.sheet_names:
            ws = book.get_sheet_by_name(sheet)
        else:
            return
        rows = ws.iter_rows()
    except CalamineError as exc:
        raise ValueError(str(exc)) from exc
    for row in rows:
        yield [_cell(v) for v in row]


def csv_rows(source: IO[bytes]) -> Iterator[list[str]]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    finally:
        text.detach()


def as_stream(data: bytes | IO[bytes]) -> IO[bytes]:
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data)
    data.seek(0)
    return data


def sha256_of(streams: Iterable[IO[bytes]]) -> str:
    h = hashlib.sha256()
    for s in streams:
        s.seek(0)
        for chunk in iter(lambda s=s: s.read(1 << 20), b""):  # type: ignore[misc]
            h.update(chunk)
        s.seek(0)
    return h.hexdigest()
