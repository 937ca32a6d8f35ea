"""The annual poverty review as a commune runs it (QĐ 24/2021/QĐ-TTg): survey forms as versioned data (Phiếu A,
Phiếu B), review campaigns per commune and year with their list and village assignments, survey responses entered
in the office or in the field (offline, synced by device), sync conflicts, and the paperwork of the review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion


class SurveyForm(models.Model):
    """One version of the review forms of a standard period: Phiếu A (quick screening), Phiếu B (B1 income-proxy
    score, B2 deprivation indicators) and the B1 cut-offs, loaded from data/forms.json and editable (UNCONFIRMED
    score tables and cut-offs are flagged)."""

    code = models.SlugField(_("mã"), max_length=40)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    title = models.CharField(_("tên"), max_length=255)
    standard_code = models.SlugField(_("chuẩn nghèo áp dụng"), max_length=40)
    year_from = models.PositiveSmallIntegerField(_("từ năm rà soát"))
    year_to = models.PositiveSmallIntegerField(_("đến năm rà soát"))
    citation = models.TextField(_("căn cứ pháp lý"))
    definition = models.JSONField(_("nội dung phiếu"), default=dict)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    unconfirmed_notes = models.TextField(_("nội dung chưa xác minh"), blank=True)

    class Meta:
        verbose_name = _("phiếu rà soát")
        verbose_name_plural = _("phiếu rà soát")
        ordering = ["year_from", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="surveyform_code_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Campaign(models.Model):
    """A commune's periodic review of one year (01/9-14/12): the list to survey, assigned by village."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang rà soát")
        CLOSED = "closed", _("Đã kết thúc")

    commune = models.ForeignKey(UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"))
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    form = models.ForeignKey(SurveyForm, on_delete=models.PROTECT, related_name="+", verbose_name=_("phiếu"))
    starts_on = models.DateField(_("bắt đầu"))
    deadline = models.DateField(_("hạn hoàn thành"))
    deadline_source = models.CharField(_("căn cứ hạn"), max_length=200)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("kết thúc ngày"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt rà soát")
        verbose_name_plural = _("đợt rà soát")
        ordering = ["-year", "commune__path"]
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="campaign_commune_year")]

    def __str__(self) -> str:
        return f"{self.commune} — {self.year}"


class CampaignVillage(models.Model):
    """A village of a campaign and the enumerator (điều tra viên) it is assigned to."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="villages")
    village = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("thôn, bản")
    )
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("điều tra viên"),
    )

    scope_path = "village__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thôn trong đợt rà soát")
        verbose_name_plural = _("thôn trong đợt rà soát")
        ordering = ["campaign_id", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "village"], name="campaignvillage_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.village}"


class CampaignHousehold(models.Model):
    """One household on a campaign's list, why it is there, its village and where its survey stands.
    `path` is the village's path (the commune's while no village is set): the enumerator's scope."""

    class Source(models.TextChoices):
        LAST_YEAR = "last_year", _("Hộ nghèo, cận nghèo năm trước")
        APPLIED = "applied", _("Hộ có giấy đề nghị (Mẫu số 01)")
        PROPOSED = "proposed", _("Trưởng thôn đề xuất")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chưa rà soát")
        SURVEYED = "surveyed", _("Đã rà soát")
        CONFLICT = "conflict", _("Có xung đột cần xử lý")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey(
        "poverty.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("hộ")
    )
    village = models.ForeignKey(
        UnitVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("thôn")
    )
    path = models.CharField(max_length=255, editable=False)
    source = models.CharField(_("lý do đưa vào danh sách"), max_length=10, choices=Source.choices)
    previous_class = models.CharField(_("phân loại năm trước"), max_length=10, blank=True)
    status = models.CharField(_("tình trạng"), max_length=8, choices=Status.choices, default=Status.PENDING)

    scope_path = "path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ trong danh sách rà soát")
        verbose_name_plural = _("hộ trong danh sách rà soát")
        ordering = ["campaign_id", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="campaignhousehold_unique")
        ]
        indexes = [models.Index(fields=["campaign", "village", "status"], name="camphh_progress")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.household_id}"


