"""Writes: assessments, indicator values, overrides, recognitions. Each is atomic, scoped and audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mtqg.core.audit import acting_user, record_change
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.uploads import extension, sniff
from mtqg.geo.models import UnitVersion
from mtqg.notifications.recipients import users_covering
from mtqg.notifications.services import notification_send

from . import engine
from .models import (
    RECOGNISED_TIERS,
    Assessment,
    CriteriaSet,
    CriteriaSetPeriod,
    Criterion,
    CriterionOverride,
    CriterionResult,
    DigitalInfrastructure,
    Indicator,
    IndicatorValue,
    Recognition,
    RecognitionTier,
    Status,
    Threshold,
)
from .periods import set_in_force
from .selectors import latest_assessments

TRUE_WORDS = {"1", "true", "có", "co", "đạt", "dat", "x", "yes"}
FALSE_WORDS = {"0", "false", "không", "khong", "không đạt", "khong dat", "chưa đạt", "chua dat", "no"}
NA_WORDS = {"na", "n/a", "kad", "không áp dụng", "khong ap dung"}


def _ensure(actor: Any, path: str) -> None:
    ensure_can_edit(actor, path)


def parse_value(indicator: Indicator, raw: Any) -> tuple[Decimal | None, bool]:
    """(value, not_applicable) from user input; ValueError with a Vietnamese message on bad input."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, False
    text = str(raw).strip().lower() if not isinstance(raw, bool) else ("1" if raw else "0")
    if text in NA_WORDS:
        if not indicator.if_applicable:
            raise ValueError(
                _("Chỉ tiêu %(code)s không phải loại 'nếu có', không thể đánh dấu không áp dụng.")
                % {"code": indicator.code}
            )
        return None, True
    if indicator.value_type == Indicator.Type.BOOL:
        if text in TRUE_WORDS:
            return Decimal(1), False
        if text in FALSE_WORDS:
            return Decimal(0), False
        raise ValueError(
            _("Chỉ tiêu %(code)s cần giá trị Đạt/Không đạt, nhận được '%(raw)s'.")
            % {"code": indicator.code, "raw": raw}
        )
    try:
        value = Decimal(text.replace("%", "").replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(
            _("Chỉ tiêu %(code)s cần một số, nhận được '%(raw)s'.") % {"code": indicator.code, "raw": raw}
        ) from exc
    if not value.is_finite() or value < 0:
        raise ValueError(_("Chỉ tiêu %(code)s: giá trị không được âm.") % {"code": indicator.code})
    if indicator.value_type == Indicator.Type.PERCENT and value > 100:
        raise ValueError(
            _("Chỉ tiêu %(code)s: tỷ lệ phải trong khoảng 0-100%%, nhận được %(raw)s.")
            % {"code": indicator.code, "raw": raw}
        )
    if indicator.value_type == Indicator.Type.COUNT and value != value.to_integral_value():
        raise ValueError(_("Chỉ tiêu %(code)s cần số nguyên.") % {"code": indicator.code})
    return value, False


def check_applicable(criteria_set: CriteriaSet, commune: UnitVersion, year: int, assessed_on: date) -> None:
    """A set applies to a commune's kind (xã unless the set lists others), to its province (a provincial set only
    in its own province, matched on identity across structures) and to the date (a period of the set covers the
    assessment date or 31/12 of the year) — decision record 0111. ValidationError in Vietnamese otherwise."""
    kinds = criteria_set.applies_to_kinds or [UnitVersion.Kind.COMMUNE]
    if commune.kind not in kinds:
        raise ValidationError(
            {
                "criteria_set": _("%(set)s không áp dụng cho %(kind)s (%(name)s): chỉ áp dụng cho %(kinds)s.")
                % {
                    "set": criteria_set.name,
                    "kind": commune.get_kind_display().lower(),
                    "name": commune.name,
                    "kinds": ", ".join(str(UnitVersion.Kind(k).label).lower() for k in kinds),
                }
            }
        )
    if criteria_set.province_id is not None:
        segments = commune.path.strip("/").split("/")
        province = UnitVersion.objects.filter(pk=int(segments[1])).first() if len(segments) > 1 else None
        if province is None or province.unit_id != criteria_set.province.unit_id:  # type: ignore[union-attr]
            raise ValidationError(
                {
                    "criteria_set": _("%(set)s là bộ tiêu chí của %(p)s, không áp dụng cho %(name)s.")
                    % {"set": criteria_set.name, "p": criteria_set.province, "name": commune.name}
                }
            )
    if criteria_set.province_id is None:
        _refuse_national_where_provincial(criteria_set, commune, assessed_on)
    dates = [assessed_on, date(year, 12, 31)]
    periods = criteria_set.periods.all()
    if not any(p.valid_from <= d and (p.valid_to is None or d <= p.valid_to) for p in periods for d in dates):
        spans = "; ".join(
            f"{p.valid_from:%d/%m/%Y}–{p.valid_to:%d/%m/%Y}" if p.valid_to else f"{p.valid_from:%d/%m/%Y}–…"
            for p in periods
        )
        raise ValidationError(
            {
                "criteria_set": _(
                    "%(set)s không áp dụng cho năm %(year)s (ngày đánh giá %(date)s); thời gian áp dụng: %(spans)s."
                )
                % {
                    "set": criteria_set.name,
                    "year": year,
                    "date": assessed_on.strftime("%d/%m/%Y"),
                    "spans": spans or _("chưa khai báo"),
                }
            }
        )


def _refuse_national_where_provincial(criteria_set: CriteriaSet, commune: UnitVersion, on: date) -> None:
    """Where the province's own set authored in the app is in force (acknowledged by central, decision record
    0120), its communes are assessed under it, not under the national set it inherits."""
    segments = commune.path.strip("/").split("/")
    province = UnitVersion.objects.filter(pk=int(segments[1])).first() if len(segments) > 1 else None
    if province is None:
        return
    own = (
        CriteriaSetPeriod.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            valid_from__lte=on,
            scope__endswith=f"-app-{criteria_set.tier}",
            criteria_set__province__unit_id=province.unit_id,
        )
        .select_related("criteria_set")
        .first()
    )
    if own is not None:
        raise ValidationError(
            {
                "criteria_set": _(
                    "%(p)s có bộ tiêu chí riêng đang áp dụng ngày %(d)s (%(set)s): đánh giá theo bộ đó, không theo "
                    "%(national)s."
                )
                % {
                    "p": province.name,
                    "d": on.strftime("%d/%m/%Y"),
                    "set": own.criteria_set.name,
                    "national": criteria_set.name,
                }
            }
        )


