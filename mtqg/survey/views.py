"""Review campaign screens: campaigns with progress, a campaign's villages and list, the survey form with its
live class, sync conflicts, and the installable field app (shell, manifest, service worker)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtqg.accounts.models import Assignment, User
from mtqg.core.scoping import get_visible_or_404, path_editable
from mtqg.core.service_errors import error_text
from mtqg.geo.models import UnitVersion
from mtqg.poverty.privacy import mask_name
from mtqg.reports import writers
from mtqg.reports.catalog import get_report
from mtqg.reports.params import ReportParams

from . import certificates, selectors, services
from . import paperwork as steps
from .definitions import questions, standard_of
from .models import Campaign, CampaignHousehold, Certificate, Complaint, SurveyResponse, SyncConflict
from .reports import certificate, certificate_members
from .sync import conflict_resolve

STATIC = Path(__file__).parent / "static" / "survey"
# ?report= of the campaign's report URL → catalog slug (layouts: data/report_layouts.json)
REVIEW_REPORTS = {
    "": "poverty-review-results",
    "ket-qua": "poverty-review-results",
    "theo-thon": "poverty-review-by-village",
    "thieu-hut": "poverty-review-deprivations",
}


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    qs = Campaign.objects.visible_to(request.user).select_related("commune", "commune__parent")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    campaigns = list(qs[:500])
    progress = selectors.campaign_progress(campaigns, request.user)
    rows = [(c, progress.get(c.pk, selectors.Progress())) for c in campaigns]
    error = ""
    if request.method == "POST":
        try:
            commune = UnitVersion.objects.visible_to(request.user).get(
                level=UnitVersion.Level.COMMUNE,
                code=request.POST.get("commune", "").strip(),
                valid_to__isnull=True,
            )
            campaign = services.campaign_create(
                actor=request.user, commune=commune, year=int(request.POST["year"])
            )
            return redirect("survey:campaign", pk=campaign.pk)
        except UnitVersion.DoesNotExist:
            error = _("Không tìm thấy xã (mã xã hiện hành) trong phạm vi của bạn.")
        except (ValueError, KeyError):
            error = _("Năm rà soát phải là số nguyên.")
        except (ValidationError, PermissionDenied) as exc:
            error = error_text(exc)
    return render(
        request,
        "survey/campaign_list.html",
        {"rows": rows, "total": selectors.total([p for _c, p in rows]), "year": year, "error": error},
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign.objects.select_related("commune", "form"), request.user, pk=pk)
    villages = selectors.village_progress(campaign, request.user)
    items = (
        CampaignHousehold.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("household", "village")
        .order_by("village__name", "household__code")
    )
    village, status = request.GET.get("village", ""), request.GET.get("status", "")
    if village.isdigit():
        items = items.filter(village_id=int(village))
    if status in CampaignHousehold.Status.values:
        items = items.filter(status=status)
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    can_manage = path_editable(request.user, campaign.commune.path)
    enumerators = _enumerators(campaign) if can_manage else []
    context = {
        "campaign": campaign,
        "villages": villages,
        "total": selectors.total([p for _v, p in villages]),
        "page": page,
        "can_manage": can_manage,
        "enumerators": enumerators,
        "statuses": CampaignHousehold.Status.choices,
        "village": village,
        "status": status,
        "meetings": campaign.meetings.select_related("village", "recorded_by"),
        "posting": getattr(campaign, "posting", None),
        "complaints": Complaint.objects.visible_to(request.user)
        .filter(item__campaign=campaign)
        .select_related("item__household", "recorded_by", "resolved_by"),
        "decision": getattr(campaign, "decision", None),
        "closed_message": services.closed_message(campaign)
        if campaign.status == Campaign.Status.CLOSED
        else "",
        "conflicts": SyncConflict.objects.visible_to(request.user)
        .filter(item__campaign=campaign, resolved_at__isnull=True)
        .select_related("item__household")[:50],
    }
    return render(request, "survey/campaign_detail.html", context)


def _enumerators(campaign: Campaign) -> list[User]:
    return list(
        User.objects.filter(
            assignments__role=Assignment.Role.ENUMERATOR, assignments__unit__parent=campaign.commune
        ).distinct()
    )


@login_required
@require_POST
def village_assign(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign.objects.select_related("commune"), request.user, pk=pk)
    try:
        village = UnitVersion.objects.get(pk=int(request.POST.get("village", "0")), parent=campaign.commune)
        enumerator = User.objects.get(username=request.POST.get("enumerator", "").strip())
        services.campaign_village_assign(
            actor=request.user, campaign=campaign, village=village, enumerator=enumerator
        )
    except (UnitVersion.DoesNotExist, ValueError):
        return HttpResponse(_("Thôn không thuộc xã của đợt rà soát."), status=400)
    except User.DoesNotExist:
        return HttpResponse(_("Không có người dùng với tên đăng nhập này."), status=400)
    return redirect("survey:campaign", pk=campaign.pk)


def _answers(qs: dict[str, list[dict[str, Any]]], data: Any) -> dict[str, Any]:
    """Answers from a posted form: yes/no questions as booleans, options as values (lists for multi)."""
    out: dict[str, Any] = {}
    for q in qs["a"] + qs["b2"]:
        value = data.get(q["id"])
        if value in ("yes", "no"):
            out[q["id"]] = value == "yes"
    for q in qs["b1"]:
        if q.get("type") == "multi":
            out[q["id"]] = data.getlist(q["id"])
        elif data.get(q["id"]):
            out[q["id"]] = data.get(q["id"])
    return out


def _item(request: HttpRequest, pk: int) -> CampaignHousehold:
    return get_visible_or_404(
        CampaignHousehold.objects.select_related(
            "campaign__form", "campaign__commune", "household", "village"
        ),
        request.user,
        pk=pk,
    )


@login_required
def survey_form(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = item.campaign.form
    qs = questions(form, standard_of(form))
    response = SurveyResponse.objects.filter(item=item).first()
    derived = services.derived_for(item)
    answers = response.answers if response else {f"b2_{c}": d for c, (d, _r) in derived.items()}
    notes = {c: o.get("note", "") for c, o in (response.overrides if response else {}).items()}
    version = response.version if response else 0
    error = ""
    if request.method == "POST":
        answers = _answers(qs, request.POST)
        notes = {c: request.POST.get(f"note_{c}", "") for c in derived}
        try:
            services.response_save(
                actor=request.user,
                item=item,
                answers=answers,
                expected_version=int(request.POST.get("version", 0)),
                notes=notes,
            )
            if Campaign.objects.visible_to(request.user).filter(pk=item.campaign_id).exists():
                return redirect("survey:campaign", pk=item.campaign_id)
            return redirect("survey:app")
        except ValidationError as exc:
            error = error_text(exc)
        except PermissionDenied as exc:
            error = str(exc)
    try:
        result = services.item_evaluate(item, answers)
    except ValidationError as exc:
        result, error = None, error or error_text(exc)
    context = {"item": item, "form": form, "qs": qs, "answers": answers, "version": version}
    context["can_edit"] = path_editable(
        request.user, item.path
    )  # what response_save's ensure_can_edit checks
    context |= {"derived": {c: r for c, (_d, r) in derived.items()}, "notes": notes}
    return render(request, "survey/form.html", context | {"result": result, "error": error})


@login_required
@require_POST
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The class and reasons of the form as filled in so far (htmx, on every change): same engine as the API."""
    item = _item(request, pk)
    qs = questions(item.campaign.form, standard_of(item.campaign.form))
    answers = {f"b2_{c}": d for c, (d, _r) in services.derived_for(item).items()} | _answers(qs, request.POST)
    try:
        result, error = services.item_evaluate(item, answers), ""
    except ValidationError as exc:
        result, error = None, error_text(exc)
    return render(request, "survey/_result.html", {"result": result, "error": error})


