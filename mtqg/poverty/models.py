"""Poverty standards (data), the household register with members and annual reviews, import batches, export log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mtqg.core.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion


class Area(models.TextChoices):
    RURAL = "rural", _("Nông thôn")
    URBAN = "urban", _("Thành thị")


class PovertyClass(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    AVERAGE = "average", _("Hộ có mức sống trung bình")
    NONE = "none", _("Không thuộc diện")


class PovertyStandard(models.Model):
    """One national (or provincial) poverty standard, loaded from data/standards.json."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    instrument = models.CharField(_("văn bản"), max_length=120)
    title = models.CharField(_("tên"), max_length=255)
    citation = models.TextField(_("căn cứ pháp lý"), blank=True)
    year_from = models.PositiveSmallIntegerField(_("từ năm rà soát"))
    year_to = models.PositiveSmallIntegerField(_("đến năm rà soát"))
    province_code = models.CharField(_("mã tỉnh (chuẩn địa phương)"), max_length=10, blank=True)
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("chuẩn gốc")
    )
    deprivation_cutoff = models.PositiveSmallIntegerField(
        _("số chỉ số thiếu hụt tối thiểu"), null=True, blank=True
    )
    lines = models.JSONField(_("mức thu nhập"), default=dict)
    indicators = models.JSONField(_("chỉ số thiếu hụt"), default=list)
    unconfirmed = models.BooleanField(_("chưa xác minh"), default=False)
    unconfirmed_notes = models.TextField(_("nội dung chưa xác minh"), blank=True)

    class Meta:
        verbose_name = _("chuẩn nghèo")
        verbose_name_plural = _("chuẩn nghèo")
        ordering = ["province_code", "year_from"]

    def __str__(self) -> str:
        return self.instrument

    @property
    def is_local(self) -> bool:
        return bool(self.province_code)


class HouseholdQuerySet(ScopedQuerySet["Household"]):
    pass


class Household(models.Model):
    """A household on the register; `code` is its stable id across reviews and the 2025 reform."""

    code = models.CharField(_("mã hộ"), max_length=40)  # unique: see Meta (no extra LIKE index on PostgreSQL)
    # indexed, but no per-row database check: unit versions are never deleted and every writer takes the id from
    # a unit lookup; the check cost as much as the insert itself on PostgreSQL (decision 0201)
    commune = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"), db_constraint=False
    )
    village = models.ForeignKey(  # rarely set; not indexed, no per-row database check (0201)
        UnitVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thôn, bản"),
        db_index=False,
        db_constraint=False,
    )
    village_name = models.CharField(_("tên thôn, bản"), max_length=120, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    head_name = models.CharField(_("chủ hộ"), max_length=120)
    # searched with LIKE '%…%' inside a unit: a b-tree index would not serve it and costs every import (0201)
    head_search = models.CharField(_("chủ hộ (không dấu)"), max_length=120, editable=False)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    area = models.CharField(_("khu vực"), max_length=8, choices=Area.choices, default=Area.RURAL)

    # optimistic edits (0909); db_default: the importers and generators insert with raw SQL
    version = models.PositiveIntegerField(_("phiên bản"), default=1, db_default=1, editable=False)
    scope_path = "commune__path"
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="household_unique_code")]

    def __str__(self) -> str:
        return self.code


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Nam")
        FEMALE = "F", _("Nữ")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("hộ")
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    search_name = models.CharField(_("họ tên (không dấu)"), max_length=120, editable=False)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, blank=True)
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=40, blank=True)
    id_number = models.CharField(
        _("số định danh"), max_length=12, blank=True
    )  # indexed in Meta (exact look-up)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    schooling = models.CharField(_("trình độ học vấn"), max_length=60, blank=True)
    health_insurance = models.BooleanField(_("có BHYT"), default=False)
    disability = models.BooleanField(_("khuyết tật"), default=False)
    employment = models.CharField(_("việc làm"), max_length=60, blank=True)

    scope_path = "household__commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        ordering = ["household", "id"]
        indexes = [models.Index(fields=["id_number"], name="member_id_number")]

    def __str__(self) -> str:
        return self.full_name


# The member fields a person enters (form, API, service, demo and importer all use this one list, decision 0054).
MEMBER_FIELDS = (
    "full_name",
    "birth_date",
    "sex",
    "relation",
    "id_number",
    "ethnicity",
    "schooling",
    "health_insurance",
    "disability",
    "employment",
)
# The review fields an officer edits (form and service).
REVIEW_FIELDS = (
    "income_per_capita_month",
    "deprivations",
    "causes",
    "policy_housing",
    "policy_water",
    "policy_credit",
    "policy_production",
    "approval_decision",
    "approved_on",
)


