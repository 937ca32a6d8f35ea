"""OCOP (One Commune One Product): rating rules as data, subjects, products, ratings and sales channels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion


class ProgramTarget(models.Model):
    """A program target (QĐ 919/QĐ-TTg), loaded from data/rules.json."""

    program_code = models.CharField(_("chương trình"), max_length=40)
    code = models.CharField(_("mã"), max_length=40)
    label = models.CharField(_("chỉ tiêu"), max_length=200)
    value = models.DecimalField(_("giá trị"), max_digits=12, decimal_places=2)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    unconfirmed = models.BooleanField(_("chưa xác nhận"), default=False)

    class Meta:
        verbose_name = _("chỉ tiêu chương trình OCOP")
        verbose_name_plural = _("chỉ tiêu chương trình OCOP")
        constraints = [models.UniqueConstraint(fields=["program_code", "code"], name="ocop_target_unique")]

    def __str__(self) -> str:
        return self.label


class RuleSet(models.Model):
    """One version of the rating criteria (QĐ 1048, QĐ 148 …) with its parts, star bands and council levels."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    title = models.CharField(_("tên"), max_length=200)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=400)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác nhận"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)
    certificate_months = models.PositiveSmallIntegerField(_("thời hạn giấy chứng nhận (tháng)"), default=36)
    certified_min_stars = models.PositiveSmallIntegerField(_("hạng sao tối thiểu được công nhận"), default=3)
    council_levels = models.JSONField(_("cấp hội đồng theo hạng sao"), default=dict)

    class Meta:
        verbose_name = _("bộ tiêu chí OCOP")
        verbose_name_plural = _("bộ tiêu chí OCOP")
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return self.title


class RatingPart(models.Model):
    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="parts")
    code = models.CharField(_("mã phần"), max_length=4)
    name = models.CharField(_("tên"), max_length=200)
    max_points = models.PositiveSmallIntegerField(_("điểm tối đa"))

    class Meta:
        ordering = ["ruleset", "code"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "code"], name="ocop_part_unique")]

    def __str__(self) -> str:
        return self.name


class StarBand(models.Model):
    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="bands")
    stars = models.PositiveSmallIntegerField(_("hạng sao"))
    min_score = models.PositiveSmallIntegerField(_("điểm từ"))
    max_score = models.PositiveSmallIntegerField(_("điểm đến"))

    class Meta:
        ordering = ["ruleset", "stars"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "stars"], name="ocop_band_unique")]

    def __str__(self) -> str:
        return f"{self.stars}★ {self.min_score}-{self.max_score}"


class ProductGroup(models.Model):
    """The six product groups and their sub-groups (parent set)."""

    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subgroups",
        verbose_name=_("nhóm"),
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác nhận"), default=False)

    class Meta:
        verbose_name = _("nhóm sản phẩm OCOP")
        verbose_name_plural = _("nhóm sản phẩm OCOP")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def top(self) -> ProductGroup:
        return self.parent if self.parent_id else self  # type: ignore[return-value]


