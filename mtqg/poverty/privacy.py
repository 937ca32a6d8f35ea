"""Privacy: names and ID numbers in clear only in data-entry scope; small cells suppressed in public figures."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mtqg.core.scoping import path_editable

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


def mask_birth(value: date | str | None) -> str | None:
    """A birth date outside entry scope: the year only."""
    if value is None or value == "":
        return None
    return str(value.year) if isinstance(value, date) else str(value)[:4]


def mask_address(value: str | None) -> str:
    """An address outside entry scope: not shown."""
    return ""


# The one masking rule (Decree 13/2023, decision 0907): personal fields in clear only in the user's data-entry
# scope; elsewhere names → initials, ID numbers → last 3 digits, birth dates → year, addresses → hidden. Used by the
# HTML pages, the API, the history tab and the exports.
MASKS: dict[str, Callable[[Any], Any]] = {
    "head_name": mask_name,
    "full_name": mask_name,
    "id_number": mask_id,
    "birth_date": mask_birth,
    "address": mask_address,
}


def can_see_personal(user: Any, path: str) -> bool:
    return path_editable(user, path)


def personal(field: str, value: Any, clear: bool) -> Any:
    """The value of a field as this user may see it (`clear`: the row is in the user's entry scope)."""
    if clear or field not in MASKS:
        return value
    return MASKS[field](value if value is not None else "") if field != "birth_date" else mask_birth(value)


def mask_changes(changes: dict[str, Any], clear: bool) -> dict[str, Any]:
    """A ChangeRecord's {field: [old, new]} with personal values masked by the same rule."""
    if clear:
        return changes
    return {k: [personal(k, v, False) for v in vals] if k in MASKS else vals for k, vals in changes.items()}


def suppress(count: int | None) -> int | str | None:
    """Public figures: counts under 5 households are shown as '< 5'."""
    if count is not None and 0 < count < SMALL_CELL:
        return "< 5"
    return count
