"""Poverty screens: dashboard, register search, household page."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.core.audit import history_for
from mtqg.core.scoping import edit_prefixes, get_visible_or_404, path_q, path_visible
from mtqg.core.search import search_q
from mtqg.core.service_errors import error_text
from mtqg.core.tables import safe_cell, xlsx_response
from mtqg.core.versioning import StaleEdit
from mtqg.geo.selectors import lineage_scope_paths, successors, unit_by_code
from mtqg.reports.params import parse_params

from . import importing
from .forms import HouseholdForm, MemberForm, ReviewForm
from .importing import batch_stage, errors_csv, template_csv, template_xlsx
from .models import (
    Decision,
    Household,
    ImportBatch,
    Member,
    PersonalDataExport,
    Review,
    StagedChunk,
    StagedDecision,
)
from .privacy import can_see_personal, mask_changes, personal
from .reports import summary
from .services import (
    export_log,
    household_update,
    member_create,
    member_delete,
    member_update,
    personal_data_read,
    review_update,
)
from .standards import classify_with


@login_required
def index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("unit", "11")
    year = request.GET.get("year", "2020")
    baseline = request.GET.get("baseline", "")
    result, error = None, ""
    try:
        params = parse_params({"unit": code, "year": year, "baseline": baseline})
        if path_visible(request.user, params.unit.path):
            result = summary(request.user, params)
    except ValidationError as exc:
        error = error_text(exc)
    return render(
        request,
        "poverty/index.html",
        {"result": result, "error": error, "unit": code, "year": year, "baseline": baseline},
    )


def _unit_paths(code: str) -> tuple[Any, tuple[str, ...]]:
    """A unit by code (current structure first, then pre-2025) and the paths it covers through lineage, so that a
    2025 commune also finds the households registered on its pre-2025 predecessors."""

    for on in (timezone.localdate(), date(2025, 6, 30)):
        try:
            unit = unit_by_code(code, on)
        except (ValidationError, LookupError, ValueError):
            continue
        if unit is not None:
            return unit, tuple(lineage_scope_paths(unit) | {unit.path})
    raise ValidationError(_("Không tìm thấy đơn vị có mã %(c)s.") % {"c": code})


def _search_q(user: Any, q: str) -> Q:
    """Register search (one mechanism, core.search): by household code or village anywhere the user sees; by name,
    ID number or address only among the households of the user's data-entry scope (personal identifiers, 0907)."""

    anywhere = search_q(q, ("village_name",), exact=("code",))
    personal_match = search_q(q, ("address",), folded=("head_search",), exact=("members__id_number",))
    return anywhere | (personal_match & path_q("commune__path", edit_prefixes(user)))


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    unit_code = request.GET.get("unit", "").strip()
    qs = Household.objects.visible_to(request.user).select_related("commune")
    error, unit = "", None
    if unit_code:
        try:
            unit, paths = _unit_paths(unit_code)
            qs = qs.filter(path_q("commune__path", paths))
        except ValidationError as exc:
            error = error_text(exc)
            qs = qs.none()
    if q:
        qs = qs.filter(_search_q(request.user, q)).distinct()
    page = Paginator(qs.order_by("code"), 50).get_page(request.GET.get("page"))
    rows, shown = [], Counter[int]()
    for h in page.object_list:
        clear = can_see_personal(request.user, h.commune.path)
        rows.append(
            {
                "obj": h,
                "head": personal("head_name", h.head_name, clear),
                "address": personal("address", h.address, clear),
            }
        )
        if clear:
            shown[h.commune_id] += 1
    personal_data_read(
        actor=request.user,
        kind=PersonalDataExport.Kind.LIST,
        rows_by_unit=shown,
        target=request.get_full_path(),
        reason=request.GET.get("reason", ""),
    )
    return render(
        request,
        "poverty/household_list.html",
        {"page": page, "rows": rows, "q": q, "unit_code": unit_code, "unit": unit, "error": error},
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_visible_or_404(
        Household.objects.select_related("commune", "village"), request.user, pk=pk
    )
    clear = can_see_personal(request.user, household.commune.path)
    members = [
        {
            "obj": m,
            "name": personal("full_name", m.full_name, clear),
            "id_number": personal("id_number", m.id_number, clear),
            "birth_date": m.birth_date if clear else personal("birth_date", m.birth_date, clear),
        }
        for m in household.members.all()
    ]
    if clear:
        personal_data_read(
            actor=request.user,
            kind=PersonalDataExport.Kind.PAGE,
            rows_by_unit={household.commune_id: max(1, len(members))},
            target=request.get_full_path(),
            reason=request.GET.get("reason", ""),
        )
    reviews = list(
        Review.objects.visible_to(request.user)
        .filter(household=household)
        .select_related("standard", "commune")
        .order_by("-year")
    )

    timeline = [
        {
            "review": r,
            "reasons": classify_with(r.standard, r.area, r.income_per_capita_month, r.deprivations).reasons,
        }
        for r in reviews
    ]
    head = personal("head_name", household.head_name, clear)

    history = list(history_for(household, request.user))
    for record in history:  # old and new names/addresses follow the same masking rule
        record.changes = mask_changes(record.changes, clear)

    return render(
        request,
        "poverty/household_detail.html",
        {
            "household": household,
            "head": head,
            "address": personal("address", household.address, clear),
            "members": members,
            "timeline": timeline,
            "clear": clear,
            "now_under": successors(household.commune),
            "history": history,
        },
    )


# --- import batches (maker-checker) and personal-data export ---------------------------------------------------


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:

    error = ""
    if request.method == "POST":
        upload: Any = request.FILES.get("file")
        members: Any = request.FILES.get("members")
        try:
            if upload is None:
                raise ValidationError(_("Chưa chọn tệp."))
            params = parse_params(
                {"unit": request.POST.get("unit", ""), "year": request.POST.get("year", "")}
            )
            if not params.year:
                raise ValidationError({"year": _("Thiếu năm rà soát.")})
            batch = batch_stage(
                actor=request.user,
                unit=params.unit,
                year=params.year,
                data=upload.file,
                name=upload.name or "tep.csv",
                members=members.file if members else None,
                members_name=(members.name or "") if members else "",
            )
            return redirect("poverty:batch_detail", pk=batch.pk)
        except (ValidationError, PermissionDenied) as exc:
            error = error_text(exc)
    batches = ImportBatch.objects.visible_to(request.user).select_related("unit", "created_by")[:100]
    return render(request, "poverty/batch_list.html", {"batches": batches, "error": error})


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Checker's page: staged records (paginated) with accept/reject per record or in bulk, commit as a job."""
    batch = get_visible_or_404(ImportBatch.objects.select_related("unit", "created_by"), request.user, pk=pk)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("accept", "reject", "undecide"):
                lines = [int(x) for x in request.POST.getlist("line") if x.isdigit()]
                if not lines:
                    raise ValidationError(_("Chưa chọn dòng nào."))
                decision = {"accept": Decision.ACCEPTED, "reject": Decision.REJECTED}.get(action, "")
                importing.staged_row_decide(actor=request.user, batch=batch, lines=lines, decision=decision)
            elif action == "accept_rest":
                importing.batch_accept_rest(actor=request.user, batch=batch)
            elif action == "commit":
                job = importing.batch_commit_request(actor=request.user, batch=batch)
                return redirect(job.get_absolute_url())
            elif action == "reject_batch":
                importing.batch_reject(actor=request.user, batch=batch, reason=request.POST.get("reason", ""))
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
            return redirect(request.get_full_path())
        except (ValidationError, PermissionDenied) as exc:
            error = error_text(exc)
    clear = can_see_personal(request.user, batch.unit.path)
    staged = importing.StagedLines(StagedChunk.objects.visible_to(request.user), batch.pk)
    page = Paginator(staged, 100).get_page(request.GET.get("page"))
    rows = [{"obj": r, "head": personal("head_name", r.head_name, clear)} for r in page.object_list]
    counts = dict(
        StagedDecision.objects.filter(batch=batch).values_list("decision").annotate(n=Count("pk")).order_by()
    )
    return render(
        request,
        "poverty/batch_detail.html",
        {
            "batch": batch,
            "errors": batch.errors[:200],
            "error": error,
            "page": page,
            "rows": rows,
            "accepted": counts.get(Decision.ACCEPTED, 0),
            "rejected": counts.get(Decision.REJECTED, 0),
            "undecided": page.paginator.count - sum(counts.values()),
            "is_maker": batch.created_by_id == request.user.pk,
        },
    )


@login_required
def batch_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch.objects.select_related("unit"), request.user, pk=pk)
    response = HttpResponse(errors_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loi-lo-{batch.pk}.csv"'
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "households")
    try:
        year = int(request.GET.get("year", "2025"))
        if request.GET.get("format") == "xlsx":
            return xlsx_response(template_xlsx(year), f"mau-ra-soat-{year}.xlsx")
        data = template_csv(year, kind)
    except (ValueError, ValidationError):
        return HttpResponse(_("Năm không hợp lệ."), status=400)
    name = "mau-thanh-vien" if kind == "members" else f"mau-ra-soat-{year}"
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


