"""Million-row hostile files, written to disk as a stream (never held in memory).

`write_xlsx_rows(path, head, row, n)` writes a valid .xlsx whose first sheet holds the `head` rows followed by
`n` copies of `row` (inline strings, so no shared-strings table to build). Identical rows deflate ~1000:1, so a
1.000.000-row sheet (~100 MB of XML) is a file of a few hundred KB: small enough to pass the 5 MB upload caps and
reach the importer's row limit, which is what the tests prove. `write_csv_rows` is the CSV counterpart.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

MILLION = 1_000_000
CHUNK = 10_000  # rows per write

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
SHEET = "xl/worksheets/sheet1.xml"


def _workbook_rels(sheet_path: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="/{sheet_path}"/></Relationships>'
    )


def _workbook(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _cell(value: object) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _row(values: list[object]) -> str:
    return "<row>" + "".join(_cell(v) for v in values) + "</row>"


def write_xlsx_rows(
    path: Path,
    head: list[list[object]],
    row: list[object],
    n: int = MILLION,
    sheet: str = "Sheet1",
    sheet_path: str = SHEET,
    padding: int = 0,
) -> Path:
    """Write the workbook streaming: the sheet XML goes through the zip writer CHUNK rows at a time. `sheet_path`
    puts the sheet elsewhere in the zip (the relationship points there); `padding` adds a member of that many
    spaces (a decompression bomb outside the sheets)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("/" + SHEET, "/" + sheet_path))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook(sheet))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(sheet_path))
        if padding:
            with zf.open("xl/media/padding.bin", "w", force_zip64=True) as pad:
                block = b" " * (1 << 20)
                for _ in range(padding >> 20):
                    pad.write(block)
        with zf.open(sheet_path, "w", force_zip64=True) as out:
            out.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for values in head:
                out.write(_row(values).encode())
            chunk = _row(row).encode() * CHUNK
            done = 0
            while done < n:
                step = min(CHUNK, n - done)
                out.write(chunk if step == CHUNK else _row(row).encode() * step)
                done += step
            out.write(b"</sheetData></worksheet>")
    return path


def write_csv_rows(path: Path, header: str, row: str, n: int = MILLION, encoding: str = "utf-8") -> Path:
    """A CSV with a header line and `n` copies of `row`, written CHUNK lines at a time."""
    chunk = (row + "\n").encode(encoding) * CHUNK
    with open(path, "wb") as out:
        out.write((header + "\n").encode(encoding))
        done = 0
        while done < n:
            step = min(CHUNK, n - done)
            out.write(chunk if step == CHUNK else (row + "\n").encode(encoding) * step)
            done += step
    return path


def write_xlsx_sparse(path: Path, head: list[object], row: list[object], last: int = MILLION) -> Path:
    """Two rows numbered 1 and `last`: tiny on disk, but openpyxl yields `last` rows (empty ones for the gap)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook("Sheet1"))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(SHEET))
        zf.writestr(
            SHEET,
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + _row(head).replace("<row>", '<row r="1">')
            + _row(row).replace("<row>", f'<row r="{last}">')
            + "</sheetData></worksheet>",
        )
    return path
