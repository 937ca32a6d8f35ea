"""Which criteria set applies on a date: periods per scope, contiguous, no overlaps (decision record 0109)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion

from .models import CriteriaSet, CriteriaSetPeriod

PERIODS_FILE = Path(__file__).parent / "data" / "periods.json"
NATIONAL = {"standard": "national-standard", "advanced": "national-advanced"}


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _parse(text: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as exc:
        raise ValidationError(
            _("Ngày không hợp lệ ở %(what)s: '%(text)s'.") % {"what": what, "text": text}
        ) from exc


def _check_scope(scope: dict[str, Any], sets: dict[str, CriteriaSet]) -> list[CriteriaSetPeriod]:
    """The scope's periods as unsaved rows; ValidationError listing every gap, overlap or mismatch."""
    name = scope["scope"]
    errors: list[str] = []
    rows: list[CriteriaSetPeriod] = []
    for item in scope.get("periods", []):
        cset = sets.get(item["set"])
        if cset is None:
            errors.append(
                _("Phạm vi %(scope)s: không có bộ tiêu chí %(set)s.") % {"scope": name, "set": item["set"]}
            )
            continue
        start = _parse(item["from"], name)
        end = _parse(item["to"], name) if item.get("to") else None
        if end is not None and end < start:
            errors.append(
                _("Phạm vi %(scope)s: bộ %(set)s có ngày kết thúc %(end)s trước ngày bắt đầu %(start)s.")
                % {"scope": name, "set": cset.code, "end": _d(end), "start": _d(start)}
            )
        if cset.tier != scope["tier"]:
            errors.append(
                _("Phạm vi %(scope)s: bộ %(set)s không thuộc hạng %(tier)s.")
                % {"scope": name, "set": cset.code, "tier": scope["tier"]}
            )
        province_code = cset.province.code if cset.province else None
        if province_code != scope.get("province"):
            errors.append(
                _("Phạm vi %(scope)s: bộ %(set)s không do tỉnh của phạm vi này ban hành.")
                % {"scope": name, "set": cset.code}
            )
        if not str(item.get("basis", "")).strip():
            errors.append(
                _("Phạm vi %(scope)s: bộ %(set)s từ %(start)s thiếu căn cứ áp dụng.")
                % {"scope": name, "set": cset.code, "start": _d(start)}
            )
        rows.append(
            CriteriaSetPeriod(
                criteria_set=cset,
                scope=name,
                valid_from=start,
                valid_to=end,
                transitional=bool(item.get("transitional")),
                basis=str(item.get("basis", "")).strip(),
                unconfirmed=bool(item.get("unconfirmed")),
            )
        )
    rows.sort(key=lambda r: r.valid_from)
    for prev, nxt in pairwise(rows):
        if prev.valid_to is None or nxt.valid_from <= prev.valid_to:
            errors.append(
                _("Phạm vi %(scope)s: bộ %(a)s và bộ %(b)s chồng lấn từ ngày %(start)s.")
                % {
                    "scope": name,
                    "a": prev.criteria_set.code,
                    "b": nxt.criteria_set.code,
                    "start": _d(nxt.valid_from),
                }
            )
        elif nxt.valid_from > prev.valid_to + timedelta(days=1):
            errors.append(
                _(
                    "Phạm vi %(scope)s: khoảng trống từ %(start)s đến %(end)s, không có bộ tiêu chí nào áp dụng."
                )
                % {
                    "scope": name,
                    "start": _d(prev.valid_to + timedelta(days=1)),
                    "end": _d(nxt.valid_from - timedelta(days=1)),
                }
            )
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def criteria_periods_replace(*, actor: Any, data: dict[str, Any]) -> int:
    """Replace the periods of every scope in `data`; any gap, overlap or bad row → ValidationError, nothing
    written. Returns the number of periods written (0 when nothing changed)."""
    sets = {s.code: s for s in CriteriaSet.objects.select_related("province").order_by("version")}
    errors: list[str] = []
    new: list[CriteriaSetPeriod] = []
    for scope in data.get("scopes", []):
        try:
            new.extend(_check_scope(scope, sets))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    scopes = [s["scope"] for s in data.get("scopes", [])]
    key = ("criteria_set_id", "scope", "valid_from", "valid_to", "transitional", "basis", "unconfirmed")
    old = set(CriteriaSetPeriod.objects.filter(scope__in=scopes).values_list(*key))
    if old == {tuple(getattr(p, k) for k in key) for p in new}:
        return 0
    CriteriaSetPeriod.objects.filter(scope__in=scopes).delete()
    CriteriaSetPeriod.objects.bulk_create(new)
    for scope in scopes:
        first = next(p for p in new if p.scope == scope) if any(p.scope == scope for p in new) else None
        if first is not None:
            record_change(
                actor=actor,
                obj=first.criteria_set,
                action="updated",
                changes={"scope": [None, scope], "periods": [None, sum(1 for p in new if p.scope == scope)]},
            )
    return len(new)


def load_periods() -> int:
    return criteria_periods_replace(actor=None, data=json.loads(PERIODS_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class InForce:
    criteria_set: CriteriaSet
    period: CriteriaSetPeriod

    @property
    def reason(self) -> str:
        p = self.period
        end = _d(p.valid_to) if p.valid_to else "…"
        kind = _("chuyển tiếp") if p.transitional else _("có hiệu lực")
        flag = _(" [chưa xác minh]") if p.unconfirmed else ""
        return _("%(set)s áp dụng %(from)s–%(to)s (%(kind)s): %(basis)s%(flag)s") % {
            "set": self.criteria_set.code,
            "from": _d(p.valid_from),
            "to": end,
            "kind": kind,
            "basis": p.basis,
            "flag": flag,
        }


def set_in_force(on: date, *, tier: str = "standard", province: UnitVersion | None = None) -> InForce | None:
    """The set applying on a date: the province's own set where one is in force, else the national one."""
    periods = CriteriaSetPeriod.objects.select_related("criteria_set").filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on, criteria_set__tier=tier
    )
    if province is not None:
        own = periods.filter(
            criteria_set__province__unit_id=province.unit_id, scope__endswith=f"-{tier}"
        ).first()
        if own is not None:
            return InForce(own.criteria_set, own)
    found = periods.filter(scope=NATIONAL.get(tier, f"national-{tier}")).first()
    return InForce(found.criteria_set, found) if found else None