# --- edit screens (entry scope only; services audit every change) ------------------------------------------------


def _editable_household(request: HttpRequest, pk: int) -> Household:
    household = get_visible_or_404(Household.objects.select_related("commune"), request.user, pk=pk)
    if not can_see_personal(request.user, household.commune.path):
        raise PermissionDenied(_("Bạn chỉ được xem hộ này."))
    if request.method == "GET":  # an edit form shows the personal data in clear: a read (0908)
        personal_data_read(
            actor=request.user,
            kind=PersonalDataExport.Kind.PAGE,
            rows_by_unit={household.commune_id: 1},
            target=request.get_full_path(),
            reason=request.GET.get("reason", ""),
        )
    return household


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = _editable_household(request, pk)
    form = HouseholdForm(request.POST or None, instance=Household.objects.get(pk=household.pk))
    if request.method == "POST" and form.is_valid():
        expected = form.pop_version()
        try:
            household_update(
                actor=request.user, household=household, expected_version=expected, **form.cleaned_data
            )
            return redirect("poverty:household_detail", pk=household.pk)
        except StaleEdit as exc:
            form.stale(exc)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(
        request, "poverty/edit.html", {"form": form, "household": household, "title": _("Sửa thông tin hộ")}
    )


@login_required
def member_edit(request: HttpRequest, pk: int, member_pk: int | None = None) -> HttpResponse:
    household = _editable_household(request, pk)
    member = (
        get_visible_or_404(Member.objects.filter(household=household), request.user, pk=member_pk)
        if member_pk
        else None
    )
    if request.method == "POST" and member is not None and request.POST.get("action") == "delete":
        member_delete(actor=request.user, member=member, reason=request.POST.get("reason", ""))
        return redirect("poverty:household_detail", pk=household.pk)
    form = MemberForm(request.POST or None, instance=Member.objects.get(pk=member.pk) if member else None)
    if request.method == "POST" and form.is_valid():
        try:
            if member is None:
                member_create(actor=request.user, household=household, **form.cleaned_data)
            else:
                member_update(actor=request.user, member=member, **form.cleaned_data)
            return redirect("poverty:household_detail", pk=household.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    title = _("Sửa thành viên") if member else _("Thêm thành viên")
    return render(
        request, "poverty/edit.html", {"form": form, "household": household, "title": title, "member": member}
    )


@login_required
def review_edit(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    household = _editable_household(request, pk)
    review = get_visible_or_404(
        Review.objects.filter(household=household).select_related("standard", "commune", "local_standard"),
        request.user,
        pk=review_pk,
    )
    form = ReviewForm(
        request.POST or None, instance=Review.objects.select_related("standard").get(pk=review.pk)
    )
    if request.method == "POST" and form.is_valid():
        expected = form.pop_version()
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            review_update(actor=request.user, review=review, reason=reason, expected_version=expected, **data)
            return redirect("poverty:household_detail", pk=household.pk)
        except StaleEdit as exc:
            form.stale(exc)
        except ValidationError as exc:
            form.add_error(None, exc)
    title = _("Sửa kết quả rà soát năm %(y)s") % {"y": review.year}
    return render(request, "poverty/edit.html", {"form": form, "household": household, "title": title})


@login_required
def household_export(request: HttpRequest) -> HttpResponse:
    """CSV of households with names: only in data-entry scope, with a stated reason that is logged."""

    reason = request.GET.get("reason", "").strip()
    try:
        params = parse_params({"unit": request.GET.get("unit", "")})
    except ValidationError as exc:
        return HttpResponse(error_text(exc), status=400)
    if not reason:
        return HttpResponse(_("Cần nêu lý do xuất dữ liệu cá nhân."), status=400)
    if not path_visible(request.user, params.unit.path):
        return HttpResponse(_("Không tìm thấy đơn vị."), status=404)

    paths = tuple(
        lineage_scope_paths(params.unit) | {params.unit.path}
    )  # a 2025 unit covers its predecessors
    qs = Household.objects.editable_by(request.user).filter(path_q("commune__path", paths)).order_by("code")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Mã hộ"), _("Chủ hộ"), _("Địa chỉ"), _("Dân tộc")])
    count = 0
    for h in qs.iterator(chunk_size=5000):
        writer.writerow([safe_cell(v) for v in (h.code, h.head_name, h.address, h.ethnicity)])
        count += 1
    try:
        export_log(actor=request.user, unit=params.unit, reason=reason, row_count=count)
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="ho-gia-dinh.csv"'
    return response


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The personal-data access log of the user's scope: who read or exported whose data, when, why, how much."""
    qs = (
        PersonalDataExport.objects.visible_to(request.user)
        .select_related("unit", "user")
        .order_by("-created_at", "-pk")
    )
    kind = request.GET.get("kind", "")
    if kind in PersonalDataExport.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "poverty/access_log.html",
        {"page": page, "kind": kind, "kinds": PersonalDataExport.Kind.choices},
    )