@transaction.atomic
def assessment_create(
    *,
    actor: Any,
    commune: UnitVersion,
    year: int,
    criteria_set: CriteriaSet,
    assessed_on: date | None = None,
    note: str = "",
) -> Assessment:
    _ensure(actor, commune.path)
    if commune.level != UnitVersion.Level.COMMUNE:
        raise ValidationError({"commune": _("Chỉ đánh giá NTM cho đơn vị cấp xã.")})
    assessed_on = assessed_on or date(year, 12, 31)
    if not commune.valid_on(assessed_on):
        raise ValidationError(
            {
                "commune": _("Xã %(name)s không còn hiệu lực ngày %(date)s.")
                % {"name": commune.name, "date": assessed_on.strftime("%d/%m/%Y")}
            }
        )
    check_applicable(criteria_set, commune, year, assessed_on)
    if Assessment.objects.filter(commune=commune, year=year, criteria_set=criteria_set).exists():
        raise ValidationError(_("Xã đã có đánh giá năm %(year)s theo bộ tiêu chí này.") % {"year": year})
    assessment = Assessment.objects.create(
        commune=commune, year=year, criteria_set=criteria_set, assessed_on=assessed_on, note=note
    )
    engine.recompute(Assessment.objects.filter(pk=assessment.pk))
    assessment.refresh_from_db()
    record_change(
        actor=actor,
        obj=assessment,
        action="created",
        changes={"year": [None, year], "criteria_set": [None, criteria_set.code]},
    )
    return assessment


