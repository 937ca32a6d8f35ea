"""NTM criteria sets (versioned data), commune assessments computed by rule, recognitions and schemes.

Criteria are keyed by (set, number): numbers mean different things in different sets. A threshold row is
(indicator, region or group, year or null, operator, value, basic value for the provincial "cơ bản đạt" tier).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion


def validate_evidence_size(value: models.fields.files.FieldFile) -> None:
    """At most settings.EVIDENCE_MAX_BYTES (the limit is configuration, not code)."""
    limit = settings.EVIDENCE_MAX_BYTES
    if value.size and value.size > limit:
        raise ValidationError(
            _("Tệp minh chứng vượt quá %(mb)s MB.") % {"mb": round(limit / (1024 * 1024), 1)}
        )


class CriteriaSet(models.Model):
    """One version of a commune criteria set (national or provincial), loaded from a data file."""

    class SetTier(models.TextChoices):
        """The standard a criteria set measures against (its own values, not a recognition's: RecognitionTier)."""

        STANDARD = "standard", _("Xã NTM")
        ADVANCED = "advanced", _("Xã NTM nâng cao")
        MODEL = "model", _("Xã NTM kiểu mẫu")

    code = models.SlugField(_("mã"), max_length=40)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên"), max_length=255)
    tier = models.CharField(_("hạng"), max_length=10, choices=SetTier.choices, default=SetTier.STANDARD)
    legal_basis = models.TextField(_("căn cứ pháp lý"))
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    dimension_scheme = models.CharField(
        _("phân loại xác định ngưỡng"),
        max_length=40,
        default="ntm_region",
        help_text=_("ntm_region (7 vùng) hoặc commune_group_2026 (nhóm xã 1/2/3)"),
    )
    region_overrides = models.JSONField(_("quy tắc áp ngưỡng vùng khác"), default=list, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
        verbose_name=_("bộ tiêu chí gốc"),
    )
    province = models.ForeignKey(
        UnitVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ntm_criteria_sets",
        verbose_name=_("tỉnh ban hành"),
    )
    basic_tier_rule = models.JSONField(
        _("quy tắc 'cơ bản đạt chuẩn'"),
        default=dict,
        blank=True,
        help_text=_('{"min_met": 15, "max_not_met": 0}: số tiêu chí đạt tối thiểu; còn lại phải cơ bản đạt'),
    )
    source_file = models.CharField(_("tệp dữ liệu"), max_length=120, blank=True)
    checksum = models.CharField(_("mã kiểm tra tệp"), max_length=64, blank=True, editable=False)
    notes = models.TextField(_("ghi chú"), blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    applies_to_kinds = models.JSONField(
        _("loại đơn vị áp dụng"),
        default=list,
        blank=True,
        help_text=_('Loại đơn vị cấp xã được đánh giá theo bộ này, ví dụ ["xa"]; trống = chỉ xã'),
    )
    tier_rule = models.JSONField(
        _("điều kiện hạng"),
        default=dict,
        blank=True,
        help_text=_("Điều kiện tiên quyết và điều kiện riêng của hạng (nâng cao, kiểu mẫu), có trích dẫn"),
    )

    # a provincial set authored in the app (decision record 0120): draft → submitted → acknowledged by central
    class State(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Đã gửi Trung ương")
        ACKNOWLEDGED = "acknowledged", _("Trung ương đã tiếp nhận")

    state = models.CharField(
        _("tình trạng"),
        max_length=12,
        choices=State.choices,
        default=State.ACKNOWLEDGED,
        db_default="acknowledged",
    )
    authored = models.BooleanField(_("soạn trên hệ thống"), default=False, db_default=False)
    decision_no = models.CharField(_("số quyết định ban hành"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=150, blank=True)
    decision_file = models.FileField(
        _("tệp quyết định (PDF)"),
        upload_to="ntm/criteria_sets/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf"]), validate_evidence_size],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người soạn"),
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tiếp nhận"),
    )

    class Meta:
        verbose_name = _("bộ tiêu chí NTM")
        verbose_name_plural = _("bộ tiêu chí NTM")
        ordering = ["valid_from", "code"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="ntm_set_code_version")]
        permissions = [
            ("author_provincial_set", _("Soạn bộ tiêu chí xã NTM cấp tỉnh")),
            ("acknowledge_provincial_set", _("Tiếp nhận bộ tiêu chí xã NTM cấp tỉnh (Trung ương)")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def citation(self) -> str:
        if not self.decision_no:
            return ""
        when = f" ngày {self.decision_date:%d/%m/%Y}" if self.decision_date else ""
        by = f" của {self.issuer}" if self.issuer else ""
        return f"QĐ {self.decision_no}{when}{by}"

    @property
    def is_provincial(self) -> bool:
        return self.province_id is not None


class CriteriaSetPeriod(models.Model):
    """One span of days during which a set applies to a scope (national or one province, one tier).

    Periods of a scope are contiguous and never overlap (checked on load); a transitional span (between the end of
    one instrument and the date of effect of the next) is explicit data with its basis (decision record 0109)."""

    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="periods", verbose_name=_("bộ tiêu chí")
    )
    scope = models.CharField(_("phạm vi"), max_length=40, help_text=_("national-standard, p11-standard…"))
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    transitional = models.BooleanField(_("chuyển tiếp"), default=False)
    basis = models.TextField(_("căn cứ áp dụng"))
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    class Meta:
        verbose_name = _("thời gian áp dụng bộ tiêu chí")
        verbose_name_plural = _("thời gian áp dụng bộ tiêu chí")
        ordering = ["scope", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["scope", "valid_from"], name="ntm_period_scope_start")]

    def __str__(self) -> str:
        end = self.valid_to.strftime("%d/%m/%Y") if self.valid_to else "…"
        return f"{self.scope}: {self.criteria_set.code} {self.valid_from:%d/%m/%Y}–{end}"


