"""Step `ntm`: indicator values per commune and year, statuses by the engine's own rule, recognitions; and, once
the poverty tallies exist, `register` (criterion 11 from the household register)."""

from __future__ import annotations

import functools
import json
import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from mtqg.ntm import engine
from mtqg.ntm.models import (
    Assessment,
    CriteriaSet,
    CriterionResult,
    IndicatorValue,
    Recognition,
    RecognitionTier,
)
from mtqg.poverty.models import ReviewTally

from .. import bulk
from ..rows import Row
from .base import MARK, Commune, Context


def build(g: Context) -> None:
    """Indicator values per commune and year; statuses and counts by the engine's own rule (`engine.evaluate`,
    `engine.counts`) on the values just drawn, written with the rows (COPY) instead of read back and updated
    (`engine.recompute` gives the same rows: tested). Decision 0805."""
    prof = g.profile["ntm"]
    assessment_row = Row(
        Assessment,
        ["id", "commune", "year", "criteria_set", "assessed_on", "note", "region", "criteria_met",
         "criteria_basic", "criteria_unknown", "criteria_total", "computed_at", "provisional"],
    )  # fmt: skip
    value_row = Row(IndicatorValue, ["assessment", "indicator", "value", "not_applicable", "source"])
    result_row = Row(
        CriterionResult,
        [
            "assessment",
            "criterion",
            "computed_status",
            "status",
            "explanation",
            "overridden",
            "provisional",
        ],
    )
    now = timezone.now()
    for entry in prof["plan"]:
        cset = CriteriaSet.objects.get(code=entry["set"], version=1)
        book = engine.Book(cset.pk)
        book.rule = functools.lru_cache(maxsize=None)(book.rule)  # type: ignore[method-assign]
        # criterion 11 from the register: uncovered until the register step recomputes the covered ones (0115)
        register_inds = [i.id for inds in book.indicators.values() for i in inds if i.register]
        communes = g.old if entry["structure"] == "pre2025" else g.new
        month, day = (int(x) for x in entry.get("assessed_on", "12-31").split("-"))
        for year in entry["years"]:
            on = date(year, month, day)
            existing = set(
                Assessment.objects.filter(year=year, criteria_set=cset).values_list("commune_id", flat=True)
            )
            todo = [c for c in communes if c.id not in existing]
            if not todo:
                continue
            regions = engine.resolve_regions(cset, [c.id for c in todo], on)
            share = prof["recognised_share"][str(year)]
            first = bulk.reserve_ids(Assessment, len(todo))
            for start in range(0, len(todo), 2000):
                assessments: list[tuple[Any, ...]] = []
                values: list[tuple[Any, ...]] = []
                results: list[tuple[Any, ...]] = []
                for i, commune in enumerate(todo[start : start + 2000], start=start):
                    aid, region = first + i, regions.get(commune.id, "")
                    rows = _values(g, book, commune, aid, year, region, share, prof["region_offset"])
                    values += rows
                    given = {r[1]: (r[2], r[3]) for r in rows}
                    statuses = []
                    provisional = False
                    fallback = engine.fallback_source(year)
                    sources = {
                        i: fallback for i in register_inds if given.get(i, (None, False))[0] is not None
                    }
                    for crit_id, status, notes in engine.evaluate(book, region, year, given, sources):
                        statuses.append(status)
                        flagged = any(engine.UNCONFIRMED_FLAG in n for n in notes)  # "tạm tính" (0113)
                        provisional = provisional or flagged
                        results.append(
                            (aid, crit_id, str(status), str(status), json.dumps(notes, ensure_ascii=False),
                             False, flagged)
                        )  # fmt: skip
                    met, basic, unknown = engine.counts(statuses)
                    assessments.append(
                        (aid, commune.id, year, cset.pk, on, MARK, region, met, basic, unknown, book.total,
                         now, provisional)
                    )  # fmt: skip
                assessment_row.insert(assessments)
                g.stats.counts["ntm_indicator_values"] += value_row.insert(values)
                result_row.insert(results)
            bulk.sync_sequence(Assessment)
            g.stats.counts["ntm_assessments"] += len(todo)
    _recognitions(g)


