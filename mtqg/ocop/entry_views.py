"""OCOP entry screens: subject, product, rating (scores per part, council, decision) and sales channel. Each form
calls the same service as the importer and the tests; the service's Vietnamese messages are shown field by field
and nothing is written on error."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.scoping import entry_required, get_visible_or_404
from mtqg.core.service_errors import add_form_errors
from mtqg.geo.models import UnitVersion

from . import services
from .forms import ChannelForm, ProductForm, RatingForm, SubjectForm
from .models import Product, Subject


def _apply(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    add_form_errors(form, exc, denied=_("Bạn không có quyền nhập liệu cho đơn vị này."))


def resolve_commune(user: Any, code: str) -> UnitVersion:
    """A commune the user can see by its official code: the version valid today, else the latest one."""
    qs = UnitVersion.objects.filter(code=code.strip(), level=UnitVersion.Level.COMMUNE)
    found = (
        qs.as_of(date.today()).visible_to(user).first() or qs.visible_to(user).order_by("-valid_from").first()
    )
    if found is None:
        raise ValidationError(
            {"commune_code": _("Không có xã mã %(code)s trong phạm vi của bạn.") % {"code": code}}
        )
    return found


def _page(request: HttpRequest, title: str, form: forms.Form, back: str, **extra: Any) -> HttpResponse:
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"title": title, "form": form, "back": back, **extra}
    return render(request, "ocop/entry_form.html", context, status=status)


@login_required
@entry_required
def subject_new(request: HttpRequest) -> HttpResponse:
    form = SubjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            commune = resolve_commune(request.user, data.pop("commune_code"))
            subject = services.subject_create(actor=request.user, commune=commune, **data)
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Đã thêm chủ thể OCOP. Nhập sản phẩm của chủ thể."))
            return redirect(f"{_url('ocop:product-new')}?subject={subject.pk}")
    return _page(request, _("Thêm chủ thể OCOP"), form, _url("ocop:index"))


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


@login_required
def product_new(request: HttpRequest) -> HttpResponse:
    subject = get_visible_or_404(
        Subject.objects.select_related("commune"), request.user, pk=request.GET.get("subject") or 0
    )
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = services.product_create(
                actor=request.user,
                subject=subject,
                name=data["name"],
                group=data["group"],
                description=data["description"],
                photo=data["photo"],
                is_published=data["is_published"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Đã thêm sản phẩm. Nhập kết quả đánh giá, phân hạng."))
            return redirect("ocop:rating-new", pk=product.pk)
    title = _("Thêm sản phẩm của %(s)s") % {"s": subject.name}
    return _page(request, title, form, _url("ocop:index"), multipart=True)


def _product(request: HttpRequest, pk: int) -> Product:
    return get_visible_or_404(Product.objects.select_related("commune"), request.user, pk=pk)


@login_required
def rating_new(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    form = RatingForm(request.POST or None, initial={"round_year": date.today().year})
    if request.method == "POST" and form.is_valid():
        try:
            rating = services.rating_record(actor=request.user, product=product, **form.service_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("Đã ghi kết quả: %(t)d điểm, %(s)d sao.") % {"t": rating.total, "s": rating.stars}
            )
            return redirect("ocop:product", pk=product.pk)
    title = _("Đánh giá, phân hạng: %(p)s") % {"p": product.name}
    return _page(request, title, form, _url("ocop:product", product.pk))


@login_required
def channel_new(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_add(actor=request.user, product=product, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Đã thêm kênh tiêu thụ."))
            return redirect("ocop:product", pk=product.pk)
    title = _("Thêm kênh tiêu thụ: %(p)s") % {"p": product.name}
    return _page(request, title, form, _url("ocop:product", product.pk))
