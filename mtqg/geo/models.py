"""Administrative units before and after the 1/7/2025 reform, their lineage and classifications.

A unit's identity (`AdministrativeUnit`) is separate from its versions (`UnitVersion`): each version has its own
official code, name, level, parent, materialised path and validity. Codes get reused, so nothing keys on a code alone.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet

PATH_SEGMENT = 7  # zero-padded id digits per path segment


class AdministrativeUnit(models.Model):
    """The continuing identity of a unit across its versions (e.g. Điện Biên before and after 2025)."""

    name = models.CharField(_("tên"), max_length=150)

    class Meta:
        verbose_name = _("đơn vị hành chính (định danh)")
        verbose_name_plural = _("đơn vị hành chính (định danh)")

    def __str__(self) -> str:
        return self.name


class UnitVersionQuerySet(ScopedQuerySet["UnitVersion"]):
    def as_of(self, on: date) -> UnitVersionQuerySet:
        """Versions valid on a date (an unknown start counts as 'always before')."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class UnitVersion(models.Model):
    """One version of an administrative unit with its code, name, level, parent and validity."""

    class Structure(models.TextChoices):
        NATIONAL = "national", _("Quốc gia")
        PRE2025 = "pre2025", _("Trước 01/7/2025 (3 cấp)")
        Y2025 = "2025", _("Từ 01/7/2025 (2 cấp)")

    class Level(models.IntegerChoices):
        COUNTRY = 0, _("Quốc gia")
        PROVINCE = 1, _("Tỉnh")
        DISTRICT = 2, _("Huyện")
        COMMUNE = 3, _("Xã")
        VILLAGE = 4, _("Thôn, bản")

    class Kind(models.TextChoices):
        COUNTRY = "quoc_gia", _("Quốc gia")
        PROVINCE = "tinh", _("Tỉnh")
        CITY = "thanh_pho_tw", _("Thành phố trực thuộc TW")
        DISTRICT = "huyen", _("Huyện")
        URBAN_DISTRICT = "quan", _("Quận")
        TOWN = "thi_xa", _("Thị xã")
        PROVINCIAL_CITY = "thanh_pho", _("Thành phố thuộc tỉnh")
        COMMUNE = "xa", _("Xã")
        WARD = "phuong", _("Phường")
        TOWNSHIP = "thi_tran", _("Thị trấn")
        SPECIAL_ZONE = "dac_khu", _("Đặc khu")
        VILLAGE = "thon", _("Thôn, bản, tổ dân phố")

    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="versions", verbose_name=_("định danh")
    )
    structure = models.CharField(_("hệ đơn vị"), max_length=10, choices=Structure.choices)
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=150)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    search_name = models.CharField(_("tên không dấu"), max_length=150, db_index=True, editable=False)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("trực thuộc"),
    )
    path = models.CharField(_("đường dẫn"), max_length=255, unique=True, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True, help_text=_("Trống: không rõ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("diện tích (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    scope_path = "path"
    objects = UnitVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "level", "code"], name="unit_code_unique_per_structure"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period",
            ),
        ]
        indexes = [models.Index(fields=["level", "code"]), models.Index(fields=["parent", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_commune_level(self) -> bool:
        return self.level == self.Level.COMMUNE

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def ancestors(self) -> list[UnitVersion]:
        """Ancestors from the country down to the parent, in one query."""
        ids = [int(s) for s in self.path.strip("/").split("/")[:-1]]
        by_id = {u.pk: u for u in UnitVersion.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]


class UnitLineage(models.Model):
    """An edge predecessor → successor from a merge, split or rename, with optional apportioning weights."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Sáp nhập")
        SPLIT = "split", _("Chia tách")
        RENAME = "rename", _("Đổi tên, giữ nguyên")

    predecessor = models.ForeignKey(
        UnitVersion, on_delete=models.CASCADE, related_name="successor_edges", verbose_name=_("đơn vị trước")
    )
    successor = models.ForeignKey(
        UnitVersion, on_delete=models.CASCADE, related_name="predecessor_edges", verbose_name=_("đơn vị sau")
    )
    kind = models.CharField(_("loại sự kiện"), max_length=8, choices=Kind.choices)
    event_date = models.DateField(_("ngày hiệu lực"))
    is_primary = models.BooleanField(
        _("đơn vị kế thừa chính"), default=True, help_text=_("Khi đơn vị cũ chia cho nhiều đơn vị mới")
    )
    share = models.DecimalField(
        _("tỷ lệ phân bổ"),
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Phần của đơn vị trước chuyển sang đơn vị sau (0-1); trống: chưa biết"),
    )
    weight_population = models.PositiveIntegerField(_("dân số chuyển sang"), null=True, blank=True)
    weight_households = models.PositiveIntegerField(_("số hộ chuyển sang"), null=True, blank=True)
    weight_area_km2 = models.DecimalField(
        _("diện tích chuyển sang"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quan hệ kế thừa đơn vị")
        verbose_name_plural = _("quan hệ kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="lineage_unique_edge")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class ClassificationScheme(models.Model):
    """A targeting classification kept as data (NTM region, border commune, Program 135, 30a, EM region…)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    applies_to_level = models.PositiveSmallIntegerField(
        _("áp dụng cho cấp"), choices=UnitVersion.Level.choices
    )
    values = models.JSONField(_("các giá trị"), default=dict, help_text=_("mã giá trị → nhãn"))
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)

    class Meta:
        verbose_name = _("danh mục phân loại")
        verbose_name_plural = _("danh mục phân loại")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UnitClassificationQuerySet(ScopedQuerySet["UnitClassification"]):
    def as_of(self, on: date) -> UnitClassificationQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class UnitClassification(models.Model):
    """A unit's value in a scheme for a period, with the decision that set it."""

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.CASCADE, related_name="classifications", verbose_name=_("đơn vị")
    )
    scheme = models.ForeignKey(
        ClassificationScheme, on_delete=models.PROTECT, related_name="entries", verbose_name=_("phân loại")
    )
    value = models.CharField(_("giá trị"), max_length=40)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    scope_path = "unit__path"
    objects = UnitClassificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân loại đơn vị")
        verbose_name_plural = _("phân loại đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "scheme", "valid_from"], name="classification_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.scheme.code}={self.value}"

    @property
    def value_label(self) -> str:
        return str(self.scheme.values.get(self.value, self.value))
