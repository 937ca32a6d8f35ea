"""Demo register: Điện Biên (pre-2025 units) reviews 2015 and 2020, Cao Bằng 2023 housing support.

Records are generated (deterministic seeds) and classified by the engine; every published figure is COMPUTED from
them by the summary report, never stored. Target counts (seed 000, Điện Biên 2020): more than 43,000 poor
households in 2020, down 15,09% from 2015 → 50.800 (2015) and 43.134 (2020): (43.134 − 50.800) / 50.800 = −15,09%.
Area classes: 97 Program-135 communes and 2 villages (unconfirmed lists) are set here; the 5 poor districts (30a) and
2 districts under QĐ 293 come from the geo demo.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction

from mtqg.core import bulk
from mtqg.core.text import fold
from mtqg.geo.demo import village as demo_village
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion
from mtqg.geo.selectors import classified_units

from .models import MEMBER_FIELDS, Household, Member, PovertyClass, PovertyStandard, Review
from .standards import decide, load_standards
from .tally import tally_refresh
from .transitions import transition

P135_START, P135_END = date(2017, 6, 20), date(2020, 12, 31)
# what every Program-135 classification of the demo states: extremely difficult (đặc biệt khó khăn) in 2017-2020
P135 = {
    "value": "dbkk",
    "valid_from": P135_START,
    "valid_to": P135_END,
    "legal_basis": "QĐ 900/QĐ-TTg (20/06/2017); danh sách minh họa, chưa xác minh",
    "unconfirmed": True,
}


@dataclass(frozen=True)
class ProvincePlan:
    households: int = 125_000
    households_baseline: int = 121_500
    poor_baseline: int = 50_800
    near_poor_baseline: int = 9_100
    poor: int = 43_134
    near_poor: int = 10_950
    baseline_year: int = 2015
    year: int = 2020


DIEN_BIEN = ProvincePlan()
# Same published poor counts with fewer non-poor households: for tests that assert the exact figures fast.
DIEN_BIEN_LEAN = ProvincePlan(
    households=52_000,
    households_baseline=51_500,
    poor_baseline=50_800,
    near_poor_baseline=500,
    poor=43_134,
    near_poor=3_000,
)

FAMILY = [
    "Lò",
    "Quàng",
    "Lường",
    "Cà",
    "Vàng",
    "Giàng",
    "Sùng",
    "Thào",
    "Mùa",
    "Lý",
    "Nguyễn",
    "Trần",
    "Lê",
    "Hoàng",
    "Tòng",
    "Điêu",
    "Lù",
    "Vừ",
    "Hờ",
    "Chang",
]
MIDDLE = ["Văn", "Thị", "A", "Seo", "Thị", "Văn", "Đức", "Ngọc"]
GIVEN = [
    "Pâng",
    "Xuân",
    "Phương",
    "Dua",
    "Chứ",
    "Mỷ",
    "Sinh",
    "Tủa",
    "Páo",
    "Lan",
    "Hoa",
    "Bình",
    "Thanh",
    "Hùng",
    "Nhung",
    "Chinh",
    "Tiến",
    "Dơ",
    "Khu",
    "Sáy",
    "Mai",
    "Dung",
    "Long",
    "Minh",
]
ETHNIC = ["Thái", "Mông", "Kinh", "Khơ Mú", "Dao", "Hà Nhì", "Lào", "Cống"]
ETHNIC_W = [38, 35, 18, 3, 2, 1, 2, 1]
CAUSES = ["thieu_von", "thieu_dat", "thieu_lao_dong", "om_dau", "thieu_kien_thuc"]
RELATIONS = ["Chủ hộ", "Vợ/chồng", "Con", "Con", "Bố/mẹ"]


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    return fold(text)


def _json(codes: list[str]) -> str:
    return '["' + '", "'.join(codes) + '"]' if codes else "[]"


def _between(rng: random.Random, low: int, high: int) -> int:
    """A whole thousand of VND in [low, high] (fast, deterministic)."""
    lo, hi = -(-low // 1000), high // 1000
    return (lo + int(rng.random() * (hi - lo + 1))) * 1000


def _communes(province_code: str) -> list[UnitVersion]:
    province = UnitVersion.objects.get(structure="pre2025", level=1, code=province_code)
    return list(UnitVersion.objects.filter(path__startswith=province.path, level=3).order_by("code"))


def _classified_paths(scheme: str, on: date, province_code: str) -> list[str]:
    province = UnitVersion.objects.get(structure="pre2025", level=1, code=province_code)
    return list(classified_units(scheme, "yes", on, within=province).values_list("path", flat=True))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _draw(rng: random.Random, target: str, lines: dict[str, Any], codes: list[str]) -> tuple[int, list[str]]:
    """Income and deprivation codes consistent with a target class under a QĐ 59/NĐ 07-shaped standard."""
    poor_any, line = lines.get("poor_any"), lines["line"]
    floor = poor_any if poor_any is not None else 0
    upper = lines.get("average_upper") or line * 2
    if target == PovertyClass.POOR:
        if poor_any is not None and rng.random() < 0.5:
            return _between(rng, 250_000, poor_any), rng.sample(codes, int(rng.random() * 6))
        return _between(rng, floor + 1, line), rng.sample(codes, 3 + int(rng.random() * 4))
    if target == PovertyClass.NEAR_POOR:
        return _between(rng, floor + 1, line), rng.sample(codes, int(rng.random() * 3))
    return _between(rng, line + 1, upper * 2), rng.sample(codes, int(rng.random() * 4))


REVIEW_COLUMNS = [
    "household_id",
    "commune_id",
    "year",
    "kind",
    "area",
    "income_per_capita_month",
    "deprivations",
    "deprivation_count",
    "standard_id",
    "poverty_class",
    "local_class",
    "transition",
    "causes",
    "policy_housing",
    "policy_water",
    "policy_credit",
    "policy_production",
    "approval_decision",
    "approved_on",
    "ethnicity",
]
HOUSEHOLD_COLUMNS = [
    "id",
    "code",
    "commune_id",
    "village_id",
    "village_name",
    "address",
    "head_name",
    "head_search",
    "ethnicity",
    "area",
]
MEMBER_COLUMNS = ["household_id", "full_name", "search_name", *MEMBER_FIELDS[1:]]


def _born_year(relation: str, u: float, head_year: int, year: int) -> int:
    """A birth year consistent with the relation to the head: the head an adult, the spouse
    within a few years of the head, children born when the head was 18-45, parents 20-45 years before the head.
    `u` is the member's uniform draw."""
    if relation == "Chủ hộ":
        return year - 80 + int(u * 62)  # 19-80 years old
    if relation == "Vợ/chồng":
        return min(year - 18, head_year - 5 + int(u * 11))
    if relation == "Con":
        lo, hi = head_year + 18, min(year, head_year + 45)
        return lo + int(u * (hi - lo + 1))
    return head_year - 45 + int(u * 26)  # Bố/mẹ


