"""Provincial criteria sets authored in the app (issue 22 part 4; decision records 0120-0122).

A provincial officer holding the permission `ntm.author_provincial_set` (and edit scope over the province) creates a
draft version inheriting the national set in force, overrides thresholds, adds or splits indicators, cites the
province's decision (number, date, issuing body, PDF) and submits it; a central user holding
`ntm.acknowledge_provincial_set` acknowledges it, which puts it in force (a CriteriaSetPeriod of the scope
`p<code>-app-<tier>`) and moves the province's assessments in its validity onto it. Every write is atomic, scoped
(`ensure_can_edit` on the province path) and leaves a change record.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import acting_user, record_change
from mtqg.core.scoping import ensure_can_edit, path_editable
from mtqg.geo.models import UnitVersion

from . import engine
from .models import (
    Assessment,
    CriteriaSet,
    CriteriaSetPeriod,
    Criterion,
    CriterionOverride,
    Indicator,
    IndicatorValue,
    Threshold,
    ThresholdSource,
)
from .periods import set_in_force
from .services import sniff_evidence

AUTHOR_PERM = "ntm.author_provincial_set"
ACK_PERM = "ntm.acknowledge_provincial_set"
SOURCES_FILE = Path(__file__).parent / "data" / "threshold_sources.json"


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "…"


# ---------------------------------------------------------------------------------------------------------- rights


def _country_path() -> str:
    country = UnitVersion.objects.filter(level=UnitVersion.Level.COUNTRY).order_by("pk").first()
    return country.path if country else "/"


def can_author(user: Any, province: UnitVersion | None) -> bool:
    """The permission and edit scope over the province (the one scoping mechanism)."""
    if user is None or province is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_perm(AUTHOR_PERM)) and path_editable(user, province.path)


def can_acknowledge(user: Any) -> bool:
    """Central only: the permission and edit scope over the whole country."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_perm(ACK_PERM)) and path_editable(user, _country_path())


def _ensure_author(actor: Any, province: UnitVersion) -> None:
    if actor is None:  # system job (demo, loaders)
        return
    ensure_can_edit(actor, province.path)
    if not actor.has_perm(AUTHOR_PERM):
        raise PermissionDenied(_("Bạn không có quyền soạn bộ tiêu chí xã NTM của tỉnh."))


def _ensure_draft(cset: CriteriaSet) -> None:
    if not cset.authored or cset.province_id is None:
        raise ValidationError(
            _("Chỉ sửa được bộ tiêu chí tỉnh soạn trên hệ thống; bộ nạp từ văn bản là dữ liệu gốc.")
        )
    if cset.state != CriteriaSet.State.DRAFT:
        raise ValidationError(
            _("Phiên bản %(v)s của %(name)s %(state)s, không sửa được; hãy tạo phiên bản mới.")
            % {"v": cset.version, "name": cset.name, "state": cset.get_state_display().lower()}
        )


def _edit(actor: Any, cset: CriteriaSet) -> None:
    _ensure_author(actor, cset.province)  # type: ignore[arg-type]
    _ensure_draft(cset)


def _log(actor: Any, cset: CriteriaSet, action: str, changes: dict[str, Any], reason: str = "") -> None:
    record_change(
        actor=actor,
        obj=cset,
        action=action,
        changes=changes,
        reason=reason,
        unit_path=cset.province.path if cset.province is not None else "",
    )


# --------------------------------------------------------------------------------------------------------- sources


