"""Programs as data, the capital ledger (plans with vintages, allocations, disbursements), the works register,
generic indicators with targets and values, and alerts with causes.

Money is whole VND (DecimalField(18, 0)). Data holding a unit declares `scope_path` and a ScopedQuerySet manager.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion


class Source(models.TextChoices):
    """Capital sources (NĐ 27/2022/NĐ-CP)."""

    CENTRAL_INVESTMENT = "nstw_dtpt", _("NSTW đầu tư phát triển")
    CENTRAL_RECURRENT = "nstw_sn", _("NSTW sự nghiệp")
    LOCAL_COUNTERPART = "nsdp_doi_ung", _("NSĐP đối ứng")
    INTEGRATED = "long_ghep", _("Lồng ghép")
    POLICY_CREDIT = "tin_dung", _("Tín dụng chính sách")
    MOBILISED = "huy_dong", _("Huy động")


CENTRAL_SOURCES = (Source.CENTRAL_INVESTMENT.value, Source.CENTRAL_RECURRENT.value)
LOCAL_SOURCES = (Source.LOCAL_COUNTERPART.value,)


class InvestorLevel(models.TextChoices):
    PROVINCE = "tinh", _("Cấp tỉnh")
    DISTRICT = "huyen", _("Cấp huyện")
    COMMUNE = "xa", _("Cấp xã")


class Program(models.Model):
    """A program, project (dự án), sub-project (tiểu dự án) or component (hợp phần): one tree, loaded from data."""

    class Kind(models.TextChoices):
        PROGRAM = "program", _("Chương trình")
        COMPONENT = "component", _("Hợp phần / nội dung")
        PROJECT = "project", _("Dự án")
        SUBPROJECT = "subproject", _("Tiểu dự án")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=400)
    short_name = models.CharField(_("tên ngắn"), max_length=80, blank=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("thuộc"),
    )
    owner_body = models.CharField(_("cơ quan chủ chương trình"), max_length=200, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chương trình / dự án thành phần")
        verbose_name_plural = _("chương trình / dự án thành phần")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def root_code(self) -> str:
        return self.code.split(".")[0]


class DisbursementDeadline(models.Model):
    """Last day capital of a plan year may be disbursed: the statutory 31/01 N+1 and extensions, as data."""

    class Applies(models.TextChoices):
        CURRENT = "current", _("Vốn kế hoạch năm")
        CARRY_OVER = "carry_over", _("Vốn chuyển nguồn")

    class Kind(models.TextChoices):
        STATUTORY = "statutory", _("Theo luật")
        EXTENSION = "extension", _("Kéo dài")

    plan_year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    applies_to = models.CharField(_("áp dụng cho"), max_length=12, choices=Applies.choices)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    deadline = models.DateField(_("hạn giải ngân"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    class Meta:
        verbose_name = _("thời hạn giải ngân")
        verbose_name_plural = _("thời hạn giải ngân")
        ordering = ["plan_year", "applies_to", "deadline"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_year", "applies_to", "kind", "deadline"], name="finance_deadline_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_year} {self.applies_to}: {self.deadline:%d/%m/%Y}"


class FinanceRule(models.Model):
    """A named, versioned parameter set (alert checkpoints, scattered-investment thresholds) loaded from data."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    params = models.JSONField(_("tham số"), default=dict)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    class Meta:
        verbose_name = _("quy tắc cảnh báo")
        verbose_name_plural = _("quy tắc cảnh báo")

    def __str__(self) -> str:
        return self.code


