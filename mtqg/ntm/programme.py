"""Programme period data (issue 22 parts 7, 10, 11; decision records 0125, 0127, 0128): editable policies, the
2026-2035 programme's targets with their progress, the communes a province chose for each tier in a period, and
province socio-economic context indicators. Writes are services `<entity>_<verb>(*, actor, ...)` with a change
record in the same transaction; bad input raises a Vietnamese ValidationError and writes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.scoping import ensure_can_edit
from mtqg.geo.models import UnitVersion

from .groups import groups_on
from .models import (
    ADVANCED_TIERS,
    RECOGNISED_TIERS,
    TIER_RANK,
    ContextIndicator,
    Policy,
    ProgrammeTarget,
    RecognitionTier,
    TierTarget,
)
from .registers import completed_provinces
from .selectors import communes_in, latest_assessments, tiers_on

DATA_DIR = Path(__file__).parent / "data"
INHERIT_POLICY = "merged-commune-inherits-recognition"
MIN_CITATION = 5


# ---- loading (system job: idempotent, an edited row is never overwritten) -------------------------------------


def load_programme_data() -> int:
    """Create the policies and programme targets of the data files that are missing; returns rows created."""
    created = 0
    for spec in json.loads((DATA_DIR / "policies.json").read_text(encoding="utf-8"))["policies"]:
        _obj, made = Policy.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "enabled": spec["enabled"],
                "citation": spec["citation"],
                "unconfirmed": spec["unconfirmed"],
            },
        )
        created += made
    data = json.loads((DATA_DIR / "programme_2026_2035.json").read_text(encoding="utf-8"))
    for spec in data["targets"]:
        _t, made = ProgrammeTarget.objects.get_or_create(
            programme=data["programme"],
            code=spec["code"],
            province=None,
            defaults={
                "label": spec["label"],
                "kind": spec["kind"],
                "measure": spec["measure"],
                "op": spec["op"],
                "value": Decimal(spec["value"]),
                "value_text": spec["value_text"],
                "unit_label": spec["unit"],
                "target_year": spec["target_year"],
                "citation": spec["citation"],
                "unconfirmed": spec["unconfirmed"],
            },
        )
        created += made
    return created


# ---- policies (part 7) ---------------------------------------------------------------------------------------


def _country_path() -> str:
    country = UnitVersion.objects.filter(level=UnitVersion.Level.COUNTRY).first()
    return country.path if country else ""


def _citation(text: str, field: str = "citation") -> str:
    text = (text or "").strip()
    if len(text) < MIN_CITATION:
        raise ValidationError({field: _("Ghi rõ căn cứ (văn bản, điều khoản hoặc nguồn số liệu).")})
    return text


def policy_enabled(code: str) -> bool:
    """The policy's value; a policy not loaded is off (the conservative reading)."""
    return bool(Policy.objects.filter(code=code).values_list("enabled", flat=True).first())


@transaction.atomic
def policy_set(*, actor: Any, policy: Policy, enabled: bool, citation: str, unconfirmed: bool) -> Policy:
    """A national user changes a policy citing its basis; the change record keeps the history."""
    ensure_can_edit(actor, _country_path())
    citation = _citation(citation)
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    changes = {
        k: [getattr(policy, k), v]
        for k, v in (("enabled", enabled), ("citation", citation), ("unconfirmed", unconfirmed))
        if getattr(policy, k) != v
    }
    if not changes:
        return policy
    policy.enabled, policy.citation, policy.unconfirmed = enabled, citation, unconfirmed
    policy.save()
    record_change(actor=actor, obj=policy, action="updated", changes=changes, unit_path=_country_path())
    return policy


def inherited_recognitions(pred: dict[int, tuple[int, int]], enabled: bool | None = None) -> set[int]:
    """Communes formed on 1/7/2025 counted as recognised because every predecessor was, when the inheritance
    policy is on (decision record 0125; `enabled` when the caller has read it); empty when it is off (default)."""
    if not (policy_enabled(INHERIT_POLICY) if enabled is None else enabled):
        return set()
    return {cid for cid, (n, m) in pred.items() if m and n == m}


# ---- programme targets (part 10) -----------------------------------------------------------------------------