def _members(rng: random.Random, hid: int, head: str, ethnicity: str, year: int) -> list[tuple[Any, ...]]:
    rows = []
    head_year = year - 40
    family = head.split()[0]
    rand = rng.random
    for i in range(1 + int(rand() * 5)):
        name = (
            head
            if i == 0
            else f"{family} {MIDDLE[int(rand() * len(MIDDLE))]} {GIVEN[int(rand() * len(GIVEN))]}"
        )
        u = rand()
        drawn = 1940 + int(u * 64) if i < 2 else 2000 + int(u * (year - 1999))  # keeps the random stream
        born_year = _born_year(RELATIONS[min(i, 4)], u, head_year, year)
        head_year = born_year if i == 0 else head_year
        born = date(born_year, 1 + int(rand() * 12), 1 + int(rand() * 28))
        sex = "M" if (i == 0) == (rng.random() < 0.8) else "F"
        century = (0 if sex == "M" else 1) + (2 if born.year >= 2000 else 0)
        serial = int(rand() * 1_000_000) if drawn < year - 14 else None
        id_number = (
            f"011{century}{born.year % 100:02d}{serial:06d}"
            if serial is not None and born.year < year - 14
            else ""
        )
        rows.append(
            (
                hid,
                name,
                _fold(name),
                born,
                sex,
                RELATIONS[min(i, 4)],
                id_number,
                ethnicity,
                "",
                rand() < 0.9,
                rand() < 0.03,
                "",
            )
        )
    return rows


