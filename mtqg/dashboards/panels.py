"""Dashboard assembly: key figures and charts (each with its table) for a unit, a year, a program and a mode.

Everything here reads summary facts through selectors.py; numbers are recomputed from numerators and denominators
(rates never averaged). A chart is {"id", "title", "kind", "categories", "series", "table"}; the table is a
core.tables.Table, rendered in HTML under the chart and written to XLSX by the download view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from mtqg.core.formatting import date_vi, number_vi, percent_vi
from mtqg.core.indicators import NO_DATA
from mtqg.core.scoping import path_q
from mtqg.core.tables import Column, Table
from mtqg.finance.models import DisbursementDeadline, Indicator, Source
from mtqg.finance.selectors import denominator_text, statutory_as_of
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion
from mtqg.geo.selectors import REFORM_DATE
from mtqg.ntm.models import RecognitionTier
from mtqg.poverty.reports import coverage
from mtqg.supervision.models import Mission, Recommendation

from . import selectors
from .measures import program_covers
from .selectors import CURRENT, REPORTED, Sums

PROGRAMS = {"": None, "ntm": "NTM", "poverty": "GNBV", "em": "DTTS", "hn2026": "HN2026"}
SPAN = 6  # years shown on the time charts
CENTRAL = ("nstw_dtpt", "nstw_sn")
ALL_MEASURES = (
    "ntm.communes",
    "ntm.assessed",
    "ntm.tier",
    "ntm.no_group",
    "ntm.provisional",
    "poverty.poor",
    "poverty.near_poor",
    "finance.plan",
    "finance.disbursed",
    "output.actual",
    "output.target",
    "sup.recommendations",
    "sup.recommendations_program",
    "ocop.products",
)
TIERS = ("co_ban_dat", "dat_chuan", "nang_cao", "kieu_mau", "hien_dai")
RECOGNISED = ("dat_chuan", "nang_cao", "kieu_mau", "hien_dai")
BANDS = ((19, 19, "19"), (15, 18, "15-18"), (10, 14, "10-14"), (5, 9, "5-9"), (0, 4, "0-4"))
OPEN_STATUSES = ("new", "in_progress")


def pct(part: Decimal | int, whole: Decimal | int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def num(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d.quantize(Decimal("0.01")))


@dataclass
class Filters:
    unit: UnitVersion
    year: int
    program: str = ""
    mode: str = REPORTED
    defaulted: bool = False  # the year was not asked for: the latest year with data (selectors.default_year)

    @property
    def root(self) -> str | None:
        return PROGRAMS.get(self.program)

    @property
    def years(self) -> list[int]:
        return list(range(self.year - SPAN + 1, self.year + 1))


class Facts:
    """Summed facts with small accessors: total(measure, year, key=…, period=…). The rows are indexed by
    (measure, year) on first use (not pickled with the cached value)."""

    def __init__(self, sums: Sums) -> None:
        self.sums = sums
        self._index: dict[tuple[str, int], list[tuple[str, str, Decimal, Decimal]]] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"sums": self.sums}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.sums = state["sums"]
        self._index = None

    def rows(self, measure: str, year: int | None) -> list[tuple[str, str, Decimal, Decimal]]:
        if self._index is None:
            index: dict[tuple[str, int], list[tuple[str, str, Decimal, Decimal]]] = {}
            for (m, y, p, k), (n, d) in self.sums.items():
                index.setdefault((m, y), []).append((p, k, n, d))
            self._index = index
        if year is not None:
            return self._index.get((measure, year), [])
        return [row for (m, _y), rows in self._index.items() if m == measure for row in rows]

    def get(
        self, measure: str, year: int, *, key: str | None = None, period: str | None = ""
    ) -> list[Decimal]:
        out = [Decimal(0), Decimal(0)]
        for p, k, n, d in self.rows(measure, year):
            if (key is None or k == key) and (period is None or p == period):
                out[0] += n
                out[1] += d
        return out

    def keys(self, measure: str, year: int | None = None) -> dict[str, list[Decimal]]:
        out: dict[str, list[Decimal]] = {}
        for _p, k, n, d in self.rows(measure, year):
            slot = out.setdefault(k, [Decimal(0), Decimal(0)])
            slot[0] += n
            slot[1] += d
        return out


def load(user: Any, f: Filters) -> Facts:
    years = [f.years[0] - 1, *f.years]
    if f.mode == CURRENT:
        return Facts(selectors.current_totals(user, f.unit, ALL_MEASURES, years))
    return Facts(selectors.reported(user, f.unit, ALL_MEASURES, years))


def boundary_text(f: Filters) -> str:
    if f.mode == CURRENT:
        return _(
            "Số liệu quy về đơn vị hành chính hiện nay (%(structure)s) qua quan hệ kế thừa: số cộng được phân bổ "
            "theo tỷ lệ kế thừa, tỷ lệ tính lại từ tử số và mẫu số, danh hiệu đếm theo số xã trước sáp nhập."
        ) % {"structure": UnitVersion.Structure(f.unit.structure).label}
    return _(
        "Số liệu theo đơn vị hành chính tại thời điểm báo cáo (trước 01/7/2025: hệ 3 cấp; từ 01/7/2025: hệ 2 cấp); "
        "mẫu số là số đơn vị còn hiệu lực ngày 31/12 của từng năm."
    )


REFERENCE_SECONDS = 300


def _reference(name: str, load: Any) -> Any:
    """Reference data read by every dashboard (indicators, disbursement deadlines), cached 5 minutes: two queries
    fewer per page computed."""
    key = f"dashboards:ref:{name}"
    hit = selectors.panel_cache().get(key)
    if hit is None:
        hit = load()
        selectors.panel_cache().set(key, hit, REFERENCE_SECONDS)
    return hit


# ---- charts --------------------------------------------------------------------------------------------------


_TIER_LABELS: dict[str | None, dict[str, str]] = {}


def _tier_labels() -> dict[str, str]:
    """RecognitionTier labels in the active language (computed once per language: called for every unit row)."""

    lang = get_language()
    if lang not in _TIER_LABELS:
        _TIER_LABELS[lang] = {k: str(v) for k, v in RecognitionTier.choices}
    return _TIER_LABELS[lang]


def _by_year(
    chart_id: str, kind: str, f: Filters, series: list[dict[str, Any]], table: Table
) -> dict[str, Any]:
    """A chart over the filter's years: one category per year."""
    return {
        "id": chart_id,
        "kind": kind,
        "categories": [str(y) for y in f.years],
        "series": series,
        "table": table,
    }


