"""Render any catalog report to XLSX, DOCX or PDF: `render(slug, data, fmt) -> bytes`.

The writers render a typed `Report` (reports/document.py): headings, paragraphs, charts and tables whose columns
declare their label and kind. Nothing is guessed from a key's name: a money column is written as money whatever it
is called. A report with a `document` header (the briefing) is laid out as an official document (Nghị định
30/2020/NĐ-CP: issuing body and national motto with their rules, page numbers top centre from page 2, recipients and
signer); any other report is headed by its title. A figure that is None prints "chưa có số liệu". Numbers are
formatted the Vietnamese way (1.234,56; 69,06%). The PDF is the template reports/document.html through WeasyPrint.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from mtqg.core.formatting import number_vi
from mtqg.core.tables import DATE, MONEY, NUMERIC_KINDS, PERCENT, TEXT, Column, Table, Typed, write_xlsx

from . import charts
from .catalog import report_from_data
from .document import Block, Chart, Heading, Paragraph, Report, block_as_dict

FORMATS = ("xlsx", "docx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
SERIF_DOCX = "Times New Roman"
SERIF_PDF = '"Liberation Serif", "Times New Roman", "Noto Serif", "DejaVu Serif", serif'


def no_data() -> str:
    return str(_("chưa có số liệu"))


# ---------------------------------------------------------------------------------------------------------------
# Values: formatted by the declared kind
# ---------------------------------------------------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _numeric(value: Any, kind: str) -> Any:
    """A number stored as JSON text (DjangoJSONEncoder writes a Decimal as "1234.5") read back in a numeric column."""
    if kind in NUMERIC_KINDS and isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def fmt_value(value: Any, kind: str = TEXT) -> str:
    """Vietnamese display of one cell of the declared kind."""
    if isinstance(value, Typed):
        return fmt_value(value.value, value.kind)
    value = _numeric(value, kind)
    if value is None or value == "":
        return no_data() if kind != TEXT or value is None else ""
    if isinstance(value, bool):
        return str(_("Có")) if value else str(_("Không"))
    if isinstance(value, list):
        return ", ".join(fmt_value(v, kind) for v in value)
    if kind == DATE:
        day = _as_date(value)
        return day.strftime("%d/%m/%Y") if day else str(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float, Decimal)) and kind in NUMERIC_KINDS:
        if kind == PERCENT:
            return f"{number_vi(value, 2)}%"
        if kind == MONEY:
            return number_vi(value)
        if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value()):
            return number_vi(value)
        return number_vi(value, 2)
    return str(value)


def cell(row: dict[str, Any], col: Column) -> str:
    return fmt_value(row.get(col.key), col.kind)


def _kind_of(row: dict[str, Any], col: Column) -> str:
    value = row.get(col.key)
    return value.kind if isinstance(value, Typed) else col.kind


def body_blocks(report: Report) -> list[Block]:
    """The blocks under the title: a plain report is headed by its title; one with nothing says so."""
    blocks = list(report.blocks)
    if report.headed and not report.document:
        blocks.insert(0, Heading(report.title, 1))
        if len(blocks) == 1:
            blocks.append(Paragraph(no_data().capitalize() + "."))
    return blocks


# ---------------------------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------------------------


def render_xlsx(report: Report) -> bytes:
    """One sheet per table: the full title in A1, a deliberately short sheet name (core.tables.sheet_title), rates
    as fractions in a percent format, money and counts with thousands separators, dates as dates."""
    tables: list[Table] = []
    for block in report.blocks:
        if not isinstance(block, Table):
            continue
        rows = [{c.key: _xlsx_cell(row.get(c.key), c.kind) for c in block.columns} for row in block.rows]
        tables.append(
            Table(
                title=block.title or report.title, columns=block.columns, rows=rows, notes=list(block.notes)
            )
        )
    if not tables:
        tables.append(Table(title=report.title, columns=[Column("v", "")], rows=[{"v": no_data()}]))
    return write_xlsx(tables)


def _xlsx_cell(value: Any, kind: str) -> Any:
    if isinstance(value, Typed):  # a figures table: each line its own kind
        return Typed(_xlsx_cell(value.value, value.kind), value.kind)
    value = _numeric(value, kind)
    if value is None:
        return no_data() if kind != TEXT else None
    if isinstance(value, list):
        return ", ".join(fmt_value(v) for v in value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if kind == DATE:
        return _as_date(value) or value
    if isinstance(value, (date, dict)) or (kind == TEXT and not isinstance(value, (str, int, float))):
        return fmt_value(value, kind)
    return value


# ---------------------------------------------------------------------------------------------------------------
# DOCX (python-docx) — Nghị định 30/2020/NĐ-CP layout
# ---------------------------------------------------------------------------------------------------------------


def render_docx(report: Report) -> bytes:
    doc_meta = report.document
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    normal = document.styles["Normal"]
    normal.font.name = SERIF_DOCX  # type: ignore[attr-defined,unused-ignore]
    normal.font.size = Pt(13)  # type: ignore[attr-defined,unused-ignore]
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), SERIF_DOCX)
    normal.paragraph_format.space_after = Pt(6)  # type: ignore[attr-defined,unused-ignore]
    document.styles["Table Grid"].font.size = Pt(11)  # type: ignore[attr-defined,unused-ignore]

    def para(
        text: str = "", *, bold: bool = False, italic: bool = False, size: float = 13, align: Any = None
    ) -> Any:
        p = document.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    def cell_text(c: Any, text: str, *, bold: bool = False, italic: bool = False, size: float = 13,
                  underline: bool = False, new: bool = False) -> None:  # fmt: skip
        p = c.add_paragraph() if new else c.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)

    if doc_meta:
        _docx_page_numbers(section)
        header = document.add_table(rows=1, cols=2)
        header.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = header.rows[0].cells
        left.width, right.width = Mm(65), Mm(100)
        for i, line in enumerate(doc_meta.get("issuer_lines", [])):
            last = i == len(doc_meta.get("issuer_lines", [])) - 1
            cell_text(left, line, bold=last, size=12 if not last else 13, new=i > 0)
        _docx_rule(left, Mm(20))  # NĐ 30/2020: a short line under the issuing body (1/3-1/2 of its line)
        cell_text(left, doc_meta.get("number", ""), size=13, new=True)
        cell_text(right, str(_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")), bold=True, size=12)
        cell_text(right, str(_("Độc lập - Tự do - Hạnh phúc")), bold=True, size=13, new=True)
        _docx_rule(right, Mm(60))  # and a line under the motto, as long as it
        cell_text(right, doc_meta.get("place_date", ""), italic=True, size=13, new=True)
        para()
        para(doc_meta.get("kind", "BÁO CÁO"), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
        para(doc_meta.get("title", ""), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
        if doc_meta.get("subtitle"):
            para(doc_meta["subtitle"], italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)

    annex_started = False
    for block in body_blocks(report):
        if isinstance(block, Table) and block.annex and not annex_started:
            annex_started = True
            document.add_page_break()
            para(str(_("PHỤ LỤC")), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
            para(str(_("Các biểu số liệu")), italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
        if isinstance(block, Heading):
            p = para(block.text, bold=True, size=14 if block.level == 1 else 13)
            if block.level == 1 and not doc_meta:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, Paragraph):
            p = para(block.text)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Mm(10)
        elif isinstance(block, Table):
            _docx_table(document, block, para)
        elif isinstance(block, Chart):
            png = charts.bar_chart_png(block_as_dict(block))
            para(block.title, bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
            document.add_picture(io.BytesIO(png), width=Mm(160))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    if doc_meta.get("recipients") or doc_meta.get("signer"):
        para()
        sign = document.add_table(rows=1, cols=2)
        left, right = sign.rows[0].cells
        p = left.paragraphs[0]
        r = p.add_run(str(_("Nơi nhận:")))
        r.bold, r.italic = True, True
        r.font.size = Pt(12)
        for line in doc_meta.get("recipients", []):
            q = left.add_paragraph()
            q.paragraph_format.space_after = Pt(0)
            rr = q.add_run(f"- {line};")
            rr.font.size = Pt(11)
        for i, line in enumerate(doc_meta.get("signer", [])):
            cell_text(right, line, bold=True, size=13, new=i > 0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_rule(cell: Any, width: Any) -> None:
    """A centred horizontal rule of `width` in a header cell: an empty paragraph with a bottom border, indented
    so the border is only as long as asked (Nghị định 30/2020, Phụ lục I)."""

    p = cell.add_paragraph()
    borders = OxmlElement(
        "w:pBdr"
    )  # first: the later spacing/ind elements are inserted in schema order after it
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr = p._p.get_or_add_pPr()
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    p.paragraph_format.space_after = Pt(2)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.line_spacing = Pt(2)
    side = max(0, (cell.width - width) // 2) if cell.width else 0
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side


def _docx_page_numbers(section: Any) -> None:
    """Page numbers at the top centre from page 2 (Nghị định 30/2020): a PAGE field in the header, an empty
    first-page header."""

    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    p._p.append(field)
    p.paragraph_format.space_after = Pt(0)


def _docx_table(document: Any, block: Table, para: Any) -> None:
    columns = list(block.columns)
    rows = list(block.rows)
    if block.title:
        para(block.title, bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    table = document.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = "Table Grid"  # its font size (11 pt) is set once on the style, not on every run
    # Fill through the XML cells directly: far faster than table.cell() for big annexes.
    for r_idx, tr in enumerate(table.rows):
        cells = tr.cells
        for c_idx, col in enumerate(columns):
            row = rows[r_idx - 1] if r_idx else {}
            text = str(col.label) if r_idx == 0 else cell(row, col)
            p = cells[c_idx].paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            run = p.add_run(text)
            if r_idx == 0:
                run.bold = True
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif _kind_of(row, col) in NUMERIC_KINDS:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in block.notes:
        p = para(note, italic=True, size=11)
        p.paragraph_format.space_after = Pt(0)
    para()


# ---------------------------------------------------------------------------------------------------------------
# Screens and PDF: the blocks ready for a template (cells formatted, charts as SVG)
# ---------------------------------------------------------------------------------------------------------------


def template_blocks(report: Report, *, with_title: bool = False) -> list[dict[str, Any]]:
    """Blocks as dicts for reports/document.html and the preview screens: a table's cells formatted (with their
    kind, numbers right-aligned), a chart's SVG drawn (no script: CSP-safe)."""
    out: list[dict[str, Any]] = []
    for block in body_blocks(report) if with_title else report.blocks:
        item = block_as_dict(block)
        if isinstance(block, Table):
            item["cells"] = [
                [{"text": cell(row, c), "numeric": _kind_of(row, c) in NUMERIC_KINDS} for c in block.columns]
                for row in block.rows
            ]
            del item["rows"]
        elif isinstance(block, Chart):
            item["svg"] = charts.bar_chart_svg(item)
        out.append(item)
    return out