class Review(models.Model):
    """One household's classification in one review year (commune = the commune valid at review time)."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Định kỳ (01/9 - 14/12)")
        REGULAR = "regular", _("Thường xuyên")

    class Transition(models.TextChoices):
        NONE = "", _("Không thay đổi")
        ESCAPED_POOR = "escaped_poor", _("Thoát nghèo")
        ESCAPED_NEAR_POOR = "escaped_near_poor", _("Thoát cận nghèo")
        FELL_BACK = "fell_back", _("Tái nghèo")
        NEW = "new", _("Phát sinh mới")

    household = models.ForeignKey(  # indexed by review_unique_year_kind (household first)
        Household, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("hộ"), db_index=False
    )
    # the importer resolves communes from the units table and units are never deleted (valid_to instead): the
    # per-row foreign-key check cost more than the insert itself on PostgreSQL (0201); the index stays
    commune = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"), db_constraint=False
    )
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    kind = models.CharField(_("loại rà soát"), max_length=10, choices=Kind.choices, default=Kind.PERIODIC)
    area = models.CharField(_("khu vực"), max_length=8, choices=Area.choices, default=Area.RURAL)
    income_per_capita_month = models.DecimalField(
        _("thu nhập bình quân (đồng/người/tháng)"), max_digits=18, decimal_places=0
    )
    deprivations = models.JSONField(_("chỉ số thiếu hụt"), default=list)
    deprivation_count = models.PositiveSmallIntegerField(_("số chỉ số thiếu hụt"), default=0)
    # set by the importer/services from the standards table, never from input: no per-row database check (0201)
    standard = models.ForeignKey(
        PovertyStandard,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chuẩn"),
        db_index=False,
        db_constraint=False,
    )
    poverty_class = models.CharField(_("phân loại"), max_length=10, choices=PovertyClass.choices)
    local_standard = models.ForeignKey(
        PovertyStandard,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chuẩn địa phương"),
        db_index=False,
        db_constraint=False,
    )
    local_class = models.CharField(
        _("phân loại theo chuẩn địa phương"), max_length=10, choices=PovertyClass.choices, blank=True
    )
    transition = models.CharField(_("biến động"), max_length=20, choices=Transition.choices, blank=True)
    ethnicity = models.CharField(  # the household's, at review time: keeps roll-ups on the covering index
        _("dân tộc (của hộ khi rà soát)"), max_length=40, blank=True, default="", db_default=""
    )
    causes = models.JSONField(_("nguyên nhân nghèo"), default=list, blank=True)
    policy_housing = models.BooleanField(_("hỗ trợ nhà ở"), default=False)
    policy_water = models.BooleanField(_("hỗ trợ nước sinh hoạt"), default=False)
    policy_credit = models.BooleanField(_("vay vốn tín dụng ưu đãi"), default=False)
    policy_production = models.BooleanField(_("hỗ trợ sản xuất"), default=False)
    approval_decision = models.CharField(_("quyết định công nhận"), max_length=120, blank=True)
    approved_on = models.DateField(_("ngày công nhận"), null=True, blank=True)
    batch = models.ForeignKey(  # provenance only: no index, no per-row database check (0201)
        "ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    # optimistic edits (0909); db_default: the importers and generators insert with raw SQL
    version = models.PositiveIntegerField(_("phiên bản"), default=1, db_default=1, editable=False)
    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả rà soát")
        verbose_name_plural = _("kết quả rà soát")
        ordering = ["household", "year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year", "kind"], name="review_unique_year_kind")
        ]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.year}"


class ImportBatch(models.Model):
    """A staged review import (maker-checker): validated and staged (households packed in StagedChunk, members in
    StagedMember), decided by a checker (per record: StagedDecision, or in bulk), then committed to the register by a
    background job."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("Có lỗi")
        STAGED = "staged", _("Chờ duyệt")
        REJECTED = "rejected", _("Bị từ chối")
        COMMITTING = "committing", _("Đang ghi vào sổ")
        COMMITTED = "committed", _("Đã ghi vào sổ")

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    file_name = models.CharField(_("tệp"), max_length=255)
    file_sha256 = models.CharField(_("mã băm tệp"), max_length=64, db_index=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("số dòng"), default=0)
    member_count = models.PositiveIntegerField(_("số thành viên"), default=0)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    accept_undecided = models.BooleanField(_("chấp nhận các dòng chưa xét"), default=False)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    job_id = models.CharField(_("công việc ghi sổ"), max_length=36, blank=True)
    result = models.JSONField(_("kết quả ghi sổ"), default=dict, blank=True)
    # the staged rows' review counts per tally key, counted while validating: a commit of new households that
    # rejects nothing adds them to the tallies instead of re-aggregating the communes' reviews (0206)
    tally = models.JSONField(_("số đếm theo xã (khi nhập)"), default=list, blank=True, editable=False)
    # staged codes already on the register when the file was staged: the commit then skips existing households
    # (ON CONFLICT) instead of trying the plain insert first (decision 0815)
    existing_households = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    checked_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lô nhập kết quả rà soát")
        verbose_name_plural = _("lô nhập kết quả rà soát")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.year})"


class Decision(models.TextChoices):
    UNDECIDED = "", _("Chưa xét")
    ACCEPTED = "accepted", _("Chấp nhận")
    REJECTED = "rejected", _("Loại")