def ntm_tiers(facts: Facts, f: Filters) -> dict[str, Any]:
    labels = _tier_labels()
    rows = []
    for y in f.years:
        communes = facts.get("ntm.communes", y)[0]
        tiers = facts.keys("ntm.tier", y)
        row: dict[str, Any] = {"year": y, "communes": num(communes)}
        # a year with no recognition and no assessment reported is "chưa có số liệu" (None), never 0 (0016)
        reported = bool(tiers) or bool(facts.keys("ntm.assessed", y))
        for t in TIERS:
            row[t] = num(tiers.get(t, [Decimal(0)])[0]) if reported else None
        recognised = sum((tiers.get(t, [Decimal(0)])[0] for t in RECOGNISED), Decimal(0))
        row["recognised"] = num(recognised) if reported else None
        row["rate"] = pct(recognised, communes) if reported else None
        row["no_group"] = num(facts.get("ntm.no_group", y)[0]) if y >= 2026 else None
        row["provisional"] = num(facts.get("ntm.provisional", y)[0]) if reported else None
        rows.append(row)
    series = [{"name": labels[t], "data": [r[t] for r in rows], "stack": "tier"} for t in TIERS]
    table = Table(
        _("Xã nông thôn mới theo hạng qua các năm"),
        [Column("year", _("Năm")), Column("communes", _("Số xã"), "int")]
        + [Column(t, labels[t], "int") for t in TIERS]
        + [
            Column("recognised", _("Đạt chuẩn trở lên"), "int"),
            Column("rate", _("Tỷ lệ đạt chuẩn (%)"), "percent"),
            Column("no_group", _("Chưa xác định nhóm xã"), "int"),
            Column("provisional", _("Xã có kết quả tạm tính"), "int"),
        ],
        rows,
        notes=[
            _("Hạng cao nhất còn hiệu lực ngày 31/12 của năm; xã sau sáp nhập không kế thừa danh hiệu."),
            _(
                "Từ 2026: số xã tỉnh chưa phân nhóm theo QĐ 51/2025/QĐ-TTg (đánh giá 'chưa xác định nhóm xã')."
            ),
            _("Tạm tính: kết quả đánh giá gần nhất tính theo ngưỡng tiêu chí chưa xác minh."),
        ],
    )
    return _by_year("ntm_tiers", "bar", f, series, table)


def ntm_bands(facts: Facts, f: Filters) -> dict[str, Any]:
    rows = []
    for y in f.years:
        communes = facts.get("ntm.communes", y)[0]
        assessed = facts.keys("ntm.assessed", y)
        row: dict[str, Any] = {"year": y, "communes": num(communes)}
        total = Decimal(0)
        for lo, hi, label in BANDS:
            n = sum((v[0] for k, v in assessed.items() if k.isdigit() and lo <= int(k) <= hi), Decimal(0))
            row[label] = num(n)
            total += n
        met = sum((Decimal(k) * v[0] for k, v in assessed.items() if k.isdigit()), Decimal(0))
        row["not_assessed"] = num(max(communes - total, Decimal(0)))
        row["average"] = float((met / total).quantize(Decimal("0.1"))) if total else None
        rows.append(row)
    series = [
        {"name": _("%(b)s tiêu chí") % {"b": label}, "data": [r[label] for r in rows], "stack": "band"}
        for _lo, _hi, label in BANDS
    ]
    series.append({"name": _("Chưa đánh giá"), "data": [r["not_assessed"] for r in rows], "stack": "band"})
    table = Table(
        _("Số xã theo nhóm số tiêu chí đạt"),
        [Column("year", _("Năm")), Column("communes", _("Số xã"), "int")]
        + [Column(label, _("%(b)s tiêu chí") % {"b": label}, "int") for _lo, _hi, label in BANDS]
        + [
            Column("not_assessed", _("Chưa đánh giá"), "int"),
            Column("average", _("Bình quân tiêu chí"), "decimal"),
        ],
        rows,
        notes=[_("Lần đánh giá gần nhất đến 31/12 của năm, bộ tiêu chí xã chuẩn.")],
    )
    return _by_year("ntm_bands", "bar", f, series, table)


def _poverty_counts(poor: Decimal, near: Decimal, households: Decimal) -> dict[str, Any]:
    """Households reviewed, poor and near-poor with their rates; null where no household was reviewed, not 0."""
    reviewed = bool(households)
    return {
        "households": num(households) if reviewed else None,
        "poor": num(poor) if reviewed else None,
        "poor_rate": pct(poor, households),
        "near_poor": num(near) if reviewed else None,
        "near_poor_rate": pct(near, households),
    }


