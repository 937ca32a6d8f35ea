"""Serving files users uploaded (evidence, attachments, photos): always as a download (decision 0910).

A PDF can carry JavaScript and an "image" can be HTML; served inline from our origin they would run with the
user's session. So every upload leaves with `Content-Disposition: attachment`, a content type from a short list of
known kinds (anything else is `application/octet-stream`, never the type the uploader claimed), `nosniff` and a
sandboxing Content-Security-Policy. `<img src>` still shows a photo served this way.
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse

SAFE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "zip": "application/zip",
}


def upload_response(handle: IO[bytes], *, filename: str, sniffed_type: str = "") -> FileResponse:
    """A download of an uploaded file; the content type follows the (checked) extension, or `sniffed_type` when
    the caller judged it from the content itself and it is one of SAFE_TYPES — never what the uploader claimed."""
    name = (filename or "tep").rsplit("/", 1)[-1]
    kind = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = sniffed_type if sniffed_type in SAFE_TYPES.values() else ""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=content_type or SAFE_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
