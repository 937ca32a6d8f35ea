"""Shared plumbing in core (decisions 0050–0053): upload sniffing, service errors shown to the user, the XLSX import
loop."""

from __future__ import annotations

import io
import tempfile
import zipfile
from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpResponse
from django.test import RequestFactory, SimpleTestCase, TestCase
from openpyxl import Workbook

from mtqg.accounts.models import User
from mtqg.core.service_errors import (
    add_form_errors,
    error_messages,
    error_text,
    errors_by_field,
    flash_errors,
)
from mtqg.core.uploads import extension, image_kind, sniff, stored_file_response, zip_holds
from mtqg.core.xlsx_guard import TooManyRows
from mtqg.core.xlsx_import import NotAWorkbook, import_rows, read_sheet
from mtqg.finance.models import WorkPhoto
from mtqg.testing import image_bytes


def _zip(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


class SniffTest(SimpleTestCase):
    def test_kinds_by_first_bytes_in_the_callers_order(self) -> None:
        cases = [
            (b"%PDF-1.7 ...", ("pdf", "png"), "pdf"),
            (image_bytes("PNG"), ("pdf", "png"), "png"),
            (image_bytes("JPEG"), ("jpg", "jpeg"), "jpg"),
            (image_bytes("JPEG"), ("jpeg",), "jpeg"),
            (_zip("word/document.xml"), ("docx", "xlsx"), "docx"),
            (b"\xd0\xcf\x11\xe0rest", ("xls",), "xls"),
            (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ("webp",), "webp"),
            (b"RIFF\x00\x00\x00\x00WAVEfmt ", ("webp",), None),
            (b"<html>", ("pdf", "png", "jpg", "docx"), None),
            (b"", ("pdf",), None),
        ]
        for data, kinds, expected in cases:
            upload = SimpleUploadedFile("f", data)
            with self.subTest(expected=expected, kinds=kinds):
                self.assertEqual(sniff(upload, kinds), expected)
                self.assertEqual(upload.tell(), 0)

    def test_extension_and_zip_member(self) -> None:
        self.assertEqual(extension(SimpleUploadedFile("Bien.Ban.PDF", b"")), "pdf")
        self.assertEqual(extension(SimpleUploadedFile("pdf", b"")), "")
        self.assertTrue(
            zip_holds(SimpleUploadedFile("a.docx", _zip("word/document.xml")), "word/document.xml")
        )
        self.assertFalse(
            zip_holds(SimpleUploadedFile("a.docx", _zip("xl/workbook.xml")), "word/document.xml")
        )
        self.assertFalse(zip_holds(SimpleUploadedFile("a.docx", b"PK\x03\x04broken"), "word/document.xml"))

    def test_image_kind_reads_the_image(self) -> None:
        self.assertEqual(image_kind(SimpleUploadedFile("a.png", image_bytes("PNG"))), "png")
        self.assertEqual(image_kind(SimpleUploadedFile("a", image_bytes("JPEG"))), "jpg")
        self.assertEqual(image_kind(SimpleUploadedFile("a", image_bytes("WEBP")), ("webp",)), "webp")
        self.assertIsNone(image_kind(SimpleUploadedFile("a", image_bytes("WEBP"))))  # not asked for
        self.assertIsNone(image_kind(SimpleUploadedFile("a", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>")))
        self.assertIsNone(image_kind(SimpleUploadedFile("a", b"")))


class _Form(forms.Form):
    name = forms.CharField()
    unit_code = forms.CharField()


class ServiceErrorsTest(SimpleTestCase):
    by_field = ValidationError({"name": ["Thiếu tên."], "unit": ["Sai mã."], "other": ["Khác."]})
    plain = ValidationError(["Một.", "Hai."])

    def test_flat_texts(self) -> None:
        self.assertEqual(error_messages(self.by_field), ["Thiếu tên.", "Sai mã.", "Khác."])
        self.assertEqual(error_text(self.plain), "Một.; Hai.")
        self.assertEqual(error_text(self.plain, " "), "Một. Hai.")
        self.assertEqual(error_messages(PermissionDenied("Không có quyền.")), ["Không có quyền."])
        self.assertEqual(error_messages(PermissionDenied(), denied="Cấm."), ["Cấm."])

    def test_by_field(self) -> None:
        self.assertEqual(errors_by_field(self.plain), {"": ["Một.", "Hai."]})
        self.assertEqual(errors_by_field(self.by_field)["unit"], ["Sai mã."])

    def test_on_the_form(self) -> None:
        form = _Form({"name": "x", "unit_code": "y"})
        self.assertTrue(form.is_valid())
        add_form_errors(form, self.by_field, aliases={"unit": "unit_code"})
        self.assertEqual(form.errors["name"], ["Thiếu tên."])
        self.assertEqual(form.errors["unit_code"], ["Sai mã."])
        self.assertEqual(form.non_field_errors(), ["Khác."])
        form = _Form({"name": "x", "unit_code": "y"})
        form.is_valid()
        add_form_errors(form, PermissionDenied(), denied="Cấm.")
        self.assertEqual(form.non_field_errors(), ["Cấm."])

    def test_flash(self) -> None:
        request = RequestFactory().post("/")
        SessionMiddleware(lambda r: HttpResponse()).process_request(request)
        request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
        flash_errors(request, self.plain)
        flash_errors(request, self.plain, sep=" ")
        self.assertEqual([str(m) for m in get_messages(request)], ["Một.", "Hai.", "Một. Hai."])


def _book(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ReadSheetTest(SimpleTestCase):
    def test_the_named_sheet_else_the_first(self) -> None:
        content = _book({"Khác": [["x"]], "Số liệu": [["a", 1], ["b", 2]]})
        self.assertEqual(read_sheet(content, 10, sheet="Số liệu"), [("a", 1), ("b", 2)])
        self.assertEqual(read_sheet(io.BytesIO(content), 10, sheet=0), [("x",)])
        self.assertEqual(read_sheet(content, 10, sheet="Không có"), [("x",)])

    def test_refusals_are_validation_errors_in_vietnamese(self) -> None:
        with self.assertRaisesMessage(NotAWorkbook, "Không đọc được tệp Excel"):
            read_sheet(b"PK\x03\x04 not really a zip", 10)
        with self.assertRaisesMessage(NotAWorkbook, "Không đọc được tệp Excel"):
            read_sheet(b"<html></html>", 10)
        with self.assertRaises(TooManyRows):
            read_sheet(_book({"S": [[n] for n in range(12)]}), 10)


class ImportRowsTest(TestCase):
    def _handle(self, row: str) -> None:
        if row.startswith("!"):
            raise ValidationError({"name": [f"Tên {row} không hợp lệ."]})
        if row == "cấm":
            raise PermissionDenied("Không có quyền.")
        User.objects.create(username=row)

    def test_every_bad_row_reported_and_nothing_written(self) -> None:
        lines = [(2, "an"), (3, "!x"), (4, "binh"), (5, "cấm")]
        errors = import_rows(lines, self._handle, dry_run=False)
        self.assertEqual(errors, ["Dòng 3: Tên !x không hợp lệ.", "Dòng 5: Không có quyền."])
        self.assertFalse(User.objects.filter(username__in=["an", "binh"]).exists())

    def test_dry_run_rolls_back_and_a_clean_run_commits(self) -> None:
        lines = [(2, "an"), (3, "binh")]
        self.assertEqual(import_rows(lines, self._handle, dry_run=True), [])
        self.assertFalse(User.objects.filter(username="an").exists())
        self.assertEqual(import_rows(lines, self._handle, dry_run=False), [])
        self.assertEqual(User.objects.filter(username__in=["an", "binh"]).count(), 2)


class StoredFileTest(TestCase):
    def test_a_file_missing_on_disk_is_a_404_and_a_present_one_a_download(self) -> None:
        with self.assertRaisesMessage(Http404, "Tệp không còn trên máy chủ"):
            stored_file_response(WorkPhoto(image="finance/works/khong-co.png").image)
        with tempfile.TemporaryDirectory() as media, self.settings(MEDIA_ROOT=media):
            photo = WorkPhoto()
            photo.image.save("anh.png", ContentFile(image_bytes("PNG")), save=False)
            response = stored_file_response(photo.image, sniffed_type="image/png")
            self.assertEqual(response["Content-Type"], "image/png")
            self.assertIn("attachment", response["Content-Disposition"])
            self.assertEqual(b"".join(response.streaming_content), image_bytes("PNG"))  # type: ignore[attr-defined]
            response.close()
