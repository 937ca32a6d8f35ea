"""Survey forms as data (data/forms.json) and their evaluation.

`evaluate()` turns a form's answers into the class and its reasons with the ONE classification engine
(`mtqg.poverty.standards.classify_with`, the rule of `POST /api/v1/poverty/classify/`):

- Phiếu A (quick screening): a "yes" on at least `exclude_if_yes_at_least` excluding questions → the household is
  not poor or near-poor and Phiếu B is not needed;
- B1 (income proxy): the score (base + points of the chosen options) against the cut-offs of the area and region
  gives the estimated income band: ≤ cutoff "line" → income at or below the poverty line; ≤ "average" → in the
  average-living band; above → above it. The band is handed to the engine as its representative income (the
  line itself, the line + 1 đồng, the band's top + 1 đồng), so the class rule is never written twice;
- B2: one yes/no per indicator of the standard's set; the deprived codes go to the engine as they are.

Answers are a flat dict: "a1": bool, "b1_x": option value (list for multi), "b2_<indicator code>": bool.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi
from mtqg.poverty.models import PovertyStandard
from mtqg.poverty.standards import classify_with

from .models import SurveyForm

DATA_FILE = Path(__file__).parent / "data" / "forms.json"


@transaction.atomic
def load_forms(path: Path = DATA_FILE) -> int:
    """Create the form versions of the data file that are not there yet (an edited version is never
    overwritten: a change in the data file needs a new version number)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    created = 0
    for item in data["forms"]:
        _obj, new = SurveyForm.objects.get_or_create(
            code=item["code"],
            version=item["version"],
            defaults={k: item[k] for k in ("title", "standard_code", "year_from", "year_to", "citation")}
            | {
                "definition": item["definition"],
                "unconfirmed": item.get("unconfirmed", False),
                "unconfirmed_notes": item.get("unconfirmed_notes", ""),
            },
        )
        created += new
    return created


def form_for(year: int) -> SurveyForm:
    form = SurveyForm.objects.filter(year_from__lte=year, year_to__gte=year).order_by("-version").first()
    if form is None:
        raise ValidationError({"year": _("Chưa có phiếu rà soát cho năm %(y)s.") % {"y": year}})
    return form


def standard_of(form: SurveyForm) -> PovertyStandard:
    return PovertyStandard.objects.get(code=form.standard_code)


def questions(form: SurveyForm, standard: PovertyStandard) -> dict[str, list[dict[str, Any]]]:
    """The form's questions by part, B2 built from the standard's indicator set (one question per indicator)."""
    d = form.definition
    helps = d.get("b2", {}).get("help", {})
    b2 = [
        {"id": f"b2_{i['code']}", "code": i["code"], "label": i["name"], "help": helps.get(i["code"], "")}
        for i in standard.indicators
    ]
    return {"a": d["a"]["questions"], "b1": d["b1"]["questions"], "b2": b2}


@dataclass
class Evaluation:
    poverty_class: str
    reasons: list[str]
    excluded_by_a: bool = False
    b1_score: int | None = None
    band: str = ""
    deprivations: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def as_api(self) -> dict[str, Any]:
        return {
            "class": self.poverty_class,
            "reasons": self.reasons,
            "excluded_by_a": self.excluded_by_a,
            "b1_score": self.b1_score,
            "band": self.band,
            "deprivations": self.deprivations,
            "missing": self.missing,
            "flags": self.flags,
        }


def _yes(value: Any) -> bool | None:
    if value in (True, "yes", "1", "on", 1):
        return True
    if value in (False, "no", "0", 0):
        return False
    return None


