"""Uploaded files (evidence, attachments, photos): what they really are, and serving them always as a download.

Judging an upload (decision 0051): the name and the browser's type are not trusted. `sniff(upload, kinds)` reads
the first bytes and names the first kind in `kinds` whose signature they carry (SIGNATURES); `image_kind` opens an
image with Pillow, so a PNG header followed by HTML is no photo. Each app keeps its own Vietnamese messages and
rules on how the name's extension must agree.

Serving (decision 0910):

A PDF can carry JavaScript and an "image" can be HTML; served inline from our origin they would run with the
user's session. So every upload leaves with `Content-Disposition: attachment`, a content type from a short list of
known kinds (anything else is `application/octet-stream`, never the type the uploader claimed), `nosniff` and a
sandboxing Content-Security-Policy. `<img src>` still shows a photo served this way.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from typing import IO, Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

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


def stored_file_response(stored: FieldFile, *, sniffed_type: str = "") -> FileResponse:
    """`upload_response` for a file field; a file missing on disk (e.g. restored without media) is a 404."""
    try:
        handle = stored.open("rb")
    except OSError as exc:  # FileNotFoundError included
        raise Http404(_("Tệp không còn trên máy chủ.")) from exc
    return upload_response(handle, filename=stored.name or "", sniffed_type=sniffed_type)


# first bytes each kind's content starts with; Office 2007+ files are zips, the older ones OLE compound files
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "webp": (b"RIFF",),  # and "WEBP" at byte 8
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
}
PILLOW_KINDS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def extension(upload: Any) -> str:
    """'Anh.JPG' → 'jpg'; '' when the name has no dot."""
    name = str(getattr(upload, "name", "") or "").lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def head(upload: Any, size: int = 16) -> bytes:
    """The first `size` bytes; the upload is left at its start."""
    upload.seek(0)
    data: bytes = upload.read(size)
    upload.seek(0)
    return data


def sniff(upload: Any, kinds: Iterable[str]) -> str | None:
    """The first of `kinds` whose signature the upload starts with, or None."""
    first = head(upload)
    for kind in kinds:
        if any(first.startswith(sig) for sig in SIGNATURES[kind]) and (
            kind != "webp" or first[8:12] == b"WEBP"
        ):
            return kind
    return None


def zip_holds(upload: Any, member: str) -> bool:
    """Whether the upload is a readable zip holding `member` (a DOCX holds word/document.xml)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            return member in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def image_kind(upload: Any, kinds: Iterable[str] = ("jpg", "png")) -> str | None:
    """'jpg', 'png' or 'webp' when Pillow reads the upload as an image of one of `kinds`, else None."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
            kind = PILLOW_KINDS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    finally:
        upload.seek(0)
    return kind if kind in set(kinds) else None
