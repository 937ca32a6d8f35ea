"""Bulk import of a review (CSV/XLSX, Vietnamese headers, template close to the TT 07/2021 forms).

Pipeline (docs/decisions/0201-poverty-fast-import.md):
1. `batch_stage` — streams the file(s) once with csv.reader / calamine, validates each row in plain Python against
   precompiled lookups (commune code → id, the standard's lines, indicator codes), classifies it with the engine's
   rule, and writes it to a lean staging table in chunks (SQLite: executemany in the caller's transaction;
   PostgreSQL: COPY). Any error → the batch is INVALID with per-row errors (line numbers, downloadable) and its
   staging rows are dropped: nothing reaches the register.
2. The checker (≠ maker) accepts or rejects records one by one (`staged_row_decide`) and/or accepts all remaining
   ones (`batch_accept_rest`), or rejects the whole batch (`batch_reject`).
3. `batch_commit` enqueues the background job `poverty.batch_commit` → `batch_commit_job`, which writes the
   accepted rows with INSERT … SELECT from staging in one transaction, reporting progress.
Re-importing the same file (same SHA-256 for the same unit and year) returns the existing batch; committing never
duplicates a household/year review or a household's members.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.tables import safe_cell
from mtqg.core.text import fold
from mtqg.core.xlsx_guard import TooLarge, TooManyRows, TooSlow, TooWide, Unreadable, check_rows
from mtqg.geo.models import UnitVersion

from .models import Decision, Household, ImportBatch, Member, PovertyStandard, Review, StagedMember, StagedRow
from .privacy import ID_RE
from .standards import MAX_INCOME, decide, local_standard_for, standard_for
from .tally import tally_add, tally_refresh
from .transitions import transition

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
CHUNK = 10_000
XLSX_MAX_ROWS = 200_000  # per sheet (≈ 260 MB in calamine); larger reviews come as CSV, which streams
MIN_BIRTH = date(1900, 1, 1)
ROW_COLUMNS = [
    "batch_id",
    "line",
    "code",
    "commune_id",
    "head_name",
    "head_search",
    "address",
    "ethnicity",
    "area",
    "income_per_capita_month",
    "deprivations",
    "deprivation_count",
    "poverty_class",
    "local_class",
    "decision",
]
MEMBER_COLUMNS = [
    "batch_id",
    "line",
    "household_code",
    "full_name",
    "search_name",
    "birth_date",
    "sex",
    "relation",
    "id_number",
    "ethnicity",
    "schooling",
    "health_insurance",
    "disability",
    "employment",
]
NEW_CLASSES = frozenset(
    {"poor", "near_poor"}
)  # a household new to the register: transition "new" (phát sinh mới)
Progress = Callable[[int, str], None]

logger = logging.getLogger(__name__)


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
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Hộ"
    ws.append([safe_cell(h) for h in template_headers(standard_for(year))])
    wb.create_sheet(MEMBER_SHEET).append([safe_cell(h) for h in MEMBER_HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- reading -----------------------------------------------------------------------------------------------------


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    return str(v)


def _xlsx_rows(source: IO[bytes], sheet: str | None) -> Iterator[list[str]]:
    from python_calamine import CalamineError, CalamineWorkbook

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


def _csv_rows(source: IO[bytes]) -> Iterator[list[str]]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    finally:
        text.detach()


def _as_stream(data: bytes | IO[bytes]) -> IO[bytes]:
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data)
    data.seek(0)
    return data


def _sha256(streams: Iterable[IO[bytes]]) -> str:
    h = hashlib.sha256()
    for s in streams:
        s.seek(0)
        for chunk in iter(lambda s=s: s.read(1 << 20), b""):  # type: ignore[misc]
            h.update(chunk)
        s.seek(0)
    return h.hexdigest()


# --- staging writer ---------------------------------------------------------------------------------------------


class _Stager:
    """Buffers tuples and writes them in chunks. PostgreSQL: COPY from a writer thread, so that parsing and
    validating the next chunk overlaps the server's work on the previous one (the writer mostly waits on the
    socket with the GIL released). SQLite: executemany in the caller's thread — SQLite runs in this process, and a
    second thread only made both wait for the GIL (measured 20-30 % slower). The thread uses the caller's own DB-API connection, hence the
    caller's transaction; the caller does not touch the connection until `flush()` has joined the writer."""

    def __init__(self, model: Any, columns: list[str]) -> None:
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.cols = ", ".join(qn(c) for c in columns)
        self.postgres = connection.vendor == "postgresql"
        marker = "%s" if self.postgres else "?"  # the raw DB-API cursor's paramstyle
        self.insert = f"INSERT INTO {self.table} ({self.cols}) VALUES ({', '.join([marker] * len(columns))})"
        self.buffer: list[tuple[Any, ...]] = []
        self.count = 0
        self.enabled = True
        self.queue: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None

    def add(self, row: tuple[Any, ...]) -> None:
        if self.enabled:
            self.buffer.append(row)
            if len(self.buffer) >= CHUNK:
                self._send()

    def _send(self) -> None:
        if (
            not self.postgres
        ):  # SQLite works in this process: a writer thread only fights the parser for the GIL
            self.count += len(self.buffer)
            connection.ensure_connection()
            cur = connection.connection.cursor()
            try:
                cur.executemany(self.insert, self.buffer)
            finally:
                cur.close()
            self.buffer = []
            return
        if self.thread is None:
            connection.ensure_connection()
            self.thread = threading.Thread(target=self._write, args=(connection.connection,), daemon=True)
            self.thread.start()
        self.count += len(self.buffer)
        self.queue.put(self.buffer)
        self.buffer = []

    def _write(self, raw: Any) -> None:
        cur = raw.cursor()
        try:
            while (rows := self.queue.get()) is not None:
                if self.failure is not None or not self.enabled:
                    continue
                if self.postgres:
                    with cur.copy(f"COPY {self.table} ({self.cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cur.executemany(self.insert, rows)
        except BaseException as exc:  # re-raised in the caller's thread by flush()
            self.failure = exc
            while self.queue.get() is not None:  # drain so that the producer never blocks
                pass
        finally:
            cur.close()

    def flush(self) -> None:
        """Write what is buffered and wait for the writer; re-raises its error."""
        if self.buffer and self.enabled:
            self._send()
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        if self.failure is not None:
            raise self.failure

    def stop(self) -> None:
        """An error was found: nothing more is written (the caller drops what was)."""
        self.enabled, self.buffer = False, []

    def close(self) -> None:
        """Always called: ends the writer thread whatever happened (after an error, without raising)."""
        if self.thread is not None:
            self.enabled = False
            self.queue.put(None)
            self.thread.join()
            self.thread = None


# --- validation --------------------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0
        self.lines: set[tuple[str, int]] = set()

    def add(self, sheet: str, line: int, field: str, message: str) -> None:
        self.count += 1
        self.lines.add((sheet, line))
        if len(self.items) < MAX_STORED_ERRORS:
            self.items.append({"sheet": sheet, "line": line, "field": field, "message": message})


def _province_code(unit: UnitVersion) -> str:
    if unit.level == UnitVersion.Level.PROVINCE:
        return unit.code
    top = "/".join(unit.path.split("/")[:2]) + "/"  # "<country>/<province>/"
    return UnitVersion.objects.filter(path=top).values_list("code", flat=True).first() or ""


def _sqlite_cache() -> None:
    """A bigger page cache for this connection while it stages/commits a large batch (SQLite only)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-131072")


def _scope_paths(unit: UnitVersion) -> tuple[str, ...]:
    from mtqg.geo.selectors import lineage_scope_paths

    return tuple(
        sorted(lineage_scope_paths(unit) | {unit.path})
    )  # a 2025 province also covers its pre-2025 communes


def _communes(unit: UnitVersion, year: int) -> dict[str, int]:
    from mtqg.core.scoping import path_q

    qs = UnitVersion.objects.as_of(date(year, 12, 31)).filter(path_q("path", _scope_paths(unit)), level=3)
    return dict(qs.values_list("code", "pk"))


def _foreign_rows(batch_id: int, paths: tuple[str, ...], limit: int) -> tuple[int, list[tuple[int, str]]]:
    """Staged rows whose code is a household already on the register in a commune outside the batch's unit
    (and its lineage): (how many, the first `limit` as (line, code)). One statement over the staged rows, each a
    probe of the code's unique index (decision 0905)."""
    qn = connection.ops.quote_name
    s_t, h_t, u_t = (qn(m._meta.db_table) for m in (StagedRow, Household, UnitVersion))
    inside = " OR ".join(["substr(u.path, 1, %s) = %s"] * len(paths)) or "1 = 0"
    params: list[Any] = [batch_id]
    for p in paths:
        params += [len(p), p]
    sql = (
        f"SELECT s.line, s.code FROM {s_t} s JOIN {h_t} h ON h.code = s.code "
        f"JOIN {u_t} u ON u.id = h.commune_id WHERE s.batch_id = %s AND NOT ({inside}) ORDER BY s.line"
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM ({sql}) x", params)
        count = int(cur.fetchone()[0])
        if not count:
            return 0, []
        cur.execute(f"{sql} LIMIT {int(limit)}", params)
        return count, [(int(line), str(code)) for line, code in cur.fetchall()]


def _check_foreign(batch_id: int, unit: UnitVersion, errors: _Errors) -> None:
    count, rows = _foreign_rows(batch_id, _scope_paths(unit), MAX_STORED_ERRORS)
    message = _("Mã hộ %(c)s đã có trong sổ hộ của đơn vị khác (ngoài %(u)s): không được ghi đè.")
    for line, code in rows:
        errors.add(_("Hộ"), line, "Mã hộ", message % {"c": code, "u": unit.name})
    errors.count += count - len(rows)


def _header_error(errors: _Errors, sheet: str, header: list[str], expected: list[str]) -> bool:
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


def _scan_households(
    it: Iterator[list[str]],
    *,
    batch_id: int,
    standard: PovertyStandard,
    local: PovertyStandard | None,
    communes: dict[str, int],
    stager: _Stager,
    errors: _Errors,
    seen: set[str],
    counts: dict[tuple[int, str, str, str], int],
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
    if _header_error(errors, sheet, header, headers):
        return
    ncols = len(headers)
    income_col = BASE_HEADERS[6]
    codes = [i["code"] for i in standard.indicators]
    ndeps = len(codes)
    rule = _fast_rule(standard)
    local_rule = _fast_rule(local) if local else None
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
    line = 1
    while True:
        try:
            raw = next(it)
        except StopIteration:
            break
        except (csv.Error, UnicodeDecodeError):
            add_error(sheet, line + 1, "", unreadable_line_message())
            stager.stop()
            break
        line += 1
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
        seen.add(code)
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
                batch_id,
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
                "",
            )
        )


def _fast_rule(standard: PovertyStandard) -> Callable[[str, int, int], str]:
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


def _parse_date(text: str) -> date | None:
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


def _scan_members(
    it: Iterator[list[str]],
    *,
    batch_id: int,
    households: set[str],
    today: date,
    stager: _Stager,
    errors: _Errors,
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
    if header is None or _header_error(errors, sheet, header, MEMBER_HEADERS):
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
    line = 1
    while True:
        try:
            raw = next(it)
        except StopIteration:
            break
        except (csv.Error, UnicodeDecodeError):
            errors.add(sheet, line + 1, "", unreadable_line_message())
            break
        line += 1
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
        born = _parse_date(born_text) if born_text else None
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


# --- services ----------------------------------------------------------------------------------------------------


@transaction.atomic
def batch_stage(
    *,
    actor: Any,
    unit: UnitVersion,
    year: int,
    data: bytes | IO[bytes],
    name: str,
    members: bytes | IO[bytes] | None = None,
    members_name: str = "",
) -> ImportBatch:
    """Dry run + staging. Returns the existing batch when the same file was already staged or committed for the
    unit and year (idempotent re-import). Nothing enters the register here."""
    ensure_can_edit(actor, unit.path)
    standard = standard_for(year)
    source = _as_stream(data)
    member_source = _as_stream(members) if members is not None else None
    sha = _sha256([source] + ([member_source] if member_source else []))
    existing = (
        ImportBatch.objects.filter(unit=unit, year=year, file_sha256=sha)
        .exclude(status__in=[ImportBatch.Status.INVALID, ImportBatch.Status.REJECTED])
        .first()
    )
    if existing is not None:
        return existing
    batch = ImportBatch.objects.create(
        unit=unit,
        year=year,
        file_name=name[:255],
        file_sha256=sha,
        status=ImportBatch.Status.STAGED,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _sqlite_cache()
    errors = _Errors()
    rows = _Stager(StagedRow, ROW_COLUMNS)
    member_rows = _Stager(StagedMember, MEMBER_COLUMNS)
    seen: set[str] = set()
    counts: dict[tuple[int, str, str, str], int] = {}
    xlsx = name.lower().endswith(".xlsx")
    try:
        if xlsx:  # calamine holds a whole sheet in memory: count the rows on the zip stream first (0201)
            check_rows(source, XLSX_MAX_ROWS)
            if member_source is not None and members_name.lower().endswith(".xlsx"):
                check_rows(member_source, XLSX_MAX_ROWS)
        it = _xlsx_rows(source, None) if xlsx else _csv_rows(source)
        _scan_households(
            it,
            batch_id=batch.pk,
            standard=standard,
            local=local_standard_for(year, _province_code(unit)),
            communes=_communes(unit, year),
            stager=rows,
            errors=errors,
            seen=seen,
            counts=counts,
        )
        rows.flush()
        _check_foreign(batch.pk, unit, errors)
        if member_source is not None or xlsx:
            if member_source is not None:
                mxlsx = members_name.lower().endswith(".xlsx")
                mit = _xlsx_rows(member_source, MEMBER_SHEET) if mxlsx else _csv_rows(member_source)
            else:
                mit = _xlsx_rows(_as_stream(data), MEMBER_SHEET)
            _scan_members(
                mit,
                batch_id=batch.pk,
                households=seen,
                today=timezone.localdate(),
                stager=member_rows,
                errors=errors,
            )
            member_rows.flush()
    except (TooManyRows, TooLarge) as exc:
        errors.add(_("Hộ"), 1, "", " ".join(exc.messages) + " " + _("Tệp CSV không bị giới hạn số dòng."))
    except (Unreadable, TooWide, TooSlow) as exc:  # the guard could not check the file to its end (0910)
        errors.add(_("Hộ"), 1, "", " ".join(exc.messages))
    except (ValueError, OSError, UnicodeDecodeError) as exc:  # not a readable CSV/XLSX at all
        logger.info("import file unreadable: %s", exc)  # the library's own words stay in the log
        errors.add(_("Hộ"), 1, "", unreadable_file_message())
    finally:
        rows.close()
        member_rows.close()
    if errors.count:
        StagedRow.objects.filter(batch=batch).delete()
        StagedMember.objects.filter(batch=batch).delete()
        batch.status = ImportBatch.Status.INVALID
        household_sheet = _("Hộ")
        batch.row_count = rows.count + len({ln for sh, ln in errors.lines if sh == household_sheet})
    else:
        batch.row_count, batch.member_count = rows.count, member_rows.count
        batch.tally = [[*key, n] for key, n in counts.items()]
    batch.error_count, batch.errors = errors.count, errors.items
    if errors.count > len(errors.items):
        batch.note = _("Chỉ lưu %(n)s lỗi đầu tiên.") % {"n": len(errors.items)}
    batch.save()
    record_change(
        actor=actor,
        obj=batch,
        action="created",
        changes={"status": [None, batch.status], "rows": [0, batch.row_count], "errors": [0, errors.count]},
    )
    if batch.status == ImportBatch.Status.STAGED:
        _notify_checkers(batch)
    return batch


def _notify_checkers(batch: ImportBatch) -> None:
    from mtqg.accounts.models import Assignment
    from mtqg.notifications.recipients import users_covering
    from mtqg.notifications.services import notification_send

    checkers = [
        u
        for u in users_covering(batch.unit.path, access=Assignment.Access.ENTRY)
        if u.pk != batch.created_by_id
    ]
    if checkers:
        notification_send(
            recipients=checkers,
            category="poverty.batch_staged",
            title=_("Lô %(f)s (%(n)s hộ) chờ duyệt") % {"f": batch.file_name, "n": batch.row_count},
            body=_("Năm rà soát %(y)s, %(u)s.") % {"y": batch.year, "u": batch.unit.name},
            url=f"/poverty/nhap/{batch.pk}/",
            key=f"poverty-batch-{batch.pk}",
        )


def validate_file(data: bytes, name: str, year: int, unit: UnitVersion) -> list[dict[str, Any]]:
    """Dry run without keeping anything: the per-row errors of a file."""
    sid = transaction.savepoint()
    try:
        return list(batch_stage(actor=None, unit=unit, year=year, data=data, name=name).errors)
    finally:
        transaction.savepoint_rollback(sid)


def errors_csv(batch: ImportBatch) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Bảng"), _("Dòng"), _("Cột"), _("Lỗi")])
    for e in batch.errors:
        writer.writerow([safe_cell(v) for v in (e.get("sheet", ""), e["line"], e["field"], e["message"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _check_checker(actor: Any, batch: ImportBatch) -> None:
    if actor is not None:
        ensure_can_edit(actor, batch.unit.path)
        if batch.created_by_id == actor.pk:
            raise PermissionDenied(_("Người duyệt phải khác người nhập (nguyên tắc hai người)."))
    if batch.status != ImportBatch.Status.STAGED:
        raise ValidationError(_("Lô không ở trạng thái chờ duyệt."))


@transaction.atomic
def staged_row_decide(*, actor: Any, batch: ImportBatch, lines: list[int], decision: str) -> int:
    """Checker accepts or rejects records (by line number). Returns how many rows changed."""
    _check_checker(actor, batch)
    if decision not in (Decision.ACCEPTED, Decision.REJECTED, Decision.UNDECIDED):
        raise ValidationError(_("Quyết định không hợp lệ."))
    changed = (
        StagedRow.objects.filter(batch=batch, line__in=lines)
        .exclude(decision=decision)
        .update(decision=decision)
    )
    record_change(
        actor=actor,
        obj=batch,
        action="decided",
        changes={"lines": [None, sorted(lines)[:50]], "decision": [None, decision]},
    )
    return changed


@transaction.atomic
def batch_accept_rest(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Bulk decision: every record not yet decided is accepted (O(1): a flag read by the commit)."""
    _check_checker(actor, batch)
    batch.accept_undecided = True
    batch.save(update_fields=["accept_undecided"])
    record_change(actor=actor, obj=batch, action="accepted_rest", changes={"accept_undecided": [False, True]})
    return batch


@transaction.atomic
def batch_reject(*, actor: Any, batch: ImportBatch, reason: str) -> ImportBatch:
    ensure_can_edit(actor, batch.unit.path)
    if batch.status != ImportBatch.Status.STAGED:
        raise ValidationError(_("Chỉ từ chối được lô đang chờ duyệt."))
    batch.status, batch.checked_by, batch.checked_at, batch.note = (
        ImportBatch.Status.REJECTED,
        actor if getattr(actor, "is_authenticated", False) else None,
        timezone.now(),
        reason[:255],
    )
    batch.save()
    StagedRow.objects.filter(batch=batch).delete()
    StagedMember.objects.filter(batch=batch).delete()
    record_change(
        actor=actor, obj=batch, action="rejected", changes={"status": ["staged", "rejected"]}, reason=reason
    )
    return batch


def _ready(batch: ImportBatch) -> None:
    if not batch.accept_undecided and StagedRow.objects.filter(batch=batch, decision="").exists():
        raise ValidationError(
            _("Còn dòng chưa xét: chấp nhận hoặc loại từng dòng, hoặc chấp nhận tất cả còn lại.")
        )


@transaction.atomic
def batch_commit(*, actor: Any, batch: ImportBatch) -> Any:
    """Checker commits: the batch goes to COMMITTING and a background job writes it. Returns the Job."""
    from mtqg.core.jobs import job_enqueue

    batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
    _check_checker(actor, batch)
    _ready(batch)
    batch.status = ImportBatch.Status.COMMITTING
    batch.checked_by = actor if getattr(actor, "is_authenticated", False) else None
    batch.checked_at = timezone.now()
    job = job_enqueue(
        actor=actor,
        kind="poverty.batch_commit",
        params={"batch_id": batch.pk},
        title=_("Ghi lô %(f)s vào sổ hộ") % {"f": batch.file_name},
    )
    batch.job_id = str(job.pk)
    batch.save()
    record_change(
        actor=actor, obj=batch, action="commit_requested", changes={"status": ["staged", "committing"]}
    )
    return job


def batch_commit_job(ctx: Any, *, batch_id: int) -> dict[str, Any]:
    """Job handler `poverty.batch_commit`: writes the batch in one transaction, with progress."""
    batch = ImportBatch.objects.select_related("unit").get(pk=batch_id)
    try:
        return commit_batch(batch, actor=ctx.actor, progress=ctx.progress)
    except Exception:
        # the commit rolled back as a whole: the batch goes back to the checker (the job shows the message)
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.COMMITTING).update(
            status=ImportBatch.Status.STAGED
        )
        raise


def batch_approve(*, actor: Any, batch: ImportBatch) -> int:
    """Checker approves everything not rejected and commits now (synchronously). Returns reviews created."""
    with transaction.atomic():
        _check_checker(actor, batch)
        batch.accept_undecided = True
        batch.checked_by = actor if getattr(actor, "is_authenticated", False) else None
        batch.checked_at = timezone.now()
        batch.status = ImportBatch.Status.COMMITTING
        batch.save()
    return int(commit_batch(batch, actor=actor)["reviews"])


def _accepted(alias: str, batch: ImportBatch) -> str:
    if batch.accept_undecided:
        return f"{alias}.decision <> 'rejected'"
    return f"{alias}.decision = 'accepted'"


@transaction.atomic
def commit_batch(
    batch: ImportBatch, *, actor: Any = None, progress: Progress | None = None
) -> dict[str, Any]:
    """INSERT … SELECT from staging into the register (households, reviews, members), then transitions."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportBatch.Status.COMMITTING, ImportBatch.Status.STAGED):
        raise ValidationError(_("Lô không ở trạng thái chờ ghi sổ."))
    _ready(batch)

    def step(percent: int, message: str) -> None:
        if progress is not None:
            progress(percent, message)

    _sqlite_cache()
    qn = connection.ops.quote_name
    s_t, m_t = qn(StagedRow._meta.db_table), qn(StagedMember._meta.db_table)
    h_t, r_t, mem_t = qn(Household._meta.db_table), qn(Review._meta.db_table), qn(Member._meta.db_table)
    standard = standard_for(batch.year)
    local = local_standard_for(batch.year, _province_code(batch.unit))
    accepted = _accepted("s", batch)
    false = "false" if connection.vendor == "postgresql" else "0"
    household_id = f"(SELECT h.id FROM {h_t} h WHERE h.code = s.code)"  # a probe of the unique index, always
    foreign, first = _foreign_rows(batch.pk, _scope_paths(batch.unit), 5)
    if foreign:  # a household of another unit was added with one of these codes after staging (0905)
        raise ValidationError(
            _("%(n)s mã hộ đã có trong sổ hộ của đơn vị khác (dòng %(l)s): lô không được ghi.")
            % {"n": foreign, "l": ", ".join(str(line) for line, _code in first)}
        )
    with connection.cursor() as cur:
        step(5, _("Ghi hộ mới"))
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {h_t}")
        max_before = int(cur.fetchone()[0])
        # Households already on the register (a re-review): one probe of the code's unique index per staged row.
        existing = bool(
            _count(
                cur,
                f"SELECT COUNT(*) FROM {s_t} s WHERE s.batch_id = %s AND {accepted} "
                f"AND (SELECT h.id FROM {h_t} h WHERE h.code = s.code) IS NOT NULL",
                batch.pk,
            )
        )

        def write(skip_existing: bool) -> tuple[int, int]:
            # No join in the two big statements: existing households/reviews are skipped by the unique constraints
            # (ON CONFLICT DO NOTHING) and a review finds its household by a scalar sub-query on the code's unique
            # index. Joins planned from stale statistics once turned a 100.000-row commit into a quadratic scan
            # (0201). A batch of new households only inserts: ON CONFLICT's speculative insertion costs a third.
            conflict = " ON CONFLICT ({}) DO NOTHING" if skip_existing else ""
            cur.execute(
                f"INSERT INTO {h_t} (code, commune_id, village_id, village_name, address, head_name, head_search, "
                f"ethnicity, area) SELECT s.code, s.commune_id, NULL, '', s.address, s.head_name, s.head_search, "
                f"s.ethnicity, s.area FROM {s_t} s WHERE s.batch_id = %s AND {accepted}"
                + conflict.format("code"),
                [batch.pk],
            )
            new_households = cur.rowcount
            step(35, _("Ghi kết quả rà soát"))
            cur.execute(
                f"INSERT INTO {r_t} (household_id, commune_id, year, kind, area, income_per_capita_month, "
                f"deprivations, deprivation_count, standard_id, poverty_class, local_standard_id, local_class, "
                f"transition, causes, policy_housing, policy_water, policy_credit, policy_production, "
                f"approval_decision, approved_on, batch_id, ethnicity) SELECT {household_id}, s.commune_id, %s, %s, "
                f"s.area, s.income_per_capita_month, s.deprivations, s.deprivation_count, %s, s.poverty_class, %s, "
                f"s.local_class, CASE WHEN s.poverty_class IN ('poor', 'near_poor') THEN 'new' ELSE '' END, '[]', "
                f"{false}, {false}, {false}, {false}, '', NULL, %s, s.ethnicity "
                f"FROM {s_t} s WHERE s.batch_id = %s AND {accepted}"
                + conflict.format("household_id, year, kind"),
                [
                    batch.year,
                    Review.Kind.PERIODIC,
                    standard.pk,
                    local.pk if local else None,
                    batch.pk,
                    batch.pk,
                ],
            )
            return new_households, cur.rowcount

        try:
            with transaction.atomic():  # a savepoint: someone may add one of these households meanwhile
                households, reviews = write(skip_existing=existing)
        except IntegrityError:
            existing = True
            households, reviews = write(skip_existing=True)
        members = 0
        if batch.member_count or existing:
            _analyze(cur, s_t, m_t)  # the joins below need the staged rows' real size
        if batch.member_count:
            step(65, _("Ghi thành viên hộ"))
            cur.execute(
                f"INSERT INTO {mem_t} (household_id, full_name, search_name, birth_date, sex, relation, id_number, "
                f"ethnicity, schooling, health_insurance, disability, employment) SELECT h.id, m.full_name, "
                f"m.search_name, m.birth_date, m.sex, m.relation, m.id_number, m.ethnicity, m.schooling, "
                f"m.health_insurance, m.disability, m.employment FROM {m_t} m "
                f"JOIN {s_t} s ON s.batch_id = m.batch_id AND s.code = m.household_code AND {accepted} "
                f"JOIN {h_t} h ON h.code = m.household_code WHERE m.batch_id = %s "
                f"AND (h.id > %s OR NOT EXISTS (SELECT 1 FROM {mem_t} x WHERE x.household_id = h.id))",
                [batch.pk, max_before],
            )
            members = cur.rowcount
        step(85, _("Xác định biến động so với kỳ trước"))
        changed = _transitions(cur, batch, max_before) if existing else 0
        step(95, _("Cập nhật số liệu tổng hợp"))
        if not existing and reviews == batch.row_count and batch.tally:
            # new households only, nothing rejected: add the counts made while validating (0206)
            tally_add(
                (
                    commune,
                    batch.year,
                    Review.Kind.PERIODIC,
                    cls,
                    "new" if cls in NEW_CLASSES else "",
                    eth,
                    area,
                    n,
                    0,
                )
                for commune, cls, eth, area, n in batch.tally
            )
        else:
            cur.execute(
                f"SELECT DISTINCT s.commune_id FROM {s_t} s WHERE s.batch_id = %s AND {accepted}", [batch.pk]
            )
            tally_refresh([row[0] for row in cur.fetchall()], [batch.year])
    StagedRow.objects.filter(batch=batch).delete()
    StagedMember.objects.filter(batch=batch).delete()
    batch.status = ImportBatch.Status.COMMITTED
    batch.result = {"households": households, "reviews": reviews, "members": members, "transitions": changed}
    batch.save()
    record_change(
        actor=actor,
        obj=batch,
        action="committed",
        changes={
            "status": ["staged", "committed"],
            "reviews": [0, reviews],
            "households": [0, households],
            "members": [0, members],
        },
    )
    step(100, _("Đã ghi vào sổ"))
    return dict(batch.result)


def _count(cur: Any, sql: str, *params: Any) -> int:
    cur.execute(sql, list(params))
    return int(cur.fetchone()[0])


def _analyze(cur: Any, *tables: str) -> None:
    """PostgreSQL: statistics for freshly staged rows before a join over them (inside the transaction)."""
    if connection.vendor == "postgresql":
        cur.execute(f"ANALYZE {', '.join(tables)}")


def _transitions(cur: Any, batch: ImportBatch, max_before: int) -> int:
    """Reviews of households that existed before this batch: transition against their previous review. Reached
    from the staged rows (household code → household → this year's review) through unique indexes."""
    qn = connection.ops.quote_name
    r_t, h_t, s_t = (qn(m._meta.db_table) for m in (Review, Household, StagedRow))
    cur.execute(
        f"SELECT r.id, r.poverty_class, "
        f"(SELECT p.poverty_class FROM {r_t} p WHERE p.household_id = r.household_id AND p.year < r.year "
        f"ORDER BY p.year DESC, p.id DESC LIMIT 1), "
        f"(SELECT COUNT(*) FROM {r_t} p WHERE p.household_id = r.household_id AND p.year < r.year "
        f"AND p.poverty_class = 'poor') "
        f"FROM {s_t} s JOIN {h_t} h ON h.code = s.code "
        f"JOIN {r_t} r ON r.household_id = h.id AND r.year = %s AND r.kind = %s "
        f"WHERE s.batch_id = %s AND {_accepted('s', batch)} AND h.id <= %s AND r.batch_id = %s",
        [batch.year, Review.Kind.PERIODIC, batch.pk, max_before, batch.pk],
    )
    updates = [(transition(prev, cur_cls, bool(ever)), rid) for rid, cur_cls, prev, ever in cur.fetchall()]
    if updates:
        cur.executemany(f"UPDATE {r_t} SET transition = %s WHERE id = %s", updates)
    return len(updates)
