"""Row limits for XLSX importers, enforced while streaming (decision 0903).

openpyxl's read-only mode is not enough on its own against a hostile workbook: when a sheet has no `<dimension>`
element, `load_workbook` parses the whole sheet once just to size it (a 1 MB upload holding 1.000.000 identical
rows costs minutes of CPU), and rows numbered with gaps (`r="1"` then `r="1000000"`) come back as a million empty
rows. So importers call `check_rows(source, limit)` BEFORE openpyxl: it reads every member of the zip as a stream
(a sheet can sit at any path, under any extension, that the workbook's relationships name), counts `<row>` tags and
stops as soon as one member passes the limit, or when the members unpack to more than MAX_UNPACKED bytes; then the
importers read at most `limit` rows with `limited_rows`. They raise `TooManyRows` / `TooLarge`, ValidationErrors
whose Vietnamese messages name the limit.

Anything the guard cannot read to the end is refused (`Unreadable`, decision 0910): a member compressed with a method
other than stored/deflate (Excel writes nothing else), an encrypted member, a member whose data is corrupt, so a
decoy member placed first cannot hide a million-row sheet. The work is bounded on three
axes: rows per sheet (`limit`), cells per sheet (`limit` × MAX_COLUMNS; a column beyond MAX_COLUMNS, in a cell or in
the sheet's `<dimension>`, is refused too: openpyxl pads every row up to the widest one) and seconds (MAX_SECONDS of
reading, `TooSlow`).

Used by core/xlsx_import.read_sheet, the one reader of the finance, OCOP, NTM and workflow importers (decision 0053).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi

ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")  # <row …>, <row/>, <x:row …>; not <rowBreaks>
CHUNK = 1 << 20
TAIL_MAX = 4096
MAX_UNPACKED = 256 * 1024 * 1024  # bytes of all parts once unzipped (the million-row sheets are 100–400 MB)
MAX_COLUMNS = 702  # A…ZZ: no template of this system is wider; XFD (16.384) makes openpyxl pad every row
MAX_SECONDS = 10.0  # reading the whole zip stream; a legitimate 200.000-row sheet takes < 2 s
CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")  # <c …>, <c/>; not <cols>, <col>
WIDE_REF = re.compile(
    rb"""\sr=["']([A-Z]{3,})[0-9]"""
)  # a cell reference with a 3+ letter column (AAA… = 703+)
DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=["'][A-Z]+[0-9]+:([A-Z]+)[0-9]""")
KNOWN_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class TooManyRows(ValidationError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            _(
                "Tệp có quá nhiều dòng: mỗi trang tính được tối đa %(limit)s dòng. "
                "Hãy chia tệp thành nhiều tệp nhỏ hơn; không dòng nào được ghi."
            )
            % {"limit": number_vi(limit)},
            code="too_many_rows",
        )
        self.limit = limit


