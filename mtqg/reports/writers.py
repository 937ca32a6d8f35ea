"""Render any catalog report to XLSX, DOCX or PDF: `render(slug, data, fmt) -> bytes`.

A report is a JSON-ready dict/list. Writers work on a small *document model* (blocks):

    {"type": "heading", "text": str, "level": 1|2|3}
    {"type": "paragraph", "text": str}
    {"type": "table", "title": str, "columns": [{"key", "label", "kind"}], "rows": [dict], "annex": bool}
    {"type": "chart", "title": str, "labels": [str], "series": [{"name", "values": [number|None]}], "unit": str}

A report that carries its own `"blocks"` (the briefing) is rendered as written, under its `"document"` header
(issuer, number/symbol, place, title — Nghị định 30/2020/NĐ-CP layout). Any other report is turned into blocks
automatically (`auto_blocks`): scalar figures → one "Chỉ tiêu / Giá trị" table, every list of dicts → a table.
A figure that is None prints "chưa có số liệu". Numbers are formatted the Vietnamese way (1.234,56; 69,06%).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from mtqg.core.formatting import number_vi
from mtqg.core.tables import Column, Table, Typed, write_xlsx

from . import charts
from .labels import KEY_LABELS, REPORT_TITLES

FORMATS = ("xlsx", "docx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERCENT_KEYS = ("rate", "percent", "share")
SERIF_DOCX = "Times New Roman"
SERIF_PDF = '"Liberation Serif", "Times New Roman", "Noto Serif", "DejaVu Serif", serif'


def no_data() -> str:
    return str(_("chưa có số liệu"))


# ---------------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------------


def is_percent_key(key: str) -> bool:
    key = key.rsplit(".", 1)[-1].lower()
    return any(key.endswith(p) or key.startswith(p) for p in PERCENT_KEYS)


def fmt_value(value: Any, kind: str = "text") -> str:
    """Vietnamese display of one cell."""
    if value is None or value == "":
        return no_data() if kind != "text" or value is None else ""
    if isinstance(value, bool):
        return str(_("Có")) if value else str(_("Không"))
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float, Decimal)):
        if kind == "text":
            return str(value)
        if kind == "percent":
            return f"{number_vi(value, 2)}%"
        if kind == "money":
            return number_vi(value)
        if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value()):
            return number_vi(value)
        return number_vi(value, 2)
    text = str(value)
    if ISO_DATE.match(text):
        y, m, d = text.split("-")
        return f"{d}/{m}/{y}"
    return text


PLAIN_KEYS = ("year", "baseline", "code", "unit", "days")


def kind_for(key: str, values: Iterable[Any]) -> str:
    vals = [v for v in values if v is not None]
    last = key.rsplit(".", 1)[-1].lower()
    if last in PLAIN_KEYS or last.endswith("_year") or last.endswith("_code"):
        return "text"
    if vals and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in vals):
        if is_percent_key(key):
            return "percent"
        if all(isinstance(v, int) for v in vals):
            return "int"
        return "decimal"
    if vals and all(isinstance(v, str) and ISO_DATE.match(v) for v in vals):
        return "date"
    return "text"


# ---------------------------------------------------------------------------------------------------------------
# Automatic blocks for any report
# ---------------------------------------------------------------------------------------------------------------


def _label(key: str) -> str:
    parts = key.split(".")
    return " — ".join(str(KEY_LABELS.get(p, p.replace("_", " "))) for p in parts)


def _scalars(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.extend(_scalars(value, name))
        elif isinstance(value, list):
            if value and not isinstance(value[0], dict):
                out.append((name, ", ".join(fmt_value(v) for v in value)))
        else:
            out.append((name, value))
    return out


def _lists(data: Any, prefix: str = "") -> list[tuple[str, list[dict[str, Any]]]]:
    out: list[tuple[str, list[dict[str, Any]]]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_lists(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        out.append((prefix, data))
    return out


def table_from_rows(title: str, rows: list[dict[str, Any]], annex: bool = False) -> dict[str, Any]:
    keys: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in keys and not isinstance(value, (dict, list)):
                keys.append(key)
    columns = [{"key": k, "label": _label(k), "kind": kind_for(k, (r.get(k) for r in rows))} for k in keys]
    return {"type": "table", "title": title, "columns": columns, "rows": rows, "annex": annex}


def auto_blocks(slug: str, data: Any) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "heading", "text": report_title(slug), "level": 1}]
    if isinstance(data, dict):
        scalars = _scalars(data)
        if scalars:
            rows = [{"key": _label(k), "value": v, "_kind": kind_for(k, [v])} for k, v in scalars]
            blocks.append(
                {
                    "type": "table",
                    "title": str(_("Chỉ tiêu")),
                    "columns": [
                        {"key": "key", "label": str(_("Chỉ tiêu")), "kind": "text"},
                        {"key": "value", "label": str(_("Giá trị")), "kind": "auto"},
                    ],
                    "rows": rows,
                }
            )
    for name, rows in _lists(data, "" if isinstance(data, dict) else slug):
        blocks.append(table_from_rows(_label(name), rows))
    if len(blocks) == 1:
        blocks.append({"type": "paragraph", "text": no_data().capitalize() + "."})
    return blocks


def report_title(slug: str) -> str:
    return str(REPORT_TITLES.get(slug, slug))


def document_of(slug: str, data: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if isinstance(data, dict) and isinstance(data.get("blocks"), list):
        return dict(data.get("document") or {}), data["blocks"]
    return {}, auto_blocks(slug, data)


def cell(row: dict[str, Any], col: dict[str, Any]) -> str:
    kind = col.get("kind", "text")
    if kind == "auto":
        kind = row.get("_kind", "text")
    return fmt_value(row.get(col["key"]), kind)


# ---------------------------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------------------------


def render_xlsx(slug: str, data: Any) -> bytes:
    """One sheet per table block: the full title in A1, a deliberately short sheet name (core.tables.sheet_title),
    rates as fractions in a percent format, money and counts with thousands separators."""
    _doc, blocks = document_of(slug, data)
    tables: list[Table] = []
    for block in blocks:
        if block.get("type") != "table":
            continue
        title = str(block.get("title") or report_title(slug))
        columns = [
            Column(c["key"], str(c["label"]), XLSX_KINDS.get(c.get("kind", "text"), "text"))
            for c in block["columns"]
        ]
        rows = [{c["key"]: _xlsx_cell(row, c) for c in block["columns"]} for row in block["rows"]]
        tables.append(Table(title=title, columns=columns, rows=rows, notes=list(block.get("notes", []))))
    if not tables:
        tables.append(Table(title=report_title(slug), columns=[Column("v", "")], rows=[{"v": no_data()}]))
    return write_xlsx(tables)


XLSX_KINDS = {"int": "int", "decimal": "decimal", "percent": "percent", "money": "money", "date": "date"}


def _xlsx_cell(row: dict[str, Any], col: dict[str, Any]) -> Any:
    kind = col.get("kind", "text")
    if kind == "auto":  # key/value tables: each row says its own kind
        row_kind = row.get("_kind", "text")
        return Typed(_xlsx_value(row.get(col["key"]), row_kind), XLSX_KINDS.get(row_kind, "text"))
    return _xlsx_value(row.get(col["key"]), kind)


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None:
        return no_data() if kind not in ("text",) else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str) and ISO_DATE.match(value) and kind == "date":
        return date.fromisoformat(value)
    return value


# ---------------------------------------------------------------------------------------------------------------
# DOCX (python-docx) — Nghị định 30/2020/NĐ-CP layout
# ---------------------------------------------------------------------------------------------------------------


def render_docx(slug: str, data: Any) -> bytes:
    doc_meta, blocks = document_of(slug, data)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    normal = document.styles["Normal"]
    normal.font.name = SERIF_DOCX
    normal.font.size = Pt(13)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), SERIF_DOCX)
    normal.paragraph_format.space_after = Pt(6)
    document.styles["Table Grid"].font.size = Pt(11)

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
    for block in blocks:
        kind = block.get("type")
        if block.get("annex") and not annex_started:
            annex_started = True
            document.add_page_break()
            para(str(_("PHỤ LỤC")), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
            para(str(_("Các biểu số liệu")), italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
        if kind == "heading":
            level = int(block.get("level", 1))
            p = para(block["text"], bold=True, size=14 if level == 1 else 13)
            if level == 1 and not doc_meta:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "paragraph":
            p = para(block["text"])
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Mm(10)
        elif kind == "table":
            _docx_table(document, block, para, Pt)
        elif kind == "chart":
            png = charts.bar_chart_png(block)
            para(block.get("title", ""), bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
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


def _docx_table(document: Any, block: dict[str, Any], para: Any, Pt: Any) -> None:
    columns = block["columns"]
    rows = block["rows"]
    if block.get("title"):
        para(block["title"], bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    table = document.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = "Table Grid"  # its font size (11 pt) is set once on the style, not on every run
    # Fill through the XML cells directly: far faster than table.cell() for big annexes.
    for r_idx, tr in enumerate(table.rows):
        cells = tr.cells
        for c_idx, col in enumerate(columns):
            text = str(col["label"]) if r_idx == 0 else cell(rows[r_idx - 1], col)
            p = cells[c_idx].paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            run = p.add_run(text)
            if r_idx == 0:
                run.bold = True
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif col.get("kind", "text") not in ("text", "date"):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in block.get("notes", []):
        p = para(note, italic=True, size=11)
        p.paragraph_format.space_after = Pt(0)
    para()


# ---------------------------------------------------------------------------------------------------------------
# PDF (WeasyPrint; fonts found through fontconfig and embedded as subsets)
# ---------------------------------------------------------------------------------------------------------------

PDF_CSS = """
@page { size: A4; margin: 20mm 15mm 20mm 30mm;
        @top-center { content: counter(page); font-family: %(font)s; font-size: 13pt; } }
