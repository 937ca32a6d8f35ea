"""Uploaded files leave as downloads with a safe content type (decision 0910).

A PDF carrying JavaScript was accepted as NTM evidence and served inline as application/pdf from our origin; a
supervision attachment was served with the content type its uploader claimed. Replacing evidence left the old file
on disk.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from mtqg.core.uploads import upload_response
from mtqg.ntm import services
from mtqg.ntm.models import IndicatorValue
from mtqg.ntm.tests.factories import guard_sample
from mtqg.testing import make_world

JS_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n"
)


class UploadsServedAsAttachmentsTest(TestCase):
    world: Any

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        guard_sample(cls.world)

    def _value(self) -> Any:
        return IndicatorValue.objects.filter(assessment__note="GUARD-ĐB").exclude(evidence="").get()

    def test_evidence_pdf_with_javascript_is_a_download_not_inline(self) -> None:
        value = self._value()
        services.indicator_value_evidence_set(
            actor=self.world.dien_bien_officer, value=value, upload=SimpleUploadedFile("js.pdf", JS_PDF)
        )
        self.client.force_login(self.world.dien_bien_officer)
        response = self.client.get(reverse("ntm:evidence", args=[value.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            response["Content-Disposition"].startswith("attachment"), response["Content-Disposition"]
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])

    def test_unknown_extension_gets_octet_stream_whatever_was_claimed(self) -> None:
        response = upload_response(io.BytesIO(b"<html><script>1</script>"), filename="a/b/trang.html")
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertIn('filename="trang.html"', response["Content-Disposition"])
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))

    def test_replacing_evidence_removes_the_old_file(self) -> None:
        value = self._value()
        storage = value.evidence.storage
        old = value.evidence.name
        self.assertTrue(storage.exists(old))
        with self.captureOnCommitCallbacks(execute=True):
            services.indicator_value_evidence_set(
                actor=self.world.dien_bien_officer,
                value=value,
                upload=SimpleUploadedFile("new.pdf", b"%PDF-1.4\nnew"),
            )
        value.refresh_from_db()
        self.assertNotEqual(value.evidence.name, old)
        self.assertTrue(storage.exists(value.evidence.name))
        self.assertFalse(storage.exists(old), "the replaced evidence file is still on disk")