@transaction.atomic
def threshold_sources_load() -> int:
    """Sector-ministry decisions holding delegated values (data file, idempotent)."""
    data = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))
    n = 0
    for item in data["sources"]:
        ThresholdSource.objects.update_or_create(
            code=item["code"],
            defaults={
                "decision_no": item["decision_no"],
                "decision_date": date.fromisoformat(item["decision_date"])
                if item.get("decision_date")
                else None,
                "effective_from": date.fromisoformat(item["effective_from"])
                if item.get("effective_from")
                else None,
                "issuer": item["issuer"],
                "title": item.get("title", ""),
                "criteria": item.get("criteria", ""),
                "reference": item.get("reference", ""),
                "unconfirmed": bool(item.get("unconfirmed")),
            },
        )
        source = ThresholdSource.objects.get(code=item["code"])
        for cite in item.get("cites", []):
            # ids first, then the update by primary key: PostgreSQL planned the joined UPDATE … IN (SELECT …) on
            # fresh tables as a scan per row (18 s a statement in the test databases)
            ids = list(
                Threshold.objects.filter(
                    indicator__criterion__criteria_set__code=cite["set"],
                    indicator__code__in=cite["indicators"],
                    cited_source__isnull=True,
                ).values_list("pk", flat=True)
            )
            Threshold.objects.filter(pk__in=ids).update(cited_source=source)
        n += 1
    return n


# ---------------------------------------------------------------------------------------------------------- create


def province_code_of(province: UnitVersion, tier: str) -> str:
    return f"tinh-{province.code}-{'nc' if tier == CriteriaSet.SetTier.ADVANCED else 'xa'}"


def scope_of(cset: CriteriaSet) -> str:
    return f"p{cset.province.code}-app-{cset.tier}"  # type: ignore[union-attr]


@transaction.atomic
def criteria_set_inherit(
    *,
    actor: Any,
    province: UnitVersion,
    valid_from: date,
    tier: str = CriteriaSet.SetTier.STANDARD,
    name: str = "",
) -> CriteriaSet:
    """A new draft version for the province inheriting the national set in force on `valid_from`: criteria,
    indicators and thresholds copied with a reference (`inherited_from`) to the national row each stands for."""
    if province.level != UnitVersion.Level.PROVINCE:
        raise ValidationError({"province": _("Bộ tiêu chí cấp tỉnh chỉ do đơn vị cấp tỉnh ban hành.")})
    _ensure_author(actor, province)
    if not province.valid_on(valid_from):
        raise ValidationError(
            {
                "valid_from": _("Tỉnh %(name)s không còn hiệu lực ngày %(date)s.")
                % {"name": province.name, "date": _d(valid_from)}
            }
        )
    found = set_in_force(valid_from, tier=tier)
    if found is None:
        raise ValidationError(
            {
                "valid_from": _("Không có bộ tiêu chí quốc gia áp dụng ngày %(date)s để kế thừa.")
                % {"date": _d(valid_from)}
            }
        )
    parent = found.criteria_set
    code = province_code_of(province, tier)
    open_draft = CriteriaSet.objects.filter(code=code, state=CriteriaSet.State.DRAFT).first()
    if open_draft is not None:
        raise ValidationError(
            _("Tỉnh đang có dự thảo phiên bản %(v)s chưa gửi; hoàn thiện hoặc gửi dự thảo đó trước.")
            % {"v": open_draft.version}
        )
    version = (CriteriaSet.objects.filter(code=code).aggregate(m=Max("version"))["m"] or 0) + 1
    base = (  # the province's latest acknowledged version on the same national set carries its changes forward
        CriteriaSet.objects.filter(code=code, parent=parent, state=CriteriaSet.State.ACKNOWLEDGED)
        .order_by("-version")
        .first()
    )
    cset = CriteriaSet.objects.create(
        code=code,
        version=version,
        name=name.strip()
        or _("Bộ tiêu chí xã NTM tỉnh %(p)s (từ %(d)s)") % {"p": province.name, "d": _d(valid_from)},
        tier=tier,
        legal_basis=_("Dự thảo kế thừa %(set)s") % {"set": parent.name},
        valid_from=valid_from,
        dimension_scheme=parent.dimension_scheme,
        region_overrides=parent.region_overrides,
        parent=parent,
        province=province,
        basic_tier_rule=parent.basic_tier_rule,
        applies_to_kinds=parent.applies_to_kinds,
        tier_rule=parent.tier_rule,
        state=CriteriaSet.State.DRAFT,
        authored=True,
        created_by=acting_user(actor),
    )
    counts = copy_rows(base or parent, cset)
    changes = {"parent": [None, parent.code], "version": [None, version], **counts}
    if base is not None:
        changes["từ phiên bản"] = [None, base.version]
    _log(actor, cset, "created", changes)
    return cset


