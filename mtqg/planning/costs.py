"""Cost model: unit costs per criterion (data, editable) × NTM-region factor, adjusted by the province's own works
history where the ledger lets us, with a confidence level per estimate; and the gaps of each commune on a date."""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from datetime import date
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.formatting import date_vi
from mtqg.finance.models import Work
from mtqg.finance.selectors import works_under_way
from mtqg.geo.models import UnitClassification, UnitVersion
from mtqg.ntm.models import CriteriaSet, Criterion, CriterionResult, Status
from mtqg.ntm.selectors import communes_in, latest_assessments

from .models import RegionFactor, UnitCost
from .optimiser import FLAGS, MILLION, Commune, Gap

DATA_DIR = Path(__file__).parent / "data"
CONFIDENCE = {"cao": "Cao", "trung_binh": "Trung bình", "thap": "Thấp"}


def read_json(name: str) -> dict[str, Any]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


def cost_rules() -> dict[str, Any]:
    return read_json("unit_costs.json")


def default_rules() -> dict[str, Any]:
    return read_json("default_rules.json")


@transaction.atomic
def load_costs(*, force: bool = False) -> int:
    """Load the unit-cost table and region factors (idempotent: existing rows are kept unless force, so edits made
    in the admin survive); one ChangeRecord summarises the batch."""
    spec = cost_rules()
    created = 0
    for set_code, block in spec["sets"].items():
        for number, row in block["costs"].items():
            defaults = {
                "amount": Decimal(row["amount"]),
                "source": spec["source"],
                "legal_basis": spec["legal_basis"][:300],
                "unconfirmed": bool(row.get("unconfirmed", spec.get("unconfirmed", True))),
            }
            if force:
                _obj, new = UnitCost.objects.update_or_create(
                    criteria_set_code=set_code, criterion_number=int(number), defaults=defaults
                )
            else:
                _obj, new = UnitCost.objects.get_or_create(
                    criteria_set_code=set_code, criterion_number=int(number), defaults=defaults
                )
            created += int(new)
    for region, row in spec["region_factors"].items():
        values = {"factor": Decimal(row["factor"]), "unconfirmed": bool(row.get("unconfirmed", True))}
        if force:
            RegionFactor.objects.update_or_create(region=region, defaults=values)
        else:
            RegionFactor.objects.get_or_create(region=region, defaults=values)
    if created:
        first = UnitCost.objects.order_by("pk").first()
        assert first is not None
        record_change(
            actor=None,
            obj=first,
            action="imported",
            unit_path="",
            changes={"unit_costs": [None, f"{created} suất chi phí từ unit_costs.json v{spec['version']}"]},
        )
    return created


def _set_code_chain(criteria_set: Any) -> list[str]:
    chain, node = [], criteria_set
    while node is not None:
        chain.append(node.code)
        node = node.parent
    return chain


def _round_million(value: Decimal) -> int:
    return int((value / MILLION).to_integral_value(rounding=ROUND_CEILING)) * MILLION


def works_history(province: UnitVersion, set_code: str, on: date) -> dict[int, tuple[int, int]]:
    """criterion → (median total investment, number of works) from the province's own works of a kind that maps to
    one criterion (finance works carry no criterion tag; see unit_costs.json 'work_kind_criteria')."""

    mapping = cost_rules()["work_kind_criteria"].get(set_code, {})
    out: dict[int, tuple[int, int]] = {}
    for kind, number in mapping.items():
        amounts = [
            int(v)
            for v in Work.objects.filter(
                commune__path__startswith=province.path, kind=kind, year__lte=on.year
            )
            .exclude(status=Work.Status.PLANNED)
            .values_list("total_investment", flat=True)
        ]
        if amounts:
            out[int(number)] = (int(statistics.median(amounts)), len(amounts))
    return out