class Criterion(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("bộ tiêu chí")
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    name = models.CharField(_("tên tiêu chí"), max_length=255)
    group = models.CharField(_("nhóm"), max_length=120, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    inherited_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kế thừa từ"),
    )

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["criteria_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "number"], name="ntm_criterion_set_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Indicator(models.Model):
    class Type(models.TextChoices):
        BOOL = "bool", _("Đạt/Không đạt")
        PERCENT = "percent", _("Tỷ lệ (%)")
        AMOUNT = "amount", _("Giá trị")
        COUNT = "count", _("Số lượng")

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("tiêu chí")
    )
    code = models.CharField(_("mã chỉ tiêu"), max_length=12)
    name = models.TextField(_("nội dung chỉ tiêu"))
    value_type = models.CharField(_("kiểu giá trị"), max_length=8, choices=Type.choices)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    if_applicable = models.BooleanField(_("nếu có"), default=False)
    register_measure = models.CharField(
        _("tính từ sổ hộ"),
        max_length=20,
        blank=True,
        help_text=_("poor = tỷ lệ hộ nghèo; poor_near_poor = hộ nghèo và cận nghèo (từ rà soát định kỳ)"),
    )
    reference_only = models.BooleanField(
        _("chỉ tham khảo"),
        default=False,
        help_text=_("Hiển thị giá trị (kèm nguồn) nhưng không tính vào trạng thái tiêu chí: chưa có ngưỡng"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    class Origin(models.TextChoices):
        INHERITED = "inherited", _("Kế thừa bộ quốc gia")
        ADDED = "added", _("Tỉnh bổ sung")
        SPLIT = "split", _("Tách từ chỉ tiêu quốc gia")

    origin = models.CharField(_("nguồn gốc"), max_length=10, choices=Origin.choices, blank=True)
    inherited_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kế thừa/tách từ"),
    )

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["criterion", "order"]
        constraints = [models.UniqueConstraint(fields=["criterion", "code"], name="ntm_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:60]}"


class Threshold(models.Model):
    class Op(models.TextChoices):
        GE = "ge", "≥"
        LE = "le", "≤"
        TRUE = "true", _("Đạt")
        ZERO = "zero", _("Không")

    ALL = "all"  # applies to every region/group

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("chỉ tiêu")
    )
    region = models.CharField(
        _("vùng/nhóm"), max_length=20, help_text=_("'all' = mọi vùng; 'chung' = chỉ tiêu chung (tham khảo)")
    )
    year = models.PositiveSmallIntegerField(_("năm áp dụng"), null=True, blank=True)
    op = models.CharField(_("phép so sánh"), max_length=4, choices=Op.choices)
    value = models.DecimalField(_("ngưỡng"), max_digits=14, decimal_places=4, null=True, blank=True)
    basic_value = models.DecimalField(
        _("ngưỡng cơ bản đạt"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    cited_source = models.ForeignKey(
        "ThresholdSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thresholds",
        verbose_name=_("văn bản nguồn"),
    )
    inherited_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kế thừa từ"),
    )
    overridden = models.BooleanField(_("tỉnh điều chỉnh"), default=False, db_default=False)

    # optimistic edits (0909); db_default: the importers and generators insert with raw SQL
    version = models.PositiveIntegerField(_("phiên bản"), default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = _("ngưỡng")
        verbose_name_plural = _("ngưỡng")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year"], name="ntm_threshold_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region} {self.get_op_display()} {self.value or ''}"


class ThresholdSource(models.Model):
    """A decision holding threshold values: a sector ministry's "công bố" of delegated values (QĐ 1491/QĐ-BGDĐT for
    criteria 5 and 14.1, QĐ 2332/QĐ-BCT for electricity…) or a province's own decision; threshold rows cite it."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    decision_no = models.CharField(_("số văn bản"), max_length=60)
    decision_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    effective_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=150)
    title = models.CharField(_("trích yếu"), max_length=255, blank=True)
    criteria = models.CharField(_("tiêu chí liên quan"), max_length=60, blank=True)
    reference = models.CharField(_("nơi đọc được"), max_length=255, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    class Meta:
        verbose_name = _("văn bản nguồn ngưỡng")
        verbose_name_plural = _("văn bản nguồn ngưỡng")
        ordering = ["code"]

    def __str__(self) -> str:
        when = f" ngày {self.decision_date:%d/%m/%Y}" if self.decision_date else ""
        return f"{self.decision_no}{when} ({self.issuer})"


class Status(models.TextChoices):
    MET = "dat", _("Đạt")
    BASIC = "co_ban_dat", _("Cơ bản đạt")
    NOT_MET = "chua_dat", _("Chưa đạt")
    NA = "khong_ap_dung", _("Không áp dụng")
    UNKNOWN = "chua_xac_dinh", _("Chưa xác định")


class Assessment(models.Model):
    """One commune's assessment against one criteria set for one year; counts are recomputed by rule."""

    commune = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_assessments", verbose_name=_("xã")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("bộ tiêu chí")
    )
    assessed_on = models.DateField(_("ngày đánh giá"))
    region = models.CharField(_("vùng/nhóm áp ngưỡng"), max_length=20, blank=True)
    criteria_met = models.PositiveSmallIntegerField(_("số tiêu chí đạt"), default=0)
    criteria_basic = models.PositiveSmallIntegerField(_("số tiêu chí cơ bản đạt"), default=0)
    criteria_unknown = models.PositiveSmallIntegerField(_("số tiêu chí chưa xác định"), default=0)
    criteria_total = models.PositiveSmallIntegerField(_("tổng số tiêu chí"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    computed_at = models.DateTimeField(_("tính lúc"), null=True, blank=True)
    provisional = models.BooleanField(
        _("tạm tính"), default=False, help_text=_("Có tiêu chí tính theo ngưỡng chưa xác minh")
    )

    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá xã NTM")
        verbose_name_plural = _("đánh giá xã NTM")
        ordering = ["commune__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "year", "criteria_set"], name="ntm_assessment_unique"),
        ]
        indexes = [models.Index(fields=["commune", "assessed_on"])]

    def __str__(self) -> str:
        return f"{self.commune} — {self.year} ({self.criteria_met}/{self.criteria_total})"

    @property
    def criteria_set_scope(self) -> str:
        """Which set the result used: "provincial" (the province's own, in force) or "national" (0120)."""
        return "provincial" if self.criteria_set.province_id is not None else "national"


class IndicatorValue(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="values", verbose_name=_("đánh giá")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("chỉ tiêu")
    )
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4, null=True, blank=True)
    not_applicable = models.BooleanField(_("không áp dụng"), default=False)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    measured_on = models.DateField(_("ngày số liệu"), null=True, blank=True)
    evidence = models.FileField(
        _("minh chứng"),
        upload_to="ntm/evidence/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "png", "jpg", "jpeg"]), validate_evidence_size],
    )

    scope_path = "assessment__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="ntm_value_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"


class CriterionResult(models.Model):
    """Computed (never typed) status of one criterion; rebuilt by the engine. Overrides live apart."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="results", verbose_name=_("đánh giá")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="results", verbose_name=_("tiêu chí")
    )
    computed_status = models.CharField(_("trạng thái theo quy tắc"), max_length=14, choices=Status.choices)
    status = models.CharField(_("trạng thái"), max_length=14, choices=Status.choices)
    explanation = models.JSONField(_("giải thích"), default=list)
    overridden = models.BooleanField(_("đã điều chỉnh"), default=False)
    provisional = models.BooleanField(_("tạm tính"), default=False)

    scope_path = "assessment__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả tiêu chí")
        verbose_name_plural = _("kết quả tiêu chí")
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="ntm_result_unique")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_status_display()}"


class CriterionOverride(models.Model):
    """A manual status with its reason; survives recomputation (audited through the service)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("đánh giá")
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, verbose_name=_("tiêu chí"))
    status = models.CharField(_("trạng thái điều chỉnh"), max_length=14, choices=Status.choices)
    reason = models.TextField(_("lý do"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("người điều chỉnh"),
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    scope_path = "assessment__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("điều chỉnh trạng thái tiêu chí")
        verbose_name_plural = _("điều chỉnh trạng thái tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="ntm_override_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.status}"


class RecognitionTier(models.TextChoices):
    """The tier a commune is recognised at (công nhận), the decision's own words; a criteria set has SetTier."""

    BASIC = "co_ban_dat", _("Cơ bản đạt chuẩn (cấp tỉnh)")
    STANDARD = "dat_chuan", _("Đạt chuẩn NTM")
    ADVANCED = "nang_cao", _("NTM nâng cao")
    MODEL = "kieu_mau", _("NTM kiểu mẫu")
    MODERN = "hien_dai", _("NTM hiện đại")


TIER_RANK = {
    RecognitionTier.BASIC: 1,
    RecognitionTier.STANDARD: 2,
    RecognitionTier.ADVANCED: 3,
    RecognitionTier.MODEL: 4,
    RecognitionTier.MODERN: 4,
}
RECOGNISED_TIERS = (
    RecognitionTier.STANDARD,
    RecognitionTier.ADVANCED,
    RecognitionTier.MODEL,
    RecognitionTier.MODERN,
)
ADVANCED_TIERS = (RecognitionTier.ADVANCED, RecognitionTier.MODEL)


class Recognition(models.Model):
    """A recognition decision (công nhận) for one commune version, with revocation."""

    commune = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_recognitions", verbose_name=_("xã")
    )
    tier = models.CharField(_("hạng"), max_length=12, choices=RecognitionTier.choices)
    decision_no = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    authority = models.CharField(_("cơ quan/người ký"), max_length=150, blank=True)
    standard_year = models.PositiveSmallIntegerField(_("đạt chuẩn năm"))
    criteria_set = models.ForeignKey(
        CriteriaSet, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("bộ tiêu chí")
    )
    council_vote = models.CharField(_("kết quả bỏ phiếu hội đồng thẩm định"), max_length=20, blank=True)
    satisfaction_pct = models.DecimalField(
        _("tỷ lệ người dân hài lòng (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    no_construction_debt = models.BooleanField(_("không nợ đọng XDCB"), null=True, blank=True)
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revocation_decision = models.CharField(_("quyết định thu hồi"), max_length=60, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    conditions = models.JSONField(
        _("điều kiện hạng đã kiểm tra"),
        default=dict,
        blank=True,
        help_text=_("Quy tắc hạng đã áp dụng (bộ tiêu chí, trích dẫn) và các điều kiện riêng được xác nhận"),
    )

    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định công nhận NTM")
        verbose_name_plural = _("sổ công nhận NTM")
        ordering = ["commune__path", "decision_date"]
        indexes = [models.Index(fields=["commune", "decision_date"])]

    def __str__(self) -> str:
        return f"{self.commune} — {self.get_tier_display()} ({self.decision_no})"


class Scheme(models.Model):
    """A provincial scheme or target kept as data (e.g. Điện Biên's 29-border-commune scheme)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    province = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_schemes", verbose_name=_("tỉnh")
    )
    classification_scheme = models.CharField(_("phân loại xác định xã thuộc đề án"), max_length=40)
    classification_value = models.CharField(_("giá trị phân loại"), max_length=40)
    target = models.CharField(_("mục tiêu"), max_length=255, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    scope_path = "province__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đề án/mục tiêu NTM")
        verbose_name_plural = _("đề án/mục tiêu NTM")

    def __str__(self) -> str:
        return self.name


class CommuneGroupDecision(models.Model):
    """A provincial decision assigning QĐ 51/2025 commune groups (nhóm 1/2/3); the groups themselves are
    classification rows (scheme commune_group_2026) citing it (decision record 0110)."""

    province = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_group_decisions", verbose_name=_("tỉnh")
    )
    decision_no = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=150)
    valid_from = models.DateField(_("áp dụng từ"))
    communes = models.PositiveIntegerField(_("số xã được phân nhóm"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    scope_path = "province__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định phân nhóm xã")
        verbose_name_plural = _("quyết định phân nhóm xã")
        ordering = ["-decision_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.decision_no} ({self.decision_date:%d/%m/%Y})"

    @property
    def citation(self) -> str:
        return f"QĐ {self.decision_no} ngày {self.decision_date:%d/%m/%Y} của {self.issuer}"


class DigitalInfrastructure(models.Model):
    """Information and communications per commune or village and year (criterion 8; 'xã trắng' reports)."""

    class Signal(models.TextChoices):
        NONE = "none", _("Không có sóng")
        PARTIAL = "partial", _("Có sóng một phần địa bàn")
        FULL = "full", _("Phủ sóng toàn địa bàn")

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_digital", verbose_name=_("xã/thôn")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    has_radio = models.BooleanField(_("có đài truyền thanh"), null=True, blank=True)
    mobile_signal = models.CharField(
        _("sóng điện thoại di động"), max_length=8, choices=Signal.choices, blank=True
    )
    has_internet = models.BooleanField(_("có internet"), null=True, blank=True)
    has_postal_point = models.BooleanField(_("có điểm phục vụ bưu chính"), null=True, blank=True)
    online_services = models.BooleanField(_("có dịch vụ công trực tuyến"), null=True, blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hạ tầng thông tin - truyền thông")
        verbose_name_plural = _("hạ tầng thông tin - truyền thông")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="ntm_digital_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


class Policy(models.Model):
    """An editable rule stated as data with its citation (decision record 0125): e.g. whether a commune formed on
    1/7/2025 inherits its predecessors' recognition. Read by the code; changed only through `policy_set`."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("nội dung"), max_length=255)
    enabled = models.BooleanField(_("áp dụng"), default=False)
    citation = models.TextField(_("căn cứ"))
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("quy định áp dụng NTM")
        verbose_name_plural = _("quy định áp dụng NTM")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProgrammeTarget(models.Model):
    """A target or output indicator of a programme period (e.g. 2026-2035, phase to 2030), national or of one
    province, with its citation (decision record 0127). `measure` names the progress the app computes, if any."""

    class Measure(models.TextChoices):
        RECOGNISED_RATE = "ntm.recognised_rate", _("Tỷ lệ xã đạt chuẩn NTM (%)")
        MODERN_RATE = "ntm.modern_rate", _("Tỷ lệ xã NTM hiện đại (%)")
        ADVANCED_RATE = "ntm.advanced_rate", _("Tỷ lệ xã NTM nâng cao trở lên (%)")
        PROVINCES_COMPLETED = "ntm.provinces_completed", _("Số tỉnh hoàn thành nhiệm vụ xây dựng NTM")
        GROUPED_RATE = "ntm.grouped_rate", _("Tỷ lệ xã đã được phân nhóm (QĐ 51/2025) (%)")

    class Op(models.TextChoices):
        GE = "ge", "≥"
        LE = "le", "≤"

    programme = models.CharField(_("chương trình, giai đoạn"), max_length=40)
    code = models.SlugField(_("mã"), max_length=60)
    label = models.CharField(_("chỉ tiêu"), max_length=255)
    kind = models.CharField(
        _("loại"), max_length=10, default="target", help_text=_("target = mục tiêu; output = chỉ tiêu đầu ra")
    )
    measure = models.CharField(_("cách tính tiến độ"), max_length=40, choices=Measure.choices, blank=True)
    op = models.CharField(_("phép so sánh"), max_length=2, choices=Op.choices, default=Op.GE)
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=14, decimal_places=2, null=True, blank=True)
    value_text = models.CharField(_("mục tiêu (diễn giải)"), max_length=255, blank=True)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    target_year = models.PositiveSmallIntegerField(_("năm đích"))
    province = models.ForeignKey(
        UnitVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ntm_programme_targets",
        verbose_name=_("tỉnh (trống = toàn quốc)"),
    )
    citation = models.TextField(_("căn cứ"))
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=True)

    class Meta:
        verbose_name = _("mục tiêu chương trình")
        verbose_name_plural = _("mục tiêu chương trình")
        ordering = ["programme", "province_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code", "province"], name="ntm_programme_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.label}"


class TierTarget(models.Model):
    """A commune a province chose to build to a tier within a period ("Giai đoạn 2016-2020, tỉnh Điện Biên lựa chọn
    1 xã NTM kiểu mẫu"), with the decision that chose it (decision record 0128). Progress is computed."""

    province = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_tier_targets_set", verbose_name=_("tỉnh")
    )
    commune = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_tier_targets", verbose_name=_("xã")
    )
    tier = models.CharField(_("hạng phấn đấu"), max_length=12, choices=RecognitionTier.choices)
    period_start = models.PositiveSmallIntegerField(_("giai đoạn từ năm"))
    period_end = models.PositiveSmallIntegerField(_("đến năm"))
    citation = models.TextField(_("căn cứ lựa chọn"))
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)

    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("xã được chọn phấn đấu theo hạng")
        verbose_name_plural = _("danh sách xã được chọn phấn đấu theo hạng")
        ordering = ["province__path", "period_start", "tier", "commune__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "tier", "period_start"], name="ntm_tier_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} — {self.get_tier_display()} ({self.period_start}-{self.period_end})"


class ContextIndicator(models.Model):
    """A socio-economic context figure of a unit (e.g. GRDP per capita), dated and cited; `estimated` for an
    estimate ("ước") (decision record 0128)."""

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="ntm_context", verbose_name=_("đơn vị")
    )
    code = models.SlugField(_("mã"), max_length=40)
    label = models.CharField(_("chỉ tiêu"), max_length=255)
    value = models.DecimalField(_("giá trị"), max_digits=16, decimal_places=4)
    unit_label = models.CharField(_("đơn vị tính"), max_length=60)
    year = models.PositiveSmallIntegerField(_("năm số liệu"))
    estimated = models.BooleanField(_("số ước"), default=False)
    reported_on = models.DateField(_("ngày công bố"), null=True, blank=True)
    source = models.TextField(_("nguồn"))
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu bối cảnh kinh tế - xã hội")
        verbose_name_plural = _("chỉ tiêu bối cảnh kinh tế - xã hội")
        ordering = ["unit__path", "code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code", "year"], name="ntm_context_unit_code_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.label} {self.year}"