def register(g: Context) -> None:
    """Criterion 11 comes from the household register where its review covers the commune (decision 0115):
    the tallies exist only now, so the assessments of sets with a register indicator and a covered
    commune-year are recomputed by the engine (the statuses then equal what `engine.recompute` writes)."""
    covered = ReviewTally.objects.filter(commune_id=OuterRef("commune_id"), year=OuterRef("year"))
    qs = Assessment.objects.filter(
        note=MARK, criteria_set__criteria__indicators__register_measure__gt=""
    ).filter(Exists(covered))
    ids = list(qs.values_list("pk", flat=True).distinct())
    for start in range(0, len(ids), 5000):
        engine.recompute(Assessment.objects.filter(pk__in=ids[start : start + 5000]), refresh_regions=False)
    g.stats.counts["ntm_register_recomputed"] = len(ids)


def _values(
    g: Context,
    book: Any,
    commune: Commune,
    aid: int,
    year: int,
    region: str,
    share: float,
    offsets: dict[str, float],
) -> list[tuple[Any, ...]]:
    """One commune's indicator values for a year: a fixed latent score per commune and the year's
    recognition share decide how many criteria it meets; each failing criterion gets one value below its
    threshold row (for the commune's region and year)."""
    total = book.total
    criteria = [c[0] for c in book.criteria]
    latent = g.rng("ntm", commune.code, commune.structure).random()
    rng = g.rng("ntm", commune.code, commune.structure, year)
    recognised = min(0.99, max(0.01, share + offsets.get(commune.region, 0.0)))
    if latent > 1 - recognised:
        met = total
    else:
        gap = ((1 - recognised) - latent) / (1 - recognised)
        met = max(4, total - 1 - int(gap * (total - 5)))
    failing = set(rng.sample(criteria, max(0, total - met)))
    out: list[tuple[Any, ...]] = []
    for crit_id in criteria:
        fail_done = crit_id not in failing
        for ind in book.indicators.get(crit_id, []):
            rule = book.rule(ind.id, region, year)
            fail = not fail_done and rule is not None
            if fail:
                fail_done = True
            if ind.if_applicable and not fail and rng.random() < 0.2:
                out.append((aid, ind.id, None, True, MARK))
                continue
            out.append((aid, ind.id, _value(rng, ind.value_type, rule, fail), False, MARK))
    return out


def _recognitions(g: Context) -> None:
    taken = set(
        Recognition.objects.exclude(decision_no__startswith=f"{MARK}-").values_list("commune_id", flat=True)
    )
    firsts: dict[int, tuple[int, int]] = {}
    rows = (
        Assessment.objects.filter(note=MARK, criteria_total__gt=0, criteria_met=models.F("criteria_total"))
        .order_by("year")
        .values_list("commune_id", "year", "criteria_set_id")
    )
    for commune_id, year, set_id in rows.iterator(chunk_size=20000):
        if commune_id not in taken and commune_id not in firsts:
            firsts[commune_id] = (year, set_id)
    row = Row(
        Recognition, ["commune", "tier", "decision_no", "decision_date", "standard_year", "criteria_set"]
    )
    g.stats.counts["ntm_recognitions"] += row.insert(
        (cid, RecognitionTier.STANDARD.value, f"{MARK}-{cid}-{year}", date(year, 12, 20), year, set_id)
        for cid, (year, set_id) in sorted(firsts.items())
    )


def _value(rng: random.Random, value_type: str, rule: Any, fail: bool) -> Decimal:
    """An indicator value that meets (or, when `fail`, misses) its threshold row."""
    if rule is None:
        return Decimal(rng.randint(0, 1) if value_type == "bool" else rng.randint(0, 100))
    op, limit = rule.op, rule.value
    if op == "true":
        return Decimal(0 if fail else 1)
    if op == "zero":
        return Decimal(rng.randint(1, 5) if fail else 0)
    limit = Decimal(limit if limit is not None else 0)
    cap = Decimal(100) if value_type == "percent" else max(limit * 2, Decimal(10))
    if op == "ge":
        if fail:
            return (limit * Decimal(rng.uniform(0.5, 0.99))).quantize(Decimal("0.01"))
        return (limit + (cap - limit) * Decimal(rng.random())).quantize(Decimal("0.01"))
    if fail:
        return (limit * Decimal(rng.uniform(1.05, 1.6)) + 1).quantize(Decimal("0.01"))
    return (limit * Decimal(rng.random())).quantize(Decimal("0.01"))