class CapitalPlan(models.Model):
    """One line of a capital plan (kế hoạch vốn) for a unit, program node, year and source, with its vintage.

    The plan of year N = sum of its lines; carry-over lines (chuyển nguồn from N-1) are counted only when the
    denominator says so."""

    class Vintage(models.TextChoices):
        INITIAL = "initial", _("Giao đầu năm")
        ADJUSTED = "adjusted", _("Điều chỉnh")
        CARRY_OVER = "carry_over", _("Chuyển nguồn từ năm trước")
        EXTENDED = "extended", _("Kéo dài thời gian giải ngân")

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="plans", verbose_name=_("chương trình")
    )
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    source = models.CharField(_("nguồn vốn"), max_length=14, choices=Source.choices)
    vintage = models.CharField(_("loại kế hoạch"), max_length=12, choices=Vintage.choices)
    from_year = models.PositiveSmallIntegerField(_("chuyển từ năm"), null=True, blank=True)
    amount = models.DecimalField(_("số tiền (đồng)"), max_digits=18, decimal_places=0)
    decision_ref = models.CharField(_("số quyết định"), max_length=120, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch vốn")
        verbose_name_plural = _("kế hoạch vốn")
        indexes = [models.Index(fields=["year", "source"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(vintage="carry_over") | Q(from_year__isnull=False),
                name="finance_carry_over_has_from_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.year} {self.get_source_display()} ({self.get_vintage_display()})"


class Work(models.Model):
    """An investment work (công trình) or a production-support project (dự án hỗ trợ phát triển sản xuất)."""

    class Kind(models.TextChoices):
        INFRASTRUCTURE = "infrastructure", _("Công trình hạ tầng")
        MAINTENANCE = "maintenance", _("Duy tu, bảo dưỡng")
        WATER_CENTRALISED = "water_centralised", _("Công trình nước sinh hoạt tập trung")
        PROD_COMMUNITY = "prod_community", _("Dự án hỗ trợ PTSX cộng đồng")
        PROD_VALUE_CHAIN = "prod_value_chain", _("Dự án hỗ trợ PTSX theo chuỗi giá trị")
        PROD_AGRICULTURE = "prod_agriculture", _("Dự án/kế hoạch hỗ trợ PTSX nông nghiệp")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Kế hoạch")
        APPROVED = "approved", _("Phê duyệt")
        UNDER_CONSTRUCTION = "construction", _("Đang thi công")
        COMPLETED = "completed", _("Hoàn thành")
        HANDED_OVER = "handed_over", _("Bàn giao")
        SETTLED = "settled", _("Quyết toán")

    code = models.CharField(_("mã công trình"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="works", verbose_name=_("chương trình")
    )
    commune = models.ForeignKey(UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"))
    investor_level = models.CharField(_("cấp chủ đầu tư"), max_length=6, choices=InvestorLevel.choices)
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    total_investment = models.DecimalField(_("tổng mức đầu tư (đồng)"), max_digits=18, decimal_places=0)
    status = models.CharField(_("trạng thái"), max_length=14, choices=Status.choices, default=Status.PLANNED)
    planned_start = models.DateField(_("khởi công dự kiến"), null=True, blank=True)
    planned_end = models.DateField(_("hoàn thành dự kiến"), null=True, blank=True)
    actual_end = models.DateField(_("hoàn thành thực tế"), null=True, blank=True)
    description = models.TextField(_("mô tả"), blank=True)

    # optimistic edits (0909); db_default: the importers and generators insert with raw SQL
    version = models.PositiveIntegerField(_("phiên bản"), default=1, db_default=1, editable=False)
    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("công trình / dự án")
        verbose_name_plural = _("công trình / dự án")
        ordering = ["code"]
        indexes = [models.Index(fields=["year", "kind"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WorkProgress(models.Model):
    """A progress report on a work (percent done on a date)."""

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="progress", verbose_name=_("công trình")
    )
    reported_on = models.DateField(_("ngày báo cáo"))
    percent = models.PositiveSmallIntegerField(_("khối lượng hoàn thành (%)"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    scope_path = "work__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["-reported_on"]

    def __str__(self) -> str:
        return f"{self.work_id} {self.reported_on:%d/%m/%Y}: {self.percent}%"


class Allocation(models.Model):
    """Capital of a plan year allocated down to a work or a commune, by source; disbursements draw on it."""

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    work = models.ForeignKey(
        Work,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("công trình"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("chương trình")
    )
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    source = models.CharField(_("nguồn vốn"), max_length=14, choices=Source.choices)
    carry_over = models.BooleanField(_("vốn chuyển nguồn"), default=False)
    investor_level = models.CharField(_("cấp chủ đầu tư"), max_length=6, choices=InvestorLevel.choices)
    amount = models.DecimalField(_("số tiền phân bổ (đồng)"), max_digits=18, decimal_places=0)
    decision_ref = models.CharField(_("số quyết định"), max_length=120, blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân bổ vốn")
        verbose_name_plural = _("phân bổ vốn")
        indexes = [models.Index(fields=["year", "source"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="finance_allocation_nonneg")]

    def __str__(self) -> str:
        target = self.work.code if self.work_id and self.work else self.unit.name
        return f"{target} {self.year} {self.get_source_display()}"


class Disbursement(models.Model):
    """One payment (giải ngân) against an allocation."""

    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("phân bổ")
    )
    paid_on = models.DateField(_("ngày giải ngân"))
    amount = models.DecimalField(_("số tiền (đồng)"), max_digits=18, decimal_places=0)
    reference = models.CharField(_("chứng từ"), max_length=120, blank=True)

    scope_path = "allocation__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giải ngân")
        verbose_name_plural = _("giải ngân")
        ordering = ["paid_on", "pk"]
        indexes = [models.Index(fields=["allocation", "paid_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_disbursement_positive")
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.paid_on:%d/%m/%Y}"


class Indicator(models.Model):
    """A generic indicator definition (loaded from data): how actual values are obtained and aggregated."""

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Cộng")
        RATIO = "ratio", _("Tỷ lệ")
        LATEST = "latest", _("Giá trị mới nhất")

    class Origin(models.TextChoices):
        ENTRY = "entry", _("Nhập số liệu")
        WORKS = "works", _("Đếm từ sổ công trình")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40)
    aggregation = models.CharField(_("cách tổng hợp"), max_length=8, choices=Aggregation.choices)
    origin = models.CharField(_("nguồn số liệu"), max_length=8, choices=Origin.choices)
    work_kind = models.CharField(_("loại công trình được đếm"), max_length=20, blank=True)
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("chương trình"),
    )
    disaggregations = models.JSONField(_("phân tổ"), default=list, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    """Baseline and target of an indicator for a unit, year (or phase end year)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("chỉ tiêu")
    )
    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    phase = models.CharField(_("giai đoạn"), max_length=20, blank=True)
    baseline = models.DecimalField(_("giá trị cơ sở"), max_digits=18, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("mục tiêu"), max_digits=18, decimal_places=2)
    source_ref = models.CharField(_("nguồn"), max_length=200, blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục tiêu chỉ tiêu")
        verbose_name_plural = _("mục tiêu chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.target}"


class IndicatorValue(models.Model):
    """An entered actual value of an indicator for a unit (usually a commune) and year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("chỉ tiêu")
    )
    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=2)
    disaggregation = models.JSONField(_("phân tổ"), default=dict, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        indexes = [models.Index(fields=["indicator", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"


class AlertNote(models.Model):
    """Cause (nguyên nhân) and proposed adjustment attached to a computed alert, keyed by unit + alert key."""

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    key = models.CharField(_("mã cảnh báo"), max_length=120)
    year = models.PositiveSmallIntegerField(_("năm"))
    cause = models.TextField(_("nguyên nhân"), blank=True)
    proposed_adjustment = models.TextField(_("đề xuất điều chỉnh"), blank=True)
    recommendation = models.ForeignKey(
        "supervision.Recommendation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kiến nghị"),
    )

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("nguyên nhân cảnh báo")
        verbose_name_plural = _("nguyên nhân cảnh báo")
        constraints = [models.UniqueConstraint(fields=["unit", "key", "year"], name="finance_alertnote_uniq")]

    def __str__(self) -> str:
        return f"{self.key} {self.year}"


class WorkPhoto(models.Model):
    """A photo of a work (site, progress, handover); JPEG/PNG checked by content, size-limited by the service."""

    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="photos", verbose_name=_("công trình")
    )
    image = models.FileField(_("ảnh"), upload_to="finance/works/%Y/")
    content_type = models.CharField(_("định dạng"), max_length=20)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    caption = models.CharField(_("chú thích"), max_length=300, blank=True)
    taken_on = models.DateField(_("ngày chụp"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("ngày tải lên"), auto_now_add=True)

    scope_path = "work__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ảnh công trình")
        verbose_name_plural = _("ảnh công trình")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.work_id} #{self.pk}"