# What a copied row keeps as it is; the references (set, criterion, indicator, inherited row) are set per copy.
CRITERION_COPIED = ("number", "name", "group", "unconfirmed")
INDICATOR_COPIED = (
    "code",
    "name",
    "value_type",
    "unit_label",
    "if_applicable",
    "register_measure",
    "order",
    "unconfirmed",
)
THRESHOLD_COPIED = (
    "region",
    "year",
    "op",
    "value",
    "basic_value",
    "source",
    "unconfirmed",
    "cited_source_id",
)


def _copied(row: Any, fields: tuple[str, ...], **values: Any) -> Any:
    """An unsaved row of the same model: `fields` copied from `row`, `values` for the rest."""
    return type(row)(**{name: getattr(row, name) for name in fields}, **values)


def copy_rows(parent: CriteriaSet, cset: CriteriaSet) -> dict[str, list[Any]]:
    """Copy the criteria, indicators and thresholds of `parent` (the national set, or an earlier provincial version
    whose references to the national rows, origins and overrides are kept) into `cset` (three bulk inserts)."""
    keep = parent.authored  # copying a provincial version: references still point at the national rows
    crits = list(Criterion.objects.filter(criteria_set=parent).order_by("number"))
    new_crits = Criterion.objects.bulk_create(
        [
            _copied(
                c,
                CRITERION_COPIED,
                criteria_set=cset,
                inherited_from_id=c.inherited_from_id if keep else c.pk,
            )
            for c in crits
        ]
    )
    crit_map = {old.pk: new.pk for old, new in zip(crits, new_crits, strict=True)}
    inds = list(
        Indicator.objects.filter(criterion__criteria_set=parent).order_by("criterion__number", "order")
    )
    new_inds = Indicator.objects.bulk_create(
        [
            _copied(
                i,
                INDICATOR_COPIED,
                criterion_id=crit_map[i.criterion_id],
                origin=i.origin if keep else Indicator.Origin.INHERITED,
                inherited_from_id=i.inherited_from_id if keep else i.pk,
            )
            for i in inds
        ]
    )
    ind_map = {old.pk: new.pk for old, new in zip(inds, new_inds, strict=True)}
    thresholds = Threshold.objects.bulk_create(
        [
            _copied(
                t,
                THRESHOLD_COPIED,
                indicator_id=ind_map[t.indicator_id],
                inherited_from_id=t.inherited_from_id if keep else t.pk,
                overridden=t.overridden if keep else False,
            )
            for t in Threshold.objects.filter(indicator__criterion__criteria_set=parent)
        ]
    )
    return {
        "số tiêu chí": [None, len(new_crits)],
        "số chỉ tiêu": [None, len(new_inds)],
        "số ngưỡng": [None, len(thresholds)],
    }


# ---------------------------------------------------------------------------------------------------------- values


