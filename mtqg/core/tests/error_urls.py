"""The site's URL map plus views that fail on purpose (tests of the error pages)."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from mtqg.urls import handler400, handler403, handler404, handler500
from mtqg.urls import urlpatterns as site_patterns


def _bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest("test")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("test failure")


urlpatterns = [
    path("test-errors/400/", _bad),
    path("test-errors/403/", _forbidden),
    path("test-errors/500/", _boom),
    *site_patterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
