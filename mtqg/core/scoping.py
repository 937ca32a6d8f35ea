"""The one scoping mechanism: filter rows by the unit paths a user may see or edit.

Every scoped model declares ``scope_path`` (a lookup to a materialised unit path, e.g. ``"commune__path"``)
and uses ``ScopedQuerySet.as_manager()``. Views, API viewsets, exports and report functions start from
``Model.objects.visible_to(user)`` (or ``editable_by(user)``); ``get_visible_or_404`` gives one 404 for
"absent" and "not yours".

Which paths a user holds is decided above this module: ``settings.MTQG_SCOPE_PATHS`` names a function
``paths_for(user) -> (view_prefixes, edit_prefixes)`` (``mtqg.accounts.scoping.paths_for``), so core imports
only Django.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

M = TypeVar("M", bound=models.Model)

ALL = ("",)  # the empty prefix matches every path

ScopePaths = tuple[tuple[str, ...], tuple[str, ...]]


@cache
def _resolve(name: str) -> Callable[[Any], ScopePaths]:
    function: Callable[[Any], ScopePaths] = import_string(name)
    return function


def _paths(user: Any) -> ScopePaths:
    """(view prefixes, edit prefixes) from the function settings.MTQG_SCOPE_PATHS names (resolved once per name)."""
    return _resolve(settings.MTQG_SCOPE_PATHS)(user)


def view_prefixes(user: Any) -> tuple[str, ...]:
    return _paths(user)[0]


def edit_prefixes(user: Any) -> tuple[str, ...]:
    return _paths(user)[1]


def path_q(lookup: str, prefixes: tuple[str, ...]) -> Q:
    """Q matching rows whose path (at `lookup`) starts with one of the prefixes; none → matches nothing."""
    if "" in prefixes:
        return Q()
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{lookup}__startswith": prefix})
    return q


class ScopedQuerySet(models.QuerySet[M]):
    """QuerySet for models with a `scope_path` attribute."""

    def _lookup(self) -> str:
        lookup = getattr(self.model, "scope_path", None)
        if not lookup:
            raise TypeError(f"{self.model.__name__} has no scope_path")
        return lookup

    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        return self.filter(path_q(self._lookup(), view_prefixes(user)))

    def editable_by(self, user: Any) -> ScopedQuerySet[M]:
        return self.filter(path_q(self._lookup(), edit_prefixes(user)))


def path_visible(user: Any, path: str) -> bool:
    return any(path.startswith(p) for p in view_prefixes(user))


def path_editable(user: Any, path: str) -> bool:
    return any(path.startswith(p) for p in edit_prefixes(user))


def can_enter_data(user: Any) -> bool:
    """Whether the user may enter data for some unit: the precondition of every "new …" form whose unit is chosen
    in the form (its service then calls ensure_can_edit on the chosen unit). Screens render such a form, and the
    link to it, only when this holds, so screens follow the role."""
    return bool(edit_prefixes(user))


def entry_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A data-entry screen: refused (403, the site's error page) up front to a view-only user."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_enter_data(request.user):
            raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được nhập liệu."))
        return view(request, *args, **kwargs)

    return wrapped


def ensure_can_edit(user: Any, path: str) -> None:
    """Raise PermissionDenied (Vietnamese message) unless the user may enter data for this unit path.
    `None` is a system job (loaders, demo seeding, commands): services pass their actor straight through."""
    if user is None:
        return
    if not path_editable(user, path):
        raise PermissionDenied(_("Bạn không có quyền nhập liệu cho đơn vị này."))


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One 404 for 'absent' and 'not yours'."""
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError("get_visible_or_404 needs a ScopedQuerySet")
    qs = queryset.visible_to(user)
    try:
        return qs.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy đối tượng hoặc bạn không có quyền xem.")) from exc