@transaction.atomic
def indicator_values_set(
    *,
    actor: Any,
    assessment: Assessment,
    values: dict[str, Any],
    source: str = "",
    measured_on: date | None = None,
) -> Assessment:
    """Set indicator values by code; any bad cell → ValidationError {code: message}, nothing written."""
    _ensure(actor, assessment.commune.path)
    indicators = {
        i.code: i for i in Indicator.objects.filter(criterion__criteria_set=assessment.criteria_set)
    }
    parsed: dict[int, tuple[Decimal | None, bool]] = {}
    errors: dict[str, str] = {}
    for code, raw in values.items():
        indicator = indicators.get(str(code).strip())
        if indicator is None:
            errors[str(code)] = _("Không có chỉ tiêu mã %(code)s trong bộ tiêu chí %(set)s.") % {
                "code": code,
                "set": assessment.criteria_set.name,
            }
            continue
        try:
            parsed[indicator.pk] = parse_value(indicator, raw)
        except ValueError as exc:
            errors[indicator.code] = str(exc)
    if errors:
        raise ValidationError(errors)
    existing = {v.indicator_id: v for v in IndicatorValue.objects.filter(assessment=assessment)}
    by_id = {i.pk: i for i in indicators.values()}
    changes: dict[str, list[Any]] = {}
    new, changed = [], []
    for ind_id, (value, na) in parsed.items():
        row = existing.get(ind_id)
        code = by_id[ind_id].code
        if row is None:
            new.append(
                IndicatorValue(
                    assessment=assessment,
                    indicator_id=ind_id,
                    value=value,
                    not_applicable=na,
                    source=source,
                    measured_on=measured_on,
                )
            )
            changes[code] = [None, "KAD" if na else value]
        elif row.value != value or row.not_applicable != na:
            changes[code] = ["KAD" if row.not_applicable else row.value, "KAD" if na else value]
            row.value, row.not_applicable = value, na
            row.source = source or row.source
            row.measured_on = measured_on or row.measured_on
            changed.append(row)
    IndicatorValue.objects.bulk_create(new)
    IndicatorValue.objects.bulk_update(changed, ["value", "not_applicable", "source", "measured_on"])
    engine.recompute(Assessment.objects.filter(pk=assessment.pk))
    assessment.refresh_from_db()
    record_change(actor=actor, obj=assessment, action="updated", changes=changes)
    return assessment


@transaction.atomic
def criterion_override_set(
    *, actor: Any, assessment: Assessment, criterion: Criterion, status: str, reason: str
) -> CriterionOverride:
    _ensure(actor, assessment.commune.path)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Điều chỉnh trạng thái phải có lý do.")})
    if status not in Status.values:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    if criterion.criteria_set_id != assessment.criteria_set_id:
        raise ValidationError({"criterion": _("Tiêu chí không thuộc bộ tiêu chí của đánh giá.")})
    before = (
        CriterionResult.objects.filter(assessment=assessment, criterion=criterion)
        .values_list("status", flat=True)
        .first()
    )
    override, _c = CriterionOverride.objects.update_or_create(
        assessment=assessment,
        criterion=criterion,
        defaults={
            "status": status,
            "reason": reason.strip(),
            "created_by": acting_user(actor),
        },
    )
    engine.recompute(Assessment.objects.filter(pk=assessment.pk))
    record_change(
        actor=actor,
        obj=assessment,
        action="status",
        reason=reason.strip(),
        changes={f"tiêu chí {criterion.number}": [before, status]},
    )
    return override


@transaction.atomic
def criterion_override_clear(
    *, actor: Any, assessment: Assessment, criterion: Criterion, reason: str
) -> None:
    _ensure(actor, assessment.commune.path)
    deleted, _d = CriterionOverride.objects.filter(assessment=assessment, criterion=criterion).delete()
    if deleted:
        engine.recompute(Assessment.objects.filter(pk=assessment.pk))
        record_change(
            actor=actor,
            obj=assessment,
            action="status",
            reason=reason,
            changes={f"tiêu chí {criterion.number}": ["điều chỉnh", "theo quy tắc"]},
        )


def eligible_tier(assessment: Assessment) -> str | None:
    """The tier an assessment supports by rule: đạt chuẩn, the set's provincial 'cơ bản đạt', or None."""
    statuses = list(CriterionResult.objects.filter(assessment=assessment).values_list("status", flat=True))
    return tier_from_counts(
        assessment.criteria_set, assessment.criteria_met, assessment.criteria_total, statuses
    )


