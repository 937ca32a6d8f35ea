"""Review campaign write services: each `<entity>_<verb>(*, actor, ...)`, atomic, with its change record."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.accounts.models import Assignment
from mtqg.accounts.services import assignment_create
from mtqg.core.audit import acting_user, record_change
from mtqg.core.scoping import ensure_can_edit, path_q
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import classification, lineage_scope_paths
from mtqg.poverty.models import Household, Member, PovertyClass, Review
from mtqg.workflow.models import ReportingPeriod

from .definitions import evaluate, form_for, standard_of
from .derive import derive
from .models import Campaign, CampaignHousehold, CampaignVillage, Device, SurveyResponse, VillageMeeting

POORISH = (PovertyClass.POOR, PovertyClass.NEAR_POOR)


def campaign_deadline(year: int) -> tuple[date, date, str]:
    """(start, deadline, source) from the reporting calendar's REVIEW period of the year (workflow app)."""

    period = ReportingPeriod.objects.filter(year=year, slot="REVIEW").first()
    if period is None:
        raise ValidationError(
            {
                "year": _(
                    "Lịch báo cáo năm %(y)s chưa có kỳ rà soát hằng năm (nạp lịch: manage.py load_reporting_calendars)."
                )
                % {"y": year}
            }
        )
    return period.start, period.end, _("Lịch báo cáo: %(l)s") % {"l": period.label}


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    commune: UnitVersion,
    year: int,
    applied: list[int] | None = None,
    proposed: list[int] | None = None,
) -> Campaign:
    """Open a commune's review of `year` with its list: every household of the commune (and its pre-2025
    predecessors) poor or near-poor in its last review before `year`, plus households that applied (Mẫu số 01)
    or were proposed by village heads (ids)."""
    if commune.level != UnitVersion.Level.COMMUNE:
        raise ValidationError({"commune": _("Đợt rà soát lập cho đơn vị cấp xã.")})
    ensure_can_edit(actor, commune.path)
    if Campaign.objects.filter(commune=commune, year=year).exists():
        raise ValidationError({"year": _("Xã đã có đợt rà soát năm %(y)s.") % {"y": year}})
    form = form_for(year)
    start, deadline, source = campaign_deadline(year)
    campaign = Campaign.objects.create(
        commune=commune,
        year=year,
        form=form,
        starts_on=start,
        deadline=deadline,
        deadline_source=source,
        created_by=acting_user(actor),
    )
    paths = tuple(lineage_scope_paths(commune) | {commune.path})
    households = Household.objects.filter(path_q("commune__path", paths))
    # the commune's household ids first: PostgreSQL planned "review IN (households by path prefixes)" as a scan
    # per row on freshly loaded tables (minutes); a list of ids is one index probe each
    hids = list(households.values_list("pk", flat=True))
    last = (
        Review.objects.filter(household_id__in=hids, year__lt=year)
        .values("household_id")
        .annotate(y=Max("year"))
    )
    latest = {r["household_id"]: r["y"] for r in last}
    classes = {
        hid: cls
        for hid, y, cls in Review.objects.filter(household_id__in=hids, year__lt=year)
        .filter(year__in=set(latest.values()))
        .values_list("household_id", "year", "poverty_class")
        if latest.get(hid) == y
    }
    rows: dict[int, CampaignHousehold] = {}
    for hid, cls in classes.items():
        if cls in POORISH:
            rows[hid] = CampaignHousehold(source=CampaignHousehold.Source.LAST_YEAR, previous_class=cls)
    for ids, source in ((applied or [], "applied"), (proposed or [], "proposed")):
        found = set(households.filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - found:
            raise ValidationError(
                {source: _("Có hộ không thuộc xã này: %(i)s.") % {"i": sorted(set(ids) - found)}}
            )
        for hid in ids:
            rows.setdefault(hid, CampaignHousehold(source=source, previous_class=classes.get(hid, "")))
    village_of = dict(households.filter(pk__in=rows).values_list("pk", "village_id"))
    village_paths = dict(
        UnitVersion.objects.filter(pk__in={v for v in village_of.values() if v}).values_list("pk", "path")
    )
    for hid, row in rows.items():
        row.campaign, row.household_id = campaign, hid
        row.village_id = village_of.get(hid)
        row.path = village_paths.get(row.village_id, commune.path) if row.village_id else commune.path
    CampaignHousehold.objects.bulk_create(rows.values(), batch_size=1000)
    for vid in sorted(set(village_paths)):
        CampaignVillage.objects.get_or_create(campaign=campaign, village_id=vid)
    record_change(
        actor=actor,
        obj=campaign,
        action="created",
        changes={"households": [0, len(rows)], "deadline": [None, deadline]},
    )
    return campaign


@transaction.atomic
def campaign_household_set_village(
    *, actor: Any, campaign: Campaign, items: list[CampaignHousehold], village: UnitVersion
) -> int:
    """Put listed households into a village of the campaign's commune (their survey goes to its enumerator)."""
    ensure_can_edit(actor, campaign.commune.path)
    if village.parent_id != campaign.commune_id or village.level != UnitVersion.Level.VILLAGE:
        raise ValidationError({"village": _("Thôn không thuộc xã của đợt rà soát.")})
    ids = [i.pk for i in items if i.campaign_id == campaign.pk]
    n = CampaignHousehold.objects.filter(pk__in=ids).update(village=village, path=village.path)
    CampaignVillage.objects.get_or_create(campaign=campaign, village=village)
    record_change(actor=actor, obj=campaign, action="villages_set", changes={village.name: [None, n]})
    return n


@transaction.atomic
def campaign_village_assign(
    *, actor: Any, campaign: Campaign, village: UnitVersion, enumerator: Any
) -> CampaignVillage:
    """Assign a village of the campaign to an enumerator. The enumerator's scope is an ordinary Assignment
    (role điều tra viên, on the village, for the campaign period): the one scoping mechanism does the rest."""

    ensure_can_edit(actor, campaign.commune.path)
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(closed_message(campaign))
    cv = CampaignVillage.objects.select_for_update().filter(campaign=campaign, village=village).first()
    if cv is None:
        raise ValidationError({"village": _("Thôn không có trong đợt rà soát.")})
    old = cv.enumerator
    cv.enumerator = enumerator
    cv.save(update_fields=["enumerator"])
    active = Assignment.objects.active_for(enumerator, timezone.localdate()).filter(
        role=Assignment.Role.ENUMERATOR, unit=village
    )
    if not active.exists():
        assignment_create(
            actor=None,
            user=enumerator,
            role=Assignment.Role.ENUMERATOR,
            unit=village,
            valid_from=min(campaign.starts_on, timezone.localdate()),
        )
    record_change(
        actor=actor, obj=cv, action="assigned", changes={"enumerator": [str(old or ""), str(enumerator)]}
    )
    return cv


def closed_message(campaign: Campaign) -> str:
    """Why a closed campaign takes no more forms (said to the field app and on the campaign page)."""
    decision = getattr(campaign, "decision", None) if campaign.pk else None
    text = _("Đợt rà soát năm %(y)s của %(c)s đã kết thúc") % {"y": campaign.year, "c": campaign.commune.name}
    if decision is not None:
        text += _(" (quyết định công nhận số %(n)s ngày %(d)s)") % {
            "n": decision.number,
            "d": decision.signed_on.strftime("%d/%m/%Y"),
        }
    elif campaign.closed_on:
        text += _(" ngày %(d)s") % {"d": campaign.closed_on.strftime("%d/%m/%Y")}
    return text + _(
        ": không nhận thêm phiếu. Phiếu chưa gửi vẫn được giữ trên máy; thay đổi sau quyết định thực hiện qua rà"
        " soát thường xuyên tại xã."
    )


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign, on: date) -> int:
    """Close a campaign on `on` (called inside the commune decision's transaction): every enumerator assignment
    on its villages ends that day (valid_to = `on`), unless another open campaign still uses the village, each
    with a change record. Returns the number of assignments ended."""
    ensure_can_edit(actor, campaign.commune.path)
    villages = list(CampaignVillage.objects.filter(campaign=campaign).values_list("village_id", flat=True))
    still_open = set(
        CampaignVillage.objects.filter(village_id__in=villages, campaign__status=Campaign.Status.OPEN)
        .exclude(campaign=campaign)
        .values_list("village_id", flat=True)
    )
    ended = 0
    open_assignments = Assignment.objects.filter(
        role=Assignment.Role.ENUMERATOR, unit_id__in=set(villages) - still_open
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    for a in open_assignments.select_related("user", "unit"):
        end = max(on, a.valid_from) if a.valid_from else on
        before = a.valid_to
        a.valid_to = end
        a.save(update_fields=["valid_to"])
        record_change(
            actor=actor,
            obj=a,
            action="ended",
            changes={"valid_to": [before, end]},
            reason=_("Kết thúc đợt rà soát %(c)s") % {"c": campaign},
            unit_path=a.unit.path,
        )
        ended += 1
    campaign.status, campaign.closed_on = Campaign.Status.CLOSED, on
    campaign.save(update_fields=["status", "closed_on"])
    record_change(
        actor=actor,
        obj=campaign,
        action="closed",
        changes={"status": [Campaign.Status.OPEN, Campaign.Status.CLOSED], "assignments_ended": [0, ended]},
    )
    return ended


def campaign_reopen(*, actor: Any, campaign: Campaign) -> None:
    """Reopening is refused: the decision wrote the year's reviews, which change only by a new decision (regular
    review); the message says so."""
    ensure_can_edit(actor, campaign.commune.path)
    if campaign.status == Campaign.Status.OPEN:
        raise ValidationError(_("Đợt rà soát đang mở."))
    raise ValidationError(
        _(
            "Không mở lại được đợt rà soát đã có quyết định công nhận: danh sách hộ nghèo, cận nghèo năm %(y)s đã"
            " ghi vào sổ. Hộ có thay đổi được rà soát thường xuyên và công nhận bằng quyết định mới; điều tra viên"
            " cần được giao lại thôn trong đợt rà soát sau."
        )
        % {"y": campaign.year}
    )


PARENT_OF_HEAD = {"bố", "mẹ", "cha"}
CHILD_OF_HEAD = {"con", "con đẻ", "con nuôi", "con dâu", "con rể"}
HEAD_COUPLE = {"chủ hộ", "vợ", "chồng"}


def check_members(members: list[dict[str, Any]]) -> list[str]:
    """Impossible member data in a field roster: bad dates, a child born before a parent (Vietnamese messages)."""
    errors: list[str] = []
    born: list[tuple[str, str, date]] = []
    for m in members:
        name = str(m.get("full_name", "")).strip()
        if not name:
            errors.append(_("Thành viên thiếu họ và tên."))
            continue
        raw = m.get("birth_date")
        if not raw:
            continue
        try:
            day = date.fromisoformat(str(raw))
        except ValueError:
            errors.append(_("%(n)s: ngày sinh không hợp lệ (%(d)s).") % {"n": name, "d": raw})
            continue
        if day > timezone.localdate():
            errors.append(_("%(n)s: ngày sinh ở tương lai.") % {"n": name})
        born.append((name, str(m.get("relation", "")).strip().lower(), day))
    couple = [(n, d) for n, r, d in born if r in HEAD_COUPLE]
    for name, relation, day in born:
        parents = couple if relation in CHILD_OF_HEAD else []
        if relation in HEAD_COUPLE:
            parents = [(n, d) for n, r, d in born if r in PARENT_OF_HEAD]
        for parent, pday in parents:
            if pday >= day:
                errors.append(
                    _("%(p)s (sinh %(pd)s) không thể là cha, mẹ của %(c)s (sinh %(cd)s): cha mẹ trẻ hơn con.")
                    % {
                        "p": parent,
                        "pd": pday.strftime("%d/%m/%Y"),
                        "c": name,
                        "cd": day.strftime("%d/%m/%Y"),
                    }
                )
    return errors


def passed_meetings(campaign_ids: set[int]) -> dict[tuple[int, int], date]:
    """{(campaign, village): date} of the passed village meetings of these campaigns (one query for a batch)."""
    rows = VillageMeeting.objects.filter(campaign_id__in=campaign_ids, passed=True).order_by("held_on")
    return {(c, v): d for c, v, d in rows.values_list("campaign_id", "village_id", "held_on")}


def ensure_not_approved(item: CampaignHousehold, passed: dict[tuple[int, int], date] | None = None) -> None:
    """After the village meeting passed the results, a result changes only through a complaint's resolution.
    `passed`: the batch's passed meetings (passed_meetings), read once instead of per item."""
    if passed is None:
        passed = passed_meetings({item.campaign_id})
    held_on = passed.get((item.campaign_id, item.village_id)) if item.village_id else None
    if held_on is not None:
        raise ValidationError(
            _("Kết quả của thôn đã được họp dân thông qua ngày %(d)s: chỉ thay đổi qua giải quyết khiếu nại.")
            % {"d": held_on.strftime("%d/%m/%Y")}
        )


def region_of(commune: UnitVersion, year: int) -> str:
    """The commune's region for the B1 cut-offs (the ntm_region classification; '' = the default cut-off)."""
    return classification(commune, "ntm_region", date(year, 9, 1)) or ""


def item_evaluate(
    item: CampaignHousehold, answers: dict[str, Any], memo: dict[Any, Any] | None = None
) -> Any:
    """Evaluate a listed household's answers; `memo` keeps each campaign's standard and region across a batch."""
    campaign = item.campaign
    memo = {} if memo is None else memo
    if campaign.pk not in memo:
        memo[campaign.pk] = (standard_of(campaign.form), region_of(campaign.commune, campaign.year))
    standard, region = memo[campaign.pk]
    return evaluate(campaign.form, standard, area=item.household.area, region=region, answers=answers)


MEMBER_FIELDS = ("full_name", "birth_date", "relation", "health_insurance", "schooling", "disability")


def derived_for(
    item: CampaignHousehold, members: list[dict[str, Any]] | None = None
) -> dict[str, tuple[bool, str]]:
    """B2 indicators the members answer (field roster if given, else the register's members), with reasons."""

    rules = item.campaign.form.definition.get("derive", {})
    if members is None:
        members = list(Member.objects.filter(household_id=item.household_id).values(*MEMBER_FIELDS))
    return derive(rules, members, item.campaign.starts_on)


def apply_derived(
    item: CampaignHousehold,
    answers: dict[str, Any],
    notes: dict[str, str],
    members: list[dict[str, Any]] | None,
    standard: Any = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers with derived B2 filled in, overrides). An answer against the member data needs a note."""
    answers = dict(answers)
    overrides: dict[str, Any] = {}
    errors = []
    derived = derived_for(item, members)
    if derived and standard is None:
        standard = standard_of(item.campaign.form)
    names = {i["code"]: i["name"] for i in standard.indicators} if derived else {}
    for code, (deprived, reason) in derived.items():
        key = f"b2_{code}"
        if answers.get(key) is None:
            answers[key] = deprived
        elif bool(answers[key]) != deprived:
            note = str(notes.get(code, "")).strip()
            if not note:
                errors.append(
                    _("%(c)s: trả lời khác dữ liệu thành viên (%(r)s): cần ghi chú lý do điều chỉnh.")
                    % {"c": names.get(code, code), "r": reason}
                )
            overrides[code] = {
                "derived": deprived,
                "answer": bool(answers[key]),
                "reason": reason,
                "note": note,
            }
    if errors:
        raise ValidationError(errors)
    return answers, overrides


def _save_response(
    *,
    actor: Any,
    item: CampaignHousehold,
    answers: dict[str, Any],
    device: Device | None,
    entered_at: Any,
    members: list[dict[str, Any]] | None = None,
    current: SurveyResponse | bool | None = False,
    memo: dict[Any, Any] | None = None,
    notes: dict[str, str] | None = None,
    savepoint: bool = True,
) -> SurveyResponse:
    """Evaluate a complete form and write it (new version); ValidationError lists the missing answers.
    `savepoint=False`: the caller already holds a savepoint for this form and handles IntegrityError (the sync)."""
    member_errors = check_members(members or [])
    if member_errors:
        raise ValidationError(member_errors)
    register = (memo or {}).get(("members", item.household_id)) if members is None else members
    standard = (memo or {}).get(item.campaign_id, (None, ""))[0]
    answers, overrides = apply_derived(item, answers, notes or {}, register, standard)
    result = item_evaluate(item, answers, memo)
    if result.missing:
        raise ValidationError(
            _("Thiếu câu trả lời bắt buộc: %(q)s.") % {"q": "; ".join(result.missing[:5])}
            + (_(" (và %(n)s câu khác)") % {"n": len(result.missing) - 5} if len(result.missing) > 5 else "")
        )
    response: SurveyResponse | None = (
        SurveyResponse.objects.filter(item=item).first() if isinstance(current, bool) else current
    )
    before = response.poverty_class if response else None
    if response is None:
        response = SurveyResponse(item=item, form=item.campaign.form, version=0)
    response.area = item.household.area
    response.answers = answers
    response.overrides = _stamped(overrides, response.overrides or {}, actor, device, entered_at)
    if members is not None:
        response.members = members
    response.excluded_by_a = result.excluded_by_a
    response.b1_score = result.b1_score
    response.band = result.band
    response.deprivations = result.deprivations
    response.poverty_class = result.poverty_class
    response.reasons = result.reasons
    response.flags = result.flags
    response.version += 1
    response.entered_by = acting_user(actor)
    response.device = device
    response.entered_at = entered_at or timezone.now()
    _write_guarded(response, savepoint)
    if item.status != CampaignHousehold.Status.SURVEYED:
        item.status = CampaignHousehold.Status.SURVEYED
        item.save(update_fields=["status"])
    record_change(
        actor=actor,
        obj=response,
        action="surveyed",
        changes={
            "poverty_class": [before, response.poverty_class],
            "version": [response.version - 1, response.version],
        },
        reason=_("thiết bị %(d)s") % {"d": device} if device else "",
    )
    return response


def _stamped(
    overrides: dict[str, Any], previous: dict[str, Any], actor: Any, device: Device | None, entered_at: Any
) -> dict[str, Any]:
    """Each override with who made it and when (kept from the previous version when answer and note are
    unchanged, so a later office save does not take over the enumerator's override)."""
    stamp = {
        "by": getattr(actor, "username", "") or "",
        "at": (entered_at or timezone.now()).isoformat(),
        "device": str(device) if device else "",
    }
    out = {}
    for code, o in overrides.items():
        old = previous.get(code) or {}
        same = old.get("answer") == o["answer"] and old.get("note") == o["note"] and old.get("by")
        out[code] = o | ({k: old.get(k, "") for k in stamp} if same else stamp)
    return out


SAVED_FIELDS = [
    "area",
    "answers",
    "overrides",
    "members",
    "excluded_by_a",
    "b1_score",
    "band",
    "deprivations",
    "poverty_class",
    "reasons",
    "flags",
    "version",
    "entered_by",
    "device",
    "entered_at",
]


def _write_guarded(response: SurveyResponse, savepoint: bool = True) -> None:
    """Insert, or update only if nobody saved a newer version meanwhile (optimistic: no lock is held)."""
    if response.pk is None and not savepoint:  # the caller's savepoint rolls back a concurrent insert
        response.save()
        return
    if response.pk is None:
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError as exc:
            raise ValidationError(_("Phiếu vừa được người khác lưu: tải lại để xem thay đổi.")) from exc
        return
    values = {f: getattr(response, f) for f in SAVED_FIELDS} | {"saved_at": timezone.now()}
    if not SurveyResponse.objects.filter(pk=response.pk, version=response.version - 1).update(**values):
        raise ValidationError(_("Phiếu vừa được người khác lưu: tải lại để xem thay đổi."))


@transaction.atomic
def response_save(
    *,
    actor: Any,
    item: CampaignHousehold,
    answers: dict[str, Any],
    expected_version: int,
    notes: dict[str, str] | None = None,
) -> SurveyResponse:
    """Save the survey of a listed household from the office form. `expected_version` is the version the form
    was opened on: a stale save is refused (the other save is not reverted)."""
    ensure_can_edit(actor, item.path)
    item = (
        CampaignHousehold.objects.select_for_update()
        .select_related("campaign__form", "campaign__commune", "household")
        .get(pk=item.pk)
    )
    if item.campaign.status != Campaign.Status.OPEN:
        raise ValidationError(closed_message(item.campaign))
    ensure_not_approved(item)
    current = SurveyResponse.objects.filter(item=item).values_list("version", flat=True).first() or 0
    if current != expected_version:
        raise ValidationError(
            _("Phiếu đã được người khác lưu (phiên bản %(v)s) sau khi bạn mở: tải lại để xem thay đổi.")
            % {"v": current}
        )
    return _save_response(actor=actor, item=item, answers=answers, device=None, entered_at=None, notes=notes)


@transaction.atomic
def device_register(*, actor: Any, device_id: str, label: str = "") -> Device:
    device_id = (device_id or "").strip()[:64]
    if len(device_id) < 8:
        raise ValidationError({"device_id": _("Mã thiết bị không hợp lệ.")})
    device, created = Device.objects.get_or_create(
        device_id=device_id, defaults={"user": actor, "label": label[:120]}
    )
    if device.user_id != actor.pk:
        raise PermissionDenied(_("Thiết bị đã đăng ký cho người dùng khác."))
    if created:
        record_change(
            actor=actor, obj=device, action="created", changes={"device_id": [None, device_id]}, unit_path=""
        )
    return device


@transaction.atomic
def device_revoke(*, actor: Any, device: Device, reason: str = "") -> Device:
    """Revoke a lost or replaced device: its later syncs are refused (its owner or an administrator)."""
    if actor.pk != device.user_id and not actor.is_superuser:
        raise PermissionDenied(_("Chỉ chủ thiết bị hoặc quản trị được thu hồi thiết bị."))
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])
    record_change(
        actor=actor,
        obj=device,
        action="revoked",
        changes={"revoked": [False, True]},
        reason=reason,
        unit_path="",
    )
    return device


def visible_items(user: Any) -> Any:
    return CampaignHousehold.objects.visible_to(user).filter(campaign__status=Campaign.Status.OPEN)


def enumerator_q(user: Any) -> Q:
    return Q(campaign__villages__enumerator=user)
