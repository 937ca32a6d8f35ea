"""Filters shared by the read viewsets: free-text search and the bounded filter backend (scoped choices, numbers in range).
The filter by administrative unit code is mtqg.geo.api.UnitCodeFilter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import serializers

from mtqg.core.search import search_q


class TextSearchFilter(django_filters.CharFilter):
    """`?q=…`: the one free-text search (mtqg.core.search.search_q) — with or without diacritics, any case."""

    def __init__(
        self,
        fields: tuple[str, ...] = (),
        *,
        folded: tuple[str, ...] = (),
        exact: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label", "Tìm (có hoặc không dấu)")
        super().__init__(**kwargs)
        self.search_fields, self.folded, self.exact = fields, folded, exact

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        return qs.filter(search_q(str(value), self.search_fields, folded=self.folded, exact=self.exact))


class YearFilter(django_filters.NumberFilter):
    """`?year=YYYY` on a date's year (`field_name="signed_on__year"`): 1 to 9999, the years a date can have, so a
    larger number is a 400 in the error format, not a database error on the date range."""

    def __init__(self, field_name: str, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Năm")
        super().__init__(field_name=field_name, min_value=1, max_value=9999, **kwargs)


INT64 = 2**63 - 1


def _out_of_range(value: Any) -> bool:
    """A number no database integer column can hold (SQLite raises OverflowError binding it, PostgreSQL
    NumericValueOutOfRange) — also inside ranges and lists."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        try:
            return not (-INT64 <= value <= INT64)
        except (TypeError, ValueError, ArithmeticError):  # NaN, infinity
            return True
    if isinstance(value, slice):
        return _out_of_range(value.start) or _out_of_range(value.stop)
    if isinstance(value, list | tuple):
        return any(_out_of_range(v) for v in value)
    return False


def _scope_choices(filterset: Any, request: Any) -> None:
    """A filter naming a scoped object (`?allocation=`, `?product=`, `?commune=`, `?assessment=` …) accepts only
    objects the user may see: an absent id and an id outside the user's scope get the same 400, so the answer does
    not tell whether an id exists elsewhere."""
    for f in filterset.filters.values():
        if not isinstance(f, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
            continue
        model = f.extra.get("queryset").model if f.extra.get("queryset") is not None else None
        manager = getattr(model, "objects", None)
        if manager is not None and hasattr(manager, "visible_to"):
            f.queryset = manager.visible_to(request.user)


class BoundedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, plus: objects named in filters are limited to the user's scope (`_scope_choices`),
    and a number outside the 64-bit range in any filter (`?parent=1e30`) or a NUL character is a 400 in the error
    format, not a database error."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        _scope_choices(filterset, request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        cleaned = filterset.form.cleaned_data.items()
        bad = {name: [_("Số vượt quá giới hạn cho phép.")] for name, v in cleaned if _out_of_range(v)}
        bad |= {
            name: [_("Ký tự không hợp lệ (NUL) trong dữ liệu gửi lên.")]
            for name, v in cleaned
            if isinstance(v, str) and "\x00" in v
        }
        if bad:
            raise serializers.ValidationError(bad)
        return filterset.qs
