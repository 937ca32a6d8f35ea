"""A service's refusal shown to the user, written once (decision 0052).

Services raise `ValidationError` (a message, a list, or a dict by field) or `PermissionDenied`; views show them as
a list under the form, as Django messages, or on the form's own fields. These helpers turn either exception into
those shapes; `denied` is the text shown when a PermissionDenied carries none.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

ServiceError = ValidationError | PermissionDenied


def error_messages(exc: ServiceError, denied: str = "") -> list[str]:
    """Every message, in order (a dict's messages field after field)."""
    if isinstance(exc, PermissionDenied):
        return [str(exc) or denied]
    return [str(m) for m in exc.messages]


def error_text(exc: ServiceError, sep: str = "; ", denied: str = "") -> str:
    """The messages on one line."""
    return sep.join(error_messages(exc, denied))


def errors_by_field(exc: ServiceError, denied: str = "") -> dict[str, list[str]]:
    """{field: messages}; messages that name no field (and a PermissionDenied) under ""."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"": error_messages(exc, denied)}


def flash_errors(
    request: HttpRequest, exc: ServiceError, *, denied: str = "", sep: str | None = None
) -> None:
    """The messages as Django error messages: one each, or joined with `sep` into one."""
    texts = error_messages(exc, denied)
    for text in texts if sep is None else [sep.join(texts)]:
        messages.error(request, text)


def add_form_errors(
    form: forms.BaseForm, exc: ServiceError, *, denied: str = "", aliases: dict[str, str] | None = None
) -> None:
    """The messages on the form: on a field when they name one of its fields (or an alias of one), else on top."""
    for field, texts in errors_by_field(exc, denied).items():
        name = (aliases or {}).get(field, field)
        target: Any = name if name in form.fields else None
        for text in texts:
            form.add_error(target, text)
