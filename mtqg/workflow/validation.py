"""Data quality: cross-field rules and outliers (both DATA in data/calendars.json), at entry and in batch.

Cross-field rules (kind "compare", severity "error") block a save; outlier rules (kind "outlier") only flag a value
for review. An outlier is a value whose leave-one-out z-score exceeds the rule's threshold, against either the
unit's own history (op "history": the same indicator in the unit's other reports of the same type) or its peers
(op "peers": the same indicator of the other units in the same province and period). At least `min_count` other
observations are needed, and a zero spread never flags.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from mtqg.geo.models import UnitVersion

from .models import Report, ReportType, ReportValue, ValidationRule

OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}


def compare_rules() -> list[ValidationRule]:
    return list(ValidationRule.objects.filter(kind=ValidationRule.Kind.COMPARE))


def outlier_rules() -> list[ValidationRule]:
    return list(ValidationRule.objects.filter(kind=ValidationRule.Kind.OUTLIER))


def compare(
    values: dict[str, Any], rules: Iterable[ValidationRule], severity: str | None = "error"
) -> dict[str, list[str]]:
    """{field code: [message]} for violated rules whose two codes are both present."""
    errors: dict[str, list[str]] = {}
    for rule in rules:
        if severity is not None and rule.severity != severity:
            continue
        left, right = values.get(rule.left), values.get(rule.right)
        if left is None or right is None:
            continue
        if not OPS[rule.op](left, right):
            errors.setdefault(rule.left, []).append(rule.message)
    return errors


def zscore(value: float, others: list[float]) -> float | None:
    """Leave-one-out z-score of `value` against `others` (sample standard deviation); None when undefined."""
    if len(others) < 2:
        return None
    mean = sum(others) / len(others)
    var = sum((x - mean) ** 2 for x in others) / (len(others) - 1)
    sd = math.sqrt(var)
    if sd == 0:
        return None
    return (value - mean) / sd


def _outlier_message(rule: ValidationRule, z: float) -> str:
    return _("%(message)s (z = %(z)s)") % {"message": rule.message, "z": f"{z:.1f}".replace(".", ",")}


@dataclass
class Observation:
    report: int
    unit: int
    period: int
    province: str
    code: str
    value: float


@dataclass
class Flags:
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, code: str, message: str) -> None:
        getattr(self, kind).setdefault(code, []).append(message)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.errors.values()) + sum(len(v) for v in self.warnings.values())


def outlier_flags(
    observations: list[Observation], rules: list[ValidationRule], targets: set[int] | None = None
) -> dict[int, dict[str, list[str]]]:
    """{report id: {code: [message]}} for the observations of `targets` (default all) that are outliers."""
    by_code: dict[str, list[ValidationRule]] = defaultdict(list)
    for rule in rules:
        by_code[rule.left].append(rule)
    history: dict[tuple[int, str], list[Observation]] = defaultdict(list)
    peers: dict[tuple[str, int, str], list[Observation]] = defaultdict(list)
    for ob in observations:
        if ob.code in by_code:
            history[(ob.unit, ob.code)].append(ob)
            peers[(ob.province, ob.period, ob.code)].append(ob)
    out: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for ob in observations:
        if ob.code not in by_code or (targets is not None and ob.report not in targets):
            continue
        for rule in by_code[ob.code]:
            group = (
                history[(ob.unit, ob.code)]
                if rule.op == "history"
                else peers[(ob.province, ob.period, ob.code)]
            )
            others = [o.value for o in group if o.report != ob.report]
            if len(others) < rule.min_count:
                continue
            z = zscore(ob.value, others)
            if z is not None and abs(z) > float(rule.threshold or 3):
                out[ob.report].setdefault(ob.code, []).append(_outlier_message(rule, z))
    return out


def _province_prefix(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[:2]) + "/"


def _observations(qs: Any) -> list[Observation]:
    return [
        Observation(rid, uid, pid, _province_prefix(path), code, float(value))
        for rid, uid, pid, path, code, value in qs.filter(value__isnull=False).values_list(
            "report_id", "report__unit_id", "report__period_id", "report__unit__path", "code", "value"
        )
    ]


def report_flags(report: Report) -> Flags:
    """Flags for one report at entry: blocking rule errors and outlier warnings (own history and peers)."""
    values = {v.code: v.value for v in report.values.all()}
    rules = list(ValidationRule.objects.all())
    flags = Flags(errors=compare(values, [r for r in rules if r.kind == "compare"]))
    for code, msgs in compare(values, [r for r in rules if r.kind == "compare"], severity="warning").items():
        for m in msgs:
            flags.add("warnings", code, m)
    outliers = [r for r in rules if r.kind == "outlier"]
    if outliers:
        province = _province_prefix(report.unit.path)
        base = ReportValue.objects.filter(report__report_type_id=report.report_type_id)
        obs = _observations(base.filter(report__unit_id=report.unit_id)) + _observations(
            base.filter(report__period_id=report.period_id, report__unit__path__startswith=province).exclude(
                report__unit_id=report.unit_id
            )
        )
        for code, msgs in outlier_flags(obs, outliers, {report.pk}).get(report.pk, {}).items():
            for m in msgs:
                flags.add("warnings", code, m)
    return flags


def validate_batch(
    user: Any, report_type: ReportType, province: UnitVersion, year: int, *, system: bool = False
) -> dict[str, Any]:
    """Validation report per unit for a province-year: rule errors and outlier warnings of every visible report
    (system=True: every report, for the command line). History uses every earlier report of the same type of the unit (also previous years)."""
    system = system or user is None
    reports_qs = Report.objects.all() if system else Report.objects.visible_to(user)
    values_qs = ReportValue.objects.all() if system else ReportValue.objects.visible_to(user)
    reports = {
        pk: (code, name, period, status)
        for pk, code, name, period, status in reports_qs.filter(
            report_type=report_type, period__year=year, unit__path__startswith=province.path
        ).values_list("pk", "unit__code", "unit__name", "period__code", "status")
    }
    base = values_qs.filter(
        report__report_type=report_type,
        report__period__year__lte=year,
        report__unit__path__startswith=province.path,
    )
    observations = _observations(base)
    rules = list(ValidationRule.objects.all())
    compares = [r for r in rules if r.kind == "compare"]
    per_report: dict[int, dict[str, Decimal | float]] = defaultdict(dict)
    for ob in observations:
        if ob.report in reports:
            per_report[ob.report][ob.code] = ob.value
    outliers = outlier_flags(observations, [r for r in rules if r.kind == "outlier"], set(reports))
    rows = []
    totals = {"reports": len(reports), "errors": 0, "warnings": 0, "clean": 0}
    for pk, (code, name, period, status) in sorted(reports.items(), key=lambda kv: (kv[1][0], kv[1][2])):
        errors = compare(per_report.get(pk, {}), compares, severity=None)
        warnings = outliers.get(pk, {})
        n_err = sum(len(v) for v in errors.values())
        n_warn = sum(len(v) for v in warnings.values())
        totals["errors"] += n_err
        totals["warnings"] += n_warn
        totals["clean"] += int(n_err + n_warn == 0)
        if n_err or n_warn:
            rows.append(
                {
                    "report": pk,
                    "unit_code": code,
                    "unit_name": name,
                    "period": period,
                    "status": status,
                    "errors": [f"{c}: {m}" for c, ms in errors.items() for m in ms],
                    "warnings": [f"{c}: {m}" for c, ms in warnings.items() for m in ms],
                }
            )
    return {
        "report_type": report_type.code,
        "province": province.code,
        "year": year,
        "totals": totals,
        "rows": rows,
    }
