"""OCOP screens: product list (filters, XLSX), product page, province summary, public catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from mtqg.accounts.models import Assignment
from mtqg.core.audit import history_for
from mtqg.core.scoping import (
    edit_prefixes,
    entry_required,
    get_visible_or_404,
    path_editable,
    path_visible,
)
from mtqg.core.tables import write_xlsx, xlsx_response
from mtqg.geo.models import UnitVersion
from mtqg.geo.selectors import UnitNotFound, current_version, unit_by_code
from mtqg.reports.params import parse_params

from .exports import product_table
from .importer import HEADER, import_products
from .models import Product, ProductGroup, SalesChannel
from .reports import DEFAULT_EXPIRY_DAYS, ocop_summary
from .selectors import ProductFilters, product_list, public_channels
from .selectors import catalogue as catalogue_qs

PAGE_SIZE = 50


def _filter_context(request: HttpRequest, filters: ProductFilters) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filters": filters,
        "groups": list(ProductGroup.objects.select_related("parent").order_by("code")),
        "channel_kinds": SalesChannel.Kind.choices,
        "star_choices": [1, 2, 3, 4, 5],
        "querystring": query.urlencode(),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    filters = ProductFilters.from_query(request.GET)
    qs = product_list(request.user, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    communes = (
        UnitVersion.objects.filter(pk__in=Product.objects.visible_to(request.user).values("commune_id"))
        .select_related("parent")
        .order_by("name")
    )
    context = {
        "page": page,
        "communes": communes,
        "can_enter": bool(edit_prefixes(request.user)),
        **_filter_context(request, filters),
    }
    return render(request, "ocop/index.html", context)


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    filters = ProductFilters.from_query(request.GET)
    data = write_xlsx([product_table(product_list(request.user, filters))])
    return xlsx_response(data, "san-pham-ocop.xlsx")


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_visible_or_404(
        Product.objects.select_related(
            "subject", "commune", "commune__parent", "group", "group__parent", "current_rating"
        ),
        request.user,
        pk=pk,
    )
    context = {
        "product": product,
        "ratings": product.ratings.select_related("ruleset").order_by("-decision_date", "-pk"),
        "channels": product.channels.order_by("kind", "name"),
        "history": history_for(product, request.user)[:50],
        "can_edit": path_editable(request.user, product.commune.path),
        "today": timezone.localdate(),
    }
    return render(request, "ocop/product_detail.html", context)


def _default_unit_code(request: HttpRequest) -> str:
    today = timezone.localdate()
    assignment = Assignment.objects.first_for(request.user, today)
    if assignment is None:
        return ""
    unit = current_version(assignment.unit, today) or assignment.unit
    return unit.code


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    raw = {
        "unit": request.GET.get("unit") or _default_unit_code(request),
        "as_of": request.GET.get("as_of", ""),
    }
    errors: dict[str, list[str]] = {}
    result = None
    try:
        params = parse_params(raw)
    except ValidationError as exc:
        errors = exc.message_dict
    else:
        if not path_visible(request.user, params.unit.path):
            raise Http404(_("Không tìm thấy đơn vị hoặc bạn không có quyền xem."))
        try:
            params.extra["days"] = max(1, min(3650, int(request.GET.get("days") or DEFAULT_EXPIRY_DAYS)))
        except ValueError:
            params.extra["days"] = DEFAULT_EXPIRY_DAYS
        result = ocop_summary(request.user, params)
    context = {
        "result": result,
        "errors": errors,
        "raw": raw,
        "days": request.GET.get("days", DEFAULT_EXPIRY_DAYS),
    }
    return render(request, "ocop/summary.html", context)


def catalogue(request: HttpRequest) -> HttpResponse:
    """Public (no login): published, certified products; only non-personal fields are rendered."""
    filters = ProductFilters.from_query(request.GET)
    province = None
    code = request.GET.get("province", "").strip()
    if code:
        try:
            province = unit_by_code(code, date.today(), level=UnitVersion.Level.PROVINCE)
        except UnitNotFound:
            province = None
    # Paginate the ids only (product ⋈ rating), then load the 30 shown with their joins (decision 0404).
    qs = catalogue_qs(filters, province)
    page = Paginator(qs.values_list("pk", flat=True), 30).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    shown = {p.pk: p for p in qs.filter(pk__in=ids)}
    channels = public_channels(ids)
    items = [{"product": shown[pk], "channels": channels.get(pk, [])} for pk in ids if pk in shown]
    provinces = (
        UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE).as_of(date.today()).order_by("name")
    )
    context = {
        "page": page,
        "items": items,
        "provinces": provinces,
        "province": province,
        **_filter_context(request, filters),
    }
    return render(request, "ocop/catalogue.html", context)


IMPORT_MAX_BYTES = 5 * 1024 * 1024


@login_required
@entry_required
def import_xlsx(request: HttpRequest) -> HttpResponse:
    """Upload an XLSX of products; 'dry run' checks every row and writes nothing."""
    result = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not (upload.name or "").lower().endswith(".xlsx"):
            error = _("Hãy chọn tệp Excel (.xlsx).")
        elif upload.size is not None and upload.size > IMPORT_MAX_BYTES:
            error = _("Tệp không được lớn hơn 5 MB.")
        else:
            result = import_products(
                actor=request.user, content=upload.read(), dry_run=bool(request.POST.get("dry_run"))
            )
    return render(request, "ocop/import.html", {"result": result, "error": error, "header": HEADER})
