"""Writes of the planning app: atomic, scope-checked (actor None = system job), audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import acting_user, record_change
from mtqg.core.scoping import ensure_can_edit
from mtqg.finance.models import InvestorLevel, Program, Source, Work
from mtqg.finance.services import allocation_create, work_create
from mtqg.geo.models import UnitVersion

from .models import Scenario
from .planner import compute, parse_money


def _check(actor: Any, path: str) -> None:
    ensure_can_edit(actor, path)


@transaction.atomic
def scenario_create(
    *,
    actor: Any,
    province: UnitVersion,
    name: str,
    as_of: date,
    budget: Any,
    mode: str = Scenario.Mode.CRITERION,
    objective: str = Scenario.Objective.COMMUNES,
    rules: dict[str, Any] | None = None,
    note: str = "",
    with_sensitivity: bool = True,
) -> Scenario:
    """Compute and save a named scenario. Bad input (negative budget, missing costs, contradictory rules) raises a
    Vietnamese ValidationError and nothing is saved."""
    _check(actor, province.path)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Cần đặt tên cho kịch bản.")})
    if province.level > UnitVersion.Level.PROVINCE:
        raise ValidationError({"province": _("Kịch bản lập cho một tỉnh hoặc cả nước.")})
    if Scenario.objects.filter(province=province, name=name).exists():
        raise ValidationError({"name": _("Đã có kịch bản tên “%(n)s” cho địa bàn này.") % {"n": name}})
    amount = parse_money(budget, "budget", label=_("Ngân sách"))
    if mode not in Scenario.Mode.values:
        raise ValidationError({"mode": _("Mức mô hình không hợp lệ.")})
    if objective not in Scenario.Objective.values:
        raise ValidationError({"objective": _("Mục tiêu không hợp lệ.")})
    result = compute(
        province,
        as_of,
        amount,
        mode,
        objective,
        rules or {},
        acting_user(actor),
        with_sensitivity=with_sensitivity,
    )
    scenario = Scenario.objects.create(
        province=province,
        name=name,
        as_of=as_of,
        budget=amount,
        mode=mode,
        objective=objective,
        rules=rules or {},
        result=result,
        note=note,
        created_by=acting_user(actor),
    )
    plan = next(r for r in result["side_by_side"] if r["method"] == "optimiser")
    record_change(
        actor=actor,
        obj=scenario,
        action="created",
        changes={"budget": [None, amount], "communes_reaching": [None, plan["communes_reaching"]]},
    )
    return scenario


@transaction.atomic
def scenario_delete(*, actor: Any, scenario: Scenario) -> None:
    _check(actor, scenario.province.path)
    scenario.refresh_from_db(fields=["converted_at"])
    if scenario.converted_at:
        raise ValidationError(_("Kịch bản đã chuyển thành kế hoạch vốn, không xóa được."))
    record_change(actor=actor, obj=scenario, action="deleted", changes={"name": [scenario.name, None]})
    scenario.delete()


@transaction.atomic
def scenario_to_finance(
    *, actor: Any, scenario: Scenario, program_code: str = "NTM", year: int, source: str = "nstw_dtpt"
) -> int:
    """Turn the optimiser plan into draft works (status 'kế hoạch') with their capital allocations in the finance
    ledger, through the finance services (each audited); the approval workflow takes them from there. Returns the
    number of works created."""

    locked = Scenario.objects.select_for_update().select_related("province").get(pk=scenario.pk)
    _check(actor, locked.province.path)
    if locked.converted_at:
        raise ValidationError(_("Kịch bản này đã được chuyển thành kế hoạch vốn."))
    program = Program.objects.filter(code=program_code).first()
    if program is None:
        raise ValidationError({"program": _("Không có chương trình mã %(c)s.") % {"c": program_code}})
    if source not in Source.values:
        raise ValidationError({"source": _("Nguồn vốn không hợp lệ.")})
    ids = [c["id"] for c in locked.result.get("communes", []) if any(g["funded"] for g in c["gaps"])]
    units = {u.pk: u for u in UnitVersion.objects.filter(pk__in=ids)}
    created = 0
    for row in locked.result.get("communes", []):
        gaps = [g for g in row["gaps"] if g["funded"]]
        if not gaps:
            continue
        commune = units[row["id"]]
        for g in gaps:
            work = work_create(
                actor=actor,
                commune=commune,
                code=f"KB{locked.pk}-{commune.code}-TC{g['criterion']:02d}",
                name=_("%(c)s: đầu tư đạt tiêu chí %(k)d %(n)s (từ kịch bản “%(s)s”)")
                % {"c": commune.name, "k": g["criterion"], "n": g["name"], "s": locked.name},
                kind=Work.Kind.INFRASTRUCTURE,
                program=program,
                investor_level=InvestorLevel.COMMUNE,
                year=year,
                total_investment=g["cost"],
                description=_("Dự thảo từ kịch bản phân bổ #%(id)d; chờ phê duyệt.") % {"id": locked.pk},
            )
            allocation_create(
                actor=actor,
                unit=commune,
                program=program,
                year=year,
                source=source,
                amount=g["cost"],
                investor_level=InvestorLevel.COMMUNE,
                work=work,
                decision_ref=_("Dự thảo kịch bản #%(id)d") % {"id": locked.pk},
            )
            created += 1
    if not created:
        raise ValidationError(_("Phương án không cấp vốn cho tiêu chí nào: không có gì để chuyển."))
    locked.converted_at = timezone.now()
    locked.save(update_fields=["converted_at"])
    record_change(
        actor=actor, obj=locked, action="converted", changes={"works": [None, created], "year": [None, year]}
    )
    return created