def _flags(communes: list[UnitVersion], on: date) -> dict[int, set[str]]:
    spec = default_rules()["priority_flags"]
    ids = {c.pk for c in communes} | {c.parent_id for c in communes if c.parent_id}
    rows = (
        UnitClassification.objects.as_of(on)
        .filter(unit_id__in=ids)
        .values_list("unit_id", "scheme__code", "value")
    )
    held: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for held_id, scheme, value in rows:
        held[held_id].add((scheme, value))
    out: dict[int, set[str]] = {}
    for c in communes:
        flags = set()
        for flag in FLAGS:
            rule = spec[flag]
            unit_id: int | None = c.parent_id if rule["level"] == "district" else c.pk
            if unit_id and any((rule["scheme"], v) in held.get(unit_id, set()) for v in rule["values"]):
                flags.add(flag)
        out[c.pk] = flags
    return out


def build_communes(province: UnitVersion, on: date, user: Any = None) -> tuple[list[Commune], list[str]]:
    """Communes (kind xã valid on the date, visible to the user) with their unmet criteria priced; notes say which
    figures are estimates. Vietnamese ValidationError when there is nothing to plan or a cost is missing."""

    qs = communes_in(province, on).select_related("parent")
    if user is not None:
        qs = qs.filter(pk__in=UnitVersion.objects.visible_to(user).values("pk"))
    units = list(qs.order_by("code"))
    latest = latest_assessments([u.pk for u in units], on)
    if not latest:
        raise ValidationError(
            _("%(unit)s chưa có đánh giá xã NTM nào tính đến ngày %(d)s: không có gì để lập kế hoạch.")
            % {"unit": province.name, "d": date_vi(on)}
        )
    sets = {
        s.pk: s
        for s in CriteriaSet.objects.filter(
            pk__in={a["criteria_set_id"] for a in latest.values()}
        ).select_related("parent__parent")
    }
    costs_by_set: dict[int, tuple[str, dict[int, UnitCost]]] = {}
    for pk, cset in sets.items():
        chain = _set_code_chain(cset)
        table = {}
        code = ""
        for candidate in chain:
            rows = {u.criterion_number: u for u in UnitCost.objects.filter(criteria_set_code=candidate)}
            if rows:
                table, code = rows, candidate
                break
        costs_by_set[pk] = (code, table)
    names = {
        (c.criteria_set_id, c.number): c.name
        for c in Criterion.objects.filter(criteria_set_id__in=list(sets))
    }
    factors = {r.region: r for r in RegionFactor.objects.all()}
    spec = cost_rules()
    basic_factor = Decimal(spec["basic_factor"])
    history: dict[tuple[int, int], tuple[int, int]] = {}
    for pk, (code, _table) in costs_by_set.items():
        for number, value in works_history(province, code, on).items():
            history[(pk, number)] = value
    results: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for aid, number, status in (
        CriterionResult.objects.filter(assessment_id__in=[a["id"] for a in latest.values()])
        .exclude(status__in=[Status.MET, Status.NA])
        .values_list("assessment_id", "criterion__number", "status")
    ):
        results[aid].append((number, status))
    flags = _flags(units, on)
    missing: set[str] = set()
    out: list[Commune] = []
    for u in units:
        a = latest.get(u.pk)
        if a is None:
            continue
        set_pk = a["criteria_set_id"]
        code, table = costs_by_set[set_pk]
        region = factors.get(a["region"])
        factor = region.factor if region else Decimal(1)
        gaps = []
        for number, status in sorted(results.get(a["id"], [])):
            base = table.get(number)
            if base is None:
                missing.add(f"{sets[set_pk].code} #{number}")
                continue
            amount, confidence = (
                base.amount * factor,
                "thap" if base.unconfirmed or region is None else "trung_binh",
            )
            basis = _("suất %(set)s × hệ số vùng %(f)s") % {"set": code, "f": str(factor)}
            hist = history.get((set_pk, number))
            if hist and hist[1] >= spec["history_min_works"]:
                amount = Decimal(hist[0])
                confidence = "cao" if hist[1] >= spec["history_high_confidence_works"] else "trung_binh"
                basis = _("trung vị %(n)d công trình của tỉnh") % {"n": hist[1]}
            if status == Status.BASIC:
                amount *= basic_factor
                basis += _(" × hệ số cơ bản đạt %(f)s") % {"f": str(basic_factor)}
            if status == Status.UNKNOWN:
                confidence = "thap"
            gaps.append(
                Gap(
                    number, names.get((set_pk, number), ""), status, _round_million(amount), confidence, basis
                )
            )
        district = u.parent if u.parent and u.parent.level == UnitVersion.Level.DISTRICT else None
        out.append(
            Commune(
                id=u.pk,
                code=u.code,
                name=u.name,
                area=district.code if district else u.code,
                area_name=district.name if district else u.name,
                met=a["criteria_met"],
                total=a["criteria_total"],
                flags=frozenset(flags.get(u.pk, set())),
                gaps=gaps,
            )
        )
    if missing:
        raise ValidationError(
            _(
                "Thiếu suất chi phí cho: %(list)s. Hãy nạp bảng suất chi phí (manage.py load_planning_costs) hoặc bổ sung trong trang quản trị."
            )
            % {"list": ", ".join(sorted(missing))}
        )
    notes = [
        _(
            "Chi phí là ước tính từ bảng suất chi phí (chưa xác minh) nhân hệ số vùng; làm tròn lên triệu đồng."
        ),
        _(
            "Sổ công trình không gắn công trình với tiêu chí NTM: chỉ công trình nước sinh hoạt tập trung (tiêu chí 17) được dùng để hiệu chỉnh theo lịch sử của tỉnh."
        ),
    ]
    return out, notes


