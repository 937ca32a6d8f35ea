"""The field app's sync: download an enumerator's villages (households, forms) and upload a batch of surveys.

Upload (`sync_batch`) follows ODK/KoBo and DHIS2 Capture: each item carries a client-generated id (UUID), so a
re-sent batch writes nothing twice; each item is saved in its own savepoint, so the valid part of a batch is saved
and every bad item is reported with a Vietnamese message (and stays on the device); a device that was revoked is
refused as a whole; an item based on a version older than the office's is kept as a SyncConflict for a person to
resolve field by field, never written over the office's answers.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.scoping import edit_prefixes, ensure_can_edit, path_editable
from mtqg.poverty.models import Member

from .definitions import questions, standard_of
from .derive import derive
from .models import Campaign, CampaignHousehold, Device, SurveyResponse, SyncConflict, SyncItem
from .services import (
    MEMBER_FIELDS,
    _save_response,
    closed_message,
    device_register,
    ensure_not_approved,
    passed_meetings,
    region_of,
    visible_items,
)

MAX_BATCH = 1000


def download(user: Any) -> dict[str, Any]:
    """What the field app stores offline: the user's open campaign items (their villages) and the forms."""
    items = list(
        visible_items(user)
        .select_related("household", "village", "campaign__form", "campaign__commune")
        .order_by("village__name", "household__code")
    )
    saved = SurveyResponse.objects.filter(item__in=items)
    versions = dict(saved.values_list("item_id", "version"))
    answers = dict(saved.values_list("item_id", "answers"))
    overrides = dict(saved.values_list("item_id", "overrides"))
    forms: dict[str, Any] = {}
    regions: dict[int, str] = {}
    out = []
    members = members_of([it.household_id for it in items])
    for it in items:
        if it.campaign_id not in regions:
            regions[it.campaign_id] = region_of(it.campaign.commune, it.campaign.year)
        form = it.campaign.form
        if form.code not in forms:
            std = standard_of(form)
            forms[form.code] = {
                "code": form.code,
                "title": form.title,
                "citation": form.citation,
                "unconfirmed": form.unconfirmed,
                "unconfirmed_notes": form.unconfirmed_notes,
                "definition": form.definition,
                "questions": questions(form, std),
                "standard": {
                    "code": std.code,
                    "instrument": std.instrument,
                    "lines": std.lines,
                    "cutoff": std.deprivation_cutoff,
                    "indicators": std.indicators,
                },
            }
        out.append(
            {
                "id": it.pk,
                "form": form.code,
                "year": it.campaign.year,
                "commune": it.campaign.commune.name,
                "village": it.village.name if it.village else "",
                "code": it.household.code,
                "head_name": it.household.head_name,
                "area": it.household.area,
                "region": regions[it.campaign_id],
                "source": it.get_source_display(),
                "previous_class": it.previous_class,
                "version": versions.get(it.pk, 0),
                "answers": answers.get(it.pk, {}),
                # B2 answers the register's members give, with the reason (an answer against one needs a note)
                "derived": {
                    code: {"deprived": deprived, "reason": reason}
                    for code, (deprived, reason) in derive(
                        form.definition.get("derive", {}), members[it.household_id], it.campaign.starts_on
                    ).items()
                },
                "notes": {c: o.get("note", "") for c, o in overrides.get(it.pk, {}).items()},
            }
        )
    return {"households": out, "forms": forms, "at": timezone.now().isoformat()}


