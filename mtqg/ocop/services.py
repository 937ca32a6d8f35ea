"""Writes for OCOP: subjects, products, ratings and sales channels (validated, atomic, audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.core.audit import diff, record_change, snapshot
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.uploads import extension, image_kind
from mtqg.core.versioning import versioned_save
from mtqg.geo.models import UnitVersion

from .models import Product, ProductGroup, Rating, SalesChannel, Subject
from .rules import add_months, ruleset_on, stars_for

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_KINDS = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "webp": "webp"}  # extension → image kind


def _check_commune(commune: UnitVersion, errors: dict[str, str]) -> None:
    if commune.level != UnitVersion.Level.COMMUNE:
        errors["commune"] = _("Phải chọn đơn vị cấp xã.")


def validate_photo(photo: UploadedFile) -> None:
    """Only JPEG/PNG/WebP images up to 2 MB, checked by extension and by reading the image (Pillow)."""
    ext = extension(photo)
    if ext not in PHOTO_KINDS:
        raise ValidationError({"photo": _("Ảnh phải là tệp JPG, PNG hoặc WebP.")})
    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("Ảnh không được lớn hơn 2 MB.")})
    if image_kind(photo, (PHOTO_KINDS[ext],)) is None:
        raise ValidationError({"photo": _("Nội dung tệp không phải ảnh hợp lệ.")})


@transaction.atomic
def subject_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    commune: UnitVersion,
    address: str = "",
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    tax_code: str = "",
) -> Subject:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Thiếu tên chủ thể.")
    if kind not in Subject.Kind.values:
        errors["kind"] = _("Loại hình chủ thể không hợp lệ.")
    _check_commune(commune, errors)
    if errors:
        raise ValidationError(errors)
    ensure_can_edit(actor, commune.path)
    subject = Subject(
        name=name.strip(),
        kind=kind,
        commune=commune,
        address=address,
        contact_name=contact_name,
        phone=phone,
        email=email,
        tax_code=tax_code,
    )
    subject.full_clean()
    subject.save()
    record_change(
        actor=actor,
        obj=subject,
        action="create",
        changes={"name": [None, subject.name], "kind": [None, kind]},
    )
    return subject


@transaction.atomic
def product_create(
    *,
    actor: Any,
    subject: Subject,
    name: str,
    group: ProductGroup,
    commune: UnitVersion | None = None,
    description: str = "",
    photo: UploadedFile | None = None,
    is_published: bool = True,
) -> Product:
    commune = commune or subject.commune
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Thiếu tên sản phẩm.")
    _check_commune(commune, errors)
    if Product.objects.filter(subject=subject, name=name.strip()).exists():
        errors["name"] = _("Chủ thể đã có sản phẩm cùng tên.")
    if errors:
        raise ValidationError(errors)
    if photo is not None:
        validate_photo(photo)
    ensure_can_edit(actor, commune.path)
    product = Product(
        subject=subject,
        name=name.strip(),
        group=group,
        commune=commune,
        description=description,
        is_published=is_published,
    )
    if photo is not None:
        product.photo.save(photo.name or "photo", photo, save=False)
    product.save()
    record_change(
        actor=actor,
        obj=product,
        action="create",
        changes={"name": [None, product.name], "group": [None, str(group)], "subject": [None, str(subject)]},
    )
    return product


PRODUCT_FIELDS = ("name", "group", "description", "is_published")


@transaction.atomic
def product_update(
    *, actor: Any, product: Product, expected_version: int | None = None, **fields: Any
) -> Product:
    """Edit a product's name, group, description or publication; refused (StaleEdit) if someone saved it after
    the caller read it at `expected_version` (0909)."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không sửa được: %(f)s") % {"f": ", ".join(sorted(unknown))})
    product = Product.objects.select_for_update().select_related("commune", "subject").get(pk=product.pk)
    ensure_can_edit(actor, product.commune.path)
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
        if not fields["name"]:
            raise ValidationError({"name": _("Thiếu tên sản phẩm.")})
        if (
            Product.objects.filter(subject=product.subject, name=fields["name"])
            .exclude(pk=product.pk)
            .exists()
        ):
            raise ValidationError({"name": _("Chủ thể đã có sản phẩm cùng tên.")})
    before = snapshot(product, list(fields))
    for key, value in fields.items():
        setattr(product, key, value)
    changes = diff(before, snapshot(product, list(fields)))
    if changes:
        versioned_save(product, actor=actor, expected=expected_version, changes=changes, clean=True)
    return product


