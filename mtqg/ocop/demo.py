"""Demo data for OCOP, called by `manage.py seed_demo`.

Điện Biên and Cao Bằng subjects, products, rating rounds 2021-2025 (with re-ratings after 36 months), sales channels.
Only records are stored; the published figures are computed by the `ocop-summary` report. The plan is chosen so that
Điện Biên reaches 138 products of 3★ or more, 5 of them 4★, by the end of 2025 (domain.md §8, [S81]).
Deterministic (fixed seed), idempotent (a second run finds the demo subjects and returns), bulk inserts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion

from .models import Product, ProductGroup, Rating, RuleSet, SalesChannel, Subject
from .rules import add_months, load_rules

DEMO_TAX_PREFIX = "DEMO-OCOP-"


@dataclass
class ProvincePlan:
    code: str
    first_rated: dict[int, int]  # year → products first rated (certified) that year
    four_star: int  # products whose latest rating is 4★
    two_star: int  # products rated below 3★ (not certified)
    ecommerce_every: int  # every n-th certified product is listed on an e-commerce platform
    bases: list[tuple[str, str]]  # (product base name, sub-group code)


PLANS = [
    ProvincePlan(
        code="11",
        first_rated={2021: 20, 2022: 30, 2023: 35, 2024: 33, 2025: 20},
        four_star=5,
        two_star=8,
        ecommerce_every=3,
        bases=[
            ("Gạo Séng Cù", "1.2"),
            ("Gạo nếp Tan", "1.2"),
            ("Chè Shan tuyết", "1.5"),
            ("Cà phê Arabica", "1.6"),
            ("Rượu ngô", "2.1"),
            ("Thịt trâu gác bếp", "1.3"),
            ("Mắc khén", "1.4"),
            ("Mật ong rừng", "1.3"),
            ("Măng khô", "1.3"),
            ("Hạt mắc ca", "1.2"),
            ("Miến dong", "1.3"),
            ("Thổ cẩm Thái", "4.2"),
            ("Lạp xưởng", "1.3"),
            ("Tỏi Mường Ảng", "1.4"),
            ("Trà túi lọc thảo dược", "3.1"),
            ("Bản du lịch cộng đồng", "6.1"),
            ("Lan rừng", "5.1"),
            ("Nước uống đóng chai", "2.2"),
            ("Đan lát mây tre", "4.1"),
            ("Chẩm chéo", "1.4"),
        ],
    ),
    ProvincePlan(
        code="04",
        first_rated={2021: 15, 2022: 20, 2023: 18, 2024: 15, 2025: 12},
        four_star=8,
        two_star=5,
        ecommerce_every=4,
        bases=[
            ("Hạt dẻ Trùng Khánh", "1.2"),
            ("Miến dong Phia Đén", "1.3"),
            ("Lạp sườn hun khói", "1.3"),
            ("Trà hoa vàng", "1.5"),
            ("Rượu men lá", "2.1"),
            ("Hương Phia Thắp", "4.1"),
            ("Mật ong bạc hà", "1.3"),
            ("Quýt Hà Trì", "1.1"),
            ("Thạch đen Thạch An", "1.3"),
            ("Dao rèn Phúc Sen", "4.1"),
            ("Thổ cẩm Tày", "4.2"),
            ("Gạo nếp Pì Pất", "1.2"),
            ("Bánh khảo", "1.3"),
            ("Cao xương khỉ thảo dược", "3.1"),
            ("Homestay bản Giốc", "6.1"),
            ("Lê Đông Khê", "1.1"),
        ],
    ),
]
KINDS = (
    [Subject.Kind.COOPERATIVE] * 9
    + [Subject.Kind.ENTERPRISE] * 4
    + [Subject.Kind.HOUSEHOLD] * 6
    + [Subject.Kind.COOP_GROUP]
)
KIND_PREFIX = {
    Subject.Kind.COOPERATIVE: "HTX",
    Subject.Kind.ENTERPRISE: "Công ty TNHH",
    Subject.Kind.HOUSEHOLD: "Hộ kinh doanh",
    Subject.Kind.COOP_GROUP: "Tổ hợp tác",
}
FAMILY = ["Lò", "Quàng", "Cà", "Lường", "Nông", "Hoàng", "Vi", "Đàm", "Nguyễn", "Bế"]
GIVEN = ["Văn Minh", "Thị Lan", "Văn Hùng", "Thị Hoa", "Văn Sơn", "Thị Mai", "Văn Toàn", "Thị Thu"]
PLATFORMS = [
    ("Postmart", "https://postmart.vn/"),
    ("Voso", "https://voso.vn/"),
    ("Shopee", "https://shopee.vn/"),
    ("Lazada", "https://www.lazada.vn/"),
]
SUPERMARKETS = ["Co.opmart", "WinMart", "MM Mega Market"]
# round decision dates per year: (month, day) of the two provincial rounds
ROUND_DATES = {
    2021: [(6, 15), (12, 10)],
    2022: [(7, 20), (12, 20)],
    2023: [(8, 18), (12, 15)],
    2024: [(6, 25), (12, 12)],
    2025: [(3, 20), (6, 20)],
}


def _split(total: int, ruleset: RuleSet) -> dict[str, int]:
    """Scores per part summing to `total`, each within its part's maximum."""
    parts = {p.code: p.max_points for p in ruleset.parts.all()}
    a = min(parts["A"], round(total * parts["A"] / 100))
    b = min(parts["B"], round(total * parts["B"] / 100))
    return {"A": a, "B": b, "C": total - a - b}


