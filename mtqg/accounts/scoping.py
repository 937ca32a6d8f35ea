"""The one scoping mechanism: which unit paths a user may see or edit.

Every scoped model declares ``scope_path`` (a lookup to a materialised unit path, e.g. ``"commune__path"``)
and uses ``ScopedQuerySet.as_manager()``. Views, API viewsets, exports and report functions start from
``Model.objects.visible_to(user)`` (or ``editable_by(user)``); ``get_visible_or_404`` gives one 404 for
"absent" and "not yours".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from mtqg.accounts.models import User

M = TypeVar("M", bound=models.Model)

ALL = ("",)  # the empty prefix matches every path


def _today() -> date:
    return timezone.localdate()


def _prefixes(user: Any, *, edit: bool) -> tuple[str, ...]:
    """Path prefixes of the user's active assignments; both sets are computed at once and cached on the user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    if user.is_superuser:
        return ALL
    cached = getattr(user, "_scope_cache", None)
    if cached is None:
        cached = _compute(user)
        user._scope_cache = cached
    return cached[1] if edit else cached[0]


def _compute(user: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from mtqg.accounts.models import Assignment

    view: set[str] = set()
    edit: set[str] = set()
    for assignment in Assignment.objects.active_for(user, _today()).select_related("unit"):
        paths = {""} if assignment.role == Assignment.Role.ADMIN else assignment.scope_prefixes()
        view |= paths
        if assignment.can_edit:
            edit |= paths
    return tuple(sorted(_minimal(view))), tuple(sorted(_minimal(edit)))


def _minimal(prefixes: set[str]) -> set[str]:
    """Drop prefixes covered by a shorter one."""
    kept: set[str] = set()
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.add(p)
    return kept


def view_prefixes(user: Any) -> tuple[str, ...]:
    return _prefixes(user, edit=False)


def edit_prefixes(user: Any) -> tuple[str, ...]:
    return _prefixes(user, edit=True)


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
    link to it, only when this holds (issue #19: screens follow the role)."""
    return bool(edit_prefixes(user))


def entry_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A data-entry screen: refused (403, the site's error page) up front to a view-only user."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_enter_data(request.user):
            raise PermissionDenied(_("Tài khoản của bạn chỉ được xem, không được nhập liệu."))
        return view(request, *args, **kwargs)

    return wrapped


def ensure_can_edit(user: User | Any, path: str) -> None:
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