PLAN_WORK_CODE = re.compile(r"^KB\d+-(?P<commune>[^-]+)-TC(?P<criterion>\d+)$")


def _kind_criteria() -> dict[str, int]:
    """Work kind → criterion number where every criteria set agrees (unit_costs.json 'work_kind_criteria')."""
    found: dict[str, set[int]] = defaultdict(set)
    for set_code, mapping in cost_rules()["work_kind_criteria"].items():
        if set_code.startswith("_"):
            continue
        for kind, number in mapping.items():
            found[kind].add(int(number))
    return {kind: numbers.pop() for kind, numbers in found.items() if len(numbers) == 1}


def ledger_commitments(
    communes: list[Commune], year_from: int, year_to: int, user: Any = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Gaps already committed in the finance ledger: works not yet finished (planned, approved, under
    construction) on the communes with a plan year in the horizon, tied to a criterion either by the code a
    scenario conversion gives them (KB<id>-<commune>-TC<nn>) or by a work kind that maps to one criterion. Works
    that name no criterion are counted in a note only (the ledger carries no criterion tag)."""

    by_id = {c.id: c for c in communes}
    kinds = _kind_criteria()
    status_labels = dict(Work.Status.choices)
    entries: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    untied = 0
    met_already = 0
    for w in works_under_way(user, list(by_id), year_from, year_to):
        commune = by_id[w["commune_id"]]
        match = PLAN_WORK_CODE.match(w["code"])
        if match and match["commune"] == commune.code:
            number, basis = int(match["criterion"]), _("mã công trình từ kịch bản")
        elif w["kind"] in kinds:
            number, basis = kinds[w["kind"]], _("loại công trình")
        else:
            untied += 1
            continue
        if number not in {g.criterion for g in commune.gaps}:
            met_already += 1
            continue
        if (commune.code, number) in seen:
            continue
        seen.add((commune.code, number))
        entries.append(
            {
                "code": commune.code,
                "commune": commune.name,
                "criterion": number,
                "work": w["code"],
                "work_name": w["name"],
                "status": str(status_labels.get(w["status"], w["status"])),
                "year": w["year"],
                "allocated": int(w["allocated"]),
                "total_investment": int(w["total_investment"]),
                "basis": basis,
                "source": "ledger",
            }
        )
    notes = []
    if entries:
        notes.append(
            _(
                "%(n)d tiêu chí đã có công trình trong sổ công trình (kế hoạch, phê duyệt hoặc đang thi công, năm %(a)d–%(b)d): coi là đã cam kết, luôn được cấp vốn và tính vào ngân sách."
            )
            % {"n": len(entries), "a": year_from, "b": year_to}
        )
    if untied:
        notes.append(
            _(
                "%(n)d công trình đang thực hiện trong kỳ không gắn được với tiêu chí nào (sổ công trình không ghi tiêu chí): không tính là cam kết."
            )
            % {"n": untied}
        )
    if met_already:
        notes.append(
            _("%(n)d công trình trong kỳ thuộc tiêu chí xã đã đạt: không tính là cam kết.")
            % {"n": met_already}
        )
    return entries, notes