def _ruleset_for(day: date, rulesets: list[RuleSet]) -> RuleSet:
    return [r for r in rulesets if r.valid_from <= day and (r.valid_to is None or day <= r.valid_to)][-1]


def seed() -> int:
    if Subject.objects.filter(tax_code__startswith=DEMO_TAX_PREFIX).exists():
        return 0
    load_rules()
    return _seed()


@transaction.atomic
def _seed() -> int:
    rng = random.Random(13)
    groups = {g.code: g for g in ProductGroup.objects.all()}
    rulesets = list(RuleSet.objects.prefetch_related("parts", "bands").order_by("valid_from"))
    created = 0
    first_subject: Subject | None = None
    for plan in PLANS:
        province = UnitVersion.objects.get(structure=UnitVersion.Structure.PRE2025, level=1, code=plan.code)
        communes = list(
            UnitVersion.objects.filter(
                path__startswith=province.path, level=UnitVersion.Level.COMMUNE
            ).order_by("code")
        )
        # one (first-rating year, is_certified) slot per product
        slots = [(year, True) for year, n in sorted(plan.first_rated.items()) for _ in range(n)]
        slots += [(2022 + i % 3, False) for i in range(plan.two_star)]
        certified_total = sum(plan.first_rated.values())
        four_star_idx = set(rng.sample(range(certified_total), plan.four_star))

        subjects: list[Subject] = []
        product_plans: list[tuple[int, int, bool, str, str]] = []  # subject idx, year, certified, name, group
        i = 0
        while i < len(slots):
            commune = communes[rng.randrange(len(communes))]
            kind = KINDS[rng.randrange(len(KINDS))]
            s_idx = len(subjects)
            subjects.append(
                Subject(
                    name=f"{KIND_PREFIX[kind]} {commune.name.replace('Xã ', '').replace('Phường ', '')} {s_idx + 1}",
                    kind=kind,
                    commune=commune,
                    address=commune.name,
                    contact_name=f"{FAMILY[rng.randrange(len(FAMILY))]} {GIVEN[rng.randrange(len(GIVEN))]}",
                    phone=f"09{rng.randrange(10**7, 10**8)}",
                    tax_code=f"{DEMO_TAX_PREFIX}{plan.code}-{s_idx + 1:04d}",
                )
            )
            for _ in range(1 + rng.randrange(3)):
                if i >= len(slots):
                    break
                base, group = plan.bases[rng.randrange(len(plan.bases))]
                year, certified = slots[i]
                product_plans.append((s_idx, year, certified, f"{base} ({i + 1})", group))
                i += 1
        Subject.objects.bulk_create(subjects)
        subjects = list(
            Subject.objects.filter(tax_code__startswith=f"{DEMO_TAX_PREFIX}{plan.code}-").order_by("tax_code")
        )
        first_subject = first_subject or subjects[0]
        products = [
            Product(
                subject=subjects[s_idx],
                commune=subjects[s_idx].commune,
                name=name,
                group=groups[group],
                description=f"{name} — sản phẩm đặc trưng của {subjects[s_idx].commune.name}.",
            )
            for s_idx, _y, _c, name, group in product_plans
        ]
        Product.objects.bulk_create(products)
        products = list(Product.objects.filter(subject__in=subjects).order_by("pk"))
        by_name = {p.name: p for p in products}

        ratings: list[Rating] = []
        channels: list[SalesChannel] = []
        cert_no = 0
        decision_no = 100
        for _s_idx, year, certified, name, _group in product_plans:
            product = by_name[name]
            month, day = ROUND_DATES[year][rng.randrange(2)]
            decided = date(year, month, day)
            is_four = certified and cert_no in four_star_idx
            history: list[tuple[date, int]] = []
            if certified:
                rerate = year <= 2022 and rng.random() < 0.6
                if rerate:
                    # first 3★ round, then re-rated at the end of the 36 months
                    history.append((decided, rng.randrange(50, 70)))
                    later = add_months(decided, 36)
                    later = date(
                        min(later.year, 2025), later.month if later.year <= 2025 else 6, min(later.day, 28)
                    )
                    history.append((later, rng.randrange(70, 90) if is_four else rng.randrange(50, 70)))
                else:
                    history.append((decided, rng.randrange(70, 90) if is_four else rng.randrange(50, 70)))
            else:
                history.append((decided, rng.randrange(30, 50)))
            for when, total in history:
                ruleset = _ruleset_for(when, rulesets)
                scores = _split(total, ruleset)
                stars = max(b.stars for b in ruleset.bands.all() if total >= b.min_score)
                decision_no += 1
                ratings.append(
                    Rating(
                        product=product,
                        ruleset=ruleset,
                        round_year=when.year,
                        round_label="Đợt 1" if when.month <= 7 else "Đợt 2",
                        score_a=scores["A"],
                        score_b=scores["B"],
                        score_c=scores["C"],
                        total=total,
                        stars=stars,
                        council_level=Rating.CouncilLevel.PROVINCE,
                        decision_number=f"{decision_no}/QĐ-UBND",
                        decision_date=when,
                        valid_to=add_months(when, ruleset.certificate_months) if stars >= 3 else None,
                    )
                )
            if certified:
                if cert_no % plan.ecommerce_every == 0:
                    platform, url = PLATFORMS[rng.randrange(len(PLATFORMS))]
                    channels.append(
                        SalesChannel(
                            product=product,
                            kind=SalesChannel.Kind.ECOMMERCE,
                            name=platform,
                            url=f"{url}ocop-{plan.code}-{product.pk}",
                            listed_on=date(2024, 9, 1),
                            promotion_program="Đưa sản phẩm OCOP lên sàn thương mại điện tử (hỗ trợ quảng bá miễn phí)",
                            promotion_amount=Decimal(rng.choice([0, 3_000_000, 5_000_000])),
                            sales_year=2024,
                            sales_amount=Decimal(rng.randrange(20, 400) * 1_000_000),
                        )
                    )
                elif cert_no % plan.ecommerce_every == 1:
                    channels.append(
                        SalesChannel(
                            product=product,
                            kind=SalesChannel.Kind.ECOMMERCE,
                            name="Postmart",
                            url=f"https://postmart.vn/ocop-{plan.code}-{product.pk}",
                            status=SalesChannel.Status.PENDING,
                        )
                    )
                if cert_no % 5 == 0:
                    channels.append(
                        SalesChannel(
                            product=product,
                            kind=SalesChannel.Kind.SUPERMARKET,
                            name=SUPERMARKETS[rng.randrange(len(SUPERMARKETS))],
                        )
                    )
                channels.append(
                    SalesChannel(
                        product=product,
                        kind=SalesChannel.Kind.OWN_SHOP,
                        name=f"Cửa hàng {product.subject.name}",
                    )
                )
                cert_no += 1
        Rating.objects.bulk_create(ratings)
        SalesChannel.objects.bulk_create(channels)
        latest: dict[int, int] = {}
        for r in Rating.objects.filter(product__in=products).order_by("product_id", "decision_date", "pk"):
            latest[r.product_id] = r.pk
        for p in products:
            p.current_rating_id = latest.get(p.pk)
        Product.objects.bulk_update(products, ["current_rating"])
        created += len(subjects) + len(products) + len(ratings) + len(channels)
    if first_subject is not None:
        record_change(
            actor=None,
            obj=first_subject,
            action="demo_seed",
            changes={"rows": [None, created]},
            unit_path="",
            reason="Dữ liệu minh họa OCOP (Điện Biên, Cao Bằng)",
        )
    return created