def tier_from_counts(cset: CriteriaSet, met: int, total: int, statuses: list[str]) -> str | None:
    if total and met == total:
        return RecognitionTier.STANDARD
    if engine.basic_tier_ok(cset, met, statuses):
        return RecognitionTier.BASIC
    return None


def valid_recognitions(on: date) -> Any:
    return Recognition.objects.filter(decision_date__lte=on).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on)
    )


PREREQUISITE_WITHOUT_RULE = {  # used only on dates with no encoded tier rule (flagged in the recognition)
    RecognitionTier.ADVANCED: (RecognitionTier.STANDARD, RecognitionTier.ADVANCED, RecognitionTier.MODEL),
    RecognitionTier.MODEL: (RecognitionTier.ADVANCED, RecognitionTier.MODEL),
    RecognitionTier.MODERN: (
        RecognitionTier.STANDARD,
        RecognitionTier.ADVANCED,
        RecognitionTier.MODEL,
        RecognitionTier.MODERN,
    ),
}


def _tier_rule_set(
    tier: str, on: date, commune: UnitVersion, criteria_set: CriteriaSet | None
) -> tuple[CriteriaSet | None, dict[str, Any] | None]:
    """The set holding the tier's rule (data, decision record 0112): the given set if it has one, else the
    advanced set (nâng cao, kiểu mẫu) or the standard set (hiện đại) applying on the decision date."""

    if criteria_set is not None and (criteria_set.tier_rule or {}).get(tier):
        return criteria_set, criteria_set.tier_rule[tier]
    segments = commune.path.strip("/").split("/")
    province = UnitVersion.objects.filter(pk=int(segments[1])).first() if len(segments) > 1 else None
    scope_tier = (
        CriteriaSet.SetTier.STANDARD if tier == RecognitionTier.MODERN else CriteriaSet.SetTier.ADVANCED
    )
    found = set_in_force(on, tier=scope_tier, province=province)
    if found is None or not (found.criteria_set.tier_rule or {}).get(tier):
        return None, None
    return found.criteria_set, found.criteria_set.tier_rule[tier]


def check_higher_tier(
    *,
    commune: UnitVersion,
    tier: str,
    decision_date: date,
    standard_year: int,
    criteria_set: CriteriaSet | None,
    conditions: dict[str, Any],
) -> tuple[CriteriaSet | None, dict[str, Any]]:
    """Nâng cao / kiểu mẫu / hiện đại against the tier rule in force (prerequisite tier, the advanced set's
    assessment, own conditions). Returns the rule's set and what was checked; ValidationError otherwise."""
    labels = dict(RecognitionTier.choices)
    rules_set, rule = _tier_rule_set(tier, decision_date, commune, criteria_set)
    required = tuple(rule["requires"]) if rule else PREREQUISITE_WITHOUT_RULE.get(tier, ())  # type: ignore[call-overload]
    if not valid_recognitions(decision_date).filter(commune=commune, tier__in=required).exists():
        raise ValidationError(
            {
                "tier": _("Xã phải được công nhận %(need)s trước khi xét %(tier)s%(cite)s.")
                % {
                    "need": str(labels[required[0]]),
                    "tier": str(labels[tier]),
                    "cite": f" ({rule['citation']})" if rule else "",
                }
            }
        )
    if rule is None or rules_set is None:
        return None, {
            "rule": None,
            "note": _(
                "Chưa mã hóa điều kiện hạng cho ngày %(d)s: chỉ kiểm tra hạng tiên quyết (chưa xác minh)."
            )
            % {"d": decision_date.strftime("%d/%m/%Y")},
        }
    assessment = None
    if rule.get("assessment") == "all_met":
        assessment = _all_met_assessment(commune, rules_set, standard_year)
    problems = []
    confirmed: dict[str, Any] = {}
    for cond in rule.get("conditions", []):
        if cond["kind"] == "income_margin":
            problem = _income_margin_problem(assessment, rules_set, cond)
            if problem:
                problems.append(problem)
        elif not conditions.get(cond["code"]):
            problems.append(_("chưa xác nhận: %(label)s (%(cite)s)") % cond_text(cond))
        else:
            confirmed[cond["code"]] = conditions[cond["code"]]
    if problems:
        raise ValidationError(
            {
                "tier": _("Chưa đủ điều kiện %(tier)s: %(p)s.")
                % {"tier": labels[tier], "p": "; ".join(problems)}
            }
        )
    return rules_set, {
        "rule_set": rules_set.code,
        "citation": rule.get("citation", ""),
        "unconfirmed": bool(rule.get("unconfirmed")),
        "assessment": assessment.pk if assessment else None,
        "conditions": confirmed,
    }