@login_required
def conflict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_visible_or_404(
        SyncConflict.objects.select_related("item__household", "item__campaign__form", "entered_by"),
        request.user,
        pk=pk,
    )
    device, server = conflict.device_answers["answers"], conflict.server_answers["answers"]
    form = conflict.item.campaign.form
    labels = {q["id"]: q["label"] for part in questions(form, standard_of(form)).values() for q in part}
    fields = [
        {"key": k, "label": labels.get(k, k), "device": device.get(k), "server": server.get(k)}
        for k in sorted(set(device) | set(server))
        if device.get(k) != server.get(k)
    ]
    error = ""
    if request.method == "POST":
        choices = {f["key"]: request.POST.get(f"f_{f['key']}", "") for f in fields}
        try:
            conflict_resolve(
                actor=request.user, conflict=conflict, choices=choices, reason=request.POST.get("reason", "")
            )
            return redirect("survey:campaign", pk=conflict.item.campaign_id)
        except ValidationError as exc:
            error = error_text(exc)
        except PermissionDenied as exc:
            error = str(exc)
    can_edit = path_editable(
        request.user, conflict.item.path
    )  # what conflict_resolve's ensure_can_edit checks
    context = {"conflict": conflict, "fields": fields, "error": error, "can_edit": can_edit}
    return render(request, "survey/conflict.html", context)