class Device(models.Model):
    """A phone or tablet an enumerator syncs from; a revoked device's syncs are refused (nothing is written)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    device_id = models.CharField(_("mã thiết bị"), max_length=64, unique=True)
    label = models.CharField(_("tên thiết bị"), max_length=120, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_sync_at = models.DateTimeField(_("đồng bộ lần cuối"), null=True, blank=True)
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thiết bị nhập liệu")
        verbose_name_plural = _("thiết bị nhập liệu")

    def __str__(self) -> str:
        return self.label or self.device_id


class SurveyResponse(models.Model):
    """The survey of one listed household: Phiếu A/B answers, the B1 score, the deprivations (B2) and the class
    computed by the engine (provisional until the village meeting and the commune decision). `version` counts
    saves; a device's save based on an older version than the office's becomes a SyncConflict."""

    item = models.OneToOneField(CampaignHousehold, on_delete=models.CASCADE, related_name="response")
    form = models.ForeignKey(SurveyForm, on_delete=models.PROTECT, related_name="+")
    area = models.CharField(_("khu vực"), max_length=8)
    answers = models.JSONField(_("trả lời"), default=dict)
    members = models.JSONField(_("thành viên (ghi tại thực địa)"), default=list, blank=True)
    overrides = models.JSONField(_("điều chỉnh của điều tra viên"), default=dict, blank=True)
    excluded_by_a = models.BooleanField(_("loại theo Phiếu A"), default=False)
    b1_score = models.IntegerField(_("điểm B1"), null=True, blank=True)
    band = models.CharField(_("khoảng thu nhập ước tính"), max_length=8, blank=True)
    deprivations = models.JSONField(_("chỉ số thiếu hụt (B2)"), default=list)
    poverty_class = models.CharField(_("phân loại (tạm tính)"), max_length=10)
    reasons = models.JSONField(_("lý do"), default=list)
    flags = models.JSONField(_("cảnh báo"), default=list, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("nhập lúc"))
    saved_at = models.DateTimeField(_("lưu lúc"), auto_now=True)

    scope_path = "item__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiếu đã rà soát")
        verbose_name_plural = _("phiếu đã rà soát")

    def __str__(self) -> str:
        return f"{self.item} v{self.version}"


class SyncItem(models.Model):
    """The outcome of one client-generated item id: a re-sent item returns this outcome and writes nothing."""

    client_id = models.UUIDField(_("mã mục (thiết bị tạo)"), unique=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CampaignHousehold, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("kết quả"), max_length=10)
    message = models.TextField(_("thông báo"), blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("mục đồng bộ")
        verbose_name_plural = _("mục đồng bộ")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.outcome}"


class SyncConflict(models.Model):
    """A device's answers that met an office edit made after the device downloaded the household: kept whole,
    shown field by field, resolved by a person (never silently overwritten)."""

    item = models.ForeignKey(CampaignHousehold, on_delete=models.CASCADE, related_name="conflicts")
    client_id = models.UUIDField(_("mã mục (thiết bị tạo)"))
    base_version = models.PositiveIntegerField(_("phiên bản thiết bị đã tải"))
    server_version = models.PositiveIntegerField(_("phiên bản trên máy chủ"))
    device_answers = models.JSONField(_("trả lời từ thiết bị"))
    server_answers = models.JSONField(_("trả lời trên máy chủ"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolution = models.JSONField(_("cách xử lý"), default=dict, blank=True)

    scope_path = "item__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("xung đột đồng bộ")
        verbose_name_plural = _("xung đột đồng bộ")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item} ({self.client_id})"


class VillageMeeting(models.Model):
    """The village meeting on the survey results (QĐ 24/2021 Điều 4 khoản 3): attendance and agreement. It passes
    when the agreement share reaches the form's `meeting.min_share` (0,5: "≥ 50%"); otherwise the village is
    surveyed again and meets again."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="meetings")
    village = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("thôn")
    )
    held_on = models.DateField(_("ngày họp"))
    attendees = models.PositiveIntegerField(_("số người dự"))
    agreed = models.PositiveIntegerField(_("số người đồng ý"))
    min_share = models.DecimalField(_("tỷ lệ đồng ý tối thiểu"), max_digits=4, decimal_places=3)
    passed = models.BooleanField(_("thông qua"))
    chaired_by = models.CharField(_("chủ trì"), max_length=120)
    minutes_note = models.TextField(_("ghi chú biên bản"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    scope_path = "village__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("họp dân")
        verbose_name_plural = _("họp dân")
        ordering = ["campaign_id", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.village} {self.held_on}"


class Posting(models.Model):
    """The public posting of the review results at the commune (step 4), during which complaints are received."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="posting")
    starts_on = models.DateField(_("niêm yết từ"))
    ends_on = models.DateField(_("niêm yết đến"))
    place = models.CharField(_("nơi niêm yết"), max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    scope_path = "campaign__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("niêm yết công khai")
        verbose_name_plural = _("niêm yết công khai")

    def __str__(self) -> str:
        return f"{self.campaign}: {self.starts_on} - {self.ends_on}"


class Complaint(models.Model):
    """A complaint about a listed household's result during the posting; its resolution may re-survey the
    household (the only way a result changes after the village meeting)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang giải quyết")
        RESOLVED = "resolved", _("Đã giải quyết")

    item = models.ForeignKey(CampaignHousehold, on_delete=models.CASCADE, related_name="complaints")
    received_on = models.DateField(_("ngày nhận"))
    complainant = models.CharField(_("người khiếu nại"), max_length=120)
    content = models.TextField(_("nội dung"))
    status = models.CharField(_("tình trạng"), max_length=8, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("giải quyết lúc"), null=True, blank=True)

    scope_path = "item__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")
        ordering = ["-received_on", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_status_display()}"


class CommuneDecision(models.Model):
    """The commune chair's recognition decision (step 6): number, date, signer; it writes the year's reviews."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="decision")
    number = models.CharField(_("số quyết định"), max_length=60)
    signed_on = models.DateField(_("ngày ký"))
    signer = models.CharField(_("người ký"), max_length=120)
    reviews = models.PositiveIntegerField(_("số hộ trong quyết định"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    scope_path = "campaign__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định công nhận")
        verbose_name_plural = _("quyết định công nhận")

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on})"


class Certificate(models.Model):
    """A Giấy chứng nhận hộ nghèo, hộ cận nghèo (QĐ 24/2021 step 7, Mẫu số 03) as a register entry: number,
    issue date, issuing body, household, class and the year it certifies; revoked (with who, when, why) when a
    later decision takes the household out of that class, or by an officer."""

    class Status(models.TextChoices):
        VALID = "valid", _("Còn hiệu lực")
        REVOKED = "revoked", _("Đã thu hồi")

    household = models.ForeignKey(
        "poverty.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("hộ")
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    commune = models.ForeignKey(UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"))
    number = models.CharField(_("số giấy chứng nhận"), max_length=60)
    issued_on = models.DateField(_("ngày cấp"))
    issuer = models.CharField(_("cơ quan cấp"), max_length=255)
    signer = models.CharField(_("người ký"), max_length=120, blank=True)
    decision = models.CharField(_("theo quyết định"), max_length=160, blank=True)
    poverty_class = models.CharField(_("loại hộ"), max_length=10)
    year = models.PositiveSmallIntegerField(_("năm có giá trị"))
    status = models.CharField(_("tình trạng"), max_length=8, choices=Status.choices, default=Status.VALID)
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revoked_reason = models.TextField(_("lý do thu hồi"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận hộ nghèo, cận nghèo")
        verbose_name_plural = _("giấy chứng nhận hộ nghèo, cận nghèo")
        ordering = ["-year", "commune_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "year", "number"], name="certificate_number_unique"),
            models.UniqueConstraint(
                fields=["household", "year"],
                condition=models.Q(status="valid"),
                name="certificate_one_valid_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.year})"
