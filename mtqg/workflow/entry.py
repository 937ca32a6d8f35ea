"""What the report page shows a given user: the entry grid rows and the transitions allowed for their role."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mtqg.core.formatting import number_vi
from mtqg.core.scoping import path_editable

from .approvers import can_decide
from .calendar import indicator_labels
from .models import Report
from .services import can_reopen
from .validation import Flags

S = Report.Status


def value_text(value: Decimal | None) -> str:
    """Vietnamese display of an entered value: 1.234 or 1.234,5."""
    if value is None:
        return ""
    decimals = 0 if value == value.to_integral_value() else 2
    return number_vi(value, decimals)


@dataclass
class Cell:
    code: str
    label: str
    text: str = ""
    note: str = ""
    version: int = 0  # version of the stored value row (0 = none yet): the autosave's optimistic lock
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    other: str | None = None  # conflict: the value saved by someone else meanwhile


def grid(report: Report, flags: Flags | None = None, typed: dict[str, str] | None = None) -> list[Cell]:
    """One row per indicator of the report type; `typed` (the user's input) wins over the stored value."""
    labels = indicator_labels()
    stored = {v.code: v for v in report.values.all()}
    flags = flags or Flags()
    typed = typed or {}
    rows = []
    for code in report.report_type.indicators:
        row = stored.get(code)
        rows.append(
            Cell(
                code=code,
                label=labels.get(code, code),
                text=typed.get(code, value_text(row.value) if row else ""),
                note=row.note if row else "",
                version=row.version if row else 0,
                errors=flags.errors.get(code, []),
                warnings=flags.warnings.get(code, []),
            )
        )
    return rows


def actions(user: Any, report: Report) -> dict[str, bool]:
    own = report.report_type.separation_of_duties and report.submitted_by_id == user.pk
    entry = path_editable(user, report.unit.path)
    decide = can_decide(user, report) and not own
    return {
        "edit": entry and report.status in (S.DRAFT, S.RETURNED),
        "submit": entry and report.status in (S.DRAFT, S.RETURNED),
        "approve": decide,
        "return": decide,
        "reopen": can_reopen(user, report),
        "own_submission": own and can_decide(user, report),
    }