@login_required
def field_app(request: HttpRequest) -> HttpResponse:

    # `rendered` tells a page served by the service worker's cache from a fresh one (browser test)
    return render(request, "survey/app.html", {"rendered": uuid.uuid4().hex})


@login_required
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse((STATIC / "sw.js").read_text(encoding="utf-8"), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/ra-soat/app/"
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def manifest(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        (STATIC / "manifest.webmanifest").read_text(encoding="utf-8"),
        content_type="application/manifest+json",
    )


def _date(value: str) -> Any:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(_("Ngày không hợp lệ (định dạng năm-tháng-ngày).")) from exc


@login_required
@require_POST
def paperwork(request: HttpRequest, pk: int) -> HttpResponse:
    """One form post per step: meeting, posting, complaint, resolution, decision (services do the checks)."""

    campaign = get_visible_or_404(Campaign.objects.select_related("commune", "form"), request.user, pk=pk)
    p, user, action = request.POST, request.user, request.POST.get("action", "")
    try:
        if action == "meeting":
            village = UnitVersion.objects.get(pk=int(p.get("village", "0")), parent=campaign.commune)
            steps.meeting_record(
                actor=user,
                campaign=campaign,
                village=village,
                held_on=_date(p.get("held_on", "")),
                attendees=int(p.get("attendees") or 0),
                agreed=int(p.get("agreed") or 0),
                chaired_by=p.get("chaired_by", ""),
                minutes_note=p.get("minutes_note", ""),
            )
        elif action == "posting":
            steps.posting_record(
                actor=user,
                campaign=campaign,
                starts_on=_date(p.get("starts_on", "")),
                ends_on=_date(p.get("ends_on", "")),
                place=p.get("place", ""),
            )
        elif action == "complaint":
            item = campaign.households.get(household__code=p.get("code", "").strip())
            steps.complaint_record(
                actor=user,
                item=item,
                received_on=_date(p.get("received_on", "")),
                complainant=p.get("complainant", ""),
                content=p.get("content", ""),
            )
        elif action == "resolve":
            complaint = Complaint.objects.get(pk=int(p.get("complaint", "0")), item__campaign=campaign)
            steps.complaint_resolve(actor=user, complaint=complaint, resolution=p.get("resolution", ""))
        elif action == "decision":
            steps.decision_record(
                actor=user,
                campaign=campaign,
                number=p.get("number", ""),
                signed_on=_date(p.get("signed_on", "")),
                signer=p.get("signer", ""),
            )
        messages.success(request, _("Đã ghi."))
    except (UnitVersion.DoesNotExist, CampaignHousehold.DoesNotExist, Complaint.DoesNotExist, ValueError):
        messages.warning(
            request, _("Không tìm thấy thôn, hộ hoặc khiếu nại trong đợt rà soát; hoặc số không hợp lệ.")
        )
    except ValidationError as exc:
        messages.warning(request, error_text(exc))
    except PermissionDenied as exc:
        messages.warning(request, str(exc))
    return redirect("survey:campaign", pk=campaign.pk)


@login_required
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The review's result report (?format=xlsx|docx|pdf) through the report writers (poverty-review-results)."""

    fmt = request.GET.get("format", "xlsx")
    if fmt not in writers.FORMATS:
        raise Http404(_("Định dạng không hỗ trợ."))
    slug = REVIEW_REPORTS.get(request.GET.get("report", ""))
    if slug is None:
        raise Http404(_("Không có báo cáo này."))
    campaign = get_visible_or_404(Campaign.objects.select_related("commune"), request.user, pk=pk)
    data = get_report(slug)(request.user, ReportParams(unit=campaign.commune, year=campaign.year))
    response = HttpResponse(writers.render(slug, data, fmt), content_type=writers.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{slug}-{campaign.commune.code}-{campaign.year}.{fmt}"'
    )
    return response


@login_required
def household_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The registered certificate of a listed household for the campaign's year (DOCX), if one was issued."""
    item = _item(request, pk)
    cert = Certificate.objects.filter(
        household_id=item.household_id, year=item.campaign.year, status=Certificate.Status.VALID
    ).first()
    if cert is None:
        return HttpResponse(
            _("Hộ chưa được cấp giấy chứng nhận năm %(y)s (cấp tại danh sách giấy chứng nhận của xã).")
            % {"y": item.campaign.year},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return certificate_docx(request, cert.pk)


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    """A certificate in the user's data-entry scope (personal data in clear): others get 403."""
    cert = get_visible_or_404(
        Certificate.objects.select_related("household__village", "commune", "revoked_by", "issued_by"),
        request.user,
        pk=pk,
    )
    if not path_editable(request.user, cert.commune.path):
        raise PermissionDenied(_("Chỉ cán bộ xã được xem và in giấy chứng nhận."))
    return cert


@login_required
def certificate_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """Giấy chứng nhận (Mẫu số 03) as DOCX through the report writers."""
    cert = _certificate(request, pk)
    try:
        data = certificate(cert)
    except ValidationError as exc:
        return HttpResponse(error_text(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        writers.render("poverty-certificate", data, "docx"), content_type=writers.CONTENT_TYPES["docx"]
    )
    response["Content-Disposition"] = f'attachment; filename="giay-chung-nhan-{cert.household.code}.docx"'
    return response


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a printable page (Mẫu số 03 content), its status and history; revoke form."""
    cert = _certificate(request, pk)
    head = cert.household.members.filter(full_name=cert.household.head_name).first()
    hh = cert.household
    residence = ", ".join(
        x for x in (hh.address or (hh.village.name if hh.village else ""), cert.commune.name) if x
    )
    context = {"cert": cert, "members": certificate_members(cert), "head": head, "residence": residence}
    return render(request, "survey/certificate.html", context)


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    """Certificates of a commune (or of everything the user sees), by year and status; issue and revoke."""
    if request.method == "POST":
        return _certificate_action(request)
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    qs = certificates.certificates_for(request.user, year=int(year) if year.isdigit() else None)
    if request.GET.get("unit"):
        qs = qs.filter(commune__code=request.GET["unit"].strip())
    if status in Certificate.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    rows = [
        (
            c,
            c.household.head_name
            if path_editable(request.user, c.commune.path)
            else mask_name(c.household.head_name),
        )
        for c in page
    ]
    decided = (
        Campaign.objects.visible_to(request.user).filter(decision__isnull=False).select_related("commune")
    )
    context = {
        "page": page,
        "rows": rows,
        "year": year,
        "status": status,
        "unit": request.GET.get("unit", ""),
        "statuses": Certificate.Status.choices,
        "campaigns": [c for c in decided[:50] if path_editable(request.user, c.commune.path)],
    }
    return render(request, "survey/certificate_list.html", context)


def _certificate_action(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        if p.get("action") == "issue":
            campaign = get_visible_or_404(
                Campaign.objects.all(), request.user, pk=int(p.get("campaign", "0"))
            )
            made = certificates.certificates_issue(
                actor=request.user, campaign=campaign, issued_on=_date(p.get("issued_on", ""))
            )
            messages.success(request, _("Đã cấp %(n)s giấy chứng nhận.") % {"n": len(made)})
        elif p.get("action") == "revoke":
            cert = _certificate(request, int(p.get("certificate", "0")))
            certificates.certificate_revoke(
                actor=request.user, certificate=cert, on=_date(p.get("on", "")), reason=p.get("reason", "")
            )
            messages.success(request, _("Đã thu hồi giấy chứng nhận %(n)s.") % {"n": cert.number})
            return redirect("survey:certificate_detail", pk=cert.pk)
    except ValueError:
        messages.warning(request, _("Số không hợp lệ."))
    except ValidationError as exc:
        messages.warning(request, error_text(exc))
    except PermissionDenied as exc:
        messages.warning(request, str(exc))
    return redirect("survey:certificates")