def _poverty_series(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The poverty and near-poverty rate lines of a chart over `rows` (each from _poverty_counts)."""
    return [
        {"name": _("Tỷ lệ hộ nghèo"), "data": [r["poor_rate"] for r in rows]},
        {"name": _("Tỷ lệ hộ cận nghèo"), "data": [r["near_poor_rate"] for r in rows]},
    ]


def poverty_rates(facts: Facts, f: Filters) -> dict[str, Any]:
    rows = []
    for y in f.years:
        poor, households = facts.get("poverty.poor", y, key="")
        near, _h = facts.get("poverty.near_poor", y, key="")
        rural = facts.get("poverty.poor", y, key="area=rural")
        urban = facts.get("poverty.poor", y, key="area=urban")
        rows.append(
            {
                "year": y,
                **_poverty_counts(poor, near, households),
                "rural_rate": pct(*rural),
                "urban_rate": pct(*urban),
            }
        )
    series = [
        *_poverty_series(rows),
        {"name": _("Hộ nghèo khu vực nông thôn"), "data": [r["rural_rate"] for r in rows]},
        {"name": _("Hộ nghèo khu vực thành thị"), "data": [r["urban_rate"] for r in rows]},
    ]
    table = Table(
        _("Tỷ lệ hộ nghèo, cận nghèo qua các năm"),
        [
            Column("year", _("Năm")),
            Column("households", _("Số hộ rà soát"), "int"),
            Column("poor", _("Hộ nghèo"), "int"),
            Column("poor_rate", _("Tỷ lệ hộ nghèo (%)"), "percent"),
            Column("near_poor", _("Hộ cận nghèo"), "int"),
            Column("near_poor_rate", _("Tỷ lệ cận nghèo (%)"), "percent"),
            Column("rural_rate", _("Nghèo nông thôn (%)"), "percent"),
            Column("urban_rate", _("Nghèo thành thị (%)"), "percent"),
        ],
        rows,
        notes=[_("Rà soát định kỳ; mẫu số là số hộ được rà soát trong năm trên địa bàn.")],
    )
    return _by_year("poverty_rates", "line", f, series, table)


def poverty_groups(facts: Facts, f: Filters) -> dict[str, Any]:
    poor = facts.keys("poverty.poor", f.year)
    near = facts.keys("poverty.near_poor", f.year)
    area_labels = {"rural": _("Nông thôn"), "urban": _("Thành thị")}
    rows: list[dict[str, Any]] = []
    for key in sorted(k for k in poor if k.startswith(("area=", "eth="))):
        kind, _sep, value = key.partition("=")
        group = _("Khu vực") if kind == "area" else _("Dân tộc")
        label = area_labels.get(value, value) if kind == "area" else (value if value != "?" else _("Chưa rõ"))
        p, h = poor[key]
        rows.append({"group": group, "label": label, **_poverty_counts(p, near.get(key, [Decimal(0)])[0], h)})
    rows.sort(key=lambda r: (r["group"], -(r["households"] or 0)))
    ethnic = [r for r in rows if r["group"] == _("Dân tộc")][:8]
    series = _poverty_series(ethnic)
    table = Table(
        _("Hộ nghèo theo dân tộc và khu vực năm %(y)s") % {"y": f.year},
        [
            Column("group", _("Phân tổ")),
            Column("label", _("Nhóm")),
            Column("households", _("Số hộ"), "int"),
            Column("poor", _("Hộ nghèo"), "int"),
            Column("poor_rate", _("Tỷ lệ nghèo (%)"), "percent"),
            Column("near_poor", _("Hộ cận nghèo"), "int"),
            Column("near_poor_rate", _("Tỷ lệ cận nghèo (%)"), "percent"),
        ],
        rows,
        notes=[_("Dân tộc của chủ hộ.")],
    )
    return {
        "id": "poverty_groups",
        "kind": "bar",
        "categories": [r["label"] for r in ethnic],
        "series": series,
        "table": table,
    }


def _area_class_labels() -> dict[str, str]:
    return {
        "class=p30a": _("Huyện nghèo (30a)"),
        "class=d293": _("Huyện theo QĐ 293"),
        "class=p135": _("Xã thuộc Chương trình 135"),
    }


def poverty_classes(facts: Facts, f: Filters) -> dict[str, Any]:
    """Poverty rates inside the targeting classes (poor 30a districts, QĐ 293 districts, Program 135 communes:
    classification valid on 31/12 of each year) against the whole unit, over the years (decision 0717)."""
    labels = _area_class_labels()
    rows = []
    for y in f.years:
        poor, households = facts.get("poverty.poor", y, key="")
        row: dict[str, Any] = {"year": y, "households": num(households), "rate": pct(poor, households)}
        for key in labels:
            p, h = facts.get("poverty.poor", y, key=key)
            near, _h = facts.get("poverty.near_poor", y, key=key)
            name = key.split("=")[1]
            row[f"{name}_households"] = num(h)
            row[f"{name}_poor"] = num(p)
            row[f"{name}_rate"] = pct(p, h)
            row[f"{name}_near_rate"] = pct(near, h)
        rows.append(row)
    series = [{"name": _("Toàn địa bàn"), "data": [r["rate"] for r in rows]}] + [
        {"name": label, "data": [r[f"{key.split('=')[1]}_rate"] for r in rows]}
        for key, label in labels.items()
    ]
    columns = [
        Column("year", _("Năm")),
        Column("households", _("Số hộ rà soát"), "int"),
        Column("rate", _("Tỷ lệ hộ nghèo chung (%)"), "percent"),
    ]
    for key, label in labels.items():
        name = key.split("=")[1]
        columns += [
            Column(f"{name}_households", _("%(c)s: số hộ") % {"c": label}, "int"),
            Column(f"{name}_poor", _("%(c)s: hộ nghèo") % {"c": label}, "int"),
            Column(f"{name}_rate", _("%(c)s: tỷ lệ nghèo (%%)") % {"c": label}, "percent"),
            Column(f"{name}_near_rate", _("%(c)s: tỷ lệ cận nghèo (%%)") % {"c": label}, "percent"),
        ]
    table = Table(
        _("Tỷ lệ hộ nghèo theo địa bàn đặc biệt khó khăn"),
        columns,
        rows,
        notes=[
            _(
                "Phân loại còn hiệu lực ngày 31/12 của từng năm: huyện nghèo (30a) và huyện theo QĐ 293 tính mọi xã "
                "của huyện; Chương trình 135 tính các xã ĐBKK, biên giới, an toàn khu. Xã sau 01/7/2025 không "
                "thuộc huyện nên không có số liệu theo huyện. Hộ ở thôn ĐBKK xem báo cáo giảm nghèo."
            )
        ],
    )
    return _by_year("poverty_classes", "line", f, series, table)


def _source_labels() -> dict[str, str]:
    return {k: str(v) for k, v in Source.choices}


def disbursement(
    facts: Facts,
    year: int,
    *,
    root: str | None = None,
    sources: tuple[str, ...] | None = CENTRAL,
    carry_over: bool = True,
    period: str | None = None,
) -> tuple[Decimal, Decimal]:
    """(disbursed, plan) of the year from the finance facts — the same lines and payments as
    `finance.selectors.disbursement_summary` at `statutory_as_of(year)` (decision 0015): a program root (None =
    every program), sources (None = every source), with or without the carried-over capital ("|co" keys), one
    month (period "M01"…"M13") or the whole year. The one place the dashboards and the portal read a rate's parts."""

    def kept(key: str) -> bool:
        parts = key.split("|")
        return (
            (root is None or parts[0] == root)
            and (sources is None or parts[1] in sources)
            and (carry_over or len(parts) < 3)
        )

    plan = sum((n for k, (n, _d) in facts.keys("finance.plan", year).items() if kept(k)), Decimal(0))
    paid = sum(
        (
            n
            for p, k, n, _d in facts.rows("finance.disbursed", year)
            if kept(k) and (period is None or p == period)
        ),
        Decimal(0),
    )
    return paid, plan


def disbursement_basis(year: int) -> str:
    """The as-of date and denominator every disbursement figure on the dashboards and the portal states."""

    return _("Đến ngày %(d)s; mẫu số: %(den)s") % {
        "d": date_vi(statutory_as_of(year)),
        "den": denominator_text(year, True),
    }


def finance_sources(facts: Facts, f: Filters) -> dict[str, Any]:
    labels = _source_labels()
    plan: dict[str, Decimal] = {}
    paid: dict[str, Decimal] = {}
    for s in labels:
        paid[s], plan[s] = disbursement(facts, f.year, root=f.root, sources=(s,))
        if not plan[s] and not paid[s]:
            del paid[s], plan[s]
    rows: list[dict[str, Any]] = [
        {
            "source": labels.get(s, s),
            "plan": num(plan.get(s, Decimal(0))),
            "disbursed": num(paid.get(s, Decimal(0))),
            "rate": pct(paid.get(s, Decimal(0)), plan.get(s, Decimal(0))),
        }
        for s in labels
        if s in plan or s in paid
    ]
    million = Decimal(1_000_000)
    series = [
        {"name": _("Kế hoạch (triệu đồng)"), "data": [num(Decimal(str(r["plan"])) / million) for r in rows]},
        {
            "name": _("Đã giải ngân (triệu đồng)"),
            "data": [num(Decimal(str(r["disbursed"])) / million) for r in rows],
        },
    ]
    table = Table(
        _("Giải ngân theo nguồn vốn năm %(y)s") % {"y": f.year},
        [
            Column("source", _("Nguồn vốn")),
            Column("plan", _("Kế hoạch (đồng)"), "money"),
            Column("disbursed", _("Đã giải ngân (đồng)"), "money"),
            Column("rate", _("Tỷ lệ (%)"), "percent"),
        ],
        rows,
        notes=[disbursement_basis(f.year)],
    )
    return {
        "id": "finance_sources",
        "kind": "bar",
        "categories": [r["source"] for r in rows],
        "series": series,
        "table": table,
    }


def finance_curve(facts: Facts, f: Filters) -> dict[str, Any]:
    categories = [f"T{m}" for m in range(1, 13)] + [_("T1 năm sau")]
    series = []
    rows: list[dict[str, Any]] = [{"month": c} for c in categories]
    for y in (f.year - 1, f.year):
        _paid, plan = disbursement(facts, y, root=f.root)
        cumulative = Decimal(0)
        points = []
        for m in range(1, 14):
            cumulative += disbursement(facts, y, root=f.root, period=f"M{m:02d}")[0]
            points.append(pct(cumulative, plan))
        series.append({"name": _("Năm %(y)s") % {"y": y}, "data": points})
        for row, value in zip(rows, points, strict=True):
            row[str(y)] = value
    deadlines = [
        _("Hạn giải ngân vốn năm %(y)s: %(d)s (%(k)s)")
        % {"y": d.plan_year, "d": date_vi(d.deadline), "k": d.get_kind_display()}
        for d in _reference(
            f"deadlines:{f.year}",
            lambda: list(
                DisbursementDeadline.objects.filter(plan_year=f.year, applies_to="current").order_by(
                    "deadline"
                )
            ),
        )
    ]
    target = selectors.target_for("finance.central_rate", f.year)
    table = Table(
        _("Tiến độ giải ngân lũy kế vốn NSTW (%)"),
        [Column("month", _("Tháng"))]
        + [Column(str(y), _("Năm %(y)s (%%)") % {"y": y}, "percent") for y in (f.year - 1, f.year)],
        rows,
        notes=[disbursement_basis(f.year)]
        + deadlines
        + ([f"{target['label']}: {target['value']}% ({target['legal_basis']})"] if target else []),
    )
    return {
        "id": "finance_curve",
        "kind": "line",
        "categories": categories,
        "series": series,
        "mark": target["value"] if target else None,
        "table": table,
    }


def outputs(facts: Facts, f: Filters) -> dict[str, Any]:
    indicators = _reference(
        "indicators", lambda: {i.code: i for i in Indicator.objects.select_related("program")}
    )
    actual = facts.keys("output.actual", f.year)
    target = facts.keys("output.target", f.year)
    rows = []
    for code in sorted(set(actual) | set(target)):
        ind = indicators.get(code)
        root = code.split(".")[0]
        if f.root is not None and root != f.root:
            continue
        a = actual.get(code, [None])[0]
        t = target.get(code, [None])[0]
        rows.append(
            {
                "code": code,
                "name": ind.name if ind else code,
                "unit": ind.unit_label if ind else "",
                "actual": num(a),
                "target": num(t),
                "percent": pct(a or 0, t) if t else None,
            }
        )
    # Indicators count different things (works, hectares, households): the chart shows each one's % of its own
    # target on one % axis, named by the indicator; the table keeps the amounts with their units.
    shown = [r for r in rows if r["percent"] is not None]
    series = [{"name": _("Thực hiện so với mục tiêu (%)"), "data": [r["percent"] for r in shown]}]
    table = Table(
        _("Chỉ tiêu đầu ra so với mục tiêu năm %(y)s") % {"y": f.year},
        [
            Column("code", _("Mã")),
            Column("name", _("Chỉ tiêu")),
            Column("unit", _("Đơn vị tính")),
            Column("actual", _("Thực hiện"), "decimal"),
            Column("target", _("Mục tiêu"), "decimal"),
            Column("percent", _("% mục tiêu"), "percent"),
        ],
        rows,
    )
    return {
        "id": "outputs",
        "kind": "hbar",
        "categories": [f"{r['name']} ({r['unit']})" if r["unit"] else r["name"] for r in shown],
        "series": series,
        "mark": 100,
        "table": table,
    }


def _recommendation_counts(facts: Facts, f: Filters) -> dict[tuple[int, str], Decimal]:
    """(year, status) → recommendations, of the missions of the selected program (all missions without one)."""
    out: dict[tuple[int, str], Decimal] = {}
    for (m, y, _p, k), (n, _d) in facts.sums.items():
        if f.root is None and m == "sup.recommendations":
            status = k
        elif f.root is not None and m == "sup.recommendations_program" and k.startswith(f"{f.root}|"):
            status = k.split("|", 1)[1]
        else:
            continue
        out[(y, status)] = out.get((y, status), Decimal(0)) + n
    return out


def recommendations(facts: Facts, f: Filters) -> dict[str, Any]:
    labels = {k: str(v) for k, v in Recommendation.Status.choices}
    counts: dict[str, Decimal] = {}
    for (y, status), n in _recommendation_counts(facts, f).items():
        if y <= f.year:
            counts[status] = counts.get(status, Decimal(0)) + n
    rows = [{"status": labels.get(s, s), "count": num(counts.get(s, Decimal(0)))} for s in labels]
    series = [{"name": _("Số kiến nghị"), "data": [r["count"] for r in rows]}]
    table = Table(
        _("Kiến nghị giám sát theo trạng thái (đến năm %(y)s)") % {"y": f.year},
        [Column("status", _("Trạng thái")), Column("count", _("Số kiến nghị"), "int")],
        rows,
        notes=[
            _(
                "Kiến nghị của các đoàn có chương trình đã chọn (đoàn không ghi chương trình tính cho mọi chương trình)."
            )
        ]
        if f.root
        else [],
    )
    return {
        "id": "recommendations",
        "kind": "bar",
        "categories": [r["status"] for r in rows],
        "series": series,
        "table": table,
    }


CHARTS = {
    "ntm_tiers": (ntm_tiers, ("", "ntm", "hn2026")),
    "ntm_bands": (ntm_bands, ("", "ntm", "hn2026")),
    "poverty_rates": (poverty_rates, ("", "poverty", "em", "hn2026")),
    "poverty_groups": (poverty_groups, ("", "poverty", "em", "hn2026")),
    "poverty_classes": (poverty_classes, ("", "poverty", "em", "hn2026")),
    "finance_sources": (finance_sources, tuple(PROGRAMS)),
    "finance_curve": (finance_curve, tuple(PROGRAMS)),
    "outputs": (outputs, tuple(PROGRAMS)),
    "recommendations": (recommendations, tuple(PROGRAMS)),
}
# Lazy: the module is imported once, the titles are read in each request's language.
CHART_TITLES = {
    "ntm_tiers": gettext_lazy("Nông thôn mới: số xã theo hạng"),
    "ntm_bands": gettext_lazy("Nông thôn mới: nhóm số tiêu chí đạt"),
    "poverty_rates": gettext_lazy("Giảm nghèo: tỷ lệ hộ nghèo qua các năm"),
    "poverty_groups": gettext_lazy("Giảm nghèo: theo dân tộc (năm chọn)"),
    "poverty_classes": gettext_lazy("Giảm nghèo: huyện nghèo 30a, Chương trình 135"),
    "finance_sources": gettext_lazy("Giải ngân theo nguồn vốn"),
    "finance_curve": gettext_lazy("Tiến độ giải ngân vốn NSTW so với năm trước"),
    "outputs": gettext_lazy("Chỉ tiêu đầu ra so với mục tiêu"),
    "recommendations": gettext_lazy("Kiến nghị giám sát"),
}


# One unit per value axis: "count" axes get whole-number ticks, "percent" axes a % sign, "million" triệu đồng.
CHART_AXES = {
    "ntm_tiers": ("count", gettext_lazy("Số xã")),
    "ntm_bands": ("count", gettext_lazy("Số xã")),
    "poverty_rates": ("percent", gettext_lazy("Tỷ lệ (%)")),
    "poverty_groups": ("percent", gettext_lazy("Tỷ lệ (%)")),
    "poverty_classes": ("percent", gettext_lazy("Tỷ lệ (%)")),
    "finance_sources": ("million", gettext_lazy("Triệu đồng")),
    "finance_curve": ("percent", gettext_lazy("Lũy kế (%)")),
    "outputs": ("percent", gettext_lazy("% mục tiêu")),
    "recommendations": ("count", gettext_lazy("Số kiến nghị")),
}


def charts(facts: Facts, f: Filters) -> list[dict[str, Any]]:
    """The program's charts; `empty` when no series has a value other than 0 (the page shows "chưa có số
    liệu" instead of bare axes)."""
    out = []
    for cid, (fn, programs) in CHARTS.items():
        if f.program in programs:
            chart = fn(facts, f)
            chart["title"] = str(CHART_TITLES[cid])
            unit, name = CHART_AXES[cid]
            chart["axis"] = {"unit": unit, "name": str(name)}
            chart["empty"] = not any(v for s in chart["series"] for v in s["data"])
            out.append(chart)
    return out


# ---- key figures ---------------------------------------------------------------------------------------------


def _change(now: float | None, before: float | None, unit: str = "điểm %") -> str:
    if now is None or before is None:
        return "—"
    delta = Decimal(str(now)) - Decimal(str(before))
    sign = "+" if delta > 0 else ""
    return f"{sign}{number_vi(delta, 2)} {unit}"


def _latest_with(facts: Facts, f: Filters, has: Any) -> str:
    """ "Năm gần nhất có số liệu: 2023" for a key figure without data in the year (from the years loaded)."""
    found = next((y for y in reversed([f.years[0] - 1, *f.years]) if y < f.year and has(y)), None)
    return _("Năm gần nhất có số liệu: %(y)s") % {"y": found} if found else "—"


def key_figures(facts: Facts, f: Filters) -> list[dict[str, Any]]:
    """The headline figures (mtqg.core.indicators); a figure with nothing reported in the year reads "chưa có số
    liệu" (never 0) and names the latest year that has it."""

    y, prev = f.year, f.year - 1
    out: list[dict[str, Any]] = []

    def recognised(year: int) -> tuple[Decimal, Decimal]:
        tiers = facts.keys("ntm.tier", year)
        return (
            sum((tiers.get(t, [Decimal(0)])[0] for t in RECOGNISED), Decimal(0)),
            facts.get("ntm.communes", year)[0],
        )

    if f.program in ("", "ntm", "hn2026"):
        n, d = recognised(y)
        n0, d0 = recognised(prev)
        t = selectors.target_for("ntm.recognised_rate", y)

        def ntm_has(year: int) -> bool:
            return bool(facts.keys("ntm.tier", year))

        out.append(
            {
                "label": _("Xã đạt chuẩn nông thôn mới"),
                "number": pct(n, d) if ntm_has(y) else None,
                "value": f"{number_vi(n)}/{number_vi(d)} ({percent_vi(pct(n, d))})"
                if d and ntm_has(y)
                else str(NO_DATA),
                "change": _change(pct(n, d), pct(n0, d0))
                if ntm_has(y) and ntm_has(prev)
                else ("—" if ntm_has(y) else _latest_with(facts, f, ntm_has)),
                "target": f"≥ {t['value']}% ({t['legal_basis']})" if t else "—",
            }
        )
    if f.program in ("", "poverty", "em", "hn2026"):
        p, h = facts.get("poverty.poor", y, key="")
        p0, h0 = facts.get("poverty.poor", prev, key="")
        t = selectors.target_for("poverty.rate_drop_points", y)
        out.append(
            {
                "label": _("Tỷ lệ hộ nghèo"),
                "number": pct(p, h),
                "value": percent_vi(pct(p, h)) if h else str(NO_DATA),
                "change": _change(pct(p, h), pct(p0, h0))
                if h
                else _latest_with(facts, f, lambda yr: bool(facts.get("poverty.poor", yr, key="")[1])),
                "target": _("giảm ≥ %(v)s điểm %%/năm (%(b)s)") % {"v": t["value"], "b": t["legal_basis"]}
                if t
                else "—",
            }
        )
        p30, h30 = facts.get("poverty.poor", y, key="class=p30a")
        if h30:  # only where the unit has poor (30a) districts that year (0717)
            p30_0, h30_0 = facts.get("poverty.poor", prev, key="class=p30a")
            out.append(
                {
                    "label": _("Tỷ lệ hộ nghèo ở huyện nghèo (30a)"),
                    "number": pct(p30, h30),
                    "value": percent_vi(pct(p30, h30)),
                    "change": _change(pct(p30, h30), pct(p30_0, h30_0)),
                    "target": "—",
                }
            )

    def central_rate(year: int, sources: tuple[str, ...] | None = CENTRAL) -> float | None:
        return pct(*disbursement(facts, year, root=f.root, sources=sources))

    t = selectors.target_for("finance.central_rate", y)
    label = _("Giải ngân vốn NSTW năm %(y)s") % {"y": y}
    if f.root:
        label = _("Giải ngân vốn NSTW năm %(y)s của chương trình") % {"y": y}
    out.append(
        {
            "label": label,
            "number": central_rate(y),
            "value": percent_vi(central_rate(y)) if central_rate(y) is not None else str(NO_DATA),
            "change": _change(central_rate(y), central_rate(prev))
            if central_rate(y) is not None
            else _latest_with(facts, f, lambda yr: central_rate(yr) is not None),
            "target": f"{t['value']}% ({t['legal_basis']})" if t else "—",
            "basis": disbursement_basis(y),
        }
    )
    if f.root:  # the programme's own rate, every source: the finance page's programme row
        out.append(
            {
                "label": _("Giải ngân năm %(y)s của chương trình (mọi nguồn vốn)") % {"y": y},
                "number": central_rate(y, None),
                "value": percent_vi(central_rate(y, None))
                if central_rate(y, None) is not None
                else str(NO_DATA),
                "change": _change(central_rate(y, None), central_rate(prev, None)),
                "target": "—",
                "basis": disbursement_basis(y),
            }
        )
    target = facts.keys("output.target", y)
    actual = facts.keys("output.actual", y)
    with_target = [k for k in target if (f.root is None or k.split(".")[0] == f.root) and target[k][0]]
    reached = [k for k in with_target if actual.get(k, [Decimal(0)])[0] >= target[k][0]]
    out.append(
        {
            "label": _("Chỉ tiêu đầu ra đạt mục tiêu"),
            "number": len(reached) if with_target else None,
            "value": f"{len(reached)}/{len(with_target)}" if with_target else str(NO_DATA),
            "change": "—",
            "target": _("Mục tiêu giao trong năm"),
        }
    )
    open_now = sum(
        (n for (_y, status), n in _recommendation_counts(facts, f).items() if status in OPEN_STATUSES),
        Decimal(0),
    )
    out.append(
        {
            "label": _("Kiến nghị giám sát chưa xong"),
            "number": int(open_now),
            "value": number_vi(open_now),
            "change": "—",
            "target": "—",
        }
    )
    return out


def open_recommendations(user: Any, unit: UnitVersion, limit: int = 10, *, program: str = "") -> list[Any]:
    """Open recommendations of missions to the unit (every version of it), of the selected program's missions
    (missions naming no program count for every program); soonest deadline first."""

    qs = Recommendation.objects.visible_to(user).filter(
        path_q("mission__unit__path", selectors.identity_prefixes(unit)), status__in=OPEN_STATUSES
    )
    root = PROGRAMS.get(program)
    if root is not None:
        codes = program_covers()[root]
        missions = Mission.objects.filter(pk__in=qs.values("mission_id")).values_list("pk", "programs")
        qs = qs.filter(mission_id__in=[pk for pk, listed in missions if not listed or set(listed) & codes])
    return list(qs.select_related("mission").order_by("deadline", "pk")[:limit])


def poverty_coverage(f: Filters) -> str:
    """The register's coverage under the unit in the year (communes with records / all, or an illustrative sample:
    poverty.reports.coverage), stated under the poverty rate; "" when there are no records. Provinces and below:
    the country page would count every commune's tallies on each cold page (its unit table shows each province)."""

    if f.unit.level == UnitVersion.Level.COUNTRY:
        return ""

    end = date(f.year, 12, 31)
    valid = (f.unit.valid_from is None or f.unit.valid_from <= end) and (
        f.unit.valid_to is None or end <= f.unit.valid_to
    )
    version = (
        UnitVersion.objects.as_of(end).filter(unit_id=f.unit.unit_id).first()
        if f.mode == REPORTED and not valid
        else None
    ) or f.unit
    found = coverage(version, f.year)
    return str(found["text"]) if found["communes_reporting"] else ""


def dashboard(user: Any, f: Filters, facts: Facts | None = None) -> dict[str, Any]:
    facts = facts if facts is not None else load(user, f)
    latest, _version = selectors.stamp(f.unit)
    pending = selectors.pending(f.unit)
    figures = key_figures(facts, f)
    for fig in figures:
        if fig.get("number") is not None and fig["label"] == _("Tỷ lệ hộ nghèo"):
            fig["basis"] = poverty_coverage(f)  # a partial or sample register is not the unit's rate (0017)
    return {
        "filters": f,
        "period_note": _("Số liệu năm %(y)s — năm gần nhất có số liệu") % {"y": f.year}
        if f.defaulted
        else "",
        "figures": figures,
        "charts": charts(facts, f),
        "boundary": boundary_text(f),
        "computed_at": timezone.localtime(latest) if latest else None,
        "pending": pending,
    }


# ---- units under the dashboard's unit (table + map points) ----------------------------------------------------

CHILD_MEASURES = (
    "ntm.communes",
    "ntm.assessed",
    "ntm.tier",
    "poverty.poor",
    "finance.plan",
    "finance.disbursed",
)


def _child_units(f: Filters) -> list[UnitVersion]:
    """Provinces (country) or communes (province, district) as reported in the year, or today's units."""
    on = timezone.localdate() if f.mode == CURRENT else date(f.year, 12, 31)
    level = (
        UnitVersion.Level.PROVINCE if f.unit.level == UnitVersion.Level.COUNTRY else UnitVersion.Level.COMMUNE
    )
    if f.unit.level >= UnitVersion.Level.COMMUNE:
        return []
    prefixes = (f.unit.path,) if f.mode == CURRENT else selectors.identity_prefixes(f.unit)

    return list(
        UnitVersion.objects.as_of(on)
        .filter(path_q("path", prefixes), level=level)
        .select_related("parent")
        .order_by("name")
    )


def _row(unit: UnitVersion, facts: Facts, f: Filters) -> dict[str, Any]:
    communes = facts.get("ntm.communes", f.year)[0]
    tiers = facts.keys("ntm.tier", f.year)
    best = next((t for t in reversed(TIERS) if tiers.get(t, [Decimal(0)])[0] > 0), "")
    recognised = sum((tiers.get(t, [Decimal(0)])[0] for t in RECOGNISED), Decimal(0))
    assessed = facts.keys("ntm.assessed", f.year)
    n_assessed = sum((v[0] for v in assessed.values()), Decimal(0))
    met = sum((Decimal(k) * v[0] for k, v in assessed.items() if k.isdigit()), Decimal(0))
    poor, households = facts.get("poverty.poor", f.year, key="")
    paid, plan = disbursement(facts, f.year)
    is_commune = unit.level == UnitVersion.Level.COMMUNE
    if is_commune and f.mode == CURRENT and date(f.year, 12, 31) < REFORM_DATE:
        status = _("%(n)s/%(m)s xã trước sáp nhập đạt chuẩn") % {
            "n": number_vi(recognised),
            "m": number_vi(communes),
        }
    elif is_commune:
        status = str(_tier_labels().get(best, _("Chưa đạt chuẩn"))) if communes or best else "—"
    elif tiers:
        status = f"{number_vi(recognised)}/{number_vi(communes)}"
    else:  # no recognition reported under the unit that year: not "0/36" (decision 0016)
        status = str(NO_DATA)
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "parent": unit.parent.name if unit.parent and unit.parent.level > 0 else "",
        "lat": unit.latitude,
        "lon": unit.longitude,
        "tier": best,
        "status": status,
        "recognised": num(recognised) if tiers or is_commune else None,
        "communes": num(communes),
        "recognised_rate": pct(recognised, communes) if tiers or is_commune else None,
        "criteria": float((met / n_assessed).quantize(Decimal("0.1"))) if n_assessed else None,
        "poverty_rate": pct(poor, households),
        "households": num(households),
        "disbursement_rate": pct(paid, plan),
    }


