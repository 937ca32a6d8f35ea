"""Row validation in plain Python with lookups compiled once per batch (decision 0201), and the checks against the
register: which communes a unit covers, which staged codes belong to another unit's households (decision 0905)."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from mtqg.core.scoping import path_q
from mtqg.core.text import fold
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import lineage_scope_paths

from ..models import Household, PovertyStandard
from ..privacy import ID_RE
from ..standards import MAX_INCOME, decide
from .reader import (
    BASE_HEADERS,
    MEMBER_HEADERS,
    template_headers,
    unreadable_file_message,
    unreadable_line_message,
)
from .staging import StagingWriter

AREA_VALUES = {
    "nông thôn": "rural",
    "nong thon": "rural",
    "rural": "rural",
    "thành thị": "urban",
    "thanh thi": "urban",
    "urban": "urban",
}
YES = frozenset({"1", "x", "có", "co", "true"})
NO = frozenset({"", "0", "không", "khong", "false"})
SEX = {"nam": "M", "m": "M", "nữ": "F", "nu": "F", "f": "F", "": ""}
FORMULA = frozenset("=+@-")
MAX_STORED_ERRORS = 10_000
MIN_BIRTH = date(1900, 1, 1)
CODES_PER_QUERY = 20_000  # codes probed on the register per statement
RANGE_ROWS = 2  # register rows per code in a part's code range up to which the range is read (0855)


logger = logging.getLogger(__name__)


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0
        self.lines: set[tuple[str, int]] = set()

    def add(self, sheet: str, line: int, field: str, message: str) -> None:
        self.count += 1
        self.lines.add((sheet, line))
        if len(self.items) < MAX_STORED_ERRORS:
            self.items.append({"sheet": sheet, "line": line, "field": field, "message": message})


def province_code(unit: UnitVersion) -> str:
    if unit.level == UnitVersion.Level.PROVINCE:
        return unit.code
    top = "/".join(unit.path.split("/")[:2]) + "/"  # "<country>/<province>/"
    return UnitVersion.objects.filter(path=top).values_list("code", flat=True).first() or ""


def scope_paths(unit: UnitVersion) -> tuple[str, ...]:
    return tuple(
        sorted(lineage_scope_paths(unit) | {unit.path})
    )  # a 2025 province also covers its pre-2025 communes


def communes_of(unit: UnitVersion, year: int) -> dict[str, int]:
    qs = UnitVersion.objects.as_of(date(year, 12, 31)).filter(path_q("path", scope_paths(unit)), level=3)
    return dict(qs.values_list("code", "pk"))


def register_matches(codes: dict[str, int], paths: tuple[str, ...], limit: int) -> Matches:
    """Codes (code → line) that are households already on the register: (how many, how many of them in a commune
    outside the batch's unit and its lineage, the first `limit` of those as (line, code)). One statement per
    `CODES_PER_QUERY` codes (decisions 0905, 0816). On PostgreSQL each statement reads the register over the range
    of the part's codes (from its smallest to its largest, in the server's collation) when that range holds at most
    `RANGE_ROWS` register rows per code, testing each against the part's codes by hash — an empty range for a file
    of new codes, one index read for a re-review — and otherwise probes the code's unique index code by code
    (decision 0855; both give the same rows)."""
    qn = connection.ops.quote_name
    h_t, u_t = (qn(m._meta.db_table) for m in (Household, UnitVersion))
    inside = " OR ".join(["substr(u.path, 1, %s) = %s"] * len(paths)) or "1 = 0"
    inside_params: list[Any] = []
    for p in paths:
        inside_params += [len(p), p]
    postgres = connection.vendor == "postgresql"
    select = f"SELECT h.code, CASE WHEN {inside} THEN 0 ELSE 1 END FROM {h_t} h JOIN {u_t} u ON u.id = h.commune_id"
    among = "h.code = ANY(%s::text[])" if postgres else "h.code IN (SELECT value FROM json_each(%s))"
    # the part's smallest and largest code as the server orders them (the index's collation, not Python's), and
    # how many register rows lie between them, counted up to the bound
    span = (
        f"SELECT lo, hi, (SELECT count(*) FROM (SELECT 1 FROM {h_t} h WHERE h.code >= lo AND h.code <= hi "
        f"LIMIT %s) r) FROM (SELECT min(c) lo, max(c) hi FROM unnest(%s::text[]) c) b"
    )
    # `|| ''` keeps the code list out of the index condition: the range is the index scan, the list a hashed filter
    by_range = f"{select} WHERE h.code >= %s AND h.code <= %s AND (h.code || '') = ANY(%s::text[])"
    existing, foreign = 0, []
    keys = list(codes)
    with connection.cursor() as cur:
        for start in range(0, len(keys), CODES_PER_QUERY):
            part = keys[start : start + CODES_PER_QUERY]
            if postgres:
                array, bound = _array_literal(part), RANGE_ROWS * len(part)
                cur.execute(span, [bound + 1, array])
                lo, hi, rows = cur.fetchone()
                if rows == 0:  # no register row between its smallest and largest code: none of them is there
                    continue
                if rows <= bound:
                    cur.execute(by_range, [*inside_params, lo, hi, array])
                else:
                    cur.execute(f"{select} WHERE {among}", [*inside_params, array])
            else:
                cur.execute(f"{select} WHERE {among}", [*inside_params, json.dumps(part)])
            for code, outside in cur.fetchall():
                existing += 1
                if outside:
                    foreign.append((codes[code], str(code)))
    foreign.sort()
    return existing, len(foreign), foreign[:limit]


def _array_literal(codes: list[str]) -> str:
    """PostgreSQL's text form of a text[] (one string parameter: psycopg dumps a list value by value)."""
    if not codes:
        return "{}"
    text = '{"' + '","'.join(codes) + '"}'
    if "\\" in text or text.count('"') != 2 * len(codes):  # a code with a quote or backslash: escape them all
        text = "{" + ",".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in codes) + "}"
    return text


