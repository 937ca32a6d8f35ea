"""One error format for the whole API: {"error": {"code", "message", "fields"}} with Vietnamese messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mtqg.core.exceptions import NotFound


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "stale":
        # a write sent with a version someone else has moved on (core.versioning, decision 0909)
        message = " ".join(str(m) for m in exc.messages)
        fields: dict[str, Any] = {"version": [message]}
        if getattr(exc, "current", None) is not None:
            fields["current_version"] = [str(exc.current)]  # type: ignore[attr-defined]
        return Response(
            {"error": {"code": "conflict", "message": message, "fields": fields}},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("Không tìm thấy."))
    elif isinstance(exc, ValueError) and "NUL (0x00)" in str(exc):  # PostgreSQL: a NUL in a text parameter
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("Ký tự không hợp lệ (NUL) trong dữ liệu gửi lên.")]}
        )
    elif isinstance(exc, OverflowError):  # a number too large for the database, e.g. in an id
        exc = exceptions.ValidationError({"non_field_errors": [_("Số vượt quá giới hạn cho phép.")]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", _("Dữ liệu không hợp lệ.")
        detail = response.data
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    else:
        code = getattr(exc, "default_code", "error")
        message = (
            str(response.data.get("detail", "")) if isinstance(response.data, dict) else str(response.data)
        )
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


def bad_request(fields: dict[str, list[str]]) -> Response:
    return Response(
        {"error": {"code": "invalid", "message": _("Dữ liệu không hợp lệ."), "fields": fields}},
        status=status.HTTP_400_BAD_REQUEST,
    )
