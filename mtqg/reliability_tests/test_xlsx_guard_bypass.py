"""Workbooks the XLSX guard must read to the end or refuse (decision 0910).

A zip member the guard cannot read (an unknown compression method, an encrypted member) must not let the file
through: a decoy member placed first would hide a sheet of any length, and the importers would crash on the encrypted
member. Every such file is refused with a Vietnamese message before openpyxl or calamine reads it, and the columns
and cells of a sheet are bounded too.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from mtqg.core.xlsx_guard import check_rows
from mtqg.ntm.tests.factories import load_all
from mtqg.poverty.models import ImportBatch
from mtqg.poverty.standards import load_standards
from mtqg.testing import make_world
from mtqg.workflow.models import Report
from mtqg.workflow.tests.factories import guard_sample

from .bigfiles import _CONTENT_TYPES, _ROOT_RELS, SHEET, _row, _workbook, _workbook_rels
from .test_hostile_files import _counts, _xlsx, web_import_endpoints

ROWS = 5_000  # enough to pass every importer's limit (NTM 2.000, workflow 1.000) while staying fast to build


def _sheet(rows: int, row: list[object] | None = None) -> bytes:
    body = _row(row or ["x", 1]).encode() * rows
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + body + b"</sheetData></worksheet>"
    )


def _workbook_zip(sheet: bytes, first: tuple[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        if first is not None:
            zf.writestr(first[0], first[1])
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook("Sheet1"))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(SHEET))
        zf.writestr(SHEET, sheet)
    return out.getvalue()


def _patch_first_member(data: bytes, *, method: int | None = None, flags: int | None = None) -> bytes:
    """Rewrite the first member's compression method / general-purpose flags in both its local header and its
    central-directory entry (what a hostile tool would write)."""
    buf = bytearray(data)
    local = buf.index(b"PK\x03\x04")
    central = buf.index(b"PK\x01\x02")
    if flags is not None:
        struct.pack_into("<H", buf, local + 6, flags)
        struct.pack_into("<H", buf, central + 8, flags)
    if method is not None:
        struct.pack_into("<H", buf, local + 8, method)
        struct.pack_into("<H", buf, central + 10, method)
    return bytes(buf)


def crafted_files() -> dict[str, bytes]:
    decoy = ("docProps/app.xml", b"<Properties/>" * 10)
    return {
        # a decoy with compression method 99 first, then a sheet far over every limit
        "unknown-method-decoy.xlsx": _patch_first_member(_workbook_zip(_sheet(ROWS), decoy), method=99),
        # the sheet itself claims an unknown method (openpyxl cannot read it either)
        "encrypted-member.xlsx": _patch_first_member(_workbook_zip(_sheet(3), decoy), flags=0x1),
        # a workbook whose cell references run to column XFD (openpyxl pads every row to 16.384 cells)
        "wide.xlsx": _workbook_zip(
            _sheet(3).replace(b"<sheetData>", b'<sheetData><row r="1"><c r="XFD1"><v>1</v></c></row>', 1)
        ),
        "wide-dimension.xlsx": _workbook_zip(
            _sheet(3).replace(b"<sheetData>", b'<dimension ref="A1:XFD3"/><sheetData>', 1)
        ),
        # corrupt deflate data in a member (CRC / zlib error)
        "corrupt-member.xlsx": _corrupt(_workbook_zip(_sheet(50), decoy)),
    }


def _corrupt(data: bytes) -> bytes:
    buf = bytearray(data)
    local = buf.index(b"PK\x03\x04")
    name_len, extra_len = struct.unpack_from("<HH", buf, local + 26)
    start = local + 30 + name_len + extra_len
    for i in range(start, start + 8):
        buf[i] ^= 0xFF
    return bytes(buf)


class GuardRefusesWhatItCannotCheckTest(SimpleTestCase):
    def test_each_crafted_file_is_refused_with_a_vietnamese_message(self) -> None:
        for name, content in crafted_files().items():
            with self.subTest(name), self.assertRaises(ValidationError) as ctx:
                check_rows(content, 1_000)
            message = " ".join(ctx.exception.messages)
            self.assertIn("không dòng nào được ghi", message, name)

    def test_too_many_cells_in_few_rows_are_refused(self) -> None:
        wide_row: list[object] = list(range(2_000))  # cells without references: openpyxl numbers them 1…2.000
        with self.assertRaises(ValidationError) as ctx:
            check_rows(_workbook_zip(_sheet(5, wide_row)), 10)
        self.assertIn("quá nhiều ô", ctx.exception.messages[0])

    def test_an_ordinary_workbook_still_passes(self) -> None:
        check_rows(_xlsx([["a", "b"], [1, 2]]), 10)
        check_rows(b"not a zip at all", 10)  # the importer's reader reports it


def _alert(response: Any) -> str:
    text = response.content.decode()
    at = text.find("alert-")
    return text[at : at + 300] if at >= 0 else ""


class CraftedWorkbooksThroughImportersTest(TestCase):
    world: Any
    endpoints: list[tuple[str, dict[str, str]]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        load_standards()
        guard_sample(cls.world)
        cls.endpoints = web_import_endpoints(cls.world, Report.objects.get(unit=cls.world.muong_phang))

    def test_web_importers_answer_a_message_not_a_500_and_write_nothing(self) -> None:
        """The poverty importer keeps a refused file as an INVALID batch with its errors (its design): there the
        batch must carry the guard's message and no staged row; elsewhere nothing at all is written."""

        self.client.raise_request_exception = False
        self.client.force_login(self.world.dien_bien_officer)
        failures: list[str] = []
        kept = {"sessions.Session", "poverty.ImportBatch", "core.ChangeRecord"}
        for url, data in self.endpoints:
            for name, content in crafted_files().items():
                before = _counts()
                response = self.client.post(url, {**data, "file": SimpleUploadedFile(name, content)})
                after = _counts()
                changed = {k for k in before if before[k] != after[k]} - (kept if "poverty" in url else set())
                text = response.content.decode()
                if response.status_code == 302 and "poverty" in url:
                    batch = ImportBatch.objects.order_by("-pk").first()
                    assert batch is not None
                    self.assertEqual(batch.status, ImportBatch.Status.INVALID, name)
                    text = str(batch.errors)
                if response.status_code >= 500:
                    failures.append(f"{url} {name}: {response.status_code}")
                elif "kiểm tra được" not in text and "quá nhiều" not in text:
                    failures.append(f"{url} {name}: no message ({response.status_code}) {_alert(response)}")
                if changed:
                    failures.append(f"{url} {name}: wrote {changed}")
        self.assertEqual(failures, [], "\n".join(failures))

    def test_commands_refuse_with_a_message(self) -> None:
        failures: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            for name, content in crafted_files().items():
                path = Path(tmp) / name
                path.write_bytes(content)
                for command in ("import_disbursements", "import_ocop_products"):
                    before = _counts()
                    err = io.StringIO()
                    try:
                        call_command(command, str(path), stdout=io.StringIO(), stderr=err)
                        failures.append(f"{command} {name}: accepted")
                    except CommandError as exc:
                        text = str(exc) + err.getvalue()
                        if "kiểm tra được" not in text and "quá nhiều" not in text:
                            failures.append(f"{command} {name}: {text[:160]}")
                    except Exception as exc:
                        failures.append(f"{command} {name}: {type(exc).__name__}: {exc}")
                    if _counts() != before:
                        failures.append(f"{command} {name}: wrote rows")
        self.assertEqual(failures, [], "\n".join(failures))