@page :first { @top-center { content: none; } }
.rule { border-top: 0.75pt solid #000; margin: 1pt auto 3pt auto; height: 0; }
body { font-family: %(font)s; font-size: 13pt; line-height: 1.3; }
.motto { width: 100%%; border-collapse: collapse; margin-bottom: 8mm; }
.motto td { border: none; text-align: center; vertical-align: top; padding: 0; font-size: 12.5pt; }
.motto .b { font-weight: bold; } .motto .m { font-size: 13pt; }
.motto .i { font-style: italic; }
h1.kind, h1.title { text-align: center; font-size: 14pt; margin: 0; }
p.sub { text-align: center; font-style: italic; margin-top: 0; }
h2 { font-size: 13.5pt; margin: 10pt 0 4pt 0; } h3 { font-size: 13pt; margin: 8pt 0 4pt 0; }
p.body { text-align: justify; text-indent: 10mm; margin: 0 0 5pt 0; }
table.data { width: 100%%; border-collapse: collapse; margin: 2pt 0 8pt 0; font-size: 10.5pt; }
table.data th, table.data td { border: 0.5pt solid #000; padding: 2pt 3pt; vertical-align: top; }
table.data th { background: #eeeeee; }
table.data td.n { text-align: right; white-space: nowrap; }
.caption { text-align: center; font-weight: bold; font-size: 12pt; margin: 6pt 0 2pt 0; }
.note { font-style: italic; font-size: 11pt; }
.chart { text-align: center; margin: 4pt 0 8pt 0; } .chart img { width: 155mm; }
.annex { page-break-before: always; }
.sign { width: 100%%; margin-top: 10mm; } .sign td { vertical-align: top; border: none; }
.sign .r { text-align: center; font-weight: bold; } .sign .l { font-size: 11pt; }
"""


def _esc(text: Any) -> str:
    return html.escape(str(text))


def render_html(slug: str, data: Any) -> str:
    doc_meta, blocks = document_of(slug, data)
    out: list[str] = ["<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"]
    out.append(f"<style>{PDF_CSS % {'font': SERIF_PDF}}</style></head><body>")
    if doc_meta:
        issuer = "".join(
            f"<div class='{'b' if i == len(doc_meta.get('issuer_lines', [])) - 1 else ''}'>{_esc(x)}</div>"
            for i, x in enumerate(doc_meta.get("issuer_lines", []))
        )
        out.append(
            "<table class='motto'><tr>"
            f"<td style='width:40%'>{issuer}<div class='rule' style='width:22mm'></div>"
            f"<div>{_esc(doc_meta.get('number', ''))}</div></td>"
            f"<td><div class='b'>{_esc(_('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'))}</div>"
            f"<div class='b m'>{_esc(_('Độc lập - Tự do - Hạnh phúc'))}</div>"
            "<div class='rule' style='width:58mm'></div>"
            f"<div class='i'>{_esc(doc_meta.get('place_date', ''))}</div></td></tr></table>"
        )
        out.append(f"<h1 class='kind'>{_esc(doc_meta.get('kind', 'BÁO CÁO'))}</h1>")
        out.append(f"<h1 class='title'>{_esc(doc_meta.get('title', ''))}</h1>")
        if doc_meta.get("subtitle"):
            out.append(f"<p class='sub'>{_esc(doc_meta['subtitle'])}</p>")
    annex_started = False
    for block in blocks:
        kind = block.get("type")
        if block.get("annex") and not annex_started:
            annex_started = True
            out.append(f"<h2 class='annex' style='text-align:center'>{_esc(_('PHỤ LỤC'))}</h2>")
            out.append(f"<p class='sub'>{_esc(_('Các biểu số liệu'))}</p>")
        if kind == "heading":
            tag = "h2" if int(block.get("level", 1)) == 1 else "h3"
            out.append(f"<{tag}>{_esc(block['text'])}</{tag}>")
        elif kind == "paragraph":
            out.append(f"<p class='body'>{_esc(block['text'])}</p>")
        elif kind == "table":
            if block.get("title"):
                out.append(f"<div class='caption'>{_esc(block['title'])}</div>")
            head = "".join(f"<th>{_esc(c['label'])}</th>" for c in block["columns"])
            body = []
            for row in block["rows"]:
                tds = "".join(
                    f"<td class='{'' if c.get('kind', 'text') in ('text', 'date') else 'n'}'>"
                    f"{_esc(cell(row, c))}</td>"
                    for c in block["columns"]
                )
                body.append(f"<tr>{tds}</tr>")
            out.append(
                f"<table class='data'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            )
            out.extend(f"<p class='note'>{_esc(n)}</p>" for n in block.get("notes", []))
        elif kind == "chart":
            svg = charts.bar_chart_svg(block).encode()
            uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
            out.append(f"<div class='caption'>{_esc(block.get('title', ''))}</div>")
            out.append(f"<div class='chart'><img src='{uri}' alt='{_esc(block.get('title', ''))}'></div>")
    if doc_meta.get("recipients") or doc_meta.get("signer"):
        recips = "".join(f"<div>- {_esc(x)};</div>" for x in doc_meta.get("recipients", []))
        signer = "".join(f"<div>{_esc(x)}</div>" for x in doc_meta.get("signer", []))
        out.append(
            f"<table class='sign'><tr><td class='l'><b><i>{_esc(_('Nơi nhận:'))}</i></b>{recips}</td>"
            f"<td class='r'>{signer}</td></tr></table>"
        )
    out.append("</body></html>")
    return "".join(out)


def render_pdf(slug: str, data: Any) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415  (loads native Pango/HarfBuzz; only a PDF export pays, decision 0042)

    pdf = HTML(string=render_html(slug, data)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render(slug: str, data: Any, fmt: str) -> bytes:
    """The bytes of report `slug` (its JSON-ready `data`) in `fmt` (xlsx, docx, pdf)."""
    if fmt == "xlsx":
        return render_xlsx(slug, data)
    if fmt == "docx":
        return render_docx(slug, data)
    if fmt == "pdf":
        return render_pdf(slug, data)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode()
    raise ValueError(fmt)


def filename(slug: str, unit_code: str, fmt: str, period: str = "") -> str:
    parts = [slug, unit_code] + ([period] if period else [])
    return "-".join(p for p in parts if p) + f".{fmt}"