def seed_dien_bien(plan: ProvincePlan = DIEN_BIEN, *, members: bool = True, seed: int = 11) -> int:
    """Household register of Điện Biên for the baseline and target years. Returns households created."""
    if Household.objects.filter(code__startswith="11-").exists():
        return 0
    rng = random.Random(seed)
    communes = _communes("11")
    poor_districts = _classified_paths("poor_district_30a", date(plan.year, 12, 31), "11")
    factor = {
        c.pk: (0.6 if any(c.path.startswith(p) for p in poor_districts) else 1.0)
        * (1.6 if c.kind != "xa" else 1.0)
        for c in communes
    }
    weights = [3 if c.kind == "xa" else 4 for c in communes]
    std_base = PovertyStandard.objects.get(
        province_code="", year_from__lte=plan.baseline_year, year_to__gte=plan.baseline_year
    )
    std = PovertyStandard.objects.get(province_code="", year_from__lte=plan.year, year_to__gte=plan.year)
    first_id = bulk.reserve_ids(Household, 0)
    assigned = rng.choices(communes, weights=weights, k=plan.households)
    keys15 = [rng.random() * factor[c.pk] for c in assigned]
    keys20 = [k * 0.8 + rng.random() * 0.35 * factor[c.pk] for k, c in zip(keys15, assigned, strict=True)]

    def ranks(keys: list[float], n: int, poor: int, near: int) -> list[str]:
        order = sorted(range(n), key=keys.__getitem__)
        out = ["other"] * n
        for pos, idx in enumerate(order):
            if pos < poor:
                out[idx] = PovertyClass.POOR
            elif pos < poor + near:
                out[idx] = PovertyClass.NEAR_POOR
            else:
                break
        return out

    p135_villages = _p135_villages("11", date(plan.year, 12, 31))  # commune id → its Program 135 village
    target15 = ranks(keys15, plan.households_baseline, plan.poor_baseline, plan.near_poor_baseline)
    target20 = ranks(keys20, plan.households, plan.poor, plan.near_poor)
    households, member_rows, reviews = [], [], []
    for i, commune in enumerate(assigned):
        hid = first_id + i
        area = "rural" if commune.kind == "xa" else "urban"
        ethnicity = rng.choices(ETHNIC, weights=ETHNIC_W)[0]
        head = _name(rng)
        village = p135_villages.get(commune.pk) if i % 5 < 2 else None  # 2 in 5 households live in that bản
        households.append(
            (
                hid,
                f"11-{commune.code}-{i + 1:06d}",
                commune.pk,
                village.pk if village else None,
                village.name if village else "",
                f"Bản {rng.randint(1, 20)}",
                head,
                _fold(head),
                ethnicity,
                area,
            )
        )
        if members:
            member_rows.extend(_members(rng, hid, head, ethnicity, plan.year))
        prev = None
        for year, standard, targets in ((plan.baseline_year, std_base, target15), (plan.year, std, target20)):
            if i >= len(targets):
                continue
            lines = standard.lines[area]
            codes = [x["code"] for x in standard.indicators]
            income, deps = _draw(rng, targets[i], lines, codes)
            cls = decide(lines, standard.deprivation_cutoff, income, len(deps))
            if targets[i] != "other" and cls != targets[i]:
                raise AssertionError(f"demo draw inconsistent: {targets[i]} → {cls}")
            poorish = cls in (PovertyClass.POOR, PovertyClass.NEAR_POOR)
            reviews.append(
                _review_row(
                    (hid, commune.pk, year, area, income, deps, standard.pk, cls),
                    transition(prev, cls),
                    _json(rng.sample(CAUSES, 2) if poorish else []),
                    (
                        False,
                        poorish and rng.random() < 0.1,
                        poorish and rng.random() < 0.3,
                        poorish and rng.random() < 0.2,
                    ),
                    f"QĐ công nhận kết quả rà soát năm {year} (minh họa)",
                    date(year, 12, 20),
                    ethnicity,
                )
            )
            prev = cls
    _write(households, member_rows, reviews)
    return len(households)


