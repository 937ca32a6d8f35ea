"""Shared plumbing in core (decisions 0050–0052): upload sniffing and service errors shown to the user."""

from __future__ import annotations

import io
import zipfile

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase

from mtqg.core.service_errors import (
    add_form_errors,
    error_messages,
    error_text,
    errors_by_field,
    flash_errors,
)
from mtqg.core.uploads import extension, image_kind, sniff, zip_holds
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