class Subject(models.Model):
    """An OCOP subject (chủ thể OCOP): the producer that owns products."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Hợp tác xã")
        ENTERPRISE = "enterprise", _("Doanh nghiệp")
        HOUSEHOLD = "household", _("Hộ sản xuất, kinh doanh")
        COOP_GROUP = "coop_group", _("Tổ hợp tác")

    name = models.CharField(_("tên chủ thể"), max_length=200)
    kind = models.CharField(_("loại hình"), max_length=16, choices=Kind.choices)
    commune = models.ForeignKey(UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"))
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    contact_name = models.CharField(_("người liên hệ"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chủ thể OCOP")
        verbose_name_plural = _("chủ thể OCOP")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """An OCOP product; `current_rating` points at its latest rating (kept by the rating service)."""

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="products", verbose_name=_("chủ thể")
    )
    commune = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã sản xuất")
    )
    name = models.CharField(_("tên sản phẩm"), max_length=200)
    group = models.ForeignKey(
        ProductGroup, on_delete=models.PROTECT, related_name="products", verbose_name=_("nhóm")
    )
    description = models.TextField(_("mô tả"), blank=True)
    photo = models.FileField(_("ảnh sản phẩm"), upload_to="ocop/photos/%Y/", blank=True)
    is_published = models.BooleanField(_("công khai trên danh mục"), default=True)
    current_rating = models.ForeignKey(
        "Rating",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lần đánh giá gần nhất"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # optimistic edits (0909); db_default: the importers and generators insert with raw SQL
    version = models.PositiveIntegerField(_("phiên bản"), default=1, db_default=1, editable=False)
    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sản phẩm OCOP")
        verbose_name_plural = _("sản phẩm OCOP")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "name"], name="ocop_product_unique_per_subject")
        ]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """One rating round of a product: scores per part (and criterion), the computed star and the decision."""

    class CouncilLevel(models.TextChoices):
        PROVINCE = "province", _("Hội đồng cấp tỉnh")
        MINISTRY = "ministry", _("Hội đồng cấp Trung ương (Bộ)")

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("sản phẩm")
    )
    ruleset = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("bộ tiêu chí")
    )
    round_year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    round_label = models.CharField(_("đợt"), max_length=60, blank=True)
    score_a = models.PositiveSmallIntegerField(_("điểm phần A"))
    score_b = models.PositiveSmallIntegerField(_("điểm phần B"))
    score_c = models.PositiveSmallIntegerField(_("điểm phần C"))
    criteria = models.JSONField(_("điểm theo tiêu chí"), default=dict, blank=True)
    total = models.PositiveSmallIntegerField(_("tổng điểm"))
    stars = models.PositiveSmallIntegerField(_("hạng sao"))
    council_level = models.CharField(_("cấp hội đồng"), max_length=10, choices=CouncilLevel.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"))
    valid_to = models.DateField(_("giấy chứng nhận hiệu lực đến"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "product__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả đánh giá, phân hạng")
        verbose_name_plural = _("kết quả đánh giá, phân hạng")
        ordering = ["product", "-decision_date", "-pk"]
        indexes = [
            models.Index(fields=["valid_to"]),
            models.Index(fields=["stars"]),
            models.Index(fields=["product", "decision_date"], name="ocop_rating_product_date"),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.stars}★ ({self.round_year})"


class SalesChannel(models.Model):
    """Where a product is sold: e-commerce platform, own shop, supermarket chain, export."""

    class Kind(models.TextChoices):
        ECOMMERCE = "ecommerce", _("Sàn thương mại điện tử")
        OWN_SHOP = "own_shop", _("Cửa hàng của chủ thể")
        SUPERMARKET = "supermarket", _("Chuỗi siêu thị")
        EXPORT = "export", _("Xuất khẩu")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang bán")
        PENDING = "pending", _("Đang đăng ký")
        STOPPED = "stopped", _("Ngừng bán")

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="channels", verbose_name=_("sản phẩm")
    )
    kind = models.CharField(_("kênh"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("tên sàn/cửa hàng/đối tác"), max_length=150)
    url = models.URLField(_("đường dẫn gian hàng"), max_length=500, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    listed_on = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    promotion_program = models.CharField(_("chương trình hỗ trợ quảng bá"), max_length=200, blank=True)
    promotion_amount = models.DecimalField(
        _("kinh phí hỗ trợ (đồng)"), max_digits=18, decimal_places=0, null=True, blank=True
    )
    sales_year = models.PositiveSmallIntegerField(_("năm doanh số"), null=True, blank=True)
    sales_amount = models.DecimalField(
        _("doanh số (đồng)"), max_digits=18, decimal_places=0, null=True, blank=True
    )

    scope_path = "product__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kênh tiêu thụ")
        verbose_name_plural = _("kênh tiêu thụ")
        ordering = ["product", "kind", "name"]
        indexes = [models.Index(fields=["product", "kind", "status"], name="ocop_channel_product_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
