"""Server-side generation of the household register on PostgreSQL (decision 0804).

Households, their reviews and (tiny/province) members are produced by `INSERT … SELECT … FROM generate_series`
inside PostgreSQL, so no row travels through Python. Every random value is a bit field of a 64-bit hash of the
household code with a key made of the seed and the year (`hashtextextended(code, key)`, see `generate_register`),
so the result depends only on the seed and the profile, never on chunking, parallelism or ids.

Python prepares small temporary tables from the same data the Python path uses:

- `syn_commune`: one row per commune (first household id, household count and rate factor drawn by the same
  `random.Random(seed-hh-<code>)` as the Python path, area, ethnic groups of its region);
- `syn_rate`: the commune's poor / near-poor probabilities per review year (profile.json × factor);
- `syn_band`: per (year, area, target class) an income range (whole thousands of VND) and a deprivation-count range
  derived from the rows of the standard in force, each PROVEN in Python to give exactly that class under
  `poverty.standards.decide` (every count in the range × every piece of the income range, see `bands`);
- `syn_pool`: 32 deprivation lists per (year, area, count), as in the Python path.

So the stored class is the class `decide` gives for the stored income and count (tested on every generated review
at tiny scale, and on every income of every band of every standard).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from mtqg.core.text import fold
from mtqg.poverty.models import Household, Member, Review
from mtqg.poverty.standards import decide

from .rows import Row

POOL = 32  # 5 hash bits pick the entry
CLASSES = ("poor", "near_poor", "average", "none")


@dataclass(frozen=True)
class Band:
    target: str
    cls: str
    lo_k: int  # income range in whole thousands of VND per person per month
    hi_k: int
    c_lo: int  # deprivation-count range
    c_hi: int


def _decide() -> Callable[..., str]:
    return decide


def _candidate_bands(standard: Any, area: str) -> dict[str, tuple[int, int, int, int] | None]:
    """Income / count ranges per class under one standard's rows (VND, inclusive)."""
    lines = standard.lines[area]
    line = int(lines["line"])
    poor_any = lines.get("poor_any")
    near_upper = lines.get("near_poor_upper")
    avg_upper = lines.get("average_upper")
    cutoff = standard.deprivation_cutoff
    n = len(standard.indicators)
    out: dict[str, tuple[int, int, int, int] | None] = {}
    if cutoff is None:
        out["poor"] = (line * 4 // 10, line, 0, min(n, 3))
        out["near_poor"] = (line + 1, int(near_upper), 0, min(n, 3)) if near_upper else None
    else:
        out["poor"] = (line * 4 // 10, line, min(cutoff, n), min(n, cutoff + 3))
        floor = int(poor_any) + 1 if poor_any is not None else 0
        out["near_poor"] = (max(line * 5 // 10, floor), line, 0, cutoff - 1) if cutoff > 0 else None
    below = int(near_upper) if cutoff is None and near_upper else line
    out["average"] = (below + 1, int(avg_upper), 0, min(n, 3)) if avg_upper else None
    top = max(line, int(near_upper or 0), int(avg_upper or 0))
    if avg_upper is None:
        top = max(top, line * 3 // 2)  # the Python path's "upper" when a standard has no average band
    out["none"] = (top + 1, top * 4, 0, min(n, 2))
    return out


def _proven(standard: Any, area: str, cls: str, lo_k: int, hi_k: int, c_lo: int, c_hi: int) -> bool:
    """Every (income, count) the band can produce gives `cls` under decide: decide is constant in income between
    the standard's thresholds, so the ends of the range and both sides of every threshold inside it cover it."""
    decide = _decide()
    lines = standard.lines[area]
    cutoff = standard.deprivation_cutoff
    points = {lo_k, hi_k}
    for value in lines.values():
        if not isinstance(value, int):  # None, or the list of UNCONFIRMED boundary names
            continue
        t = int(value) // 1000
        points.update(k for k in (t - 1, t, t + 1) if lo_k <= k <= hi_k)
    return all(
        decide(lines, cutoff, k * 1000, count) == cls for k in points for count in range(c_lo, c_hi + 1)
    )


def bands(standard: Any, area: str) -> list[Band]:
    """One band per target class; a class the standard cannot produce falls back to the 'none' band."""
    found: dict[str, Band] = {}
    for cls, rng in _candidate_bands(standard, area).items():
        if rng is None:
            continue
        lo, hi, c_lo, c_hi = rng
        lo_k, hi_k = math.ceil(lo / 1000), hi // 1000
        if lo_k > hi_k or c_lo > c_hi:
            continue
        if not _proven(standard, area, cls, lo_k, hi_k, c_lo, c_hi):
            raise ValueError(f"band {cls} of {standard.code}/{area} is not one class under decide")
        found[cls] = Band(cls, cls, lo_k, hi_k, c_lo, c_hi)
    fallback = found["none"]
    return [
        found.get(t) or Band(t, fallback.cls, fallback.lo_k, fallback.hi_k, fallback.c_lo, fallback.c_hi)
        for t in CLASSES
    ]


def pools(standard: Any, area: str, seed: int) -> list[list[str]]:
    """32 deprivation lists per count (the Python path's pools: same seed string, same order)."""
    codes = [i["code"] for i in standard.indicators]
    pool_rng = random.Random(f"{seed}-deps-{standard.code}-{area}")
    return [
        [json.dumps(pool_rng.sample(codes, count)) for _ in range(POOL)] for count in range(len(codes) + 1)
    ]


def bits(h: str, shift: int, width: int) -> str:
    """SQL: `width` bits of the 64-bit hash `h` from bit `shift` (a non-negative bigint below 2**width)."""
    return f"(({h} >> {shift}) & {(1 << width) - 1})"


def pick(h: str, shift: int, width: int, size: str) -> str:
    """SQL: an index in [0, size) from `width` hash bits (uniform for size ≪ 2**width)."""
    return f"(({bits(h, shift, width)} * ({size})) >> {width})::int"


def _array(values: Sequence[str]) -> str:
    return "(ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[])"


def _name(i: str, parts: Sequence[Sequence[str]]) -> str:
    """Head of household from index i of the Python path's family × middle × given list (small constant arrays:
    cheap to subscript)."""
    family, middle, given = parts
    return (
        f"{_array(family)}[1 + {i} / {len(middle) * len(given)}] || ' ' || "
        f"{_array(middle)}[1 + ({i} / {len(given)}) %% {len(middle)}] || ' ' || "
        f"{_array(given)}[1 + {i} %% {len(given)}]"
    )


def _insert_sql(model: type[models.Model], exprs: dict[str, str], from_sql: str) -> tuple[str, list[Any]]:
    """INSERT INTO model (columns) SELECT exprs…, defaults… FROM …; the defaults of every other column are sent
    as parameters (the same constant tail as rows.Row)."""
    row = Row(model, list(exprs))
    cols = ", ".join(connection.ops.quote_name(c) for c in row.columns)
    tail = ", ".join(["%s"] * len(row.tail))
    select = ", ".join(exprs.values()) + (f", {tail}" if tail else "")
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({cols}) SELECT {select} {from_sql}", list(row.tail)


@dataclass
class CommuneSpec:
    commune_id: int
    code: str
    first_id: int
    n: int
    area: str
    ethnic: list[str]
    rates: dict[int, tuple[float, float]]  # year -> (p_poor, p_near)


TEMP_TABLES = "syn_commune, syn_rate, syn_band, syn_pool"


def _temp_tables(cur: Any, specs: Sequence[CommuneSpec], standards: dict[int, Any], seed: int) -> None:
    cur.execute(
        f"DROP TABLE IF EXISTS {TEMP_TABLES}"
    )  # ON COMMIT DROP does not fire inside an outer transaction
    cur.execute(
        "CREATE TEMP TABLE syn_commune (ord int, commune_id bigint, code text, first_id bigint, n int, "
        "area text, ethnic text[]) ON COMMIT DROP"
    )
    cur.execute(
        "CREATE TEMP TABLE syn_rate (commune_id bigint, year int, p_poor float8, p_near float8) ON COMMIT DROP"
    )
    cur.execute(
        "CREATE TEMP TABLE syn_band (year int, area text, target text, cls text, lo_k int, hi_k int, "
        "c_lo int, c_hi int, standard_id bigint) ON COMMIT DROP"
    )
    cur.execute(
        "CREATE TEMP TABLE syn_pool (year int, area text, cnt int, idx int, deps jsonb) ON COMMIT DROP"
    )
    raw = cur.cursor
    with raw.copy("COPY syn_commune FROM STDIN") as copy:
        for i, s in enumerate(specs):
            copy.write_row((i, s.commune_id, s.code, s.first_id, s.n, s.area, s.ethnic))
    with raw.copy("COPY syn_rate FROM STDIN") as copy:
        for s in specs:
            for year, (p_poor, p_near) in s.rates.items():
                copy.write_row((s.commune_id, year, p_poor, p_near))
    with raw.copy("COPY syn_band FROM STDIN") as copy:
        for year, standard in standards.items():
            for area in ("rural", "urban"):
                for b in bands(standard, area):
                    copy.write_row((year, area, b.target, b.cls, b.lo_k, b.hi_k, b.c_lo, b.c_hi, standard.pk))
    with raw.copy("COPY syn_pool FROM STDIN") as copy:
        for year, standard in standards.items():
            for area in ("rural", "urban"):
                for count, lists in enumerate(pools(standard, area, seed)):
                    for idx, deps in enumerate(lists):
                        copy.write_row((year, area, count, idx, deps))
    cur.execute("ANALYZE syn_commune; ANALYZE syn_rate; ANALYZE syn_band; ANALYZE syn_pool")


def generate_register(
    specs: Sequence[CommuneSpec],
    standards: dict[int, Any],
    names: tuple[Sequence[str], Sequence[str], Sequence[str]],
    seed: int,
    mark: str,
    *,
    chunk_communes: int = 1000,
    members: Sequence[int] | None = None,
    relations: Sequence[str] = (),
    say: Callable[[str], None] = lambda _m: None,
) -> tuple[int, int, int]:
    """Insert the households of `specs`, one review per year of `standards` and, when `members` = (lo, hi), lo-hi
    members per household (the first is the head); returns (households, reviews, members).

    One 64-bit hash per household (`hashtextextended(code, seed)`) gives the name (bits 0-19) and ethnicity
    (20-39); one per household and year (`hashtextextended(code, seed × 10000 + year)`) gives the target class
    (bits 0-19), income (20-39), deprivation count (40-51) and the pool entry (52-56). Sub-queries fenced with
    OFFSET 0 compute each hash once per row."""

    years = sorted(standards)
    has_ethnicity = any(f.name == "ethnicity" for f in Review._meta.concrete_fields)
    size = len(names[0]) * len(names[1]) * len(names[2])
    folded = [[fold(x) for x in part] for part in names]
    hh_sql, hh_tail = _insert_sql(
        Household,
        {
            "id": "x.id",
            "code": "x.code",
            "commune": "x.commune_id",
            "village_name": "'Thôn ' || (x.k %% 12 + 1)",
            "head_name": _name("x.i", names),
            "head_search": _name("x.i", folded),
            "ethnicity": f"x.ethnic[1 + {pick('x.h', 20, 20, 'cardinality(x.ethnic)')}]",
            "area": "x.area",
        },
        f"FROM (SELECT y.*, {pick('y.h', 0, 20, str(size))} AS i FROM "
        f"(SELECT z.*, hashtextextended(z.code, {seed}) AS h FROM "
        f"(SELECT c.first_id + k AS id, '{mark}-' || c.code || '-' || lpad(k::text, 5, '0') AS code, "
        "c.commune_id, c.area, c.ethnic, k FROM syn_commune c CROSS JOIN LATERAL generate_series(0, c.n - 1) AS k "
        "WHERE c.ord >= %s AND c.ord < %s OFFSET 0) z OFFSET 0) y) x",
    )
    review_sql: dict[int, tuple[str, list[Any]]] = {}
    for i, year in enumerate(years):
        prev = years[i - 1] if i else None
        transition = (
            "CASE WHEN p.poverty_class IS NULL THEN '' "
            "WHEN p.poverty_class = 'poor' AND b.cls <> 'poor' THEN 'escaped_poor' "
            "WHEN p.poverty_class = 'near_poor' AND b.cls NOT IN ('poor', 'near_poor') THEN 'escaped_near_poor' "
            "WHEN p.poverty_class NOT IN ('poor', 'near_poor') AND b.cls IN ('poor', 'near_poor') THEN 'new' "
            "ELSE '' END"
            if prev
            else "''"
        )
        exprs = {
            "household": "x.id",
            "commune": "x.commune_id",
            "year": str(year),
            "area": "x.area",
            "income_per_capita_month": f"(1000 * (b.lo_k + {pick('x.h', 20, 20, 'b.hi_k - b.lo_k + 1')}))::numeric",
            "deprivations": "pl.deps",
            "deprivation_count": "pl.cnt",
            "standard": "b.standard_id",
            "poverty_class": "b.cls",
            "transition": transition,
            "approved_on": f"DATE '{year}-12-15'",
        }
        if has_ethnicity:
            exprs["ethnicity"] = "x.ethnicity"
        r = f"({bits('x.h', 0, 20)}::float8 / {1 << 20})"
        target = (
            f"CASE WHEN {r} < x.p_poor THEN 'poor' WHEN {r} < x.p_poor + x.p_near THEN 'near_poor' "
            f"WHEN {r} < x.p_poor + x.p_near + 0.08 THEN 'average' ELSE 'none' END"
        )
        joins = (
            "FROM (SELECT h.id, h.commune_id, h.area, h.ethnicity, r.p_poor, r.p_near, "
            f"hashtextextended(h.code, {seed * 10000 + year}) AS h "
            "FROM syn_commune c JOIN poverty_household h ON h.id >= c.first_id AND h.id < c.first_id + c.n "
            f"JOIN syn_rate r ON r.commune_id = c.commune_id AND r.year = {year} "
            "WHERE c.ord >= %s AND c.ord < %s OFFSET 0) x "
            f"JOIN syn_band b ON b.year = {year} AND b.area = x.area AND b.target = {target} "
            f"JOIN syn_pool pl ON pl.year = {year} AND pl.area = x.area "
            f"AND pl.cnt = b.c_lo + {pick('x.h', 40, 12, 'b.c_hi - b.c_lo + 1')} "
            f"AND pl.idx = {bits('x.h', 52, 5)}"
        )
        if prev:
            joins += f" LEFT JOIN poverty_review p ON p.household_id = x.id AND p.year = {prev} AND p.kind = 'periodic'"
        review_sql[year] = _insert_sql(Review, exprs, joins)
    member_sql = _member_sql(seed, names, folded, members, relations) if members else None
    total_h = total_r = total_m = 0
    with connection.cursor() as cur:
        _temp_tables(cur, specs, standards, seed)
        for start in range(0, len(specs), chunk_communes):
            stop = min(start + chunk_communes, len(specs))
            cur.execute(hh_sql, [*hh_tail, start, stop])
            total_h += cur.rowcount
            for year in years:
                sql, tail = review_sql[year]
                cur.execute(sql, [*tail, start, stop])
                total_r += cur.rowcount
            if member_sql:
                cur.execute(member_sql[0], [*member_sql[1], start, stop])
                total_m += cur.rowcount
            say(f"  poverty {stop}/{len(specs)} communes (SQL)")
        cur.execute(f"DROP TABLE {TEMP_TABLES}")
    return total_h, total_r, total_m


def _member_sql(
    seed: int,
    names: Sequence[Sequence[str]],
    folded: Sequence[Sequence[str]],
    members: Sequence[int],
    relations: Sequence[str],
) -> tuple[str, list[Any]]:
    """Members: count from `hashtextextended(code, seed × 10000 + 1)`; each member j from
    `hashtextextended(code || '-' || j, seed × 10000 + 2)` (middle 0-9, given 10-19, relation 20-29, sex 30,
    insurance 31-40, birth day 41-55). Member 0 is the head (the household's name); the others share its family
    name."""

    lo, hi = members
    middle, given = names[1], names[2]
    m = "x.m"
    name_tail = (
        f"{_array(middle)}[1 + {pick(m, 0, 10, str(len(middle)))}] || ' ' || "
        f"{_array(given)}[1 + {pick(m, 10, 10, str(len(given)))}]"
    )
    folded_tail = (
        f"{_array(folded[1])}[1 + {pick(m, 0, 10, str(len(middle)))}] || ' ' || "
        f"{_array(folded[2])}[1 + {pick(m, 10, 10, str(len(given)))}]"
    )
    head = f"{_array(list(relations[:1]))}[1]"
    other = f"{_array(list(relations[1:]))}[1 + {pick(m, 20, 10, str(len(relations) - 1))}]"
    return _insert_sql(
        Member,
        {
            "household": "x.id",
            "full_name": f"CASE WHEN x.j = 0 THEN x.head_name ELSE split_part(x.head_name, ' ', 1) || ' ' || {name_tail} END",
            "search_name": (
                f"CASE WHEN x.j = 0 THEN x.head_search ELSE split_part(x.head_search, ' ', 1) || ' ' || {folded_tail} END"
            ),
            "birth_date": (
                f"CASE WHEN x.j = 0 THEN DATE '1950-01-01' + {pick(m, 41, 15, '18262')} "
                f"ELSE DATE '1940-01-01' + {pick(m, 41, 15, '30681')} END"
            ),
            "sex": f"CASE WHEN {bits(m, 30, 1)} = 0 THEN 'M' ELSE 'F' END",
            "relation": f"CASE WHEN x.j = 0 THEN {head} ELSE {other} END",
            "ethnicity": "x.ethnicity",
            "health_insurance": f"({bits(m, 31, 10)} < {int(1024 * 0.85)})",
        },
        "FROM (SELECT h.id, h.head_name, h.head_search, h.ethnicity, j, "
        f"hashtextextended(h.code || '-' || j, {seed * 10000 + 2}) AS m "
        "FROM syn_commune c JOIN poverty_household h ON h.id >= c.first_id AND h.id < c.first_id + c.n "
        f"CROSS JOIN LATERAL generate_series(0, {lo - 1} + "
        f"{pick(f'hashtextextended(h.code, {seed * 10000 + 1})', 0, 20, str(hi - lo + 1))}) AS j "
        "WHERE c.ord >= %s AND c.ord < %s OFFSET 0) x",
    )
