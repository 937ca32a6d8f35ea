"""Privacy: names and ID numbers in clear only in data-entry scope; small cells suppressed in public figures."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.accounts.scoping import path_editable

SMALL_CELL = 5
ID_RE = re.compile(r"^(\d{9}|\d{12})$")


def validate_id_number(value: str) -> str:
    """CMND (9 digits) or CCCD/personal id (12 digits); empty allowed."""
    value = (value or "").strip()
    if value and not ID_RE.match(value):
        raise ValidationError({"id_number": _("Số định danh phải gồm 9 hoặc 12 chữ số.")})
    return value


def mask_name(name: str) -> str:
    """'Lò Văn Pâng' → 'L. V. P***'."""
    parts = name.split()
    if not parts:
        return ""
    return " ".join(p[0] + "." for p in parts[:-1]) + (" " if len(parts) > 1 else "") + parts[-1][0] + "***"


def mask_id(value: str) -> str:
    return ("*" * (len(value) - 3) + value[-3:]) if value else ""


def can_see_personal(user: Any, path: str) -> bool:
    return path_editable(user, path)


def suppress(count: int | None) -> int | str | None:
    """Public figures: counts under 5 households are shown as '< 5'."""
    if count is not None and 0 < count < SMALL_CELL:
        return "< 5"
    return count
