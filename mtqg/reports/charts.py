"""Simple horizontal bar charts drawn without a browser or matplotlib: SVG (PDF) and PNG via Pillow (DOCX).

A chart block: {"title", "labels": [str], "series": [{"name", "values": [number|None]}], "unit": str}.
A missing value draws no bar and prints "chưa có số liệu"."""

from __future__ import annotations

import html
import io
import textwrap
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from mtqg.core.formatting import number_vi

COLORS = ["#1f5f9e", "#e07b24", "#3a9a4a", "#b23b3b"]
FONT_FILES = [
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]
WIDTH, LABEL_W, ROW_H, BAR_GAP, TOP, LEGEND_H = 900, 300, 22, 8, 10, 30


def _num(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return float(value)


def _fmt(value: Any, decimals: int) -> str:
    return str(_("chưa có số liệu")) if value is None else number_vi(value, decimals)


LINE_H, LABEL_CHARS = 16, 40  # a category label wraps at word boundaries (never cut)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, LABEL_CHARS, break_long_words=False) or [""]


def _layout(block: dict[str, Any]) -> tuple[list[list[str]], list[dict[str, Any]], float, list[int], int]:
    """Wrapped labels, series, the peak value, each group's top and the height: a group is as tall as its bars
    or its label's lines, whichever is more."""
    labels = [_wrap(str(x)) for x in block.get("labels", [])]
    series = list(block.get("series", []))[: len(COLORS)]
    values = [_num(v) for s in series for v in s.get("values", [])]
    peak = max([v for v in values if v is not None] + [0.0]) or 1.0
    tops, y = [], TOP
    for lines in labels:
        tops.append(y)
        y += max(ROW_H * max(1, len(series)), LINE_H * len(lines)) + BAR_GAP
    height = y + LEGEND_H + 10
    return labels, series, peak, tops, height


def _group_h(tops: list[int], i: int, height: int) -> int:
    return (tops[i + 1] if i + 1 < len(tops) else height - LEGEND_H - 10) - tops[i] - BAR_GAP


def bar_chart_svg(block: dict[str, Any]) -> str:
    labels, series, peak, tops, height = _layout(block)
    decimals = int(block.get("decimals", 0))
    span = WIDTH - LABEL_W - 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Liberation Sans, DejaVu Sans, sans-serif" font-size="13">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    for i, lines in enumerate(labels):
        y0 = tops[i]
        first = y0 + _group_h(tops, i, height) / 2 - LINE_H * (len(lines) - 1) / 2
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{LABEL_W - 8}" y="{first + k * LINE_H}" text-anchor="end" dominant-baseline="middle">'
                f"{html.escape(line)}</text>"
            )
        for j, s in enumerate(series):
            vals = s.get("values", [])
            v = _num(vals[i]) if i < len(vals) else None
            y = y0 + j * ROW_H
            w = 0.0 if v is None else max(1.0, span * v / peak) if v > 0 else 0.0
            parts.append(
                f'<rect x="{LABEL_W}" y="{y + 2}" width="{w:.1f}" height="{ROW_H - 4}" fill="{COLORS[j]}"/>'
            )
            parts.append(
                f'<text x="{LABEL_W + w + 6:.1f}" y="{y + ROW_H / 2}" dominant-baseline="middle">'
                f"{html.escape(_fmt(vals[i] if i < len(vals) else None, decimals))}</text>"
            )
    parts.append(
        f'<line x1="{LABEL_W}" y1="{TOP}" x2="{LABEL_W}" y2="{height - LEGEND_H - 10}" stroke="#333"/>'
    )
    x = LABEL_W
    for j, s in enumerate(series):
        ly = height - LEGEND_H + 5
        parts.append(f'<rect x="{x}" y="{ly}" width="14" height="14" fill="{COLORS[j]}"/>')
        name = html.escape(str(s.get("name", "")) + (f" ({block['unit']})" if block.get("unit") else ""))
        parts.append(f'<text x="{x + 20}" y="{ly + 12}">{name}</text>')
        x += 40 + 8 * len(name)
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=4)
def _font(size: int) -> Any:
    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def bar_chart_png(block: dict[str, Any]) -> bytes:
    labels, series, peak, tops, height = _layout(block)
    decimals = int(block.get("decimals", 0))
    scale = 2  # crisp when printed at 160 mm
    img = Image.new("RGB", (WIDTH * scale, height * scale), "white")
    draw = ImageDraw.Draw(img)
    font = _font(13 * scale)
    span = WIDTH - LABEL_W - 120
    for i, lines in enumerate(labels):
        y0 = tops[i]
        first = y0 + _group_h(tops, i, height) / 2 - LINE_H * (len(lines) - 1) / 2
        for k, line in enumerate(lines):
            tw = draw.textlength(line, font=font)
            draw.text(
                ((LABEL_W - 8) * scale - tw, (first + k * LINE_H) * scale),
                line,
                fill="black",
                font=font,
                anchor="lm",
            )
        for j, s in enumerate(series):
            vals = s.get("values", [])
            v = _num(vals[i]) if i < len(vals) else None
            y = y0 + j * ROW_H
            w = 0.0 if v is None else max(1.0, span * v / peak) if v > 0 else 0.0
            if w:
                draw.rectangle(
                    [LABEL_W * scale, (y + 2) * scale, (LABEL_W + w) * scale, (y + ROW_H - 2) * scale],
                    fill=COLORS[j],
                )
            draw.text(
                ((LABEL_W + w + 6) * scale, (y + ROW_H / 2) * scale),
                _fmt(vals[i] if i < len(vals) else None, decimals),
                fill="black",
                font=font,
                anchor="lm",
            )
    draw.line(
        [LABEL_W * scale, TOP * scale, LABEL_W * scale, (height - LEGEND_H - 10) * scale], fill="#333333"
    )
    x = LABEL_W
    for j, s in enumerate(series):
        ly = height - LEGEND_H + 5
        draw.rectangle([x * scale, ly * scale, (x + 14) * scale, (ly + 14) * scale], fill=COLORS[j])
        name = str(s.get("name", "")) + (f" ({block['unit']})" if block.get("unit") else "")
        draw.text(((x + 20) * scale, (ly + 7) * scale), name, fill="black", font=font, anchor="lm")
        x += 40 + int(draw.textlength(name, font=font) / scale)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