CLASS_SCHEMES = ("p135_commune", "poor_district_30a")


def _add_classes(rows: list[dict[str, Any]], units: list[UnitVersion], f: Filters) -> dict[str, Any]:
    """Targeting classes on each row (map colouring): a commune's Program 135 value and whether its district is a
    poor (30a) district; for a province, how many of its communes are in Program 135 (and the share) and how many
    of its districts are poor districts. Classifications valid on 31/12 of the year (today for today's units)."""

    on = timezone.localdate() if f.mode == CURRENT else date(f.year, 12, 31)
    schemes = {
        s.code: {"name": s.name, "values": s.values}
        for s in ClassificationScheme.objects.filter(code__in=CLASS_SCHEMES)
    }
    labels = {code: scheme["values"] for code, scheme in schemes.items()}
    prefixes = tuple(sorted({u.path.rsplit("/", 2)[0] + "/" for u in units}))  # the units' parents
    entries = list(
        UnitClassification.objects.as_of(on)
        .filter(path_q("unit__path", prefixes), scheme__code__in=CLASS_SCHEMES)
        .order_by("valid_from")
        .values_list("unit_id", "unit__path", "scheme__code", "value", "unconfirmed")
    )
    p135 = {
        uid: (value, unconfirmed) for uid, _p, code, value, unconfirmed in entries if code == "p135_commune"
    }
    poor = {uid: unconfirmed for uid, _p, code, value, unconfirmed in entries if code == "poor_district_30a"}
    unconfirmed_note = str(_("chưa xác minh"))
    counts: dict[tuple[str, str], int] | None = None
    for row, unit in zip(rows, units, strict=True):
        if unit.level == UnitVersion.Level.COMMUNE:
            value, doubtful = p135.get(unit.pk, (None, False))
            row["p135"] = value or ""
            row["p135_label"] = (
                f"{labels.get('p135_commune', {}).get(value, value)}"
                + (f" ({unconfirmed_note})" if doubtful else "")
                if value
                else ""
            )
            district = (
                unit.parent_id if unit.parent and unit.parent.level == UnitVersion.Level.DISTRICT else None
            )
            row["p30a"] = "yes" if district in poor else ""
            row["p30a_label"] = (
                str(labels.get("poor_district_30a", {}).get("yes", "30a"))
                + (f" ({unconfirmed_note})" if poor.get(district) else "")
                if district in poor
                else ""
            )
        else:
            if counts is None:  # the rows of one table are units of one level: one path length
                counts = _class_counts(entries, len(unit.path))
            n135 = counts.get(("p135_commune", unit.path), 0)
            n30a = counts.get(("poor_district_30a", unit.path), 0)
            row["p135_communes"] = n135
            row["p135_share"] = pct(n135, row["communes"] or 0)
            row["p30a_districts"] = n30a
    return schemes