class StagedChunk(models.Model):
    """Up to `CHUNK_ROWS` validated household rows of a batch, classified at validation, packed (decision 0816):
    the rows already in COPY text form as the register's households and as their reviews, zlib-compressed.
    Staging writes one row per thousand lines instead of one indexed row per line, and the commit copies the
    accepted rows straight into households and reviews. The checker's screen unpacks the
    chunk of the page it shows; the checker's decisions are `StagedDecision` rows."""

    CHUNK_ROWS = 1_000

    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        related_name="staged_chunks",
        db_index=False,
        db_constraint=False,
    )
    seq = models.PositiveIntegerField(_("số thứ tự khối"))
    first_line = models.PositiveIntegerField(_("dòng đầu"))
    last_line = models.PositiveIntegerField(_("dòng cuối"))
    size = models.PositiveIntegerField(_("số dòng"))
    lines = models.TextField(_("số dòng trong tệp"))  # "2,3,4,…": the line of each row, in order
    households = models.BinaryField(_("hộ (COPY, nén)"))  # the rows as the register's households, COPY text
    reviews = models.BinaryField(_("kết quả rà soát (COPY, nén)"))  # and as their reviews

    scope_path = "batch__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("khối dòng chờ duyệt")
        verbose_name_plural = _("khối dòng chờ duyệt")
        ordering = ["batch", "seq"]
        constraints = [models.UniqueConstraint(fields=["batch", "seq"], name="stagedchunk_batch_seq")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.first_line}-{self.last_line}"


class StagedDecision(models.Model):
    """The checker's decision on one staged line (accepted or rejected); an undecided line has none."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="decisions", db_index=False, db_constraint=False
    )
    line = models.PositiveIntegerField(_("dòng"))
    decision = models.CharField(_("quyết định"), max_length=8, choices=Decision.choices)

    scope_path = "batch__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định dòng chờ duyệt")
        verbose_name_plural = _("quyết định dòng chờ duyệt")
        ordering = ["batch", "line"]
        constraints = [models.UniqueConstraint(fields=["batch", "line"], name="stageddecision_batch_line")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line} {self.decision}"


class StagedMember(models.Model):
    """One validated member row of a batch (members sheet/CSV), committed with its household's accepted row."""

    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        related_name="staged_members",
        db_index=False,
        db_constraint=False,
    )
    line = models.PositiveIntegerField(_("dòng"))
    household_code = models.CharField(_("mã hộ"), max_length=40)
    full_name = models.CharField(_("họ và tên"), max_length=120)
    search_name = models.CharField(max_length=120)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, blank=True)
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=40, blank=True)
    id_number = models.CharField(_("số định danh"), max_length=12, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    schooling = models.CharField(_("trình độ học vấn"), max_length=60, blank=True)
    health_insurance = models.BooleanField(_("có BHYT"), default=False)
    disability = models.BooleanField(_("khuyết tật"), default=False)
    employment = models.CharField(_("việc làm"), max_length=60, blank=True)

    scope_path = "batch__unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên chờ duyệt")
        verbose_name_plural = _("thành viên chờ duyệt")
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "household_code"], name="stagedmember_batch_code")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"


class PersonalDataExport(models.Model):
    """The personal-data access log: who read or exported personal data (names, ID numbers, birth dates,
    addresses in clear) of which unit, when, why and how many rows — exports, household pages, register searches
    and API pages alike (decision 0908). The model keeps its first name (exports) to spare a table rename."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("xuất tệp")
        PAGE = "page", _("xem trang hộ")
        LIST = "list", _("tìm trong sổ hộ")
        API = "api", _("API")

    unit = models.ForeignKey(
        UnitVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("hình thức"), max_length=8, choices=Kind.choices, default=Kind.EXPORT)
    target = models.CharField(_("địa chỉ truy cập"), max_length=255, blank=True)
    reason = models.CharField(_("lý do"), max_length=255)
    row_count = models.PositiveIntegerField(_("số dòng"), default=0)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True, db_index=True)

    scope_path = "unit__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason}"


class ReviewTally(models.Model):
    """Counts of reviews per (commune, year, kind, class, transition, ethnicity, area): what every roll-up reads
    instead of scanning the reviews. Maintained in the writer's transaction by `mtqg.poverty.tally` (decision
    0206); `manage.py poverty_tally --check` compares it with the reviews."""

    commune = models.ForeignKey(UnitVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("xã"))
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    kind = models.CharField(_("loại rà soát"), max_length=10)
    poverty_class = models.CharField(_("phân loại"), max_length=10)
    transition = models.CharField(_("biến động"), max_length=20, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    area = models.CharField(_("khu vực"), max_length=8)
    households = models.PositiveIntegerField(_("số hộ"))
    housing = models.PositiveIntegerField(_("số hộ được hỗ trợ nhà ở"))

    scope_path = "commune__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổng hợp rà soát")
        verbose_name_plural = _("tổng hợp rà soát")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "commune", "poverty_class", "transition", "ethnicity", "area"],
                name="tally_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.year}/{self.poverty_class}: {self.households}"