@transaction.atomic
def rating_record(
    *,
    actor: Any,
    product: Product,
    round_year: int,
    scores: dict[str, int],
    council_level: str,
    decision_date: date,
    decision_number: str = "",
    valid_to: date | None = None,
    criteria: dict[str, dict[str, int]] | None = None,
    round_label: str = "",
    note: str = "",
) -> Rating:
    """Record a rating round: check scores against the rule set in force, compute the star, set validity."""
    ruleset = ruleset_on(decision_date)
    parts = {p.code: p for p in ruleset.parts.all()}
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for code, part in parts.items():
        raw = scores.get(code)
        field = f"score_{code.lower()}"
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[field] = _("Thiếu điểm %(part)s.") % {"part": part.name}
            continue
        if not 0 <= value <= part.max_points:
            errors[field] = _("Điểm %(part)s phải từ 0 đến %(max)d (đã nhập %(value)d).") % {
                "part": part.name,
                "max": part.max_points,
                "value": value,
            }
            continue
        clean[code] = value
        given = (criteria or {}).get(code)
        if given:
            if any(int(v) < 0 for v in given.values()):
                errors[field] = _("Điểm tiêu chí không được âm.")
            elif sum(int(v) for v in given.values()) != value:
                errors[field] = _(
                    "Tổng điểm các tiêu chí của %(part)s (%(sum)d) khác điểm phần (%(value)d)."
                ) % {
                    "part": part.name,
                    "sum": sum(int(v) for v in given.values()),
                    "value": value,
                }
    if round_year < 2000 or round_year > decision_date.year + 1:
        errors["round_year"] = _("Năm đánh giá không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    total = sum(clean.values())
    stars = stars_for(ruleset, total)
    required_level = ruleset.council_levels.get(str(stars))
    if council_level not in Rating.CouncilLevel.values:
        errors["council_level"] = _("Cấp hội đồng không hợp lệ.")
    elif required_level and council_level != required_level:
        if stars >= 5:
            errors["council_level"] = _(
                "Sản phẩm %(stars)d sao (%(total)d điểm) phải do Hội đồng cấp Trung ương công nhận, "
                "không do hội đồng cấp tỉnh."
            ) % {"stars": stars, "total": total}
        else:
            errors["council_level"] = _(
                "Sản phẩm %(stars)d sao (%(total)d điểm) do Hội đồng cấp tỉnh đánh giá, công nhận."
            ) % {"stars": stars, "total": total}
    certified = stars >= ruleset.certified_min_stars
    if certified:
        if valid_to is None:
            valid_to = add_months(decision_date, ruleset.certificate_months)
        if valid_to < decision_date:
            errors["valid_to"] = _("Ngày hết hiệu lực giấy chứng nhận không được trước ngày quyết định.")
    else:
        valid_to = None
    if errors:
        raise ValidationError(errors)
    ensure_can_edit(actor, product.commune.path)
    rating = Rating.objects.create(
        product=product,
        ruleset=ruleset,
        round_year=round_year,
        round_label=round_label,
        score_a=clean.get("A", 0),
        score_b=clean.get("B", 0),
        score_c=clean.get("C", 0),
        criteria=criteria or {},
        total=total,
        stars=stars,
        council_level=council_level,
        decision_number=decision_number,
        decision_date=decision_date,
        valid_to=valid_to,
        note=note,
    )
    latest = product.ratings.order_by("-decision_date", "-pk").first()
    old_current = product.current_rating_id
    if latest is not None and latest.pk != old_current:
        product.current_rating = latest
        product.save(update_fields=["current_rating"])
    record_change(
        actor=actor,
        obj=rating,
        action="create",
        changes={"total": [None, total], "stars": [None, stars], "decision_number": [None, decision_number]},
    )
    return rating


def _check_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://")) and len(url) > len("https://") and " " not in url


@transaction.atomic
def channel_add(
    *,
    actor: Any,
    product: Product,
    kind: str,
    name: str,
    url: str = "",
    status: str = SalesChannel.Status.ACTIVE,
    listed_on: date | None = None,
    promotion_program: str = "",
    promotion_amount: Decimal | int | None = None,
    sales_year: int | None = None,
    sales_amount: Decimal | int | None = None,
) -> SalesChannel:
    errors: dict[str, str] = {}
    if kind not in SalesChannel.Kind.values:
        errors["kind"] = _("Loại kênh tiêu thụ không hợp lệ.")
    if status not in SalesChannel.Status.values:
        errors["status"] = _("Trạng thái không hợp lệ.")
    if not name.strip():
        errors["name"] = _("Thiếu tên sàn, cửa hàng hoặc đối tác.")
    url = url.strip()
    if url and not _check_url(url):
        errors["url"] = _("Đường dẫn gian hàng phải bắt đầu bằng http:// hoặc https://.")
    for field, amount in (("promotion_amount", promotion_amount), ("sales_amount", sales_amount)):
        if amount is not None and (
            Decimal(amount) < 0 or Decimal(amount) != Decimal(amount).to_integral_value()
        ):
            errors[field] = _("Số tiền phải là số đồng nguyên, không âm.")
    if sales_amount is not None and sales_year is None:
        errors["sales_year"] = _("Doanh số phải kèm năm.")
    if errors:
        raise ValidationError(errors)
    ensure_can_edit(actor, product.commune.path)
    channel = SalesChannel.objects.create(
        product=product,
        kind=kind,
        name=name.strip(),
        url=url,
        status=status,
        listed_on=listed_on,
        promotion_program=promotion_program,
        promotion_amount=Decimal(promotion_amount) if promotion_amount is not None else None,
        sales_year=sales_year,
        sales_amount=Decimal(sales_amount) if sales_amount is not None else None,
    )
    record_change(
        actor=actor,
        obj=channel,
        action="create",
        changes={"kind": [None, kind], "name": [None, channel.name]},
    )
    return channel