def members_of(household_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The register's members of these households (one query), as derive() reads them."""
    out: dict[int, list[dict[str, Any]]] = {hid: [] for hid in household_ids}
    for m in Member.objects.filter(household_id__in=household_ids).values("household_id", *MEMBER_FIELDS):
        out[m.pop("household_id")].append(m)
    return out


def _closed_reason(actor: Any, items: Any) -> str:
    """An enumerator whose assignments ended with the campaign has no entry scope left: say the campaign
    closed rather than a bare "no permission" (only for campaigns the user was assigned to)."""
    raw = [i.get("household") for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    ids: list[int] = [i for i in raw if isinstance(i, int)]
    campaign = (
        Campaign.objects.filter(
            households__pk__in=ids, status=Campaign.Status.CLOSED, villages__enumerator=actor
        )
        .select_related("commune")
        .first()
    )
    return closed_message(campaign) if campaign else ""


def _parse(raw: Any) -> tuple[dict[str, Any], str]:
    if not isinstance(raw, dict):
        return {}, _("Mục không phải đối tượng JSON.")
    try:
        client_id = uuid.UUID(str(raw.get("client_id", "")))
    except ValueError:
        return {}, _("Thiếu mã mục (client_id) hoặc mã không hợp lệ.")
    item_id, base = raw.get("household"), raw.get("base_version", 0)
    if not isinstance(item_id, int) or not isinstance(base, int) or base < 0:
        return {}, _("Thiếu mã hộ trong danh sách hoặc phiên bản không hợp lệ.")
    answers = raw.get("answers")
    if not isinstance(answers, dict):
        return {}, _("Thiếu câu trả lời của phiếu.")
    members = raw.get("members")
    if members is not None and not (isinstance(members, list) and all(isinstance(m, dict) for m in members)):
        return {}, _("Danh sách thành viên không hợp lệ.")
    notes = raw.get("notes") or {}
    if not isinstance(notes, dict):
        return {}, _("Ghi chú điều chỉnh không hợp lệ.")
    entered = parse_datetime(str(raw.get("entered_at", ""))) if raw.get("entered_at") else None
    return {
        "client_id": client_id,
        "item_id": item_id,
        "base": base,
        "answers": answers,
        "members": members,
        "notes": {str(k): str(v) for k, v in notes.items()},
        "entered_at": entered,
    }, ""


def sync_batch(*, actor: Any, device_id: str, items: Any) -> dict[str, Any]:
    """Save a device's batch; returns {"results": [{client_id, status, message, version?}], "saved": n}.
    Raises PermissionDenied (whole batch, nothing written) for a revoked device."""
    if not edit_prefixes(actor):  # view-only users register no device and write nothing
        raise PermissionDenied(_closed_reason(actor, items) or _("Bạn không có quyền nhập liệu."))
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise ValidationError(_("Lô đồng bộ phải là danh sách tối đa %(n)s mục.") % {"n": MAX_BATCH})
    device = Device.objects.filter(device_id=device_id).first() or device_register(
        actor=actor, device_id=device_id
    )
    if device.user_id != actor.pk:
        raise PermissionDenied(_("Thiết bị đã đăng ký cho người dùng khác."))
    if device.revoked_at is not None:
        raise PermissionDenied(
            _(
                "Thiết bị này đã bị thu hồi ngày %(d)s: không nhận dữ liệu. Dữ liệu vẫn còn trên máy, hãy liên hệ cán bộ xã."
            )
            % {"d": timezone.localtime(device.revoked_at).strftime("%d/%m/%Y")}
        )
    parsed = [_parse(raw) for raw in items]
    ids = [p["item_id"] for p, err in parsed if not err]
    by_id = {
        it.pk: it
        for it in CampaignHousehold.objects.filter(pk__in=ids).select_related(
            "campaign__form", "campaign__commune", "household"
        )
    }
    done = {
        str(s.client_id): s
        for s in SyncItem.objects.filter(client_id__in=[p["client_id"] for p, err in parsed if not err])
    }
    responses = {r.item_id: r for r in SurveyResponse.objects.filter(item_id__in=list(by_id))}
    results, saved = [], 0
    # per campaign: (standard, region); per ("members", household): register members
    memo: dict[Any, Any] = {
        ("members", hid): ms for hid, ms in members_of([it.household_id for it in by_id.values()]).items()
    }
    memo["passed"] = passed_meetings({it.campaign_id for it in by_id.values()})
    for (p, err), raw in zip(parsed, items, strict=True):
        cid = str(p.get("client_id") or (raw.get("client_id", "") if isinstance(raw, dict) else ""))
        if err:
            results.append({"client_id": cid, "status": "error", "message": err})
            continue
        if cid in done:
            prev = done[cid]
            results.append({"client_id": cid, "status": prev.outcome, "message": _("Đã nhận trước đó.")})
            continue
        item = by_id.get(p["item_id"])
        outcome = _one(actor, device, item, p, memo, responses.get(item.pk) if item else None)
        saved += outcome["status"] == "saved"
        results.append({"client_id": cid, **outcome})
    Device.objects.filter(pk=device.pk).update(last_sync_at=timezone.now())
    return {"results": results, "saved": saved}


def _one(
    actor: Any,
    device: Device,
    item: CampaignHousehold | None,
    p: dict[str, Any],
    memo: dict[Any, Any],
    current: SurveyResponse | None,
) -> dict[str, Any]:
    """One item in its own savepoint. `current` was read with the batch; the write is version-guarded, so an
    office save in between makes the item fail cleanly (reported, kept on the device) instead of reverting it."""
    if item is None:
        return {"status": "error", "message": _("Hộ không có trong đợt rà soát đang mở.")}
    if item.campaign.status != Campaign.Status.OPEN:
        return {"status": "error", "message": f"{item.household.code}: {closed_message(item.campaign)}"}
    if not path_editable(actor, item.path):
        return {
            "status": "error",
            "message": _("Hộ %(c)s thuộc thôn ngoài phạm vi được giao cho bạn.") % {"c": item.household.code},
        }
    try:
        ensure_not_approved(item, memo["passed"])
        with transaction.atomic():
            if current is not None and current.version > p["base"] and current.answers != p["answers"]:
                conflict = SyncConflict.objects.create(
                    item=item,
                    client_id=p["client_id"],
                    base_version=p["base"],
                    server_version=current.version,
                    device_answers={"answers": p["answers"], "members": p["members"]},
                    server_answers={"answers": current.answers, "members": current.members},
                    entered_by=actor,
                )
                CampaignHousehold.objects.filter(pk=item.pk).update(status=CampaignHousehold.Status.CONFLICT)
                SyncItem.objects.create(
                    client_id=p["client_id"], device=device, item=item, outcome="conflict"
                )
                record_change(
                    actor=actor,
                    obj=conflict,
                    action="created",
                    changes={"version": [p["base"], current.version]},
                )
                return {
                    "status": "conflict",
                    "message": _(
                        "Hộ %(c)s đã được sửa tại xã sau khi bạn tải về: phiếu của bạn được giữ lại để cán bộ đối chiếu."
                    )
                    % {"c": item.household.code},
                }
            if current is not None and current.answers == p["answers"] and current.version > p["base"]:
                version = current.version
            else:
                version = _save_response(
                    actor=actor,
                    item=item,
                    answers=p["answers"],
                    device=device,
                    entered_at=p["entered_at"],
                    members=p["members"],
                    current=current,
                    memo=memo,
                    notes=p["notes"],
                    savepoint=False,  # this item's savepoint is the atomic block above
                ).version
            SyncItem.objects.create(client_id=p["client_id"], device=device, item=item, outcome="saved")
    except ValidationError as exc:
        return {"status": "error", "message": f"{item.household.code}: " + "; ".join(exc.messages)}
    except IntegrityError:  # a concurrent save of the same form or item id: nothing of this item was written
        return {
            "status": "error",
            "message": _("%(c)s: phiếu vừa được người khác lưu: tải lại để xem thay đổi.")
            % {"c": item.household.code},
        }
    return {"status": "saved", "version": version, "message": ""}


@transaction.atomic
def conflict_resolve(
    *, actor: Any, conflict: SyncConflict, choices: dict[str, str], reason: str = ""
) -> SurveyResponse:
    """A person picks, field by field, the device's or the office's answer ("device"/"server"); the result is
    saved as a new version and the conflict closed with who, when and the choices."""

    ensure_can_edit(actor, conflict.item.path)
    if conflict.resolved_at is not None:
        raise ValidationError(_("Xung đột đã được xử lý."))
    device, server = conflict.device_answers["answers"], conflict.server_answers["answers"]
    differing = sorted(k for k in set(device) | set(server) if device.get(k) != server.get(k))
    undecided = [k for k in differing if choices.get(k) not in ("device", "server")]
    if undecided:
        raise ValidationError(_("Chưa chọn giá trị cho: %(f)s.") % {"f": ", ".join(undecided)})
    merged = dict(server)
    for k in differing:
        value = (device if choices[k] == "device" else server).get(k)
        if value is None:
            merged.pop(k, None)
        else:
            merged[k] = value
    item = CampaignHousehold.objects.select_related("campaign__form", "campaign__commune", "household").get(
        pk=conflict.item_id
    )
    response = _save_response(actor=actor, item=item, answers=merged, device=None, entered_at=None)
    conflict.resolved_by, conflict.resolved_at = actor, timezone.now()
    conflict.resolution = {k: choices[k] for k in differing}
    conflict.save(update_fields=["resolved_by", "resolved_at", "resolution"])
    if not SyncConflict.objects.filter(item=item, resolved_at__isnull=True).exists():
        CampaignHousehold.objects.filter(pk=item.pk).update(status=CampaignHousehold.Status.SURVEYED)
    record_change(
        actor=actor,
        obj=conflict,
        action="resolved",
        changes={k: [server.get(k), merged.get(k)] for k in differing},
        reason=reason,
    )
    return response