def render_html(report: Report) -> str:
    blocks = template_blocks(report, with_title=True)
    for block in blocks:
        if block["type"] == "chart":
            block["src"] = "data:image/svg+xml;base64," + base64.b64encode(block.pop("svg").encode()).decode()
    first_annex = next((i for i, b in enumerate(blocks) if b.get("annex")), -1)
    if first_annex >= 0:
        blocks[first_annex]["first_annex"] = True
    return render_to_string(
        "reports/document.html", {"doc": report.document, "blocks": blocks, "font": SERIF_PDF}
    )


def render_pdf(report: Report) -> bytes:
    # WeasyPrint takes over a second to import: only a PDF pays for it (the allow-list of ruff PLC0415).
    from weasyprint import HTML  # noqa: PLC0415, RUF100

    pdf = HTML(string=render_html(report)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_report(report: Report, fmt: str) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "docx":
        return render_docx(report)
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "json":
        return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode()
    raise ValueError(fmt)


def render(slug: str, data: Any, fmt: str) -> bytes:
    """The bytes of report `slug` in `fmt` (xlsx, docx, pdf, json) from its figures (`data`, as computed or as
    stored in a snapshot): laid out by the report's declared layout (catalog.LAYOUTS)."""
    return render_report(report_from_data(slug, data), fmt)


def filename(slug: str, unit_code: str, fmt: str, period: str = "") -> str:
    parts = [slug, unit_code] + ([period] if period else [])
    return "-".join(p for p in parts if p) + f".{fmt}"
