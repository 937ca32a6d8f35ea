"""Demo data: commune-level indicator VALUES for Điện Biên (2019-2020, QĐ 1980 + provincial tier) and Cao Bằng
(2022-2023, QĐ 318), from which the engine computes statuses and the summary computes the published figures.

Nothing here stores a total: each commune gets a plan (which criteria it meets, basically meets or misses), the
plan is turned into indicator values on the right side of the thresholds, the engine computes the statuses, and
recognition decisions are only written for communes whose computed assessment supports the tier.
Deterministic (fixed seeds) and idempotent (a second run finds the demo rows and returns).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mtqg.core.audit import record_change
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion
from mtqg.geo.services import unit_create

from . import engine
from .groups import commune_groups_assign
from .loader import load_all
from .models import (
    Assessment,
    CriteriaSet,
    CriterionOverride,
    CriterionResult,
    DigitalInfrastructure,
    Indicator,
    IndicatorValue,
    Recognition,
    RecognitionTier,
    Status,
    Threshold,
    TierTarget,
)
from .programme import context_indicator_set, tier_target_add
from .services import tier_from_counts

DEMO_NOTE = "Dữ liệu minh họa (demo)"
PRE_END = date(2025, 6, 30)
BORDER_DISTRICTS = [
    "096",
    "103",
    "100",
    "101",
    "097",
]  # Mường Nhé, Nậm Pồ, Điện Biên, Điện Biên Đông, Mường Chà

MET, BASIC, FAIL = "met", "basic", "fail"
ValueRow = tuple[int, Decimal | None, bool]  # (indicator id, value, not applicable)
Decision = tuple[
    int, str, date, int, str
]  # (commune id, tier, decision date, standard year, decision number)


def _q(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _pass_value(rule: engine.Rule, ind: engine.Ind, rng: random.Random) -> Decimal:
    if rule.op == Threshold.Op.TRUE:
        return Decimal(1)
    if rule.op == Threshold.Op.ZERO:
        return Decimal(0)
    limit = float(rule.value or 0)
    if rule.op == Threshold.Op.GE:
        top = 100.0 if ind.value_type == Indicator.Type.PERCENT else limit * 1.3
        return _q(min(top, limit + rng.random() * max(top - limit, 0)))
    return _q(limit * rng.uniform(0.3, 0.95))


def _basic_value(rule: engine.Rule, rng: random.Random) -> Decimal:
    limit, basic = float(rule.value or 0), float(rule.basic or 0)
    if rule.op == Threshold.Op.GE:
        return _q(basic + (limit - basic) * rng.uniform(0.05, 0.85))
    return _q(limit + (basic - limit) * rng.uniform(0.15, 0.95))


def _fail_value(rule: engine.Rule, ind: engine.Ind, rng: random.Random) -> Decimal:
    if rule.op == Threshold.Op.TRUE:
        return Decimal(0)
    if rule.op == Threshold.Op.ZERO:
        return Decimal(rng.randint(1, 25))
    floor = float(rule.basic if rule.basic is not None else rule.value or 0)
    if rule.op == Threshold.Op.GE:
        return _q(floor * rng.uniform(0.4, 0.95))
    high = floor * rng.uniform(1.1, 1.9)
    return _q(min(high, 100.0) if ind.value_type == Indicator.Type.PERCENT else high)


def _plan(
    book: engine.Book, met: int, basic: int, region: str, year: int, rng: random.Random
) -> dict[int, str]:
    """Which criteria (ids) are met / basically met / missed; 'basic' ones need an indicator with a basic value."""
    capable = [
        c
        for c, _n, _name in book.criteria
        if any((r := book.rule(i.id, region, year)) and r.basic is not None for i in book.indicators[c])
    ]
    crit_ids = [c for c, _n, _name in book.criteria]
    basic_ids = set(rng.sample(capable, basic)) if basic else set()
    rest = [c for c in crit_ids if c not in basic_ids]
    met_ids = set(rng.sample(rest, met))
    return {c: MET if c in met_ids else BASIC if c in basic_ids else FAIL for c in crit_ids}


def _values(
    book: engine.Book, plan: dict[int, str], region: str, year: int, rng: random.Random
) -> list[ValueRow]:
    out: list[ValueRow] = []
    for crit_id, goal in plan.items():
        inds = book.indicators[crit_id]
        rules = {i.id: book.rule(i.id, region, year) for i in inds}
        special: engine.Ind | None = None
        if goal == BASIC:
            special = rng.choice([i for i in inds if (r := rules[i.id]) is not None and r.basic is not None])
        elif goal == FAIL:
            special = rng.choice([i for i in inds if rules[i.id] is not None and not i.if_applicable])
        for ind in inds:
            rule = rules[ind.id]
            if rule is None:
                out.append((ind.id, None, False))
            elif ind is special:
                value = _basic_value(rule, rng) if goal == BASIC else _fail_value(rule, ind, rng)
                out.append((ind.id, value, False))
            elif ind.if_applicable and rng.random() < 0.7:
                out.append((ind.id, None, True))
            else:
                out.append((ind.id, _pass_value(rule, ind, rng), False))
    return out


def _spread(counts: list[tuple[int, int, int]], target: int, rng: random.Random) -> list[int]:
    """Criteria-met values for communes in bands [(n, lo, hi)], summing exactly to target (deterministic)."""
    values, room = [], []
    for n, lo, hi in counts:
        values += [lo] * n
        room += [hi - lo] * n
    extra = target - sum(values)
    if extra < 0 or extra > sum(room):
        raise ValueError("Không thể đạt tổng tiêu chí mong muốn với các khoảng đã cho.")
    order = list(range(len(values)))
    while extra:
        rng.shuffle(order)
        for i in order:
            if extra and room[i]:
                values[i] += 1
                room[i] -= 1
                extra -= 1
    return values


def _xa(province: UnitVersion) -> list[UnitVersion]:
    return list(
        UnitVersion.objects.filter(
            path__startswith=province.path, level=UnitVersion.Level.COMMUNE, kind=UnitVersion.Kind.COMMUNE
        )
        .select_related("parent")
        .order_by("code")
    )


def _assessments_write(
    cset: CriteriaSet,
    year: int,
    on: date,
    commune_ids: list[int],
    values: Callable[[engine.Book, Assessment], list[ValueRow]],
) -> list[Assessment]:
    """One demo assessment per commune dated `on`, its indicator values from `values(book, assessment)` (called in
    commune order, so a seeded generator gives the same data every run), then the statuses the engine computes."""
    book = engine.Book(cset.pk)
    regions = engine.resolve_regions(cset, commune_ids, on)
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                commune_id=cid,
                year=year,
                criteria_set=cset,
                assessed_on=on,
                note=DEMO_NOTE,
                region=regions.get(cid, ""),
            )
            for cid in commune_ids
        ]
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                assessment_id=a.pk,
                indicator_id=ind_id,
                value=value,
                not_applicable=na,
                source="Báo cáo tự đánh giá của xã (minh họa)",
                measured_on=on,
            )
            for a in assessments
            for ind_id, value, na in values(book, a)
        ],
        batch_size=5000,
    )
    engine.recompute(Assessment.objects.filter(pk__in=[a.pk for a in assessments]))
    return assessments


def _assess(cset: CriteriaSet, year: int, plans: dict[int, tuple[int, int]], rng: random.Random) -> None:
    """Create one assessment per commune with values built from (met, basic) plans, then compute statuses."""

    def values(book: engine.Book, a: Assessment) -> list[ValueRow]:
        met, basic = plans[a.commune_id]
        return _values(book, _plan(book, met, basic, a.region, year, rng), a.region, year, rng)

    # the year end, or today for the running year: no assessment is dated in the future
    on = max(date(year, 1, 1), min(date(year, 12, 31), timezone.localdate()))
    _assessments_write(cset, year, on, list(plans), values)


def _decisions(
    commune_ids: list[int],
    tier: str,
    year: int,
    first_number: int,
    first_day: date,
    *,
    spacing: int = 1,
    cycle: int = 0,
) -> list[Decision]:
    """Recognition decisions for the communes in order, for the standard year `year`: numbered from
    `first_number`, the i-th signed `spacing * i` days after `first_day` (`i % cycle` days with a cycle)."""
    return [
        (
            cid,
            tier,
            first_day + timedelta(days=spacing * (i % cycle if cycle else i)),
            year,
            f"{first_number + i}/QĐ-UBND",
        )
        for i, cid in enumerate(commune_ids)
    ]


def _recognise(cset: CriteriaSet, items: list[Decision]) -> None:
    """Write recognitions only where the computed assessment of the standard year supports the tier."""

    wanted = {(cid, year) for cid, _t, _d, year, _n in items}
    rows = {
        (a.commune_id, a.year): a
        for a in Assessment.objects.filter(
            criteria_set=cset, commune_id__in={c for c, _y in wanted}, year__in={y for _c, y in wanted}
        )
    }
    statuses: dict[int, list[str]] = {}
    for aid, status in CriterionResult.objects.filter(assessment__in=rows.values()).values_list(
        "assessment_id", "status"
    ):
        statuses.setdefault(aid, []).append(status)
    new = []
    for cid, tier, when, year, number in items:
        if tier in (RecognitionTier.STANDARD, RecognitionTier.BASIC):
            a = rows[(cid, year)]
            found = tier_from_counts(cset, a.criteria_met, a.criteria_total, statuses.get(a.pk, []))
            if not (found == RecognitionTier.STANDARD or found == tier):
                raise AssertionError(f"demo: commune {cid} does not support {tier} in {year}")
        new.append(
            Recognition(
                commune_id=cid,
                tier=tier,
                decision_no=number,
                decision_date=when,
                authority="Chủ tịch UBND tỉnh",
                standard_year=year,
                criteria_set=cset,
                council_vote="",
                no_construction_debt=True,
                note=DEMO_NOTE,
            )
        )
    Recognition.objects.bulk_create(new)


def _mark_border(communes: list[UnitVersion]) -> None:
    scheme = ClassificationScheme.objects.get(code="border_commune")
    existing = set(UnitClassification.objects.filter(scheme=scheme).values_list("unit_id", flat=True))
    UnitClassification.objects.bulk_create(
        [
            UnitClassification(
                unit=c,
                scheme=scheme,
                value="yes",
                valid_to=PRE_END,
                unconfirmed=True,
                legal_basis="Đề án 29 xã biên giới tỉnh Điện Biên (danh sách minh họa, UNCONFIRMED)",
            )
            for c in communes
            if c.pk not in existing
        ]
    )


def border_communes(province: UnitVersion) -> list[UnitVersion]:
    """29 pre-2025 Điện Biên communes in the border districts (a demo list: the real list is UNCONFIRMED)."""
    xa = _xa(province)
    order = {code: i for i, code in enumerate(BORDER_DISTRICTS)}
    inside = [c for c in xa if c.parent and c.parent.code in order]
    inside.sort(key=lambda c: (order[c.parent.code], c.code))  # type: ignore[union-attr]
    return inside[:29]


@transaction.atomic
def seed_dien_bien() -> None:
    load_all()
    province = UnitVersion.objects.get(structure="pre2025", level=UnitVersion.Level.PROVINCE, code="11")
    if Assessment.objects.filter(commune__path__startswith=province.path, note=DEMO_NOTE).exists():
        return
    cset = CriteriaSet.objects.get(code="dien-bien-2017")
    rng = random.Random(2020)
    xa = _xa(province)
    border = border_communes(province)
    _mark_border(border)
    border_ids = [c.pk for c in border]
    others = [c.pk for c in xa if c.pk not in set(border_ids)]
    rng.shuffle(others)
    # 33 communes recognised by 30/11/2020: 19 đạt chuẩn + 14 cơ bản đạt; 8 of them in the border scheme
    a_ids = border_ids[:5] + others[:14]
    b_ids = border_ids[5:8] + others[14:25]
    upgraded = others[22:24]  # two cơ bản đạt communes reach 19 criteria in 2020
    rest = [c.pk for c in xa if c.pk not in set(a_ids) | set(b_ids)]
    plan_2019 = dict.fromkeys(a_ids, (19, 0))
    plan_2019.update({c: (rng.randint(15, 18), 0) for c in b_ids})
    for c in b_ids:
        plan_2019[c] = (plan_2019[c][0], 19 - plan_2019[c][0])
    plan_2019.update({c: (rng.randint(3, 14), 0) for c in rest})
    _assess(cset, 2019, plan_2019, rng)
    # 2020 (ước cả năm): 21 × 19; 22 with 15-18 (12 still cơ bản đạt); 30 with 10-14; 42 with 5-9; total 1.346
    still_basic = [c for c in b_ids if c not in upgraded]
    rng.shuffle(rest)
    band_15 = rest[:10]
    band_10, band_5 = rest[10:40], rest[40:82]
    spread = _spread([(12, 15, 18), (10, 15, 18), (30, 10, 14), (42, 5, 9)], 1346 - 21 * 19, rng)
    plan_2020 = dict.fromkeys(a_ids + upgraded, (19, 0))
    for cid, met in zip(still_basic + band_15 + band_10 + band_5, spread, strict=True):
        plan_2020[cid] = (met, 19 - met if cid in still_basic else 0)
    _assess(cset, 2020, plan_2020, rng)
    _recognise(
        cset,
        _decisions(a_ids, RecognitionTier.STANDARD, 2019, 100, date(2020, 1, 10), spacing=14)
        + _decisions(b_ids, RecognitionTier.BASIC, 2019, 200, date(2020, 2, 3), spacing=12)
        + _decisions(upgraded, RecognitionTier.STANDARD, 2020, 300, date(2020, 12, 21)),
    )
    advanced = Recognition(
        commune_id=a_ids[5],
        tier=RecognitionTier.ADVANCED,
        decision_no="310/QĐ-UBND",
        decision_date=date(2020, 12, 28),
        authority="Chủ tịch UBND tỉnh",
        standard_year=2020,
        note=DEMO_NOTE + " — hạng nâng cao chưa có bộ tiêu chí quốc gia 2016-2020 được mã hóa",
    )
    advanced.save()
    record_change(
        actor=None,
        obj=cset,
        action="imported",
        unit_path=province.path,
        changes={"demo": [None, "Điện Biên 2019-2020: 230 đánh giá, 36 quyết định công nhận"]},
    )


@transaction.atomic
def seed_cao_bang() -> None:
    load_all()
    province = UnitVersion.objects.get(structure="pre2025", level=UnitVersion.Level.PROVINCE, code="04")
    if Assessment.objects.filter(commune__path__startswith=province.path, note=DEMO_NOTE).exists():
        return
    cset = CriteriaSet.objects.get(code="qd318-1", version=1)
    rng = random.Random(2023)
    ids = [c.pk for c in _xa(province)]
    rng.shuffle(ids)
    recognised, near, rest = ids[:17], ids[17:22], ids[22:]
    # 2023: 17 recognised and maintained (19), 5 more at 17-18, the rest 3-16; average 13,0 (total 1.807)
    spread = _spread([(5, 17, 18), (len(rest), 3, 16)], 1807 - 17 * 19, rng)
    plan_2023 = dict.fromkeys(recognised, (19, 0))
    plan_2023.update({cid: (met, 0) for cid, met in zip(near + rest, spread, strict=True)})
    plan_2022 = dict.fromkeys(recognised, (19, 0))
    plan_2022.update(
        {
            cid: (max(2, met - rng.randint(0, 3)), 0)
            for cid, (met, _b) in plan_2023.items()
            if cid not in recognised
        }
    )
    _assess(cset, 2022, plan_2022, rng)
    _assess(cset, 2023, plan_2023, rng)
    _recognise(cset, _decisions(recognised, RecognitionTier.STANDARD, 2022, 2500, date(2022, 12, 5)))
    record_change(
        actor=None,
        obj=cset,
        action="imported",
        unit_path=province.path,
        changes={"demo": [None, "Cao Bằng 2022-2023: đánh giá và 17 quyết định công nhận"]},
    )


@transaction.atomic
def seed_dien_bien_2026() -> None:
    """Điện Biên's 42 communes of kind xã formed on 1/7/2025, assessed in 2026 against QĐ 51/2025 (commune groups).
    The commune group is demo data (group 3 = region II/III EM communes; the real list is UNCONFIRMED). Each new
    commune's values follow its predecessors' latest demo assessments (share of criteria met, scaled to 10 criteria);
    no recognition is written — the scorecard shows "n/m xã trước sáp nhập đã đạt chuẩn", nothing is inherited."""

    load_all()
    province = UnitVersion.objects.get(structure="2025", level=UnitVersion.Level.PROVINCE, code="11")
    if Assessment.objects.filter(commune__path__startswith=province.path, note=DEMO_NOTE).exists():
        return
    cset = CriteriaSet.objects.get(code="qd51-2025")
    xa = _xa(province)

    if (
        not province.ntm_group_decisions.exists()
    ):  # demo decision: every xã nhóm 3 (KV II/III list UNCONFIRMED)
        commune_groups_assign(
            actor=None,
            province=province,
            groups={c.code: "3" for c in xa},
            decision_no="150/QĐ-UBND (minh họa)",
            decision_date=date(2026, 2, 10),
            issuer="UBND tỉnh Điện Biên — dữ liệu minh họa, danh sách thật chưa xác minh",
        )
    preds: dict[int, list[int]] = {}
    for pred, succ in UnitLineage.objects.filter(successor__in=xa).values_list(
        "predecessor_id", "successor_id"
    ):
        preds.setdefault(succ, []).append(pred)
    share: dict[int, float] = {}
    for commune_id, met, total in (
        Assessment.objects.filter(note=DEMO_NOTE, commune_id__in={p for ps in preds.values() for p in ps})
        .order_by("commune_id", "year")
        .values_list("commune_id", "criteria_met", "criteria_total")
    ):
        share[commune_id] = met / total if total else 0.0
    rng = random.Random(2026)
    plans = {}
    for c in xa:
        known = [share[p] for p in preds.get(c.pk, []) if p in share]
        avg = sum(known) / len(known) if known else 0.5
        plans[c.pk] = (max(1, min(10, round(avg * 10 + rng.uniform(-0.5, 1.5)))), 0)
    _assess(cset, 2026, plans, rng)
    record_change(
        actor=None,
        obj=cset,
        action="imported",
        unit_path=province.path,
        changes={
            "demo": [
                None,
                f"Điện Biên 2026 (QĐ 51/2025): {len(plans)} đánh giá xã mới, không kế thừa danh hiệu",
            ]
        },
    )


DIGITAL_SOURCE = "Tổng hợp từ báo cáo tự đánh giá tiêu chí 8 của xã (minh họa)"
DIGITAL_CODES = {
    "8.1": "has_postal_point",
    "8.2": "has_internet",
    "8.3": "has_radio",
    "8.4": "online_services",
}


def _digital_from_assessments(province: UnitVersion, cset_code: str, year: int, seed: int) -> None:
    """Commune and village records built from the same demo records as criterion 8 (Thông tin và Truyền thông):
    8.1 postal point, 8.2 telecom/internet (no service → no mobile signal), 8.3 radio system, 8.4 IT in
    administration (→ online public services). Villages (demo units 'Bản minh họa') are added under the communes
    without radio or mobile signal and under a few with partial signal, so village gaps show too."""

    rng = random.Random(seed)
    values: dict[int, dict[str, bool | None]] = {}
    for commune_id, code, value in IndicatorValue.objects.filter(
        assessment__commune__path__startswith=province.path,
        assessment__criteria_set__code=cset_code,
        assessment__year=year,
        assessment__note=DEMO_NOTE,
        indicator__code__in=list(DIGITAL_CODES),
    ).values_list("assessment__commune_id", "indicator__code", "value"):
        values.setdefault(commune_id, {})[DIGITAL_CODES[code]] = None if value is None else value == 1
    source = DIGITAL_SOURCE
    rows, villages_for = [], []
    for c in _xa(province):
        v = values.get(c.pk)
        if v is None:
            continue
        telecom = v.get("has_internet")
        signal = "none" if telecom is False else rng.choice(["partial", "full", "full", "full"])
        rows.append(
            DigitalInfrastructure(
                unit=c,
                year=year,
                has_radio=v.get("has_radio"),
                mobile_signal=signal,
                has_internet=telecom,
                has_postal_point=v.get("has_postal_point"),
                online_services=v.get("online_services"),
                source=source,
                note=DEMO_NOTE,
            )
        )
        if v.get("has_radio") is False or signal == "none" or (signal == "partial" and rng.random() < 0.25):
            villages_for.append((c, v.get("has_radio"), signal))
    for c, radio, signal in villages_for:
        for n in range(1, 4):
            code = f"{c.code}-V{n:02d}"
            village = UnitVersion.objects.filter(structure=c.structure, code=code).first() or unit_create(
                actor=None,
                parent=c,
                code=code,
                name=f"Bản minh họa {n} ({c.name})",
                level=UnitVersion.Level.VILLAGE,
                kind=UnitVersion.Kind.VILLAGE,
                valid_to=c.valid_to,
                legal_basis="Thôn, bản minh họa của dữ liệu demo NTM (chưa xác minh)",
            )
            if signal == "partial":
                village_signal = "none" if n == 1 else rng.choice(["partial", "full"])
            else:
                village_signal = signal
            rows.append(
                DigitalInfrastructure(
                    unit=village,
                    year=year,
                    has_radio=False if radio is False else rng.random() < 0.7,
                    mobile_signal=village_signal,
                    has_internet=village_signal != "none",
                    source="Báo cáo của thôn, bản (minh họa)",
                    note=DEMO_NOTE,
                )
            )
    DigitalInfrastructure.objects.bulk_create(rows)


@transaction.atomic
def seed_digital() -> None:
    """Điện Biên 2020 and Cao Bằng 2023 (the article: 'Tỉnh còn xã trắng về đài truyền thanh và sóng điện thoại
    di động'); which communes lack radio or signal follows their criterion-8 demo values, not a stored list."""

    for code, cset_code, year, seed in (("11", "dien-bien-2017", 2020, 20), ("04", "qd318-1", 2023, 24)):
        province = UnitVersion.objects.get(structure="pre2025", level=UnitVersion.Level.PROVINCE, code=code)
        rows = DigitalInfrastructure.objects.filter(unit__path__startswith=province.path, note=DEMO_NOTE)
        if rows.filter(source=DIGITAL_SOURCE).exists():
            continue
        rows.delete()  # demo rows of an earlier demo version
        _digital_from_assessments(province, cset_code, year, seed)


MEKONG_NOTE = DEMO_NOTE + " — Bạc Liêu / Cà Mau"
MEKONG_OVERRIDE = (
    "Đạt theo hồ sơ thẩm định của tỉnh (minh họa); ngưỡng vùng ĐBSCL của chỉ tiêu chưa được mã hóa — tạm tính"
)


def _known_criteria(book: engine.Book, region: str, year: int) -> set[int]:
    """Criteria with at least one indicator that has a threshold for the region (the others compute unknown)."""
    return {
        c
        for c, _n, _name in book.criteria
        if any(book.rule(i.id, region, year) is not None and not i.if_applicable for i in book.indicators[c])
    }


def _mekong_values(
    book: engine.Book, region: str, year: int, fails: set[int], rng: random.Random
) -> list[ValueRow]:
    """Values for one ĐBSCL commune: failing criteria miss a regional threshold; where the set has no ĐBSCL
    threshold the value is made on the passing side of the TDMNPB one (the engine then says 'chưa có ngưỡng')."""
    out: list[ValueRow] = []
    for crit_id, _n, _name in book.criteria:
        inds = book.indicators[crit_id]
        special = None
        if crit_id in fails:
            special = rng.choice(
                [i for i in inds if book.rule(i.id, region, year) is not None and not i.if_applicable]
            )
        for ind in inds:
            rule = book.rule(ind.id, region, year) or book.rule(ind.id, "tdmnpb", year)
            if rule is None:
                out.append((ind.id, None, False))
            elif ind is special:
                out.append((ind.id, _fail_value(rule, ind, rng), False))
            else:
                out.append((ind.id, _pass_value(rule, ind, rng), False))
    return out


def _mekong_assess(
    cset: CriteriaSet, year: int, plans: dict[int, int], rng: random.Random
) -> list[Assessment]:
    """plans: commune id → number of known criteria to miss (0 = recognisable)."""

    def values(book: engine.Book, a: Assessment) -> list[ValueRow]:
        known = sorted(_known_criteria(book, a.region, year))
        fails = set(rng.sample(known, min(plans[a.commune_id], len(known))))
        return _mekong_values(book, a.region, year, fails, rng)

    return _assessments_write(cset, year, date(year, 12, 31), list(plans), values)


def _override_unknown(assessments: list[Assessment]) -> None:
    """For communes the province recognised, criteria left 'chưa xác định' by a missing ĐBSCL threshold are set
    by a reasoned override (the existing audited mechanism), marked 'tạm tính'."""

    unknown = CriterionResult.objects.filter(assessment__in=assessments, status=Status.UNKNOWN).values_list(
        "assessment_id", "criterion_id"
    )
    CriterionOverride.objects.bulk_create(
        [
            CriterionOverride(assessment_id=a, criterion_id=c, status=Status.MET, reason=MEKONG_OVERRIDE)
            for a, c in unknown
        ]
    )
    engine.recompute(Assessment.objects.filter(pk__in=[a.pk for a in assessments]), refresh_regions=False)


@transaction.atomic
def seed_mekong() -> None:
    """A Mekong Delta province outside TDMNPB: Bạc Liêu (49 xã) assessed 2021 (QĐ 1980, transitional year), 2022
    (QĐ 318) and 2024 (QĐ 318 as amended by QĐ 211) with ĐBSCL thresholds where the sets have them; 36 communes
    recognised; then Cà Mau's 2025 communes formed from Bạc Liêu's, assessed for 2025 and re-recognised (nothing
    inherited). Demo data, deterministic; unknown ĐBSCL thresholds stay 'chưa xác định' except for recognised
    communes, where a reasoned override marks the criterion 'tạm tính'."""

    load_all()
    old = UnitVersion.objects.get(structure="pre2025", level=UnitVersion.Level.PROVINCE, code="95")
    if Assessment.objects.filter(commune__path__startswith=old.path, note=DEMO_NOTE).exists():
        return
    rng = random.Random(95)
    ids = [c.pk for c in _xa(old)]
    rng.shuffle(ids)
    early, later = ids[:30], ids[30:36]
    sets = {code: CriteriaSet.objects.get(code=code) for code in ("qd1980", "qd318-1", "qd318-1-211")}
    plan_2021 = {c: 0 if c in early else rng.randint(1, 4) for c in ids}
    a2021 = _mekong_assess(sets["qd1980"], 2021, plan_2021, rng)
    plan_2022 = {c: 0 if c in early else rng.randint(1, 3) for c in ids}
    a2022 = _mekong_assess(sets["qd318-1"], 2022, plan_2022, rng)
    plan_2024 = {c: 0 if c in early or c in later else rng.randint(1, 3) for c in ids}
    a2024 = _mekong_assess(sets["qd318-1-211"], 2024, plan_2024, rng)
    recognised = set(early) | set(later)
    _override_unknown([a for a in a2021 + a2022 if a.commune_id in early])
    _override_unknown([a for a in a2024 if a.commune_id in recognised])
    _recognise(
        sets["qd1980"], _decisions(early, RecognitionTier.STANDARD, 2021, 3100, date(2021, 12, 10), cycle=15)
    )
    _recognise(
        sets["qd318-1-211"], _decisions(later, RecognitionTier.STANDARD, 2024, 4200, date(2024, 12, 16))
    )
    # 2025: the Cà Mau communes formed from Bạc Liêu's, assessed under the 2021-2025 set and re-recognised
    new = UnitVersion.objects.get(structure="2025", level=UnitVersion.Level.PROVINCE, code="96")
    preds: dict[int, list[int]] = {}
    for pred, succ in UnitLineage.objects.filter(
        predecessor_id__in=ids, successor__path__startswith=new.path, successor__kind=UnitVersion.Kind.COMMUNE
    ).values_list("predecessor_id", "successor_id"):
        preds.setdefault(succ, []).append(pred)
    plan_2025 = {s: 0 if all(p in recognised for p in ps) else rng.randint(1, 3) for s, ps in preds.items()}
    a2025 = _mekong_assess(sets["qd318-1-211"], 2025, plan_2025, rng)
    ready = [a for a in a2025 if plan_2025[a.commune_id] == 0]
    _override_unknown(ready)
    _recognise(
        sets["qd318-1-211"],
        _decisions(
            [a.commune_id for a in ready], RecognitionTier.STANDARD, 2025, 5300, date(2025, 12, 15), cycle=10
        ),
    )
    record_change(
        actor=None,
        obj=sets["qd318-1-211"],
        action="imported",
        unit_path=old.path,
        changes={
            "demo": [
                None,
                f"Bạc Liêu 2021-2024 và Cà Mau 2025: {len(a2021 + a2022 + a2024 + a2025)} đánh giá",
            ]
        },
    )


ARTICLE = (
    "DIC (Điện Biên), 06/12/2020: 'Đoàn công tác của Ban Chỉ đạo Trung ương các chương trình mục tiêu Quốc gia "
    "làm việc với UBND tỉnh' (buổi làm việc chiều 4/11/2020)"
)


@transaction.atomic
def seed_programme() -> None:
    """Part 11 of issue 22 from the Điện Biên article: the commune chosen for kiểu mẫu in 2016-2020 (which commune
    is not in the article: the demo's 2020 nâng cao commune, flagged) and the estimated 2020 GRDP per capita."""
    province = UnitVersion.objects.get(structure="pre2025", level=UnitVersion.Level.PROVINCE, code="11")
    advanced = (
        Recognition.objects.filter(commune__path__startswith=province.path, tier=RecognitionTier.ADVANCED)
        .select_related("commune")
        .first()
    )
    if advanced is not None and not TierTarget.objects.filter(province=province).exists():
        tier_target_add(
            actor=None,
            province=province,
            commune=advanced.commune,
            tier=RecognitionTier.MODEL,
            period_start=2016,
            period_end=2020,
            citation=f"'Giai đoạn 2016 - 2020, tỉnh Điện Biên lựa chọn 1 xã NTM kiểu mẫu' — {ARTICLE}",
            unconfirmed=True,
            note=DEMO_NOTE + ": bài báo không nêu tên xã; chọn xã nâng cao năm 2020 của dữ liệu minh họa",
        )
    context_indicator_set(
        actor=None,
        unit=province,
        code="grdp-per-capita",
        label="GRDP bình quân đầu người",
        value="38.25",
        unit_label="triệu đồng/người/năm",
        year=2020,
        estimated=True,
        reported_on=date(2020, 12, 6),
        source=f"'Ước đến cuối năm 2020, GRDP bình quân đầu người đạt 38,25 triệu đồng/người/năm' — {ARTICLE}",
    )


def seed() -> None:
    """Deterministic and idempotent."""
    load_all()
    seed_dien_bien()
    seed_cao_bang()
    seed_digital()
    seed_dien_bien_2026()
    seed_mekong()
    seed_programme()


__all__ = ["Status", "seed", "seed_cao_bang", "seed_dien_bien"]