def _decimal(raw: Any, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Giá trị phải là số.")}) from exc
    if not value.is_finite():
        raise ValidationError({field: _("Giá trị phải là số.")})
    return value


@transaction.atomic
def programme_target_set(
    *,
    actor: Any,
    programme: str,
    code: str,
    label: str,
    value: Any,
    unit_label: str,
    target_year: int,
    citation: str,
    unconfirmed: bool,
    province: UnitVersion | None = None,
    measure: str = "",
    op: str = ProgrammeTarget.Op.GE,
    value_text: str = "",
    kind: str = "target",
) -> ProgrammeTarget:
    """Create or change a national (province=None, national users) or provincial target citing its basis."""
    if province is not None and province.level != UnitVersion.Level.PROVINCE:
        raise ValidationError({"province": _("Mục tiêu cấp tỉnh phải gắn với một tỉnh.")})
    ensure_can_edit(actor, province.path if province is not None else _country_path())
    citation = _citation(citation)
    if not (label or "").strip():
        raise ValidationError({"label": _("Thiếu tên chỉ tiêu.")})
    if measure and measure not in ProgrammeTarget.Measure.values:
        raise ValidationError({"measure": _("Cách tính tiến độ không hợp lệ.")})
    if op not in ProgrammeTarget.Op.values:
        raise ValidationError({"op": _("Phép so sánh không hợp lệ.")})
    number = _decimal(value, "value")
    if not 2016 <= int(target_year) <= 2035:
        raise ValidationError({"target_year": _("Năm đích phải trong khoảng 2016-2035.")})
    fields = {
        "label": label.strip(),
        "kind": kind,
        "measure": measure,
        "op": op,
        "value": number,
        "value_text": value_text.strip(),
        "unit_label": unit_label.strip(),
        "target_year": int(target_year),
        "citation": citation,
        "unconfirmed": unconfirmed,
    }
    target = (
        ProgrammeTarget.objects.select_for_update()
        .filter(programme=programme, code=code, province=province)
        .first()
    )
    if target is None:
        target = ProgrammeTarget.objects.create(programme=programme, code=code, province=province, **fields)
        changes = {k: [None, str(v)] for k, v in fields.items()}
        action = "created"
    else:
        changes = {k: [str(getattr(target, k)), str(v)] for k, v in fields.items() if getattr(target, k) != v}
        for k, v in fields.items():
            setattr(target, k, v)
        target.save()
        action = "updated"
    if changes:
        record_change(
            actor=actor,
            obj=target,
            action=action,
            changes=changes,
            unit_path=province.path if province is not None else _country_path(),
        )
    return target


def _measure_value(measure: str, unit: UnitVersion, on: date, ctx: dict[str, Any]) -> Decimal | None:
    n = ctx["communes"]
    tiers: dict[int, str] = ctx["tiers"]
    if measure == ProgrammeTarget.Measure.PROVINCES_COMPLETED:
        found = completed_provinces(on) if unit.level == UnitVersion.Level.COUNTRY else None
        return Decimal(found) if found is not None else None
    if not n:
        return None
    if measure == ProgrammeTarget.Measure.RECOGNISED_RATE:
        part = sum(1 for t in tiers.values() if t in RECOGNISED_TIERS)
    elif measure == ProgrammeTarget.Measure.ADVANCED_RATE:
        part = sum(1 for t in tiers.values() if t in ADVANCED_TIERS or t == RecognitionTier.MODERN)
    elif measure == ProgrammeTarget.Measure.MODERN_RATE:
        part = sum(1 for t in tiers.values() if t == RecognitionTier.MODERN)
    elif measure == ProgrammeTarget.Measure.GROUPED_RATE:
        part = ctx["grouped"]
    else:
        return None
    return (Decimal(part * 100) / Decimal(n)).quantize(Decimal("0.01"))


def programme_progress(unit: UnitVersion, on: date, programme: str = "2026-2035") -> list[dict[str, Any]]:
    """The programme's targets for a unit (the province's own where it set one, else the national one) with the
    value the app computes on the date and whether it is reached; "chưa tính tự động" where no measure exists."""
    province = unit if unit.level == UnitVersion.Level.PROVINCE else None
    targets: dict[str, ProgrammeTarget] = {}
    for t in ProgrammeTarget.objects.filter(programme=programme, province=None).order_by("code"):
        targets[t.code] = t
    if province is not None:
        for t in ProgrammeTarget.objects.filter(programme=programme, province=province):
            targets[t.code] = t
    ids = list(communes_in(unit, on).values_list("pk", flat=True))
    ctx = {"communes": len(ids), "tiers": tiers_on(ids, on), "grouped": len(groups_on(ids, on))}
    rows = []
    for t in sorted(targets.values(), key=lambda x: (x.kind != "target", x.code)):
        current = _measure_value(t.measure, unit, on, ctx) if t.measure else None
        reached = None
        if current is not None and t.value is not None:
            reached = current >= t.value if t.op == ProgrammeTarget.Op.GE else current <= t.value
        rows.append(
            {
                "code": t.code,
                "label": t.label,
                "kind": t.kind,
                "target": t.value_text or f"{t.get_op_display()} {t.value}",
                "unit_label": t.unit_label,
                "target_year": t.target_year,
                "current": current,
                "computed": bool(t.measure) and current is not None,
                "reached": reached,
                "own": t.province_id is not None,
                "citation": t.citation,
                "unconfirmed": t.unconfirmed,
                "pk": t.pk,
            }
        )
    return rows


# ---- tier targets (part 11) ----------------------------------------------------------------------------------


@transaction.atomic
def tier_target_add(
    *,
    actor: Any,
    province: UnitVersion,
    commune: UnitVersion,
    tier: str,
    period_start: int,
    period_end: int,
    citation: str,
    unconfirmed: bool = False,
    note: str = "",
) -> TierTarget:
    """Register a commune the province chose to build to a tier in a period."""
    if province.level != UnitVersion.Level.PROVINCE:
        raise ValidationError({"province": _("Đơn vị lựa chọn phải là tỉnh.")})
    if commune.level != UnitVersion.Level.COMMUNE or commune.kind != UnitVersion.Kind.COMMUNE:
        raise ValidationError({"commune": _("%(name)s không phải là xã.") % {"name": commune.name}})
    if not commune.path.startswith(province.path):
        raise ValidationError(
            {"commune": _("Xã %(name)s không thuộc %(p)s.") % {"name": commune.name, "p": province.name}}
        )
    ensure_can_edit(actor, commune.path)
    if tier not in RecognitionTier.values or tier == RecognitionTier.BASIC:
        raise ValidationError({"tier": _("Hạng phấn đấu không hợp lệ.")})
    if not 2010 <= int(period_start) <= int(period_end) <= 2035:
        raise ValidationError({"period_end": _("Giai đoạn không hợp lệ (từ năm ≤ đến năm, 2010-2035).")})
    if not commune.valid_on(date(int(period_end), 12, 31)) and not commune.valid_on(
        date(int(period_start), 1, 1)
    ):
        raise ValidationError(
            {"commune": _("Xã %(name)s không còn hiệu lực trong giai đoạn này.") % {"name": commune.name}}
        )
    citation = _citation(citation)
    if TierTarget.objects.filter(commune=commune, tier=tier, period_start=period_start).exists():
        raise ValidationError({"commune": _("Xã này đã có trong danh sách của giai đoạn.")})
    target = TierTarget.objects.create(
        province=province,
        commune=commune,
        tier=tier,
        period_start=period_start,
        period_end=period_end,
        citation=citation,
        unconfirmed=unconfirmed,
        note=note.strip(),
    )
    record_change(
        actor=actor,
        obj=target,
        action="created",
        changes={
            "tier": [None, tier],
            "period": [None, f"{period_start}-{period_end}"],
            "citation": [None, citation],
        },
        unit_path=commune.path,
    )
    return target


@transaction.atomic
def tier_target_remove(*, actor: Any, target: TierTarget, reason: str) -> None:
    ensure_can_edit(actor, target.commune.path)
    reason = _citation(reason, "reason")
    record_change(actor=actor, obj=target, action="deleted", reason=reason, unit_path=target.commune.path)
    target.delete()


def tier_targets_progress(user: Any, unit: UnitVersion, on: date) -> list[dict[str, Any]]:
    """The register under a unit with each commune's highest tier in force on the date (or at the period's end,
    if earlier) and its latest assessment: "đã đạt", "chưa đạt" (period over) or "đang thực hiện"."""
    qs = TierTarget.objects.filter(commune__path__startswith=unit.path).select_related("commune", "province")
    if user is not None:
        qs = qs.visible_to(user)
    targets = list(qs)
    labels = dict(RecognitionTier.choices)
    rows = []
    by_date: dict[date, list[TierTarget]] = {}
    for t in targets:
        by_date.setdefault(min(on, date(t.period_end, 12, 31)), []).append(t)
    tiers: dict[tuple[int, date], str] = {}
    latest: dict[tuple[int, date], dict[str, Any]] = {}
    for when, group in by_date.items():
        ids = [t.commune_id for t in group]
        for cid, tier in tiers_on(ids, when).items():
            tiers[(cid, when)] = tier
        for cid, found in latest_assessments(ids, when).items():
            latest[(cid, when)] = found
    for t in targets:
        when = min(on, date(t.period_end, 12, 31))
        have = tiers.get((t.commune_id, when))
        done = have is not None and TIER_RANK[have] >= TIER_RANK[t.tier]  # type: ignore[index]
        status = "da_dat" if done else ("chua_dat" if on > date(t.period_end, 12, 31) else "dang_thuc_hien")
        a = latest.get((t.commune_id, when))
        rows.append(
            {
                "pk": t.pk,
                "province": t.province.name,
                "commune": t.commune.name,
                "commune_id": t.commune_id,
                "tier": t.tier,
                "tier_label": str(labels[t.tier]),
                "period": f"{t.period_start}-{t.period_end}",
                "current_tier": str(labels[have]) if have else "",
                "status": status,
                "status_label": {
                    "da_dat": _("Đã đạt"),
                    "chua_dat": _("Chưa đạt (hết giai đoạn)"),
                    "dang_thuc_hien": _("Đang thực hiện"),
                }[status],
                "criteria": f"{a['criteria_met']}/{a['criteria_total']}" if a else "",
                "citation": t.citation,
                "unconfirmed": t.unconfirmed,
            }
        )
    return rows


# ---- context indicators (part 11) ----------------------------------------------------------------------------


@transaction.atomic
def context_indicator_set(
    *,
    actor: Any,
    unit: UnitVersion,
    code: str,
    label: str,
    value: Any,
    unit_label: str,
    year: int,
    source: str,
    estimated: bool = False,
    reported_on: date | None = None,
    unconfirmed: bool = False,
) -> ContextIndicator:
    """Create or change a unit's context figure for a year, citing its source."""
    if unit.level not in (UnitVersion.Level.COUNTRY, UnitVersion.Level.PROVINCE):
        raise ValidationError({"unit": _("Chỉ tiêu bối cảnh nhập cho cả nước hoặc một tỉnh.")})
    ensure_can_edit(actor, unit.path)
    source = _citation(source, "source")
    number = _decimal(value, "value")
    code = (code or "").strip()
    if not code or not (label or "").strip() or not (unit_label or "").strip():
        raise ValidationError({"label": _("Thiếu mã, tên hoặc đơn vị tính của chỉ tiêu.")})
    if not 2000 <= int(year) <= 2035:
        raise ValidationError({"year": _("Năm số liệu không hợp lệ.")})
    if not unit.valid_on(date(int(year), 12, 31)) and not unit.valid_on(date(int(year), 1, 1)):
        raise ValidationError(
            {"year": _("%(name)s không có hiệu lực trong năm %(y)s.") % {"name": unit.name, "y": year}}
        )
    fields = {
        "label": label.strip(),
        "value": number,
        "unit_label": unit_label.strip(),
        "estimated": estimated,
        "reported_on": reported_on,
        "source": source,
        "unconfirmed": unconfirmed,
    }
    row = ContextIndicator.objects.select_for_update().filter(unit=unit, code=code, year=year).first()
    if row is None:
        row = ContextIndicator.objects.create(unit=unit, code=code, year=year, **fields)
        changes = {k: [None, str(v)] for k, v in fields.items()}
        action = "created"
    else:
        changes = {k: [str(getattr(row, k)), str(v)] for k, v in fields.items() if getattr(row, k) != v}
        for k, v in fields.items():
            setattr(row, k, v)
        row.save()
        action = "updated"
    if changes:
        record_change(actor=actor, obj=row, action=action, changes=changes, unit_path=unit.path)
    return row


def context_for(unit: UnitVersion, year: int | None = None) -> list[ContextIndicator]:
    """The unit's context figures, latest year first per code (up to `year` when given). Not scoped: context
    figures are published statistics of the unit, shown on its dashboard and briefing."""
    qs = ContextIndicator.objects.filter(unit=unit)
    if year is not None:
        qs = qs.filter(year__lte=year)
    seen: set[str] = set()
    out = []
    for row in qs.order_by("code", "-year"):
        if row.code not in seen:
            seen.add(row.code)
            out.append(row)
    return out