class TooLarge(ValidationError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            _(
                "Tệp quá lớn khi giải nén (hơn %(mb)s MB): có thể là tệp nén độc hại. "
                "Hãy chia tệp thành nhiều tệp nhỏ hơn; không dòng nào được ghi."
            )
            % {"mb": number_vi(limit // (1024 * 1024))},
            code="too_large",
        )
        self.limit = limit


class Unreadable(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Tệp Excel dùng cách nén, mã hoá hoặc cấu trúc mà hệ thống không kiểm tra được nên bị từ chối. "
                "Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx thông thường (không đặt mật khẩu); "
                "không dòng nào được ghi."
            ),
            code="unreadable",
        )


class TooWide(ValidationError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            _(
                "Tệp có quá nhiều ô: mỗi trang tính được tối đa %(cols)s cột và %(cells)s ô. "
                "Hãy xoá các cột thừa hoặc chia tệp; không dòng nào được ghi."
            )
            % {"cols": number_vi(MAX_COLUMNS), "cells": number_vi(limit)},
            code="too_wide",
        )
        self.limit = limit


class TooSlow(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Tệp mất quá %(s)s giây để kiểm tra nên bị từ chối. Hãy chia tệp thành nhiều tệp nhỏ hơn; "
                "không dòng nào được ghi."
            )
            % {"s": number_vi(int(MAX_SECONDS))},
            code="too_slow",
        )


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _scan(data: bytes, end: int, limit: int) -> tuple[int, int]:
    """(row tags, cell tags) in data[:end]; TooWide for a `<dimension>` or a cell reference past MAX_COLUMNS."""
    if data.find(b"<", 0, end) < 0:  # padding, binary parts: no tag at all (one fast scan instead of four)
        return 0, 0
    for m in DIMENSION.finditer(data, 0, end):
        if _col_number(m.group(1)) > MAX_COLUMNS:
            raise TooWide(limit * MAX_COLUMNS)
    for m in WIDE_REF.finditer(data, 0, end):
        if _col_number(m.group(1)) > MAX_COLUMNS:
            raise TooWide(limit * MAX_COLUMNS)
    return len(ROW_TAG.findall(data, 0, end)), len(CELL_TAG.findall(data, 0, end))


def _count(stream: IO[bytes], limit: int, budget: int, deadline: float) -> tuple[int, int, int]:
    """(row tags, cell tags, bytes read) in one zip member, stopping once past `limit` rows, `limit` × MAX_COLUMNS
    cells or `budget` bytes. A tag is never split between chunks: each chunk is cut before its last '<' and the rest
    carried over."""
    rows = cells = used = 0
    max_cells = limit * MAX_COLUMNS
    tail = b""
    while rows <= limit and cells <= max_cells and used <= budget:
        if time.monotonic() > deadline:
            raise TooSlow()
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        used += len(chunk)
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut < 0 or len(data) - cut > TAIL_MAX:
            cut = len(data)
        r, c = _scan(data, cut, limit)
        rows, cells = rows + r, cells + c
        tail = data[cut:]
    r, c = _scan(tail, len(tail), limit)
    return rows + r, cells + c, used


def check_rows(source: bytes | IO[bytes], limit: int) -> None:
    """Raise TooManyRows if any part of the workbook holds more than `limit` rows, TooWide past `limit` ×
    MAX_COLUMNS cells or MAX_COLUMNS columns, TooLarge if its parts unpack to more than MAX_UNPACKED bytes, TooSlow
    after MAX_SECONDS, Unreadable if a member cannot be read to its end (unknown compression, encryption, corrupt
    data). Every member is read (a sheet may live at any path the workbook's relationships name, with any
    extension), as a stream, stopping at whichever limit comes first. A file that is not a zip at all passes: the
    importer's own reader reports it. A file object is rewound afterwards."""
    fh: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    start = fh.tell()
    deadline = time.monotonic() + MAX_SECONDS
    try:
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            return  # not a zip: the importer says so
        with zf:
            budget = MAX_UNPACKED
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if info.compress_type not in KNOWN_METHODS or info.flag_bits & 0x1:
                    raise Unreadable()
                try:
                    with zf.open(info) as member:
                        rows, cells, used = _count(member, limit, budget, deadline)
                except ValidationError:
                    raise
                except Exception as exc:  # corrupt data, bad CRC, truncated member, zlib errors…
                    raise Unreadable() from exc
                if rows > limit:
                    raise TooManyRows(limit)
                if cells > limit * MAX_COLUMNS:
                    raise TooWide(limit * MAX_COLUMNS)
                budget -= used
                if budget < 0:
                    raise TooLarge(MAX_UNPACKED)
    finally:
        fh.seek(start)


def limited_rows(rows: Iterable[Any], limit: int) -> Iterator[Any]:
    """At most `limit` rows from openpyxl's iterator (which invents empty rows for gaps in row numbers)."""
    for n, row in enumerate(rows, start=1):
        if n > limit:
            raise TooManyRows(limit)
        yield row