Matches = tuple[int, int, list[tuple[int, str]]]


def check_register(
    codes: dict[str, int], unit: UnitVersion, errors: RowErrors, matches: Matches | None = None
) -> int:
    """Every code of the file (code → line) that belongs to another unit's household is an error; returns how many
    are already on the register (the commit's choice between a plain insert and skipping existing households).
    `matches`: `register_matches` of the codes, when the caller already probed them (parallel.py, block by block)."""
    existing, count, rows = matches or register_matches(codes, scope_paths(unit), MAX_STORED_ERRORS)
    message = _("Mã hộ %(c)s đã có trong sổ hộ của đơn vị khác (ngoài %(u)s): không được ghi đè.")
    for line, code in rows:
        errors.add(_("Hộ"), line, "Mã hộ", message % {"c": code, "u": unit.name})
    errors.count += count - len(rows)
    return existing


def header_error(errors: RowErrors, sheet: str, header: list[str], expected: list[str]) -> bool:
    header = [h.strip() for h in header]
    if header == expected:
        return False
    missing = [h for h in expected if h not in header]
    errors.add(
        sheet,
        1,
        "",
        _("Tiêu đề cột không đúng mẫu. Thiếu hoặc sai: %(h)s") % {"h": ", ".join(missing) or _("thứ tự cột")},
    )
    return True