def confirm_conditions(assessment: Assessment) -> list[dict[str, Any]]:
    """The own conditions a user confirms when recording a higher tier from this assessment (rule data)."""

    sets = [assessment.criteria_set]
    found = set_in_force(assessment.assessed_on, tier=CriteriaSet.SetTier.ADVANCED)
    if found is not None:
        sets.append(found.criteria_set)
    out: dict[str, dict[str, Any]] = {}
    for cset in sets:
        for tier, rule in (cset.tier_rule or {}).items():
            for cond in rule.get("conditions", []):
                if cond["kind"] == "confirm":
                    out.setdefault(cond["code"], {**cond, "tier": tier})
    return list(out.values())


def cond_text(cond: dict[str, Any]) -> dict[str, str]:
    return {"label": cond["label"], "cite": cond.get("citation", "")}


def _all_met_assessment(commune: UnitVersion, rules_set: CriteriaSet, year: int) -> Assessment:
    assessment = Assessment.objects.filter(commune=commune, year=year, criteria_set=rules_set).first()
    if assessment is None:
        raise ValidationError(
            {
                "standard_year": _("Chưa có đánh giá năm %(year)s theo %(set)s để đối chiếu.")
                % {"year": year, "set": rules_set.name}
            }
        )
    failing = list(
        CriterionResult.objects.filter(assessment=assessment)
        .exclude(status__in=[Status.MET, Status.NA])
        .order_by("criterion__number")
        .values_list("criterion__number", "status")
    )
    if failing:
        not_met = ", ".join(str(n) for n, st in failing if st != Status.UNKNOWN)
        unknown = ", ".join(str(n) for n, st in failing if st == Status.UNKNOWN)
        parts = []
        if not_met:
            parts.append(_("tiêu chí chưa đạt: %(n)s") % {"n": not_met})
        if unknown:
            parts.append(
                _("tiêu chí chưa xác định (thiếu số liệu hoặc chưa có ngưỡng): %(n)s") % {"n": unknown}
            )
        raise ValidationError(
            {
                "tier": _("Đánh giá năm %(year)s theo %(set)s: %(parts)s.")
                % {"year": year, "set": rules_set.name, "parts": "; ".join(parts)}
            }
        )
    return assessment


def _income_margin_problem(
    assessment: Assessment | None, rules_set: CriteriaSet, cond: dict[str, Any]
) -> str:
    if assessment is None:
        return str(_("không có đánh giá để so thu nhập"))
    book = engine.Book(rules_set.pk)
    ind = book.by_code.get(cond["indicator"])
    value = (
        IndicatorValue.objects.filter(assessment=assessment, indicator_id=ind.id)
        .values_list("value", flat=True)
        .first()
        if ind
        else None
    )
    rule = book.rule(ind.id, assessment.region, assessment.year) if ind else None
    if value is None or rule is None or rule.value is None:
        return _("chưa xác định ngưỡng hoặc số liệu thu nhập nâng cao (%(cite)s)") % {
            "cite": cond.get("citation", "")
        }
    need = rule.value * (Decimal(100) + Decimal(cond["margin_pct"])) / Decimal(100)
    if value < need:
        return _("thu nhập %(v)s < %(need)s (ngưỡng nâng cao %(t)s + %(m)s%%)%(flag)s") % {
            "v": engine.fmt(value, ind),  # type: ignore[arg-type]
            "need": engine.fmt(need, ind),  # type: ignore[arg-type]
            "t": engine.fmt(rule.value, ind),  # type: ignore[arg-type]
            "m": cond["margin_pct"],
            "flag": " [ngưỡng chưa xác minh]" if rule.unconfirmed else "",
        }
    return ""