def check_answers(form: SurveyForm, standard: PovertyStandard, answers: dict[str, Any]) -> list[str]:
    """Vietnamese messages for unknown questions or options (missing answers are reported by evaluate)."""
    qs = questions(form, standard)
    known = {q["id"]: q for part in qs.values() for q in part}
    errors = [_("Câu hỏi không có trong phiếu: %(q)s.") % {"q": k} for k in answers if k not in known]
    for q in qs["b1"]:
        value = answers.get(q["id"])
        allowed = {o["value"] for o in q["options"]}
        values = value if isinstance(value, list) else [] if value in (None, "") else [value]
        bad = [str(v) for v in values if v not in allowed]
        if bad:
            errors.append(_("%(q)s: lựa chọn không hợp lệ (%(v)s).") % {"q": q["label"], "v": ", ".join(bad)})
    return errors


def evaluate(
    form: SurveyForm, standard: PovertyStandard, *, area: str, region: str, answers: dict[str, Any]
) -> Evaluation:
    """The class of a (possibly incomplete) form; `missing` lists the required questions not yet answered."""
    errors = check_answers(form, standard, answers)
    if errors:
        raise ValidationError(errors)
    qs = questions(form, standard)
    flags = (
        [_("Phiếu có nội dung chưa xác minh: %(n)s") % {"n": form.unconfirmed_notes}]
        if form.unconfirmed
        else []
    )
    a_yes = [q["label"] for q in qs["a"] if q.get("excludes") and _yes(answers.get(q["id"]))]
    missing_a = [q["label"] for q in qs["a"] if _yes(answers.get(q["id"])) is None]
    if len(a_yes) >= form.definition["a"].get("exclude_if_yes_at_least", 1):
        reasons = [
            _("Phiếu A: hộ có đặc điểm loại trừ (%(l)s): không thuộc diện nghèo, cận nghèo")
            % {"l": "; ".join(a_yes)}
        ]
        return Evaluation("none", reasons, excluded_by_a=True, missing=missing_a, flags=flags)
    b1 = form.definition["b1"]
    score = int(b1.get("base", 0))
    missing = list(missing_a)
    for q in qs["b1"]:
        value = answers.get(q["id"])
        points = {o["value"]: int(o["points"]) for o in q["options"]}
        if q["type"] == "multi":
            score += sum(points[v] for v in (value or []))
        elif value in (None, ""):
            if q.get("required", True):
                missing.append(q["label"])
        else:
            score += points[value]
    deprived = []
    for q in qs["b2"]:
        v = _yes(answers.get(q["id"]))
        if v is None:
            missing.append(q["label"])
        elif v:
            deprived.append(q["code"])
    by_area = b1["cutoffs"][area]
    cut = by_area.get(region) or by_area["_default"]
    lines = standard.lines[area]
    line, avg_upper = int(lines["line"]), lines.get("average_upper")
    if score <= cut["line"]:
        band, income = "le_line", line
        text = _("B1 = %(s)s điểm ≤ %(c)s: thu nhập ước tính ≤ chuẩn %(l)s")
    elif avg_upper is not None and "average" in cut and score <= cut["average"]:
        band, income = "average", line + 1
        text = _(
            "B1 = %(s)s điểm, %(c)s < điểm ≤ %(a)s: thu nhập ước tính trên chuẩn %(l)s, trong mức sống trung bình"
        )
    else:
        band, income = "above", int(avg_upper if avg_upper is not None else line) + 1
        text = _("B1 = %(s)s điểm > %(c)s: thu nhập ước tính trên chuẩn %(l)s")
        if avg_upper is not None and "average" in cut:
            text = _("B1 = %(s)s điểm > %(a)s: thu nhập ước tính trên mức sống trung bình")
    result = classify_with(standard, area, income, deprived)
    first = text % {"s": score, "c": cut["line"], "a": cut.get("average", ""), "l": number_vi(line)}
    reasons = [first, *result.reasons[1:]]
    if missing:
        reasons.append(_("Tạm tính: còn %(n)s câu chưa trả lời") % {"n": len(missing)})
    return Evaluation(result.poverty_class, reasons, False, score, band, deprived, missing, flags)
