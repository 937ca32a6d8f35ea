"""Step `poverty`: households (with members) and their yearly reviews, classed by the standard's own rule; on
PostgreSQL generated server-side (sqlgen, decision 0804). `tally` rebuilds the review tallies afterwards."""

from __future__ import annotations

import json
import random
import time
from datetime import date, timedelta
from typing import Any

from django.db import connection

from mtqg.core.text import fold
from mtqg.poverty.models import Household, Member, Review
from mtqg.poverty.standards import decide, standard_for
from mtqg.poverty.tally import tally_refresh

from .. import bulk, sqlgen
from ..rows import Row
from .base import (
    ETHNIC,
    FAMILY,
    GIVEN,
    MARK,
    MEMBER_COLUMNS,
    MIDDLE,
    POVERTY_REGION,
    RELATIONS,
    Commune,
    Context,
)


def build(g: Context) -> None:
    if connection.vendor == "postgresql":
        _build_sql(g)
    else:
        _build_python(g)


def commune_draw(
    g: Context, commune: Commune, years: list[int]
) -> tuple[int, str, list[str], dict[int, Any]]:
    """(households, area, ethnic groups, {year: (p_poor, p_near)}) of a commune: the same draws on both paths."""
    rates = g.profile["poverty_rates"]
    rng = g.rng("hh", commune.code)
    n = max(1, round(g.cfg["households_per_commune"] * rng.uniform(0.5, 1.5)))
    area = "urban" if commune.kind in ("phuong", "thi_tran") else "rural"
    factor = rng.uniform(0.3, 1.7)
    region = POVERTY_REGION.get(commune.region, commune.region)
    year_rates = {}
    for year in years:
        table = rates.get(str(year)) or rates[max(rates.keys() - {"source", "note"})]
        poor, near = table.get(region, table["dbsh"])
        year_rates[year] = (poor * factor / 100, near * factor / 100)
    return n, area, ETHNIC.get(commune.region, ["Kinh"]), year_rates


