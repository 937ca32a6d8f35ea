"""Hostile files against every file importer command and the upload checks: each is refused with a message and
nothing is written (row counts of every model and ChangeRecord compared before/after)."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from openpyxl import Workbook

from mtqg.core.tables import safe_cell
from mtqg.finance.services import sniff_photo
from mtqg.ntm.services import sniff_evidence
from mtqg.ntm.tests.factories import load_all
from mtqg.ocop.services import validate_photo
from mtqg.poverty.tests.factories import make_household
from mtqg.testing import World, make_world
from mtqg.workflow.models import Report, ReportAttachment
from mtqg.workflow.tests.factories import guard_sample

COMMANDS = [
    ("import_disbursements", []),
    ("import_ocop_products", []),
    ("import_classifications", ["--commit"]),
]
TRIED: dict[str, int] = {}


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(data: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, (replace or {}).get(item.filename, src.read(item.filename)))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def hostile_files() -> dict[str, bytes]:
    header = "scheme,unit_code,value,ma_cong_trinh,so_tien,ngay_chi,ten_san_pham"
    base = _xlsx([["x", "y"], ["=1+1", "@SUM(A1)"]])
    bomb_sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b" " * (40 * 1024 * 1024)
        + b"</sheetData></worksheet>"
    )
    return {
        "empty.csv": b"",
        "cp1258.csv": unicodedata.normalize("NFD", "đơn vị,giá trị\nXã Mường Phăng,Đạt\n").encode(
            "cp1258", "replace"
        ),
        "utf16.csv": "đơn vị,giá trị\nXã Mường Phăng,Đạt\n".encode("utf-16"),
        "bom-headers-only.csv": "\ufeff".encode() + header.encode() + b"\n",
        "wrong-headers.csv": b"foo,bar,baz\n1,2,3\n",
        "duplicate-headers.csv": b"scheme,scheme,unit_code,unit_code\na,b,c,d\n",
        "giant-cell.csv": b"scheme,unit_code,value\nntm_region," + b"9" * 2_000_000 + b",x\n",
        "formulas.csv": b"scheme,unit_code,value\n=cmd|' /C calc'!A0,+1,-1\n@SUM(1),=HYPERLINK(\"x\"),\n",
        "binary.csv": bytes(range(256)) * 50,
        "not-a-zip.xlsx": b"<html><body>not excel</body></html>",
        "truncated.xlsx": base[: len(base) // 2],
        "formulas.xlsx": base,
        "wrong-headers.xlsx": _xlsx([["a", "a", "b"], [1, 2, 3]]),
        "external-link.xlsx": _rezip(
            base,
            {
                "xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
                "xl/externalLinks/_rels/externalLink1.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" Target="file:///etc/passwd" TargetMode="External"/></Relationships>',
            },
        ),
        "macro.xlsm": _rezip(base, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512}),
        "zip-bomb.xlsx": _rezip(base, {}, {"xl/worksheets/sheet1.xml": bomb_sheet}),
    }


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in ("sessions",)
    }


class HostileImportTest(TestCase):
    def test_every_importer_refuses_every_hostile_file_and_writes_nothing(self) -> None:
        files = hostile_files()
        self.assertGreater(40 * 1024 * 1024 / len(files["zip-bomb.xlsx"]), 100)  # compression ratio > 100:1
        failures: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            for name, content in files.items():
                path = Path(tmp) / name
                path.write_bytes(content)
                for command, extra in COMMANDS:
                    before = _counts()
                    try:
                        call_command(command, str(path), *extra, stdout=io.StringIO(), stderr=io.StringIO())
                    except CommandError as exc:
                        if not str(exc).strip() or "Traceback" in str(exc):
                            failures.append(f"{command} {name}: empty message")
                    except Exception as exc:  # any other exception is a trace shown to the user
                        failures.append(f"{command} {name}: {type(exc).__name__}: {str(exc)[:120]}")
                    if _counts() != before:
                        failures.append(f"{command} {name}: wrote rows")
                    TRIED[command] = TRIED.get(command, 0) + 1
        print(f"\nhostile files tried: {TRIED} total={sum(TRIED.values())}")
        self.assertEqual(failures, [], "\n".join(failures))


class HostileUploadTest(TestCase):
    def test_uploads_that_lie_about_their_type_are_refused(self) -> None:
        html = b"<html><script>alert(1)</script></html>"
        checks = [
            (sniff_evidence, "../../etc/evil.png", html),
            (sniff_evidence, "bang-chung.pdf", b""),
            (sniff_evidence, "anh.png", b"%PDF-1.4 fake"),
            (sniff_photo, "../../anh.png", html),
            (sniff_photo, "anh.png", b""),
            (validate_photo, "..\\..\\anh.png", html),
            (validate_photo, "anh.svg", b"<svg onload=alert(1)>"),
            (validate_photo, "anh.png.html", b"\x89PNG\r\n\x1a\n" + html),
        ]
        for check, name, content in checks:
            with self.assertRaises(ValidationError, msg=f"{check.__name__} {name}") as ctx:
                check(SimpleUploadedFile(name, content))
            self.assertTrue(ctx.exception.messages[0].strip())
            TRIED["uploads"] = TRIED.get("uploads", 0) + 1


class ExportNeutralisesFormulasTest(TestCase):
    def test_text_cells_starting_with_formula_characters_are_neutralised(self) -> None:
        for value in ("=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x")'):
            cell = safe_cell(value)
            self.assertNotEqual(cell, value)
            self.assertFalse(str(cell).startswith(("=", "+", "-", "@")))
        self.assertEqual(safe_cell(-5), -5)  # numbers stay numbers


def web_import_endpoints(world: World, report: Report) -> list[tuple[str, dict[str, str]]]:
    """The four web importers (poverty CSV staging, NTM workbook, OCOP workbook, workflow report workbook) as
    (URL, the form's other fields) for an officer of Điện Biên; `report` is a workflow report of Mường Phăng."""
    return [
        ("/poverty/nhap/", {"unit": world.muong_phang.code, "year": "2024"}),
        ("/ntm/import/", {"unit": str(world.dien_bien_old.pk), "year": "2024", "commit": "1"}),
        ("/ocop/import/", {}),
        (f"/workflow/reports/{report.pk}/import/", {}),
    ]


class HostileWebUploadTest(TestCase):
    """The same files through the web importers (poverty CSV staging, NTM workbook, OCOP workbook, workflow report
    workbook, workflow attachments) as the Điện Biên officer, who may enter data there."""

    world: Any
    endpoints: list[tuple[str, dict[str, str]]]
    attach_url: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_all()
        guard_sample(cls.world)
        report = Report.objects.get(unit=cls.world.muong_phang)
        cls.endpoints = web_import_endpoints(cls.world, report)
        cls.attach_url = f"/workflow/reports/{report.pk}/attachments/"

    def test_web_importers_refuse_hostile_files_and_write_nothing(self) -> None:
        self.client.raise_request_exception = False
        self.client.force_login(self.world.dien_bien_officer)
        failures: list[str] = []
        files = hostile_files()
        files["../../../etc/passwd.xlsx"] = files["formulas.xlsx"]
        files["anh.png"] = b"<html><script>alert(1)</script></html>"
        for url, data in self.endpoints:
            for name, content in files.items():
                before = _counts()
                upload = SimpleUploadedFile(name, content)
                response = self.client.post(url, {**data, "file": upload})
                TRIED["web"] = TRIED.get("web", 0) + 1
                if response.status_code >= 500:
                    failures.append(f"{url} {name}: {response.status_code}")
                after = _counts()
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                changed.pop("sessions.Session", None)
                if changed:
                    failures.append(f"{url} {name}: wrote {changed}")
        # attachments are stored, not parsed: a real workbook is fine, a file lying about its type is not

        for name, content in (
            ("anh.png", files["anh.png"]),
            ("bang.xlsx", files["not-a-zip.xlsx"]),
            ("a.pdf", b""),
        ):
            before = _counts()
            self.client.post(self.attach_url, {"title": "x", "file": SimpleUploadedFile(name, content)})
            TRIED["web"] += 1
            if _counts() != before:
                failures.append(f"{self.attach_url} {name}: stored")
        self.client.post(
            self.attach_url,
            {"title": "x", "file": SimpleUploadedFile("../../../x.xlsx", files["formulas.xlsx"])},
        )
        stored = ReportAttachment.objects.order_by("-pk").first()
        assert stored is not None
        self.assertNotIn("..", str(stored.file.name))
        print(f"\nweb hostile uploads: {TRIED.get('web')}")
        self.assertEqual(failures, [], "\n".join(failures))


class PersonalExportNeutralisesFormulasTest(TestCase):
    def test_household_csv_export_neutralises_formulas(self) -> None:
        world = make_world()
        make_household(world.muong_phang, "DB-F-1", '=HYPERLINK("http://x","bấm")', address="+84 Bản Na")
        self.client.force_login(world.dien_bien_officer)
        response = self.client.get(
            "/poverty/ho/xuat/", {"unit": world.muong_phang.code, "reason": "Kiểm tra xuất dữ liệu"}
        )
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        cells = [c for row in rows[1:] for c in row]
        self.assertIn('\'=HYPERLINK("http://x","bấm")', cells)
        self.assertFalse([c for c in cells if c.startswith(("=", "+", "-", "@"))])