def seed_area_classes() -> None:
    """97 Program-135 communes and 2 Program-135 villages of Điện Biên (2017-2020), flagged unconfirmed."""
    scheme = ClassificationScheme.objects.get(code="p135_commune")
    if UnitClassification.objects.filter(
        scheme=scheme, unit__code__in=[c.code for c in _communes("11")], unit__structure="pre2025"
    ).exists():
        return
    poor = _classified_paths("poor_district_30a", P135_END, "11")
    xa = [c for c in _communes("11") if c.kind == "xa"]
    xa.sort(key=lambda c: (not any(c.path.startswith(p) for p in poor), c.code))
    UnitClassification.objects.bulk_create(
        [UnitClassification(unit=c, scheme=scheme, **P135) for c in xa[:97]]
    )
    village_scheme = ClassificationScheme.objects.get(code="p135_village")
    # villages in the non-P135 communes (Program 135 also supports extremely difficult villages elsewhere)
    for n, commune in enumerate(xa[97:99], start=1):
        village = demo_village(commune, f"{commune.code}-T{n:02d}", f"Bản Minh họa {n}")
        UnitClassification.objects.create(unit=village, scheme=village_scheme, **P135)


def _p135_villages(province_code: str, on: date) -> dict[int, UnitVersion]:
    """The province's Program 135 villages by the id of their commune (the demo has one per commune)."""

    province = UnitVersion.objects.get(structure="pre2025", level=1, code=province_code)
    rows = (
        UnitClassification.objects.as_of(on)
        .filter(scheme__code="p135_village", unit__path__startswith=province.path)
        .select_related("unit")
    )
    return {c.unit.parent_id: c.unit for c in rows if c.unit.parent_id is not None}


CAO_BANG_HOUSES = 3_412


def seed_cao_bang(*, members: bool = True, seed: int = 4) -> int:
    """Cao Bằng 2023 (NĐ 07/2021): 3,412 poor/near-poor households in poor districts received housing support."""
    if Household.objects.filter(code__startswith="04-").exists():
        return 0
    rng = random.Random(seed)
    year = 2023
    communes = _communes("04")
    poor_paths = _classified_paths("poor_district_30a", date(year, 12, 31), "04")
    in_poor = [c for c in communes if any(c.path.startswith(p) for p in poor_paths)]
    others = [c for c in communes if c not in in_poor]
    std = PovertyStandard.objects.get(province_code="", year_from__lte=year, year_to__gte=year)
    codes = [x["code"] for x in std.indicators]
    first_id = bulk.reserve_ids(Household, 0)
    households, member_rows, reviews = [], [], []
    plan = [(c, True) for c in rng.choices(in_poor, k=6_000)] + [
        (c, False) for c in rng.choices(others, k=2_000)
    ]
    housed = 0
    for i, (commune, poor_district) in enumerate(plan):
        hid = first_id + i
        area = "rural" if commune.kind == "xa" else "urban"
        head = _name(rng)
        ethnicity = rng.choice(["Tày", "Nùng", "Mông", "Dao", "Kinh"])
        households.append(
            (
                hid,
                f"04-{commune.code}-{i + 1:06d}",
                commune.pk,
                None,
                "",
                "",
                head,
                _fold(head),
                ethnicity,
                area,
            )
        )
        if members:
            member_rows.extend(_members(rng, hid, head, ethnicity, year))
        target = PovertyClass.POOR if i % 3 == 0 else PovertyClass.NEAR_POOR if i % 3 == 1 else "other"
        if not poor_district and rng.random() < 0.5:
            target = "other"
        lines = std.lines[area]
        income, deps = _draw(rng, target, lines, codes)
        cls = decide(lines, std.deprivation_cutoff, income, len(deps))
        house = (
            poor_district and cls in (PovertyClass.POOR, PovertyClass.NEAR_POOR) and housed < CAO_BANG_HOUSES
        )
        housed += bool(house)
        reviews.append(
            _review_row(
                (hid, commune.pk, year, area, income, deps, std.pk, cls),
                "",
                "[]",
                (house, False, False, False),
                "",
                date(year, 12, 15),
                ethnicity,
            )
        )
    if housed != CAO_BANG_HOUSES:
        raise AssertionError("Cao Bằng demo: not enough poor/near-poor households in poor districts")
    _write(households, member_rows, reviews)
    return len(households)


