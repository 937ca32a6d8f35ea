"""The XLSX import loop, written once (decision 0053): read one sheet within the row limits, then take the rows
through the app's own handler, all or nothing.

- `read_sheet(source, max_rows, sheet=…)`: the guard (xlsx_guard.check_rows: TooManyRows, TooLarge, Unreadable…,
  ValidationErrors naming the limit) runs before openpyxl; then at most `max_rows` rows of the sheet as value
  tuples. A file openpyxl cannot open raises `NotAWorkbook` (a ValidationError, "Không đọc được tệp Excel").
- `import_rows(lines, handle, dry_run=…)`: each (line number, row) goes through `handle` in its own savepoint;
  every refused row is reported as "Dòng n: …" in Vietnamese and the loop goes on, so one run lists every bad row;
  any error, or a dry run, rolls the whole file back: nothing is partly written.

Each app keeps its columns, its row handler (which calls its services) and its result type: finance
(disbursements), OCOP (products), NTM (a grid of indicator values) and workflow (one report's values).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import IO, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .service_errors import error_text
from .xlsx_guard import check_rows, limited_rows

Row = TypeVar("Row")


class NotAWorkbook(ValidationError):
    def __init__(self) -> None:
        super().__init__(_("Không đọc được tệp Excel (.xlsx)."), code="not_xlsx")


class _Rollback(Exception):
    pass


def read_sheet(
    source: bytes | IO[bytes], max_rows: int, *, sheet: str | int | None = None
) -> list[tuple[Any, ...]]:
    """The rows of one sheet: the one named `sheet` when the workbook has it, the `sheet`-th, else the active one."""
    fh: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    check_rows(fh, max_rows)
    try:
        book = load_workbook(fh, read_only=True, data_only=True)
        if isinstance(sheet, int):
            ws = book.worksheets[sheet]
        else:
            ws = book[sheet] if isinstance(sheet, str) and sheet in book.sheetnames else book.active
        return list(limited_rows(ws.iter_rows(values_only=True), max_rows)) if ws is not None else []
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises several types for what is not an xlsx file
        raise NotAWorkbook() from exc


def import_rows(
    lines: Iterable[tuple[int, Row]], handle: Callable[[Row], Any], *, dry_run: bool, sep: str = "; "
) -> list[str]:
    """Every row through `handle`; the messages of the refused rows ("Dòng n: …"). Committed only when there is
    no error and it is not a dry run."""
    errors: list[str] = []
    try:
        with transaction.atomic():
            for number, row in lines:
                try:
                    with transaction.atomic():
                        handle(row)
                except (ValidationError, PermissionDenied) as exc:
                    errors.append(_("Dòng %(n)d: %(m)s") % {"n": number, "m": error_text(exc, sep)})
            if errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return errors