def _decimal(raw: Any, what: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, Decimal):
        return raw
    try:
        value = Decimal(str(raw).strip().replace(" ", "").replace("%", "").replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError({what: _("'%(raw)s' không phải là số.") % {"raw": raw}}) from exc
    if not value.is_finite() or value < 0:
        raise ValidationError({what: _("Ngưỡng không được âm.")})
    return value


def check_threshold(
    indicator: Indicator, *, op: str, value: Any, basic_value: Any = None, source: str, cited: Any
) -> tuple[Decimal | None, Decimal | None, str]:
    """Validated (value, basic value, source text) of a threshold row; Vietnamese ValidationError otherwise."""
    if op not in Threshold.Op.values:
        raise ValidationError({"op": _("Phép so sánh không hợp lệ (≥, ≤, Đạt, Không).")})
    source = (source or "").strip()
    if not source and cited is None:
        raise ValidationError(
            {
                "source": _(
                    "Ngưỡng của chỉ tiêu %(code)s phải có trích dẫn: văn bản, điều khoản quy định giá trị này."
                )
                % {"code": indicator.code}
            }
        )
    number = _decimal(value, "value")
    basic = _decimal(basic_value, "basic_value")
    if op in (Threshold.Op.GE, Threshold.Op.LE) and number is None:
        raise ValidationError({"value": _("Ngưỡng ≥/≤ cần một giá trị.")})
    if op in (Threshold.Op.TRUE, Threshold.Op.ZERO):
        number = None
    if indicator.value_type == Indicator.Type.PERCENT and number is not None and number > 100:
        raise ValidationError({"value": _("Tỷ lệ phải trong khoảng 0-100%.")})
    return number, basic, source[:255]


@transaction.atomic
def criteria_threshold_override(
    *,
    actor: Any,
    indicator: Indicator,
    region: str,
    op: str,
    value: Any = None,
    year: int | None = None,
    basic_value: Any = None,
    source: str = "",
    cited_source: ThresholdSource | None = None,
) -> Threshold:
    """Set the province's value of one threshold row (region or group, year) in a draft; an inherited row keeps
    its reference to the national row and is marked overridden. A threshold without a citation is refused."""
    cset = indicator.criterion.criteria_set
    _edit(actor, cset)
    region = (region or "").strip()
    if not region:
        raise ValidationError({"region": _("Chọn vùng hoặc nhóm xã áp dụng ngưỡng ('all' = mọi vùng).")})
    number, basic, source = check_threshold(
        indicator, op=op, value=value, basic_value=basic_value, source=source, cited=cited_source
    )
    row = Threshold.objects.filter(indicator=indicator, region=region, year=year).first()
    before = f"{row.get_op_display()} {row.value if row.value is not None else ''}".strip() if row else None
    if row is None:
        row = Threshold(indicator=indicator, region=region, year=year)
    row.op, row.value, row.basic_value, row.source = op, number, basic, source
    row.cited_source = cited_source
    row.unconfirmed = bool(cited_source and cited_source.unconfirmed)
    row.overridden = row.inherited_from_id is not None
    row.version = (row.version or 0) + 1 if row.pk else 1
    row.save()
    after = f"{row.get_op_display()} {number if number is not None else ''}".strip()
    label = f"ngưỡng {indicator.code} {region}" + (f" {year}" if year else "")
    _log(actor, cset, "updated", {label: [before, after]}, reason=source or str(cited_source))
    return row


def _unique_code(cset: CriteriaSet, code: str, *, ignore: Indicator | None = None) -> str:
    code = (code or "").strip()
    if not code or len(code) > 12:
        raise ValidationError({"code": _("Mã chỉ tiêu bắt buộc, tối đa 12 ký tự.")})
    clash = Indicator.objects.filter(criterion__criteria_set=cset, code=code)
    if ignore is not None:
        clash = clash.exclude(pk=ignore.pk)
    if clash.exists():
        raise ValidationError({"code": _("Bộ tiêu chí đã có chỉ tiêu mã %(code)s.") % {"code": code}})
    return code


def _new_indicator(
    cset: CriteriaSet,
    criterion: Criterion,
    spec: dict[str, Any],
    *,
    origin: str,
    inherited_from: Indicator | None,
    order: int,
    ignore: Indicator | None = None,
) -> tuple[Indicator, list[dict[str, Any]]]:
    """An unsaved indicator and its checked threshold rows (at least one, each cited)."""
    code = _unique_code(cset, spec.get("code", ""), ignore=ignore)
    name = (spec.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Chỉ tiêu %(code)s thiếu nội dung.") % {"code": code}})
    value_type = spec.get("value_type") or Indicator.Type.BOOL
    if value_type not in Indicator.Type.values:
        raise ValidationError({"value_type": _("Kiểu giá trị không hợp lệ.")})
    ind = Indicator(
        criterion=criterion,
        code=code,
        name=name,
        value_type=value_type,
        unit_label=(spec.get("unit_label") or "").strip()[:40],
        if_applicable=bool(spec.get("if_applicable")),
        order=order,
        origin=origin,
        inherited_from=inherited_from,
    )
    rows = spec.get("thresholds") or []
    if not rows:
        raise ValidationError(
            {"thresholds": _("Chỉ tiêu %(code)s cần ít nhất một ngưỡng có trích dẫn.") % {"code": code}}
        )
    checked = []
    for row in rows:
        region = (row.get("region") or Threshold.ALL).strip()
        number, basic, source = check_threshold(
            ind,
            op=row.get("op", ""),
            value=row.get("value"),
            basic_value=row.get("basic_value"),
            source=row.get("source", ""),
            cited=row.get("cited_source"),
        )
        checked.append(
            {
                "region": region,
                "year": row.get("year"),
                "op": row["op"],
                "value": number,
                "basic_value": basic,
                "source": source,
                "cited_source": row.get("cited_source"),
            }
        )
    return ind, checked


def _save_indicator(ind: Indicator, rows: list[dict[str, Any]]) -> None:
    ind.save()
    for row in rows:
        cited = row.pop("cited_source", None)
        Threshold.objects.create(
            indicator=ind, cited_source=cited, unconfirmed=bool(cited and cited.unconfirmed), **row
        )


@transaction.atomic
def criteria_indicator_add(*, actor: Any, criterion: Criterion, spec: dict[str, Any]) -> Indicator:
    """A province's own indicator under a criterion: spec = code, name, value_type, unit_label, if_applicable,
    thresholds [{region, year, op, value, basic_value, source, cited_source}]."""
    cset = criterion.criteria_set
    _edit(actor, cset)
    order = (Indicator.objects.filter(criterion=criterion).aggregate(m=Max("order"))["m"] or 0) + 1
    ind, rows = _new_indicator(
        cset, criterion, spec, origin=Indicator.Origin.ADDED, inherited_from=None, order=order
    )
    _save_indicator(ind, rows)
    _log(actor, cset, "updated", {f"chỉ tiêu {ind.code}": [None, ind.name[:80]]})
    return ind


@transaction.atomic
def criteria_indicator_split(
    *, actor: Any, indicator: Indicator, parts: list[dict[str, Any]]
) -> list[Indicator]:
    """Replace one indicator by two or more (each with its cited thresholds); they keep a reference to the national
    indicator the original stood for."""
    cset = indicator.criterion.criteria_set
    _edit(actor, cset)
    if len(parts) < 2:
        raise ValidationError({"parts": _("Tách chỉ tiêu cần ít nhất hai chỉ tiêu mới.")})
    codes = [(p.get("code") or "").strip() for p in parts]
    if len(set(codes)) != len(codes):
        raise ValidationError({"code": _("Các chỉ tiêu tách ra phải có mã khác nhau.")})
    origin_ref = indicator.inherited_from if indicator.inherited_from_id else None  # the national indicator
    built = [
        _new_indicator(
            cset,
            indicator.criterion,
            part,
            origin=Indicator.Origin.SPLIT,
            inherited_from=origin_ref,
            order=indicator.order,
            ignore=indicator,
        )
        for part in parts
    ]
    old_code = indicator.code
    indicator.delete()
    for ind, rows in built:
        _save_indicator(ind, rows)
    _log(actor, cset, "updated", {f"tách chỉ tiêu {old_code}": [old_code, ", ".join(codes)]})
    return [ind for ind, _rows in built]


# ------------------------------------------------------------------------------------------ citation and validity


def check_validity(cset: CriteriaSet) -> CriteriaSetPeriod | None:
    """Gaps and overlaps against the province's other versions in force (same scope) and its loaded provincial
    periods. Returns the open-ended period the new version will close (its predecessor), if any."""
    if cset.valid_from is None:
        raise ValidationError({"valid_from": _("Thiếu ngày bắt đầu áp dụng.")})
    if cset.valid_to is not None and cset.valid_to < cset.valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc áp dụng trước ngày bắt đầu.")})
    scope = scope_of(cset)
    loaded_scope = f"p{cset.province.code}-{cset.tier}"  # type: ignore[union-attr]
    start, end = cset.valid_from, cset.valid_to
    errors: list[str] = []
    closes: CriteriaSetPeriod | None = None
    periods = (
        CriteriaSetPeriod.objects.filter(
            Q(scope=scope) | Q(scope=loaded_scope, criteria_set__province__unit_id=cset.province.unit_id)  # type: ignore[union-attr]
        )
        .select_related("criteria_set")
        .exclude(criteria_set=cset)
    )
    for p in periods.order_by("valid_from"):
        overlaps = p.valid_from <= (end or date.max) and start <= (p.valid_to or date.max)
        if not overlaps:
            continue
        if p.scope == scope and p.valid_to is None and p.valid_from < start:
            closes = p  # the previous version, open-ended, ends the day before this one starts
            continue
        errors.append(
            _("Thời gian áp dụng %(a)s–%(b)s chồng lấn %(set)s (phiên bản %(v)s, %(c)s–%(e)s).")
            % {
                "a": _d(start),
                "b": _d(end),
                "set": p.criteria_set.name,
                "v": p.criteria_set.version,
                "c": _d(p.valid_from),
                "e": _d(p.valid_to),
            }
        )
    earlier = [p for p in periods if p.scope == scope and p.valid_to is not None and p.valid_to < start]
    if closes is None and earlier:
        last = max(earlier, key=lambda p: p.valid_to or date.min)
        if (
            last.valid_to is not None
            and last.valid_to + timedelta(days=1) != start
            and not any(p.scope == scope and p.valid_from > last.valid_from for p in periods)
        ):
            errors.append(
                _(
                    "Khoảng trống từ %(a)s đến %(b)s giữa phiên bản %(v)s và phiên bản này của bộ tiêu chí tỉnh."
                )
                % {
                    "a": _d(last.valid_to + timedelta(days=1)),
                    "b": _d(start - timedelta(days=1)),
                    "v": last.criteria_set.version,
                }
            )
    if errors:
        raise ValidationError(errors)
    return closes


@transaction.atomic
def criteria_set_cite(
    *,
    actor: Any,
    criteria_set: CriteriaSet,
    decision_no: str,
    decision_date: date | None,
    issuer: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    upload: UploadedFile | None = None,
) -> CriteriaSet:
    """The province's decision issuing the set (number, date, issuing body, PDF) and its validity; the decision
    also becomes a ThresholdSource the set's own values can cite."""
    cset = criteria_set
    _edit(actor, cset)
    errors: dict[str, str] = {}
    if not (decision_no or "").strip():
        errors["decision_no"] = _("Thiếu số quyết định ban hành bộ tiêu chí.")
    if decision_date is None:
        errors["decision_date"] = _("Thiếu ngày quyết định.")
    if not (issuer or "").strip():
        errors["issuer"] = _("Thiếu cơ quan ban hành.")
    if errors:
        raise ValidationError(errors)
    before = {
        "decision_no": cset.decision_no,
        "decision_date": cset.decision_date,
        "issuer": cset.issuer,
        "valid_from": cset.valid_from,
        "valid_to": cset.valid_to,
    }
    cset.decision_no, cset.decision_date, cset.issuer = decision_no.strip(), decision_date, issuer.strip()
    cset.valid_from = valid_from or cset.valid_from
    cset.valid_to = valid_to
    check_validity(cset)
    if upload is not None:
        if sniff_evidence(upload) != "pdf":
            raise ValidationError({"decision_file": _("Tệp quyết định phải là PDF.")})
        cset.decision_file.save(f"{cset.code}-v{cset.version}.pdf", upload, save=False)
    cset.legal_basis = cset.citation
    cset.save()
    ThresholdSource.objects.update_or_create(
        code=f"{cset.code}-v{cset.version}",
        defaults={
            "decision_no": cset.decision_no,
            "decision_date": decision_date,
            "effective_from": cset.valid_from,
            "issuer": cset.issuer,
            "title": cset.name[:255],
            "criteria": _("cả bộ"),
            "unconfirmed": False,
        },
    )
    after = {k: getattr(cset, k) for k in before}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if upload is not None:
        changes["decision_file"] = [None, cset.decision_file.name]
    _log(actor, cset, "updated", changes)
    return cset


def uncited(cset: CriteriaSet) -> list[str]:
    """Codes of thresholds the province set or added without a citation (inherited rows cite the national set)."""
    rows = Threshold.objects.filter(indicator__criterion__criteria_set=cset).filter(
        Q(inherited_from__isnull=True) | Q(overridden=True), source="", cited_source__isnull=True
    )
    return sorted(set(rows.values_list("indicator__code", flat=True)))


@transaction.atomic
def criteria_set_submit(*, actor: Any, criteria_set: CriteriaSet) -> CriteriaSet:
    """Send the draft to central: it must cite its decision (with the PDF), have valid dates without gaps or
    overlaps and every province-set threshold cited. The version is frozen from here."""
    cset = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    _edit(actor, cset)
    errors: list[str] = []
    if not cset.decision_no or cset.decision_date is None or not cset.issuer:
        errors.append(_("Chưa trích dẫn quyết định ban hành (số, ngày, cơ quan ban hành)."))
    if not cset.decision_file:
        errors.append(_("Chưa đính kèm tệp PDF quyết định ban hành."))
    missing = uncited(cset)
    if missing:
        errors.append(_("Ngưỡng chưa có trích dẫn: %(codes)s.") % {"codes": ", ".join(missing)})
    try:
        check_validity(cset)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    cset.state = CriteriaSet.State.SUBMITTED
    cset.submitted_at = timezone.now()
    cset.save(update_fields=["state", "submitted_at"])
    _log(actor, cset, "status", {"state": [CriteriaSet.State.DRAFT, CriteriaSet.State.SUBMITTED]})
    return cset


@transaction.atomic
def criteria_set_return(*, actor: Any, criteria_set: CriteriaSet, reason: str) -> CriteriaSet:
    """Central sends a submitted version back to draft with a reason."""
    if actor is not None and not can_acknowledge(actor):
        raise PermissionDenied(_("Chỉ cán bộ Trung ương được tiếp nhận hoặc trả lại bộ tiêu chí tỉnh."))
    cset = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    if cset.state != CriteriaSet.State.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được phiên bản đã gửi Trung ương."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Trả lại phải có lý do.")})
    cset.state = CriteriaSet.State.DRAFT
    cset.save(update_fields=["state"])
    _log(
        actor,
        cset,
        "status",
        {"state": [CriteriaSet.State.SUBMITTED, CriteriaSet.State.DRAFT]},
        reason=reason,
    )
    return cset