def _build_sql(g: Context) -> None:
    """PostgreSQL: households and reviews generated server-side (sqlgen, decision 0804)."""
    years = g.cfg["review_years"]
    standards = {y: standard_for(y) for y in years}
    next_id = bulk.reserve_ids(Household, 0)
    specs = []
    for commune in g.old:
        n, area, ethnic, year_rates = commune_draw(g, commune, years)
        specs.append(sqlgen.CommuneSpec(commune.id, commune.code, next_id, n, area, ethnic, year_rates))
        next_id += n
    rebuild: list[str] = []
    fast = bool(g.cfg.get("rebuild_indexes"))
    skip_fk = fast and bulk.is_superuser()
    if fast:
        started = time.perf_counter()
        if bulk.truncate_if_empty([Household, Review]):
            g.stats.counts["poverty_tables_truncated"] = 1
        if skip_fk:  # keep the foreign keys (dropping one locks the referenced table); skip their triggers
            bulk.skip_foreign_key_checks()
        tables = [Household, Review, *([Member] if g.cfg.get("members") else [])]
        rebuild = bulk.secondary_indexes(tables, foreign_keys=not skip_fk)
        g.stats.seconds["poverty_drop_indexes"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    households, reviews, members = sqlgen.generate_register(
        specs,
        standards,
        (FAMILY, MIDDLE, GIVEN),
        g.seed,
        MARK,
        chunk_communes=g.cfg.get("sql_chunk", 1000),
        members=g.cfg.get("members"),
        relations=RELATIONS,
        say=g.say,
    )
    if members:
        g.stats.counts["members"] += members
    g.stats.seconds["poverty_insert"] = round(time.perf_counter() - started, 2)
    if rebuild:
        started = time.perf_counter()
        bulk.recreate(rebuild, say=g.say)
        g.stats.seconds["poverty_indexes"] = round(time.perf_counter() - started, 2)
    if skip_fk:  # the references the skipped triggers would have checked, proven with one anti-join each
        started = time.perf_counter()
        first = specs[0].first_id if specs else 0
        bad = {
            **bulk.orphans(Household, f"t.id >= {first}"),
            **{f"review.{k}": v for k, v in bulk.orphans(Review, f"t.household_id >= {first}").items()},
            **{f"member.{k}": v for k, v in bulk.orphans(Member, f"t.household_id >= {first}").items()},
        }
        if any(bad.values()):
            raise RuntimeError(f"synthetic register: dangling references {bad}")
        g.stats.seconds["poverty_check_references"] = round(time.perf_counter() - started, 2)
    g.stats.counts["households"] += households
    g.stats.counts["reviews"] += reviews
    bulk.sync_sequence(Household)
    bulk.sync_sequence(Review)


def _build_python(g: Context) -> None:
    years = g.cfg["review_years"]
    standards = {y: standard_for(y) for y in years}
    household_row = Row(
        Household,
        ["id", "code", "commune", "village_name", "head_name", "head_search", "ethnicity", "area"],
    )
    has_ethnicity = any(f.name == "ethnicity" for f in Review._meta.concrete_fields)
    review_row = Row(
        Review,
        [
            "household", "commune", "year", "area", "income_per_capita_month", "deprivations",
            "deprivation_count", "standard", "poverty_class", "transition", "approved_on",
            *(["ethnicity"] if has_ethnicity else []),
        ],
    )  # fmt: skip
    names = [(f"{f} {m} {g}", fold(f"{f} {m} {g}")) for f in FAMILY for m in MIDDLE for g in GIVEN]
    draws = {(y, a): Draw(standards[y], a, g.seed) for y in years for a in ("rural", "urban")}
    member_row = Row(Member, MEMBER_COLUMNS)
    member_range = g.cfg.get("members")
    folded_middle, folded_given = [fold(m) for m in MIDDLE], [fold(g) for g in GIVEN]
    per_commune = g.cfg["households_per_commune"]
    chunk = 40 if per_commune > 1000 else 400
    next_id = bulk.reserve_ids(Household, 0)
    for start in range(0, len(g.old), chunk):
        households: list[tuple[Any, ...]] = []
        reviews: list[tuple[Any, ...]] = []
        members: list[tuple[Any, ...]] = []
        for commune in g.old[start : start + chunk]:
            rng = g.rng("hh", commune.code)
            n, area, ethnic, year_rates = commune_draw(g, commune, years)
            rng = g.rng("hh", commune.code)
            rng.random(), rng.random()  # the two draws _commune_draw made (n, factor)
            for k in range(n):
                name, search = names[int(rng.random() * len(names))]
                ethnicity = ethnic[int(rng.random() * len(ethnic))]
                households.append(
                    (next_id, f"{MARK}-{commune.code}-{k:05d}", commune.id, f"Thôn {k % 12 + 1}",
                     name, search, ethnicity, area)
                )  # fmt: skip
                if member_range:
                    lo, hi = member_range
                    mrng = random.Random(f"{g.seed}-mem-{households[-1][1]}")
                    family, family_folded = name.split(" ", 1)[0], search.split(" ", 1)[0]
                    for j in range(lo + int(mrng.random() * (hi - lo + 1))):
                        if j == 0:
                            full, folded, relation = name, search, RELATIONS[0]
                            born = date(1950, 1, 1) + timedelta(days=int(mrng.random() * 18262))
                        else:
                            mi, gi = int(mrng.random() * len(MIDDLE)), int(mrng.random() * len(GIVEN))
                            full = f"{family} {MIDDLE[mi]} {GIVEN[gi]}"
                            folded = f"{family_folded} {folded_middle[mi]} {folded_given[gi]}"
                            relation = RELATIONS[1 + int(mrng.random() * (len(RELATIONS) - 1))]
                            born = date(1940, 1, 1) + timedelta(days=int(mrng.random() * 30681))
                        sex = "M" if mrng.random() < 0.5 else "F"
                        members.append(
                            (next_id, full, folded, born, sex, relation, ethnicity, mrng.random() < 0.85)
                        )
                before = ""
                for year in years:
                    poor, near = year_rates[year]
                    cls, income, deps, count = draws[(year, area)](rng, poor, near)
                    review = (next_id, commune.id, year, area, income, deps, count,
                              standards[year].pk, cls, _transition(before, cls), date(year, 12, 15))  # fmt: skip
                    reviews.append((*review, ethnicity) if has_ethnicity else review)
                    before = cls
                next_id += 1
        g.stats.counts["households"] += household_row.insert(households)
        g.stats.counts["reviews"] += review_row.insert(reviews)
        if members:
            g.stats.counts["members"] += member_row.insert(members)
        g.say(f"  poverty {min(start + chunk, len(g.old))}/{len(g.old)} communes")
    bulk.sync_sequence(Household)


def tally(g: Context) -> None:
    """The poverty app's review tallies: rebuilt from the reviews just loaded."""
    g.stats.counts["poverty_tally_rows"] += tally_refresh()


class Draw:
    """Household draws under one standard and area: income and deprivations for a target class, classified by the
    standard's own rule (`poverty.standards.decide`, memoised per (income, count)). Deprivation lists come from a
    fixed pool per count (seeded), so a draw costs four random numbers."""

    POOL = 32

    def __init__(self, standard: Any, area: str, seed: int) -> None:
        self.decide = decide
        self.lines = standard.lines[area]
        self.line = int(self.lines["line"])
        self.upper = int(self.lines.get("average_upper") or self.line * 3 // 2)
        self.cutoff = standard.deprivation_cutoff
        codes = [i["code"] for i in standard.indicators]
        self.n = len(codes)
        pool_rng = random.Random(f"{seed}-deps-{standard.code}-{area}")
        self.pools = [
            [json.dumps(pool_rng.sample(codes, count)) for _ in range(self.POOL)]
            for count in range(self.n + 1)
        ]
        self.cache: dict[tuple[int, int], str] = {}

    def __call__(self, rng: random.Random, p_poor: float, p_near: float) -> tuple[str, int, str, int]:
        rand = rng.random
        line, upper, cutoff = self.line, self.upper, self.cutoff or 0
        r = rand()
        if r < p_poor:
            lo, hi, c_lo, c_hi = line * 4 // 10, line, cutoff, min(self.n, cutoff + 3)
        elif r < p_poor + p_near:
            lo, hi, c_lo, c_hi = line * 5 // 10, line, 0, max(cutoff - 1, 0)
        elif r < p_poor + p_near + 0.08:
            lo, hi, c_lo, c_hi = line + 1, upper, 0, 3
        else:
            lo, hi, c_lo, c_hi = upper + 1, upper * 4, 0, 2
        income = (lo + int(rand() * (hi - lo + 1))) // 1000 * 1000
        count = min(self.n, c_lo + int(rand() * (c_hi - c_lo + 1)))
        deps = self.pools[count][int(rand() * self.POOL)]
        key = (income, count)
        cls = self.cache.get(key)
        if cls is None:
            cls = self.cache[key] = self.decide(self.lines, self.cutoff, income, count)
        return cls, income, deps, count


def _transition(before: str, now: str) -> str:
    if not before:
        return ""
    if before == "poor" and now != "poor":
        return "escaped_poor"
    if before == "near_poor" and now not in ("poor", "near_poor"):
        return "escaped_near_poor"
    if before not in ("poor", "near_poor") and now in ("poor", "near_poor"):
        return "new"
    return ""
