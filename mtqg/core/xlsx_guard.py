"""Row limits for XLSX importers, enforced while streaming (decision 0903).

openpyxl's read-only mode is not enough on its own against a hostile workbook: when a sheet has no `<dimension>`
element, `load_workbook` parses the whole sheet once just to size it (a 1 MB upload holding 1.000.000 identical
rows costs minutes of CPU), and rows numbered with gaps (`r="1"` then `r="1000000"`) come back as a million empty
rows. So importers call `check_rows(source, limit)` BEFORE openpyxl: it reads every member of the zip as a stream
(a sheet can sit at any path, under any extension, that the workbook's relationships name), counts `<row>` tags and
stops as soon as one member passes the limit, or when the members unpack to more than MAX_UNPACKED bytes; then the
importers read at most `limit` rows with `limited_rows`. They raise `TooManyRows` / `TooLarge`, ValidationErrors
whose Vietnamese messages name the limit.

Used by the finance, OCOP, NTM and workflow importers (generic: it would sit better in mtqg/core).
"""

from __future__ import annotations

import io
import re
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


def _count(stream: IO[bytes], limit: int, budget: int) -> tuple[int, int]:
    """(row tags, bytes read) in one zip member, stopping once past `limit` rows or `budget` bytes. A tag is never
    split between chunks: each chunk is cut before its last '<' and the rest carried over."""
    count = used = 0
    tail = b""
    while count <= limit and used <= budget:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        used += len(chunk)
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut < 0 or len(data) - cut > TAIL_MAX:
            cut = len(data)
        count += len(ROW_TAG.findall(data, 0, cut))
        tail = data[cut:]
    return count + len(ROW_TAG.findall(tail)), used


def check_rows(source: bytes | IO[bytes], limit: int) -> None:
    """Raise TooManyRows if any part of the workbook holds more than `limit` rows, TooLarge if its parts unpack to
    more than MAX_UNPACKED bytes. Every member is read (a sheet may live at any path the workbook's relationships
    name, with any extension), as a stream, stopping at whichever limit comes first. A file that is not a zip passes
    silently: the importer's own reader reports it. A file object is rewound afterwards."""
    fh: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    start = fh.tell()
    try:
        with zipfile.ZipFile(fh) as zf:
            budget = MAX_UNPACKED
            for info in zf.infolist():
                if info.is_dir():
                    continue
                with zf.open(info) as member:
                    rows, used = _count(member, limit, budget)
                if rows > limit:
                    raise TooManyRows(limit)
                budget -= used
                if budget < 0:
                    raise TooLarge(MAX_UNPACKED)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, ValueError):
        pass  # not a readable xlsx: the importer says so
    finally:
        fh.seek(start)


def limited_rows(rows: Iterable[Any], limit: int) -> Iterator[Any]:
    """At most `limit` rows from openpyxl's iterator (which invents empty rows for gaps in row numbers)."""
    for n, row in enumerate(rows, start=1):
        if n > limit:
            raise TooManyRows(limit)
        yield row
