"""Deprivations derived from member data.

Where the members hold the answer, the B2 indicator is derived with its reason; the enumerator may answer
otherwise only with a note (kept in SurveyResponse.overrides). Age thresholds follow the recalled NĐ 07/2021
thresholds (poverty-standards.md §1.2: UNCONFIRMED) and live in data/forms.json ("derive"), editable per form
version. Members come from the register (poverty Member) or from the field roster of the form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _born(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def derive(rules: dict[str, Any], members: list[dict[str, Any]], on: date) -> dict[str, tuple[bool, str]]:
    """{indicator code: (deprived, reason)} for the indicators the members can answer."""
    people = [(m.get("full_name", ""), _age(_born(m.get("birth_date")), on), m) for m in members]
    known = [(n, a, m) for n, a, m in people if a is not None]
    if not known:
        return {}
    out: dict[str, tuple[bool, str]] = {}
    if "bhyt" in rules:
        r = rules["bhyt"]
        lacking = [
            f"{n} ({a} tuổi)" for n, a, m in known if a >= r["min_age"] and not m.get("health_insurance")
        ]
        out["bhyt"] = (
            (True, _("Không có BHYT: %(p)s") % {"p": ", ".join(lacking)})
            if lacking
            else (False, _("Mọi thành viên từ %(a)s tuổi có BHYT") % {"a": r["min_age"]})
        )
    if "di_hoc_tre_em" in rules:
        r = rules["di_hoc_tre_em"]
        kids = [(n, a, m) for n, a, m in known if r["min_age"] <= a < r["max_age"]]
        out_of_school = [
            f"{n} ({a} tuổi)"
            for n, a, m in kids
            if str(m.get("schooling", "")).strip().lower() in r["not_in_school"]
        ]
        if kids:
            out["di_hoc_tre_em"] = (
                (True, _("Trẻ không đi học: %(p)s") % {"p": ", ".join(out_of_school)})
                if out_of_school
                else (
                    False,
                    _("%(n)s trẻ từ %(a)s đến dưới %(b)s tuổi đều đi học")
                    % {"n": len(kids), "a": r["min_age"], "b": r["max_age"]},
                )
            )
    if "nguoi_phu_thuoc" in rules:
        r = rules["nguoi_phu_thuoc"]
        dependants = [
            n for n, a, m in known if a < r["child_under"] or a >= r["elderly_from"] or m.get("disability")
        ]
        share = len(dependants) / len(known)
        text = _("%(d)s/%(n)s thành viên là người phụ thuộc") % {"d": len(dependants), "n": len(known)}
        out["nguoi_phu_thuoc"] = (
            share > r["share_over"],
            text + (" (> 50%)" if share > r["share_over"] else " (≤ 50%)"),
        )
    return out