@transaction.atomic
def recognition_create(
    *,
    actor: Any,
    commune: UnitVersion,
    tier: str,
    decision_no: str,
    decision_date: date,
    standard_year: int,
    authority: str = "",
    criteria_set: CriteriaSet | None = None,
    council_vote: str = "",
    satisfaction_pct: Decimal | None = None,
    no_construction_debt: bool | None = None,
    note: str = "",
    conditions: dict[str, Any] | None = None,
) -> Recognition:
    """Record a recognition after checking it against the computed assessment (no silent inheritance)."""
    _ensure(actor, commune.path)
    if tier not in RecognitionTier.values:
        raise ValidationError({"tier": _("Hạng công nhận không hợp lệ.")})
    if not decision_no.strip():
        raise ValidationError({"decision_no": _("Thiếu số quyết định.")})
    if not commune.valid_on(decision_date):
        raise ValidationError(
            {
                "commune": _(
                    "Xã %(name)s không còn hiệu lực ngày quyết định; xã sau sáp nhập phải được xét công nhận lại, "
                    "không kế thừa danh hiệu của xã cũ."
                )
                % {"name": commune.name}
            }
        )
    if tier in (RecognitionTier.STANDARD, RecognitionTier.BASIC):
        qs = Assessment.objects.filter(commune=commune, year=standard_year)
        if criteria_set is not None:
            qs = qs.filter(criteria_set=criteria_set)
        assessment = qs.select_related("criteria_set").first()
        if assessment is None:
            raise ValidationError(
                {
                    "standard_year": _("Chưa có đánh giá năm %(year)s của xã để đối chiếu.")
                    % {"year": standard_year}
                }
            )
        found = eligible_tier(assessment)
        ok = found == RecognitionTier.STANDARD or (
            tier == RecognitionTier.BASIC and found == RecognitionTier.BASIC
        )
        if not ok:
            raise ValidationError(
                {
                    "tier": _(
                        "Kết quả đánh giá năm %(year)s (%(met)s/%(total)s tiêu chí đạt) "
                        "chưa đủ điều kiện hạng này."
                    )
                    % {
                        "year": standard_year,
                        "met": assessment.criteria_met,
                        "total": assessment.criteria_total,
                    }
                }
            )
        criteria_set = criteria_set or assessment.criteria_set
        checked: dict[str, Any] = {}
    else:
        rules_set, checked = check_higher_tier(
            commune=commune,
            tier=tier,
            decision_date=decision_date,
            standard_year=standard_year,
            criteria_set=criteria_set,
            conditions=conditions or {},
        )
        criteria_set = rules_set or criteria_set
    if satisfaction_pct is not None and not 0 <= satisfaction_pct <= 100:
        raise ValidationError({"satisfaction_pct": _("Tỷ lệ hài lòng phải trong khoảng 0-100%.")})
    rec = Recognition.objects.create(
        commune=commune,
        tier=tier,
        decision_no=decision_no.strip(),
        decision_date=decision_date,
        standard_year=standard_year,
        authority=authority,
        criteria_set=criteria_set,
        council_vote=council_vote,
        satisfaction_pct=satisfaction_pct,
        no_construction_debt=no_construction_debt,
        note=note,
        conditions=checked,
    )
    record_change(
        actor=actor,
        obj=rec,
        action="created",
        changes={
            "tier": [None, tier],
            "decision_no": [None, rec.decision_no],
            "decision_date": [None, decision_date],
        },
    )
    _notify(
        rec,
        _("Công nhận %(tier)s: %(name)s (%(no)s)")
        % {"tier": rec.get_tier_display(), "name": commune.name, "no": rec.decision_no},
        key=f"ntm.recognition.{rec.pk}.created",
    )
    return rec


def _notify(rec: Recognition, title: str, *, key: str, body: str = "") -> None:
    """Tell the users whose scope covers the commune (category ntm.recognition, mutable by each user)."""

    notification_send(
        recipients=users_covering(rec.commune.path),
        category="ntm.recognition",
        title=title,
        body=body,
        url=f"/ntm/recognitions/?unit={rec.commune_id}",
        key=key,
    )


