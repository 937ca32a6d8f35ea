"""One search mechanism for every list: diacritics-free, case-free "contains" on SQLite and PostgreSQL.

`fold()` (mtqg.core.text) turns 'Chè Shan' into 'che shan'. Large tables keep that key in a stored column
(`UnitVersion.search_name`, `Household.head_search`, `Member.search_name`: indexed, written by their services and
loaders); every other list folds its text columns in the database with the `fold` transform registered here, so
`Q(name__fold__contains=fold(q))` matches on both databases. `search_q()` builds the condition for any list from
the two kinds of column. Decision 0020.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Q, TextField, Transform

from mtqg.core.text import fold

__all__ = ["Fold", "fold", "register_sqlite_fold", "search_q"]

SQLITE_FUNCTION = "mtqg_fold"


def _translate_tables() -> tuple[str, str]:
    """Every precomposed Latin letter with marks (Latin-1, Extended-A/B, Vietnamese block) → its base letter,
    as PostgreSQL translate() takes them. Built from `fold` itself so both databases agree with Python."""
    src, dst = [], []
    for start, end in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        for code in range(start, end + 1):
            ch = chr(code)
            if not unicodedata.category(ch).startswith("L"):
                continue
            base = fold(ch)
            if len(base) == 1 and base.isascii() and base.isalpha() and base != ch.lower():
                src.append(ch)
                dst.append(base)
    return "".join(src), "".join(dst)


_PG_FROM, _PG_TO = _translate_tables()


class Fold(Transform):
    """`name__fold` → the column folded like `fold()`: marks and đ removed, lower case, spaces collapsed."""

    lookup_name = "fold"

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        # SQLite (and any backend without a specific rendering): the Python function registered on connect.
        lhs, params = compiler.compile(self.lhs)
        return f"{SQLITE_FUNCTION}({lhs})", tuple(params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        lhs, params = compiler.compile(self.lhs)
        sql = (
            f"btrim(regexp_replace(lower(translate(normalize(COALESCE({lhs}, ''), NFC), %s, %s)), "
            "'\\s+', ' ', 'g'))"
        )
        return sql, [*params, _PG_FROM, _PG_TO]


CharField.register_lookup(Fold)
TextField.register_lookup(Fold)


def _sqlite_fold(value: object) -> str:
    return "" if value is None else fold(str(value))


def register_sqlite_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: make `mtqg_fold()` available on every SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, _sqlite_fold, deterministic=True)


def search_q(
    query: str, fields: Iterable[str] = (), *, folded: Iterable[str] = (), exact: Iterable[str] = ()
) -> Q:
    """The condition for a free-text box: the folded query is contained in one of `fields` (folded in the
    database), or in one of the already-folded stored columns `folded`; or the raw query equals one of `exact`
    (codes, ID numbers). An empty query matches everything."""
    key = fold(query or "")
    if not key:
        return Q()
    cond = Q(pk__in=[])
    for name in folded:
        cond |= Q(**{f"{name}__contains": key})
    for name in fields:
        cond |= Q(**{f"{name}__fold__contains": key})
    for name in exact:
        cond |= Q(**{name: query.strip()})
    return cond
