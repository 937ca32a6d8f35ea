"""Screens: scenario list + form, scenario results (side by side, chart, communes), commune explanation, compare,
XLSX export, conversion to draft works, delete."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mtqg.core.audit import history_for
from mtqg.core.jobs import job_enqueue
from mtqg.core.scoping import get_visible_or_404, path_editable
from mtqg.core.service_errors import error_messages, error_text
from mtqg.core.tables import write_xlsx, xlsx_response
from mtqg.geo.models import UnitVersion

from . import services
from .forms import ScenarioForm
from .models import Scenario
from .planner import method_labels
from .selectors import scenarios_for, tables


@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = ScenarioForm(request.POST or None, user=request.user, initial={"as_of": date.today()})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        rules = form.rules()
        if form.is_valid() and form.cleaned_data["province"].level == UnitVersion.Level.COUNTRY:
            job = job_enqueue(
                actor=request.user,
                kind="planning.scenario",
                params={
                    "province_id": form.cleaned_data["province"].pk,
                    "name": form.cleaned_data["name"],
                    "as_of": form.cleaned_data["as_of"].isoformat(),
                    "budget": form.budget,
                    "mode": form.cleaned_data["mode"],
                    "objective": form.cleaned_data["objective"],
                    "rules": rules,
                    "note": form.cleaned_data["note"],
                },
                title=_("Kịch bản phân bổ cả nước: %(n)s") % {"n": form.cleaned_data["name"]},
            )
            return redirect(job.get_absolute_url())
        if form.is_valid():
            try:
                scenario = services.scenario_create(
                    actor=request.user,
                    province=form.cleaned_data["province"],
                    name=form.cleaned_data["name"],
                    as_of=form.cleaned_data["as_of"],
                    budget=form.budget,
                    mode=form.cleaned_data["mode"],
                    objective=form.cleaned_data["objective"],
                    rules=rules,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            except PermissionDenied as exc:
                errors = [str(exc)]
            else:
                messages.success(request, _("Đã lưu kịch bản “%(n)s”.") % {"n": scenario.name})
                return redirect("planning:scenario", pk=scenario.pk)
    rows = list(scenarios_for(request.user))
    for s in rows:
        s.plan = next((r for r in s.result.get("side_by_side", []) if r["method"] == "optimiser"), None)  # type: ignore[attr-defined]
    # the form lists the provinces the user may plan for (the service's ensure_can_edit); none → no form
    can_plan = form.fields["province"].queryset.exists()  # type: ignore[attr-defined]
    context = {"form": form, "scenarios": rows, "errors": errors, "can_plan": can_plan}
    return render(request, "planning/index.html", context)


def _scenario(request: HttpRequest, pk: int) -> Scenario:
    return get_visible_or_404(Scenario.objects.select_related("province", "created_by"), request.user, pk=pk)


@login_required
def scenario(request: HttpRequest, pk: int) -> HttpResponse:
    s = _scenario(request, pk)
    communes = s.result.get("communes", [])
    show = request.GET.get("show", "funded")
    if show == "funded":
        communes = [c for c in communes if c["funded_amount"]]
    elif show == "open":
        communes = [c for c in communes if not c["already"]]
    context: dict[str, Any] = {
        "s": s,
        "r": s.result,
        "communes": communes,
        "show": show,
        "can_edit": path_editable(request.user, s.province.path),
        "history": history_for(s, request.user),
        "this_year": (s.rules.get("horizon") or [date.today().year])[0],
    }
    return render(request, "planning/scenario.html", context)


@login_required
def chart(request: HttpRequest, pk: int) -> JsonResponse:
    s = _scenario(request, pk)
    side = s.result.get("side_by_side", [])
    return JsonResponse(
        {
            "methods": [r["label"] for r in side],
            "communes_reaching": [r["communes_reaching"] for r in side],
            "criteria_closed": [r["criteria_closed"] for r in side],
            "labels": {
                "communes": _("Xã đạt chuẩn thêm"),
                "criteria": _("Tiêu chí hoàn thành"),
                "budget": _("Ngân sách (tỷ đồng)"),
            },
            "sensitivity": [
                {"budget": p["budget"] / 1_000_000_000, "communes": p["communes_reaching"]}
                for p in s.result.get("sensitivity", [])
            ],
        }
    )


@login_required
def commune(request: HttpRequest, pk: int, commune_id: int) -> HttpResponse:
    s = _scenario(request, pk)
    row = next((c for c in s.result.get("communes", []) if c["id"] == commune_id), None)
    if row is None:
        raise Http404(_("Không tìm thấy xã trong kịch bản."))
    return render(request, "planning/commune.html", {"s": s, "c": row})


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    s = _scenario(request, pk)
    return xlsx_response(write_xlsx(tables(s)), f"kich-ban-{s.pk}.xlsx")


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.GET.getlist("ids") if i.isdigit()]
    chosen = list(scenarios_for(request.user).filter(pk__in=ids).order_by("budget", "pk"))
    rows = []
    for s in chosen:
        side = {r["method"]: r for r in s.result.get("side_by_side", [])}
        rows.append(
            {"s": s, "plan": side.get("optimiser"), "even": side.get("even"), "greedy": side.get("greedy")}
        )
    return render(request, "planning/compare.html", {"rows": rows, "labels": method_labels()})


@login_required
@require_POST
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    s = _scenario(request, pk)
    try:
        year = int(request.POST.get("year", ""))
        count = services.scenario_to_finance(actor=request.user, scenario=s, year=year)
    except ValueError:
        messages.error(request, _("Năm kế hoạch không hợp lệ."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("Đã tạo %(n)d công trình dự thảo trong sổ vốn, chờ phê duyệt.") % {"n": count}
        )
    return redirect("planning:scenario", pk=s.pk)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    s = _scenario(request, pk)
    try:
        services.scenario_delete(actor=request.user, scenario=s)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("planning:scenario", pk=s.pk)
    messages.success(request, _("Đã xóa kịch bản."))
    return redirect("planning:index")