@transaction.atomic
def recognition_revoke(
    *, actor: Any, recognition: Recognition, revoked_on: date, decision_no: str, reason: str
) -> Recognition:
    _ensure(actor, recognition.commune.path)
    if not reason.strip():
        raise ValidationError({"reason": _("Thu hồi phải có lý do.")})
    if revoked_on < recognition.decision_date:
        raise ValidationError({"revoked_on": _("Ngày thu hồi trước ngày công nhận.")})
    before = recognition.revoked_on
    recognition.revoked_on = revoked_on
    recognition.revocation_decision = decision_no
    recognition.save(update_fields=["revoked_on", "revocation_decision"])
    record_change(
        actor=actor,
        obj=recognition,
        action="status",
        reason=reason,
        changes={"revoked_on": [before, revoked_on]},
    )
    _notify(
        recognition,
        _("Thu hồi %(tier)s: %(name)s (%(no)s)")
        % {
            "tier": recognition.get_tier_display(),
            "name": recognition.commune.name,
            "no": decision_no or recognition.decision_no,
        },
        key=f"ntm.recognition.{recognition.pk}.revoked.{revoked_on.isoformat()}",
        body=reason.strip(),
    )
    return recognition


DIGITAL_FIELDS = (
    "has_radio",
    "mobile_signal",
    "has_internet",
    "has_postal_point",
    "online_services",
    "source",
    "note",
)


@transaction.atomic
def digital_infrastructure_set(*, actor: Any, unit: UnitVersion, year: int, **fields: Any) -> Any:
    """Create or update one unit-year record of radio, mobile signal, internet, post and online services."""

    _ensure(actor, unit.path)
    unknown = set(fields) - set(DIGITAL_FIELDS)
    if unknown:
        raise ValidationError({k: _("Trường không hợp lệ.") for k in unknown})
    if unit.level not in (UnitVersion.Level.COMMUNE, UnitVersion.Level.VILLAGE):
        raise ValidationError({"unit": _("Chỉ ghi nhận cho xã hoặc thôn, bản.")})
    signal = fields.get("mobile_signal", "")
    if signal and signal not in DigitalInfrastructure.Signal.values:
        raise ValidationError({"mobile_signal": _("Giá trị sóng di động không hợp lệ.")})
    row = DigitalInfrastructure.objects.filter(unit=unit, year=year).first()
    before = {k: getattr(row, k) for k in fields} if row else {}
    if row is None:
        row = DigitalInfrastructure(unit=unit, year=year)
    for key, value in fields.items():
        setattr(row, key, value)
    row.full_clean()
    row.save()
    record_change(
        actor=actor,
        obj=row,
        action="updated" if before else "created",
        changes={k: [before.get(k), v] for k, v in fields.items() if before.get(k) != v},
    )
    return row


# the kinds of evidence (judged from the bytes, decision record 0106) → the extensions that may name each
EVIDENCE_EXTENSIONS = {"pdf": ("pdf",), "png": ("png",), "jpg": ("jpg", "jpeg")}