def _review_row(
    fact: tuple[int, int, int, str, int, list[str], int, str],
    transition_code: str,
    causes: str,
    policies: tuple[bool, bool, bool, bool],
    decision: str,
    approved_on: date,
    ethnicity: str,
) -> tuple[Any, ...]:
    """One periodic review in REVIEW_COLUMNS order; fact = (household, commune, year, area, income, deprivations,
    standard, class); policies = (housing, water, credit, production)."""
    hid, commune_id, year, area, income, deps, standard_id, cls = fact
    head = (hid, commune_id, year, "periodic", area, income, _json(deps), len(deps), standard_id, cls, "")
    return (*head, transition_code, causes, *policies, decision, approved_on, ethnicity)


def _write(
    households: list[tuple[Any, ...]], members: list[tuple[Any, ...]], reviews: list[tuple[Any, ...]]
) -> None:
    """Households, members and reviews in one transaction (COPY on PostgreSQL, core.bulk), sequences after."""
    with transaction.atomic():
        bulk.insert(Household, HOUSEHOLD_COLUMNS, households)
        bulk.insert(Member, MEMBER_COLUMNS, members)
        bulk.insert(Review, REVIEW_COLUMNS, reviews)
        for model in (Household, Member, Review):
            bulk.sync_sequence(model)


SAMPLE_SCHEME = "poverty_register_sample"


def seed_register_samples() -> None:
    """Mark the Cao Bằng 2023 register as an illustrative sample (8.000 households drawn over its communes, not the
    province's register): every poverty figure of the province for 2023 says so (poverty.reports.coverage)."""
    scheme, _new = ClassificationScheme.objects.get_or_create(
        code=SAMPLE_SCHEME,
        defaults={
            "name": "Sổ hộ nghèo minh họa (dữ liệu mẫu)",
            "applies_to_level": 1,
            "values": {"sample": "Sổ hộ mẫu, không phải toàn bộ hộ của địa bàn"},
            "legal_basis": "Dữ liệu của bản trình diễn",
        },
    )
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="04")
    UnitClassification.objects.get_or_create(
        unit=province,
        scheme=scheme,
        valid_from=date(2023, 1, 1),
        defaults={
            "value": "sample",
            "valid_to": date(2023, 12, 31),
            "legal_basis": "Bản trình diễn: 8.000 hộ rút ngẫu nhiên trên các xã của tỉnh",
        },
    )


def seed(*, members: bool = True, plan: ProvincePlan = DIEN_BIEN) -> None:
    """Deterministic and idempotent."""
    load_standards()
    seed_area_classes()
    seed_register_samples()
    added = seed_dien_bien(plan, members=members) + seed_cao_bang(members=members)
    if added:
        tally_refresh()
        analyze()


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL plans the roll-up badly without them)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                f"ANALYZE {Household._meta.db_table}, {Review._meta.db_table}, {Member._meta.db_table}"
            )
