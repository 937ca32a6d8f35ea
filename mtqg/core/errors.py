"""Error pages: 400/403/404/500 in the site's layout, Vietnamese (English when the language is
English), with a way back. The same views serve production (handler400… in mtqg/urls.py) and the development
server: with DEBUG on, ErrorPagesMiddleware shows them too, unless the developer opts into Django's debug pages
with DEBUG_ERROR_PAGES=1 (decision 0011)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger("mtqg.errors")


def _texts(status: int) -> tuple[str, str]:
    return {
        400: (
            _("Yêu cầu không hợp lệ"),
            _("Địa chỉ hoặc dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra và thử lại."),
        ),
        403: (
            _("Không có quyền truy cập"),
            _("Tài khoản của bạn không có quyền thực hiện thao tác này. Liên hệ quản trị nếu bạn cần quyền."),
        ),
        404: (
            _("Không tìm thấy trang"),
            _("Trang không tồn tại hoặc nằm ngoài phạm vi đơn vị bạn được phân công."),
        ),
        500: (
            _("Lỗi hệ thống"),
            _("Hệ thống gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại; vui lòng thử lại sau."),
        ),
    }[status]


def _back(request: HttpRequest) -> str | None:
    """The page the user came from, when it is on this site and not the failing page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if (
        referer
        and referer != request.build_absolute_uri()
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return referer
    return None


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    title, message = _texts(status)
    context = {"status": status, "title": title, "message": message, "back": _back(request)}
    try:
        return render(request, "errors/error.html", context, status=status)
    except Exception:  # the layout itself failed (e.g. the database is down): a page without it
        logger.exception("error page %s could not be rendered in the layout", status)
        home = reverse("frontpage:home")
        body = f'<!doctype html><meta charset="utf-8"><h1>{title}</h1><p>{message}</p><p><a href="{home}">MTQG</a></p>'
        return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


def status_for(exc: Exception) -> int:
    if isinstance(exc, Http404):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, BadRequest | SuspiciousOperation):
        return 400
    return 500


class ErrorPagesMiddleware:
    """With DEBUG on (development, `make demo`), show the site's error pages instead of Django's debug pages,
    unless DEBUG_ERROR_PAGES is on. With DEBUG off, Django calls the handlers itself and this does nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def active() -> bool:
        return bool(settings.DEBUG) and not getattr(settings, "DEBUG_ERROR_PAGES", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # no view matched the address: Django answered its debug 404 (the URL map) before any view ran
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None and self.active():
            return error_page(request, 404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if not self.active():
            return None
        status = status_for(exception)
        if status == 500:
            logger.error("Lỗi hệ thống: %s", request.path, exc_info=exception)
            signals.got_request_exception.send(
                sender=None, request=request
            )  # as Django does for an uncaught one
        return error_page(request, status)