def sniff_evidence(upload: UploadedFile) -> str:
    """The file's real type from its first bytes ('pdf', 'png', 'jpg'); ValidationError in Vietnamese otherwise."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError({"evidence": _("Tệp minh chứng rỗng.")})
    if upload.size > limit:
        raise ValidationError(
            {
                "evidence": _("Tệp minh chứng vượt quá %(mb)s MB (tệp gửi lên %(size)s MB).")
                % {"mb": round(limit / (1024 * 1024), 1), "size": round(upload.size / (1024 * 1024), 1)}
            }
        )
    kind = sniff(upload, EVIDENCE_EXTENSIONS)
    ext = extension(upload)
    if kind is not None and ext not in EVIDENCE_EXTENSIONS[kind]:
        raise ValidationError(
            {
                "evidence": _("Đuôi tệp '.%(ext)s' không khớp nội dung tệp (%(kind)s).")
                % {"ext": ext, "kind": kind.upper()}
            }
        )
    if kind is not None:
        return kind
    raise ValidationError(
        {"evidence": _("Chỉ chấp nhận minh chứng PDF, JPEG hoặc PNG (nội dung tệp không phải các loại này).")}
    )


@transaction.atomic
def indicator_value_evidence_set(
    *, actor: Any, value: IndicatorValue, upload: UploadedFile
) -> IndicatorValue:
    """Attach (or replace) the evidence file of one indicator value; type is sniffed from the content."""
    _ensure(actor, value.assessment.commune.path)
    kind = sniff_evidence(upload)
    before = value.evidence.name or None
    code = value.indicator.code
    value.evidence.save(
        f"{value.assessment.commune.code}-{value.assessment.year}-{code}.{kind}", upload, save=False
    )
    value.save(update_fields=["evidence"])
    record_change(
        actor=actor,
        obj=value.assessment,
        action="updated",
        changes={f"minh chứng {code}": [before, value.evidence.name]},
    )
    if before and before != value.evidence.name:  # the replaced file goes once the new one is committed
        storage = value.evidence.storage
        transaction.on_commit(lambda: storage.delete(before))
    return value


@transaction.atomic
def indicator_value_evidence_clear(*, actor: Any, value: IndicatorValue, reason: str) -> None:
    _ensure(actor, value.assessment.commune.path)
    if not value.evidence:
        return
    before = value.evidence.name
    value.evidence.delete(save=False)
    value.evidence = ""
    value.save(update_fields=["evidence"])
    record_change(
        actor=actor,
        obj=value.assessment,
        action="updated",
        reason=reason,
        changes={f"minh chứng {value.indicator.code}": [before, None]},
    )


@transaction.atomic
def assessments_recompute(*, actor: Any, criteria_set: CriteriaSet, progress: Any = None) -> int:
    """Recompute every assessment of a set the actor may edit (all of them for a system job), e.g. after a
    threshold was corrected in the admin; one ChangeRecord summarises the batch."""
    qs = Assessment.objects.filter(criteria_set=criteria_set)
    if actor is not None:
        qs = qs.editable_by(actor)
    ids = list(qs.values_list("pk", flat=True).order_by("pk"))
    if not ids:
        raise ValidationError(_("Không có đánh giá nào theo bộ tiêu chí này trong phạm vi của bạn."))
    done = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        done += engine.recompute(Assessment.objects.filter(pk__in=chunk))
        if progress is not None:
            progress(
                int(done * 100 / len(ids)), _("Đã tính lại %(n)s/%(m)s đánh giá") % {"n": done, "m": len(ids)}
            )
    record_change(
        actor=actor,
        obj=criteria_set,
        action="updated",
        changes={"recomputed_assessments": [None, done]},
    )
    return done


def _set_path(criteria_set: CriteriaSet) -> str:
    if criteria_set.province_id is not None:
        return criteria_set.province.path  # type: ignore[union-attr]
    country = UnitVersion.objects.filter(level=UnitVersion.Level.COUNTRY).first()
    return country.path if country else ""


@transaction.atomic
def threshold_confirm(*, actor: Any, threshold: Any, source: str) -> Any:
    """An authorised user (edit rights over the issuing province, or the country for a national set) confirms an
    unconfirmed threshold by citing its source; the change record keeps the history (decision record 0113).
    Statuses change on the next recompute of the set ("Tính lại trạng thái")."""

    cset = threshold.indicator.criterion.criteria_set
    _ensure(actor, _set_path(cset))
    source = (source or "").strip()
    if len(source) < 5:
        raise ValidationError({"source": _("Ghi rõ văn bản, điều khoản làm nguồn khi xác nhận ngưỡng.")})
    if not threshold.unconfirmed:
        raise ValidationError({"source": _("Ngưỡng này đã được xác nhận.")})
    threshold = Threshold.objects.select_for_update().get(pk=threshold.pk)
    old_source = threshold.source
    threshold.unconfirmed = False
    threshold.source = source[:255]
    threshold.save(update_fields=["unconfirmed", "source"])
    record_change(
        actor=actor,
        obj=threshold,
        action="updated",
        changes={"unconfirmed": [True, False], "source": [old_source, threshold.source]},
        unit_path=cset.province.path if cset.province is not None else "",
    )
    return threshold


def recognised_recompute(*, on: date) -> int:
    """Re-evaluate every commune recognised on a date: recompute its latest standard assessment (system job; the
    benchmark target is < 30 s for the country). Returns the number of assessments recomputed."""

    ids = list(
        valid_recognitions(on)
        .filter(tier__in=RECOGNISED_TIERS)
        .values_list("commune_id", flat=True)
        .distinct()
    )
    latest = latest_assessments(ids, on)
    return engine.recompute(Assessment.objects.filter(pk__in=[a["id"] for a in latest.values()]))