@transaction.atomic
def criteria_set_acknowledge(*, actor: Any, criteria_set: CriteriaSet) -> int:
    """Central acknowledges a submitted version: it comes into force for its province on its dates (a period of
    the scope p<code>-app-<tier>; an open-ended previous version ends the day before) and the province's
    assessments in that span move onto it and are recomputed. Returns the number of assessments recomputed."""
    if actor is not None and not can_acknowledge(actor):
        raise PermissionDenied(_("Chỉ cán bộ Trung ương được tiếp nhận bộ tiêu chí tỉnh."))
    cset = (
        CriteriaSet.objects.select_for_update(of=("self",)).select_related("province").get(pk=criteria_set.pk)
    )
    if cset.state != CriteriaSet.State.SUBMITTED:
        raise ValidationError(
            _("Phiên bản %(v)s %(state)s; chỉ tiếp nhận được phiên bản đã gửi.")
            % {"v": cset.version, "state": cset.get_state_display().lower()}
        )
    closes = check_validity(cset)
    start = cset.valid_from
    assert start is not None  # check_validity refuses a version without a start
    if closes is not None:
        closes.valid_to = start - timedelta(days=1)
        closes.save(update_fields=["valid_to"])
        CriteriaSet.objects.filter(pk=closes.criteria_set_id).update(valid_to=closes.valid_to)
    CriteriaSetPeriod.objects.create(
        criteria_set=cset,
        scope=scope_of(cset),
        valid_from=start,
        valid_to=cset.valid_to,
        basis=cset.citation,
    )
    cset.state = CriteriaSet.State.ACKNOWLEDGED
    cset.acknowledged_at = timezone.now()
    cset.acknowledged_by = acting_user(actor)
    cset.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    moved = province_assessments_rebase(cset)
    _log(
        actor,
        cset,
        "status",
        {
            "state": [CriteriaSet.State.SUBMITTED, CriteriaSet.State.ACKNOWLEDGED],
            "đánh giá tính lại": [None, moved],
            **({"kết thúc phiên bản": [None, closes.criteria_set.version]} if closes else {}),
        },
    )
    return moved