def numbered(
    it: Iterator[list[str]], sheet: str, errors: RowErrors, stager: StagingWriter, header_line: int = 1
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each data row after the header (line `header_line`: 1, or the line before a block
    of the file in a parallel validator). A line that cannot be read (a file cut short, not UTF-8) is an error on
    that line, nothing more is staged, and the reading stops there."""
    line = header_line
    while True:
        try:
            raw = next(it)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError):
            errors.add(sheet, line + 1, "", unreadable_line_message())
            stager.stop()
            return
        line += 1
        yield line, raw


def scan_households(
    it: Iterator[list[str]],
    *,
    standard: PovertyStandard,
    local: PovertyStandard | None,
    communes: dict[str, int],
    stager: StagingWriter,
    errors: RowErrors,
    seen: dict[str, int],
    counts: dict[tuple[int, str, str, str], int],
    header_line: int = 1,
) -> None:
    sheet = _("Hộ")
    headers = template_headers(standard)
    try:
        header = next(it, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        logger.info("household file unreadable: %s", exc)
        errors.add(sheet, 1, "", unreadable_file_message())
        return
    if header is None:
        errors.add(sheet, 1, "", _("Tệp trống."))
        return
    if header_error(errors, sheet, header, headers):
        return
    ncols = len(headers)
    income_col = BASE_HEADERS[6]
    codes = [i["code"] for i in standard.indicators]
    ndeps = len(codes)
    rule = fast_rule(standard)
    local_rule = fast_rule(local) if local else None
    folded: dict[str, str] = {}
    dep_cache: dict[tuple[str, ...], tuple[str, int] | None] = {}
    max_income = int(MAX_INCOME)
    msg_income = _("Thu nhập phải là số nguyên đồng từ 0 đến 1.000.000.000.")
    msg_dep = _("Giá trị thiếu hụt phải để trống/0 hoặc 'x'/1.")
    # messages translated once, not per row (a million bad rows must stay cheap)
    msg_cols = _("Dòng có %(n)s cột, cần %(m)s (tệp bị cắt?).")
    msg_formula = _("Ô chứa công thức, không được phép.")
    msg_no_code = _("Thiếu mã hộ.")
    msg_dup = _("Mã hộ %(c)s trùng trong tệp.")
    msg_long = _("Mã hộ dài quá 40 ký tự.")
    msg_commune = _("Mã xã %(c)s không có trong đơn vị hoặc hết hiệu lực.")
    msg_no_head = _("Thiếu tên chủ hộ.")
    msg_area = _("Khu vực phải là 'nông thôn' hoặc 'thành thị'.")
    add_error = errors.add
    add_row = stager.add
    for line, raw in numbered(it, sheet, errors, stager, header_line):
        if len(raw) != ncols:
            if any(c.strip() for c in raw):
                add_error(
                    sheet,
                    line,
                    "",
                    msg_cols % {"n": len(raw), "m": ncols},
                )
                stager.stop()
            continue
        ok = True
        joined = "\x00" + "\x00".join(raw)
        if "\x00=" in joined or "\x00+" in joined or "\x00@" in joined or "\x00-" in joined:
            for k, c in enumerate(raw):
                if c and c[0] in FORMULA and not (k == 6 and c[0] == "-"):
                    add_error(sheet, line, headers[k], msg_formula)
                    ok = False
        code = raw[0].strip()
        if not code or code in seen or len(code) > 40:
            if not code:
                add_error(sheet, line, "Mã hộ", msg_no_code)
            elif code in seen:
                add_error(sheet, line, "Mã hộ", msg_dup % {"c": code})
            else:
                add_error(sheet, line, "Mã hộ", msg_long)
            ok = False
        seen.setdefault(code, line)
        commune = communes.get(raw[1]) or communes.get(raw[1].strip().zfill(5))  # Excel drops leading 0
        if commune is None:
            add_error(
                sheet,
                line,
                "Mã xã",
                msg_commune % {"c": raw[1]},
            )
            ok = False
        head = raw[2].strip()
        if not head:
            add_error(sheet, line, "Chủ hộ", msg_no_head)
            ok = False
        area = AREA_VALUES.get(raw[5]) or AREA_VALUES.get(raw[5].strip().lower())
        if area is None:
            add_error(sheet, line, "Khu vực", msg_area)
            ok = False
        text = raw[6]
        if text.isdigit():
            income = int(text)
        else:
            text = text.strip().replace(".", "").replace(",", "").replace(" ", "")
            income = int(text) if text.isdigit() else -1
        if income < 0 or income > max_income:
            add_error(sheet, line, income_col, msg_income)
            ok = False
        key = tuple(raw[7:])
        if key in dep_cache:
            dep = dep_cache[key]
        else:
            deps: list[str] = []
            valid = True
            for k in range(ndeps):
                v = key[k].strip().lower()
                if v in YES:
                    deps.append(codes[k])
                elif v not in NO:
                    valid = False
                    break
            dep = dep_cache[key] = (
                ((('["' + '", "'.join(deps) + '"]') if deps else "[]"), len(deps)) if valid else None
            )
        if dep is None:
            for k in range(ndeps):
                v = key[k].strip().lower()
                if v not in YES and v not in NO:
                    add_error(sheet, line, headers[7 + k], msg_dep)
            ok = False
        if not ok:
            stager.stop()
            continue
        if not stager.enabled:
            continue
        hs = folded.get(head)
        if hs is None:
            hs = folded[head] = fold(head)[:120]
        assert area is not None and dep is not None and commune is not None
        n = dep[1]
        ethnicity = raw[4].strip()[:40]
        cls = rule(area, income, n)
        tally_key = (commune, cls, ethnicity, area)
        counts[tally_key] = counts.get(tally_key, 0) + 1
        add_row(
            (
                line,
                code,
                commune,
                head[:120],
                hs,
                raw[3].strip()[:255],
                ethnicity,
                area,
                income,
                dep[0],
                n,
                cls,
                local_rule(area, income, n) if local_rule else "",
            )
        )


def fast_rule(standard: PovertyStandard) -> Callable[[str, int, int], str]:
    """standards.decide() with the lines unpacked once (same rule, no per-row dict look-ups)."""
    cut = standard.deprivation_cutoff
    by_area = {area: standard.lines[area] for area in ("rural", "urban") if area in standard.lines}

    def rule(area: str, income: int, count: int) -> str:
        return decide(by_area[area], cut, income, count)

    # precompute the thresholds so that the common cases avoid dict look-ups
    prepared = {
        area: (
            lines.get("poor_any"),
            int(lines["line"]),
            lines.get("near_poor_upper"),
            lines.get("average_upper"),
        )
        for area, lines in by_area.items()
    }

    def fast(area: str, income: int, count: int) -> str:
        poor_any, line, near_upper, avg_upper = prepared[area]
        if poor_any is None and income <= line:
            return "poor" if cut is None or count >= cut else "near_poor"
        if poor_any is None and avg_upper is not None and near_upper is None and income > line:
            return "average" if income <= avg_upper else "none"
        return rule(area, income, count)

    return fast


def parse_date(text: str) -> date | None:
    text = text.strip()
    try:
        if "/" in text:
            d, m, y = text.split("/")
            return date(int(y), int(m), int(d))
        if "-" in text:
            y, m, d = text.split("-")[:3]
            return date(int(y), int(m), int(d[:2]))
    except ValueError:
        return None
    return None


def scan_members(
    it: Iterator[list[str]],
    *,
    batch_id: int,
    households: dict[str, int],
    today: date,
    stager: StagingWriter,
    errors: RowErrors,
) -> None:
    sheet = _("Thành viên")
    try:
        header = next(it, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        logger.info("member file unreadable: %s", exc)
        errors.add(
            sheet,
            1,
            "",
            _("Không đọc được tệp thành viên: cần tệp CSV mã UTF-8 hoặc trang tính Thành viên theo mẫu."),
        )
        return
    if header is None or header_error(errors, sheet, header, MEMBER_HEADERS):
        return
    # messages translated once, not per row (as for households)
    msg_cols = _("Dòng có %(n)s cột, cần %(m)s (tệp bị cắt?).")
    msg_formula = _("Ô chứa công thức, không được phép.")
    msg_household = _("Mã hộ %(c)s không có trong danh sách hộ của tệp.")
    msg_name = _("Thiếu họ và tên.")
    msg_date = _("Ngày sinh phải có dạng ngày/tháng/năm (31/01/1980).")
    msg_future = _("Ngày sinh ở tương lai.")
    msg_old = _("Ngày sinh trước năm 1900.")
    msg_sex = _("Giới tính phải là 'Nam' hoặc 'Nữ'.")
    msg_id = _("Số định danh phải gồm 9 hoặc 12 chữ số.")
    msg_id_dup = _("Số định danh trùng trong tệp (***%(x)s).")
    msg_flag = _("Giá trị phải để trống/0 hoặc 'x'/1.")
    ncols = len(MEMBER_HEADERS)
    ids: set[str] = set()
    folded: dict[str, str] = {}
    for line, raw in numbered(it, sheet, errors, stager):
        if len(raw) != ncols:
            if any(c.strip() for c in raw):
                errors.add(
                    sheet,
                    line,
                    "",
                    msg_cols % {"n": len(raw), "m": ncols},
                )
            continue
        before = errors.count
        for k, c in enumerate(raw):
            if c and c[0] in FORMULA:
                errors.add(sheet, line, MEMBER_HEADERS[k], msg_formula)
        cells = [c.strip() for c in raw]
        code, name, born_text, sex_text, relation, id_number = cells[:6]
        if code not in households:
            errors.add(sheet, line, "Mã hộ", msg_household % {"c": code})
        if not name:
            errors.add(sheet, line, "Họ và tên", msg_name)
        born = parse_date(born_text) if born_text else None
        if born_text and born is None:
            errors.add(sheet, line, "Ngày sinh", msg_date)
        elif born is not None and born > today:
            errors.add(sheet, line, "Ngày sinh", msg_future)
        elif born is not None and born < MIN_BIRTH:
            errors.add(sheet, line, "Ngày sinh", msg_old)
        sex = SEX.get(sex_text.lower())
        if sex is None:
            errors.add(sheet, line, "Giới tính", msg_sex)
        if id_number:
            if not ID_RE.match(id_number):
                errors.add(sheet, line, "Số định danh", msg_id)
            elif id_number in ids:
                errors.add(
                    sheet,
                    line,
                    "Số định danh",
                    msg_id_dup % {"x": id_number[-3:]},
                )
            ids.add(id_number)
        flags = []
        for k in (8, 9):
            v = cells[k].lower()
            if v in YES:
                flags.append(True)
            elif v in NO:
                flags.append(False)
            else:
                errors.add(sheet, line, MEMBER_HEADERS[k], msg_flag)
                flags.append(False)
        if errors.count != before:
            stager.stop()
            continue
        sn = folded.get(name)
        if sn is None:
            sn = folded[name] = fold(name)[:120]
        stager.add(
            (
                batch_id,
                line,
                code,
                name[:120],
                sn,
                born,
                sex,
                relation[:40],
                id_number,
                cells[6][:40],
                cells[7][:60],
                flags[0],
                flags[1],
                cells[10][:60],
            )
        )
