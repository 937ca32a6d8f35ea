"""Report screens: run any catalog report (form → preview → downloads, large files via background jobs), sign a
report off into a frozen snapshot, list/view snapshots and compare two of them figure by figure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtqg.core.jobs import job_enqueue
from mtqg.core.scoping import get_visible_or_404, path_editable
from mtqg.core.service_errors import error_messages, flash_errors
from mtqg.reports.catalog import report_from_data
from mtqg.reports.writers import CONTENT_TYPES, FORMATS, template_blocks

from . import reporting, services, snapshots
from .models import RenderedReport, Snapshot


def preview_blocks(slug: str, data: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Blocks ready for the template: table cells formatted by their declared kind, charts as inline SVG (no
    script, CSP-safe)."""
    report = report_from_data(slug, data)
    return report.document, template_blocks(report, with_title=True)


def _file_response(content: bytes | memoryview, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def reports_index(request: HttpRequest) -> HttpResponse:
    """GET with a slug runs the report and previews it; download links keep the same parameters."""
    errors: list[str] = []
    data: Any = None
    run = None
    slug = request.GET.get("slug", "")
    if slug:
        try:
            run = reporting.prepare(request.user, slug, request.GET.dict())
            data = reporting.compute(request.user, run)
        except ValidationError as exc:
            errors = error_messages(exc)
    doc, blocks = preview_blocks(slug, data) if data is not None and run else ({}, [])
    return render(
        request,
        "supervision/reports.html",
        {
            "tab": "reports",
            "catalog": reporting.catalog_choices(),
            "q": request.GET,
            "run": run,
            "doc": doc,
            "blocks": blocks,
            "errors": errors,
            "formats": [(f, run.needs_job(f)) for f in FORMATS] if run else [],
            "query": request.GET.urlencode(),
            # snapshot_create's check: only who may enter data for the unit signs its report off
            "can_sign": run is not None and path_editable(request.user, run.params.unit.path),
        },
        status=400 if errors else 200,
    )


@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    """Small files straight away (GET); large ones (briefing, PDF) are queued as a job (POST) with a progress page."""
    fmt = request.GET.get("format") or request.POST.get("format", "")
    source = request.POST if request.method == "POST" else request.GET
    try:
        run = reporting.prepare(request.user, source.get("slug", ""), source.dict())
        if fmt not in FORMATS:
            raise ValidationError(_("Định dạng không được hỗ trợ."))
        if run.needs_job(fmt):
            if request.method != "POST":
                raise ValidationError(
                    _("Tệp này được tạo bằng công việc nền: hãy bấm nút tải về trên trang báo cáo.")
                )
            job = job_enqueue(
                actor=request.user,
                kind="supervision.render_report",
                params={"slug": run.slug, "params": run.raw, "fmt": fmt},
                title=_("%(title)s (%(fmt)s) — %(unit)s")
                % {"title": run.title, "fmt": fmt.upper(), "unit": run.params.unit.name},
            )
            return redirect(job.get_absolute_url())
        data = reporting.compute(request.user, run)
        return _file_response(reporting.render_file(run, data, fmt), run.filename(fmt), fmt)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(f"{_reports_url()}?{source.urlencode()}")


def _reports_url() -> str:
    return reverse("supervision:reports")


@login_required
def rendered_download(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(RenderedReport.objects.all(), request.user, pk=pk)
    if item.owner_id != request.user.pk:
        raise Http404(_("Không tìm thấy tệp."))
    return _file_response(item.content, item.filename, item.fmt)


@login_required
@require_POST
def report_sign(request: HttpRequest) -> HttpResponse:
    """Sign off: figures (the report's JSON) and the rendered file are frozen with a SHA-256 hash."""
    fmt = request.POST.get("format", "docx")
    try:
        run = reporting.prepare(request.user, request.POST.get("slug", ""), request.POST.dict())
        if fmt not in FORMATS:
            raise ValidationError(_("Định dạng không được hỗ trợ."))
        data = reporting.compute(request.user, run)
        reporting.ensure_complete(data)
        snap = services.snapshot_create(
            actor=request.user,
            report=run.slug,
            unit=run.params.unit,
            figures=data,
            params=run.raw,
            rendered=reporting.render_file(run, data, fmt),
            rendered_name=run.filename(fmt),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(f"{_reports_url()}?{request.POST.urlencode()}")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền ký duyệt báo cáo của đơn vị này."))
        return redirect(f"{_reports_url()}?{request.POST.urlencode()}")
    messages.success(request, _("Đã ký duyệt và lưu bản chốt số liệu."))
    return redirect("supervision:snapshot", pk=snap.pk)


@login_required
def snapshot_list(request: HttpRequest) -> HttpResponse:
    qs = (
        Snapshot.objects.visible_to(request.user)
        .select_related("unit", "author")
        .order_by("-signed_at", "-pk")
    )
    report = request.GET.get("report", "")
    if report:
        qs = qs.filter(report=report)
    page = Paginator(qs.defer("rendered", "figures"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/snapshots.html",
        {"tab": "snapshots", "page": page, "report": report, "catalog": reporting.catalog_choices()},
    )


@login_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snap = get_visible_or_404(Snapshot.objects.select_related("unit", "author"), request.user, pk=pk)
    if request.GET.get("download"):
        fmt = snap.rendered_name.rsplit(".", 1)[-1] if snap.rendered_name else "bin"
        return _file_response(snap.rendered, snap.rendered_name or f"snapshot-{snap.pk}.{fmt}", fmt)
    doc, blocks = preview_blocks(snap.report, snap.figures)
    others = (
        Snapshot.objects.visible_to(request.user)
        .filter(report=snap.report, unit=snap.unit)
        .exclude(pk=snap.pk)
        .defer("rendered", "figures")
        .order_by("-signed_at")[:50]
    )
    return render(
        request,
        "supervision/snapshot.html",
        {
            "tab": "snapshots",
            "s": snap,
            "intact": snap.compute_hash() == snap.sha256,
            "doc": doc,
            "blocks": blocks,
            "others": others,
        },
    )


@login_required
def snapshot_compare(request: HttpRequest) -> HttpResponse:
    qs = Snapshot.objects.select_related("unit", "author")
    try:
        a = get_visible_or_404(qs, request.user, pk=int(request.GET.get("a") or 0))
        b = get_visible_or_404(qs, request.user, pk=int(request.GET.get("b") or 0))
    except ValueError as exc:
        raise Http404(_("Không tìm thấy bản chốt.")) from exc
    rows = snapshots.compare(a, b)
    only_changed = request.GET.get("all") != "1"
    shown = [r for r in rows if r["changed"]] if only_changed else rows
    return render(
        request,
        "supervision/compare.html",
        {
            "tab": "snapshots",
            "a": a,
            "b": b,
            "rows": shown,
            "total": len(rows),
            "changed": sum(1 for r in rows if r["changed"]),
            "only_changed": only_changed,
        },
    )