def province_assessments_rebase(cset: CriteriaSet) -> int:
    """Move the province's assessments dated in the set's validity from the set it inherits (or an earlier
    version of it) onto it: values and overrides follow the inherited rows; then recompute them."""
    province = cset.province
    assert province is not None
    paths = UnitVersion.objects.filter(unit_id=province.unit_id).values_list("path", flat=True)
    where = Q()
    for path in paths:
        where |= Q(commune__path__startswith=path)
    sources: list[int] = [
        *([cset.parent_id] if cset.parent_id else []),
        *CriteriaSet.objects.filter(code=cset.code).exclude(pk=cset.pk).values_list("pk", flat=True),
    ]
    qs = Assessment.objects.filter(where, criteria_set_id__in=sources, assessed_on__gte=cset.valid_from)
    if cset.valid_to is not None:
        qs = qs.filter(assessed_on__lte=cset.valid_to)
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        return 0
    ind_map = _row_map(Indicator, cset, "criterion__criteria_set", "code", sources)
    crit_map = _row_map(Criterion, cset, "criteria_set", "number", sources)
    values = list(IndicatorValue.objects.filter(assessment_id__in=ids, indicator_id__in=ind_map))
    for v in values:
        v.indicator_id = ind_map[v.indicator_id]
    IndicatorValue.objects.bulk_update(values, ["indicator"], batch_size=2000)
    overrides = list(CriterionOverride.objects.filter(assessment_id__in=ids, criterion_id__in=crit_map))
    for o in overrides:
        o.criterion_id = crit_map[o.criterion_id]
    CriterionOverride.objects.bulk_update(overrides, ["criterion"], batch_size=2000)
    Assessment.objects.filter(pk__in=ids).update(criteria_set=cset)
    return engine.recompute(Assessment.objects.filter(pk__in=ids))


def _row_map(model: Any, cset: CriteriaSet, lookup: str, key: str, sources: list[int]) -> dict[int, int]:
    """{row of a source set (the national parent or an earlier version): row of cset with the same key} — indicators
    by code, criteria by number (unique within a set; a split indicator's old code has no counterpart)."""
    mine = dict(model.objects.filter(**{lookup: cset}).values_list(key, "pk"))
    return {
        pk: mine[k]
        for pk, k in model.objects.filter(**{f"{lookup}_id__in": sources}).values_list("pk", key)
        if k in mine
    }


def source_label(cset: CriteriaSet) -> str:
    """Which set a result used: the province's own or the national one (shown with every result)."""
    if cset.province_id is not None:
        return _("Bộ tiêu chí tỉnh: %(name)s") % {"name": cset.name}
    return _("Bộ tiêu chí quốc gia: %(name)s") % {"name": cset.name}


def set_scope(cset: CriteriaSet | None) -> str | None:
    if cset is None:
        return None
    return "provincial" if cset.province_id is not None else "national"