def _class_counts(entries: list[Any], length: int) -> dict[tuple[str, str], int]:
    """(scheme, path prefix of `length` characters) → number of classified units under it: one pass over the
    entries for every province of the country page."""
    counts: dict[tuple[str, str], int] = {}
    for _uid, path, code, _v, _u in entries:
        k = (code, path[:length])
        counts[k] = counts.get(k, 0) + 1
    return counts


def children(user: Any, f: Filters) -> dict[str, Any]:
    """Per-unit rows (table and map points) for the units under the dashboard's unit."""
    units = _child_units(f)
    if not units:
        return {"rows": [], "table": None, "classes": {}}
    level = units[0].level
    if f.mode == CURRENT:
        # _row sums finance.disbursed over its months: read the roll-ups with the months summed (≈ 5× fewer rows)
        per_unit = selectors.current_per_unit(user, f.unit, CHILD_MEASURES, [f.year], months=False)
        if level == UnitVersion.Level.PROVINCE:
            by_province: dict[int, Sums] = {}
            paths = {u.path: u.pk for u in units}
            unit_paths = dict(UnitVersion.objects.filter(pk__in=list(per_unit)).values_list("pk", "path"))
            for uid, sums in per_unit.items():
                segments = unit_paths.get(uid, "").strip("/").split("/")
                pid = paths.get("/".join(segments[:2]) + "/")
                if pid is None:
                    continue
                target = by_province.setdefault(pid, {})
                for k, (n, d) in sums.items():
                    slot = target.setdefault(k, [Decimal(0), Decimal(0)])
                    slot[0] += n
                    slot[1] += d
            per_unit = by_province
    else:
        per_unit = selectors.per_unit_reported(user, f.unit, CHILD_MEASURES, f.year, level)
    rows = [_row(u, Facts(per_unit.get(u.pk, {})), f) for u in units]
    classes = _add_classes(rows, units, f)
    commune_level = level == UnitVersion.Level.COMMUNE
    columns = [
        Column("code", _("Mã")),
        Column("name", _("Đơn vị")),
        Column("parent", _("Trực thuộc")),
        Column("status", _("Nông thôn mới") if commune_level else _("Xã đạt chuẩn/tổng số xã")),
        Column("criteria", _("Số tiêu chí đạt (bình quân)"), "decimal"),
        Column("poverty_rate", _("Tỷ lệ hộ nghèo (%)"), "percent"),
        Column("disbursement_rate", _("Giải ngân NSTW (%)"), "percent"),
    ]
    if commune_level:
        columns += [Column("p135_label", _("Chương trình 135")), Column("p30a_label", _("Huyện nghèo (30a)"))]
    else:
        columns += [
            Column("p135_communes", _("Số xã thuộc Chương trình 135"), "int"),
            Column("p30a_districts", _("Số huyện nghèo (30a)"), "int"),
        ]
    table = Table(
        _("Đơn vị trực thuộc năm %(y)s") % {"y": f.year},
        columns,
        rows,
        notes=[boundary_text(f)],
    )
    return {"rows": rows, "table": table, "classes": classes}
