"""Poverty roll-ups: one grouped query over the review tallies (mtqg.poverty.tally, decision 0206) of the communes
under a unit — a province's summary reads a few thousand tally rows instead of its 100.000s of reviews."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from mtqg.core.formatting import date_vi, number_vi
from mtqg.core.tables import DECIMAL, INT, PERCENT, Column
from mtqg.geo.models import PATH_SEGMENT, UnitClassification, UnitVersion
from mtqg.geo.selectors import classified_units
from mtqg.reports.document import Figure, Report, figures_report, rows_table
from mtqg.reports.params import ReportParams

from .models import PovertyClass, PovertyStandard, Review, ReviewTally

TWO = Decimal("0.01")
PROVINCE_PATH = 2 * (PATH_SEGMENT + 1)  # "<country>/<province>/"


def _pct(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(TWO, rounding=ROUND_HALF_UP))


def _unit_ids(unit: UnitVersion) -> Any:
    return UnitVersion.objects.filter(path__startswith=unit.path).values("pk")


TRANSITIONS = ("escaped_poor", "escaped_near_poor", "fell_back", "new")


def year_figures(unit: UnitVersion, years: list[int], reviews: Any = None) -> dict[int, dict[str, Any]]:
    """households, poor, near-poor and both rates per review year under a unit, with breakdowns by ethnicity
    (of the household at review time, kept on the review) and transitions: one grouped SQL aggregate over (year, ethnicity, class, transition)."""
    if reviews is None:  # the tallies (kept in step with the reviews in the same transactions)
        rows = (
            ReviewTally.objects.filter(
                year__in=years, kind=Review.Kind.PERIODIC, commune_id__in=_unit_ids(unit)
            )
            .values_list("year", "ethnicity", "poverty_class", "transition")
            .annotate(n=Sum("households"))
            .order_by()
        )
    else:  # a caller's own selection of reviews
        rows = (
            reviews.filter(year__in=years, kind=Review.Kind.PERIODIC, commune_id__in=_unit_ids(unit))
            .values_list("year", "ethnicity", "poverty_class", "transition")
            .annotate(n=Count("pk"))
            .order_by()
        )
    acc: dict[int, dict[str, Any]] = {
        y: {"households": 0, "poor": 0, "near_poor": 0, "eth": {}, "tr": dict.fromkeys(TRANSITIONS, 0)}
        for y in years
    }
    for year, ethnicity, cls, transition, n in rows:
        a = acc[year]
        eth = a["eth"].setdefault(ethnicity or "", [0, 0, 0])
        a["households"] += n
        eth[0] += n
        if cls == PovertyClass.POOR:
            a["poor"] += n
            eth[1] += n
        elif cls == PovertyClass.NEAR_POOR:
            a["near_poor"] += n
            eth[2] += n
        if transition in a["tr"]:
            a["tr"][transition] += n
    standards = list(PovertyStandard.objects.filter(province_code=""))
    out: dict[int, dict[str, Any]] = {}
    for year in years:
        a = acc[year]
        households, poor, near = a["households"], a["poor"], a["near_poor"]
        standard = next((s for s in standards if s.year_from <= year <= s.year_to), None)
        out[year] = {
            "unit": unit.code,
            "year": year,
            "standard": standard.instrument if standard else None,
            "households": households,
            "poor": poor,
            "poor_rate": _pct(poor, households),
            "near_poor": near,
            "near_poor_rate": _pct(near, households),
            "poor_and_near_poor_rate": _pct(poor + near, households),
            "by_ethnicity": [
                {
                    "ethnicity": name,
                    "households": h,
                    "poor": p,
                    "poor_rate": _pct(p, h),
                    "near_poor": nr,
                    "near_poor_rate": _pct(nr, h),
                }
                for name, (h, p, nr) in sorted(a["eth"].items(), key=lambda kv: (-kv[1][0], kv[0]))
            ],
            "transitions": a["tr"],
        }
    return out


def review_year(unit: UnitVersion, params: ReportParams) -> tuple[int, bool, str]:
    """The review year a poverty figure uses and the sentence saying which (decision 0016): as of a date, the
    last periodic review completed (commune decisions dated) by then, not later than the year asked for; with a
    year and no date, that year; with neither, the last review completed by today."""
    as_of = params.as_of or (None if params.year else date.today())
    limit = params.year or (as_of.year if as_of else date.today().year)
    if as_of is None:
        return limit, True, _("Kỳ rà soát năm %(y)s") % {"y": limit}
    years = (
        ReviewTally.objects.filter(kind=Review.Kind.PERIODIC, commune_id__in=_unit_ids(unit), year__lte=limit)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    for y in years:
        done = Review.objects.filter(
            year=y, kind=Review.Kind.PERIODIC, commune_id__in=_unit_ids(unit), approved_on__lte=as_of
        )
        if done.exists():
            return (
                y,
                True,
                _("Kỳ rà soát năm %(y)s — kỳ gần nhất đã hoàn thành đến ngày %(d)s")
                % {
                    "y": y,
                    "d": date_vi(as_of),
                },
            )
    return limit, False, _("Chưa có kỳ rà soát nào hoàn thành đến ngày %(d)s") % {"d": date_vi(as_of)}


def coverage(unit: UnitVersion, year: int) -> dict[str, Any]:
    """Communes with review records for the year / communes of the unit on 31/12 of the year: a figure from a
    register that covers only some communes is the figure of those communes, not of the unit."""
    reporting = (
        ReviewTally.objects.filter(year=year, kind=Review.Kind.PERIODIC, commune_id__in=_unit_ids(unit))
        .values("commune_id")
        .distinct()
        .count()
    )
    if unit.level >= UnitVersion.Level.COMMUNE:
        total = 1
    else:
        total = (
            UnitVersion.objects.as_of(date(year, 12, 31))
            .filter(path__startswith=unit.path, level=UnitVersion.Level.COMMUNE)
            .count()
        )
    total = max(total, reporting)
    sample = _sample(unit, year)
    complete = bool(total) and reporting >= total and not sample
    if sample:
        text = _(
            "Sổ hộ minh họa (dữ liệu mẫu) của %(n)s/%(m)s xã năm %(y)s: không phải số liệu của toàn địa bàn"
        )
    elif complete:
        text = _("Số liệu của %(n)s/%(m)s xã có sổ hộ nghèo năm %(y)s")
    else:
        text = _(
            "Sổ hộ mới có số liệu của %(n)s/%(m)s xã năm %(y)s: số liệu của các xã này, chưa phải của toàn địa bàn"
        )
    text = text % {"n": number_vi(reporting), "m": number_vi(total), "y": year}
    return {
        "communes_reporting": reporting,
        "communes": total,
        "complete": complete,
        "illustrative": sample,
        "text": text,
    }


def _sample(unit: UnitVersion, year: int) -> bool:
    """Whether a register under (or above) the unit is marked as an illustrative sample for the year (the
    `poverty_register_sample` classification: data, set by poverty.demo)."""

    step = PATH_SEGMENT + 1
    ancestors = [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]
    return (
        UnitClassification.objects.as_of(date(year, 12, 31))
        .filter(scheme__code="poverty_register_sample")
        .filter(Q(unit__path__startswith=unit.path) | Q(unit__path__in=ancestors))
        .exists()
    )


def summary(user: Any, params: ReportParams) -> dict[str, Any]:
    """`poverty-summary`: headline figures, change against a baseline year and area-class counts; the review
    year used (`review_year`) and the register's coverage are stated; no households reviewed is null, not 0."""
    unit = params.unit
    year, completed, year_note = review_year(unit, params)
    figures = year_figures(unit, [year] + ([params.baseline] if params.baseline else []))
    result = figures[year]
    if not result["households"] or not completed:  # nothing reported (by then) is null, not 0
        result.update(
            households=None,
            poor=None,
            near_poor=None,
            poor_rate=None,
            near_poor_rate=None,
            poor_and_near_poor_rate=None,
            by_ethnicity=[],
        )
    result["review_year"] = year_note
    result["coverage"] = coverage(unit, year)
    base = figures[params.baseline] if params.baseline else None
    change = points = None
    if base is not None:
        if base["poor"] and result["poor"] is not None:
            change = _pct(result["poor"] - base["poor"], base["poor"])
        if result["poor_rate"] is not None and base["poor_rate"] is not None:
            points = float(
                (Decimal(str(result["poor_rate"])) - Decimal(str(base["poor_rate"]))).quantize(TWO)
            )
    on = date(year, 12, 31)
    result.update(
        {
            "baseline": base,
            "poor_change_percent": change,
            "poor_rate_change_points": points,
            "poor_districts_30a": classified_units("poor_district_30a", "yes", on, within=unit).count(),
            "districts_293": classified_units("district_293", "yes", on, within=unit).count(),
            "p135_communes": _p135_communes(on, unit),
            "p135_villages": classified_units("p135_village", "dbkk", on, within=unit).count(),
            "by_area_class": _by_area_class(unit, year, on),
        }
    )
    return result


def _by_area_class(unit: UnitVersion, year: int, on: date) -> dict[str, dict[str, Any]]:
    """Households, poor and near-poor of the year inside 30a poor districts, QĐ 293 districts and Program 135
    communes (classification valid at the end of the year): per-commune sums of the tallies."""

    rows = (
        ReviewTally.objects.filter(year=year, kind=Review.Kind.PERIODIC, commune_id__in=_unit_ids(unit))
        .values_list("commune_id", "poverty_class")
        .annotate(n=Sum("households"))
        .order_by()
    )
    per: dict[int, list[int]] = {}
    for commune_id, cls, n in rows:
        acc = per.setdefault(commune_id, [0, 0, 0])
        acc[0] += n
        acc[1] += n if cls == PovertyClass.POOR else 0
        acc[2] += n if cls == PovertyClass.NEAR_POOR else 0
    paths = dict(UnitVersion.objects.filter(pk__in=list(per)).values_list("pk", "path"))
    classes = {
        "poor_districts_30a": list(
            classified_units("poor_district_30a", "yes", on, within=unit).values_list("path", flat=True)
        ),
        "districts_293": list(
            classified_units("district_293", "yes", on, within=unit).values_list("path", flat=True)
        ),
        "p135_communes": list(
            UnitClassification.objects.as_of(on)
            .filter(scheme__code="p135_commune", unit__path__startswith=unit.path)
            .values_list("unit__path", flat=True)
            .distinct()
        ),
    }
    out: dict[str, dict[str, Any]] = {"p135_villages": _p135_village_figures(unit, year, on)}
    for key, prefixes in classes.items():
        h = p = nr = 0
        starts = tuple(prefixes)
        for commune_id, (ch, cp, cn) in per.items():
            if starts and paths.get(commune_id, "").startswith(starts):
                h, p, nr = h + ch, p + cp, nr + cn
        out[key] = {
            "households": h,
            "poor": p,
            "poor_rate": _pct(p, h),
            "near_poor": nr,
            "near_poor_rate": _pct(nr, h),
        }
    return out


def _p135_village_figures(unit: UnitVersion, year: int, on: date) -> dict[str, Any]:
    """Households living in Program 135 villages (household.village), poor and near-poor, for the year: the
    reviews of the villages' communes, filtered by the household's village."""

    villages = list(
        UnitClassification.objects.as_of(on)
        .filter(scheme__code="p135_village", unit__path__startswith=unit.path)
        .values_list("unit_id", "unit__parent_id")
    )
    h = p = nr = 0
    if villages:
        rows = (
            Review.objects.filter(
                year=year,
                kind=Review.Kind.PERIODIC,
                commune_id__in={c for _v, c in villages},
                household__village_id__in={v for v, _c in villages},
            )
            .values_list("poverty_class")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for cls, n in rows:
            h += n
            p += n if cls == PovertyClass.POOR else 0
            nr += n if cls == PovertyClass.NEAR_POOR else 0
    return {
        "households": h,
        "poor": p,
        "poor_rate": _pct(p, h),
        "near_poor": nr,
        "near_poor_rate": _pct(nr, h),
    }


def _p135_communes(on: date, unit: UnitVersion) -> int:
    return (
        UnitClassification.objects.as_of(on)
        .filter(scheme__code="p135_commune", unit__path__startswith=unit.path)
        .values("unit_id")
        .distinct()
        .count()
    )


def housing_supported(unit: UnitVersion, year: int) -> int:
    """Houses supported (policy received) for poor and near-poor households in poor (30a) districts."""
    districts = classified_units("poor_district_30a", "yes", date(year, 12, 31), within=unit)
    paths = list(districts.values_list("path", flat=True))
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path__startswith=p)
    communes = UnitVersion.objects.filter(q).values("pk")
    total = ReviewTally.objects.filter(
        year=year, commune_id__in=communes, poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR]
    ).aggregate(n=Sum("housing"))["n"]
    return int(total or 0)


def rollup_by_province(
    year: int, structure: str | None = None, within: UnitVersion | None = None
) -> list[dict[str, Any]]:
    """Households, poor and near-poor with both rates for every province of the year's structure, from one
    grouped query over the tallies (the national roll-up; < 2 s over 27 M households)."""
    on = date(year, 12, 31)
    if structure is None:
        structure = "2025" if on >= date(2025, 7, 1) else "pre2025"
    provinces = {
        p.path: p
        for p in UnitVersion.objects.filter(
            structure=structure,
            level=UnitVersion.Level.PROVINCE,
            path__startswith=within.path if within is not None else "",
        ).order_by("code")
    }
    rows = (
        ReviewTally.objects.filter(year=year, kind=Review.Kind.PERIODIC, commune__structure=structure)
        .values_list("commune__path", "poverty_class")
        .annotate(n=Sum("households"))
        .order_by()
    )
    acc: dict[str, list[int]] = {path: [0, 0, 0] for path in provinces}
    for path, cls, n in rows:
        a = acc.get(path[:PROVINCE_PATH])
        if a is None:
            continue
        a[0] += n
        a[1] += n if cls == PovertyClass.POOR else 0
        a[2] += n if cls == PovertyClass.NEAR_POOR else 0
    out = []
    for path, (h, p, nr) in acc.items():
        unit = provinces[path]
        out.append(
            {
                "unit": unit.code,
                "name": unit.name,
                "year": year,
                "households": h,
                "poor": p,
                "poor_rate": _pct(p, h),
                "near_poor": nr,
                "near_poor_rate": _pct(nr, h),
                "poor_and_near_poor_rate": _pct(p + nr, h),
            }
        )
    return out


def by_province(user: Any, params: ReportParams) -> dict[str, Any]:
    """`poverty-by-province`: the roll-up by province for a review year, of the provinces under `unit` (VN = the
    country); figures only, no personal data."""
    year = params.year or date.today().year
    return {"unit": params.unit.code, "year": year, "provinces": rollup_by_province(year, within=params.unit)}


# -----------------------------------------------------------------------------------------------------------------
# Declared layouts (catalog.LAYOUTS): each column's label and kind
# -----------------------------------------------------------------------------------------------------------------


def _household_counts() -> list[tuple[str, str, str]]:
    """The counts and rates every poverty table states (key, label, kind): as figures or as columns."""
    return [
        ("households", _("Số hộ"), INT),
        ("poor", _("Hộ nghèo"), INT),
        ("poor_rate", _("Tỷ lệ hộ nghèo (%)"), PERCENT),
        ("near_poor", _("Hộ cận nghèo"), INT),
        ("near_poor_rate", _("Tỷ lệ hộ cận nghèo (%)"), PERCENT),
    ]


def _household_columns(first: Column) -> list[Column]:
    return [first, *(Column(key, label, kind) for key, label, kind in _household_counts())]


def summary_layout(data: dict[str, Any]) -> Report:
    figures = [
        Figure("unit", _("Đơn vị")),
        Figure("year", _("Năm")),
        Figure("standard", _("Chuẩn nghèo")),
        Figure("review_year", _("Kỳ rà soát")),
        Figure("coverage.text", _("Phạm vi số liệu")),
        *(Figure(key, label, kind) for key, label, kind in _household_counts()),
        Figure("poor_and_near_poor_rate", _("Tỷ lệ hộ nghèo và cận nghèo (%)"), PERCENT),
        Figure("transitions.escaped_poor", _("Hộ thoát nghèo"), INT),
        Figure("transitions.escaped_near_poor", _("Hộ thoát cận nghèo"), INT),
        Figure("transitions.fell_back", _("Hộ tái nghèo"), INT),
        Figure("transitions.new", _("Hộ nghèo phát sinh"), INT),
    ]
    if isinstance(data.get("baseline"), dict):
        figures += [
            Figure("baseline.households", f"{_('Năm gốc')} — {_('Số hộ')}", INT),
            Figure("baseline.poor", f"{_('Năm gốc')} — {_('Hộ nghèo')}", INT),
            Figure("baseline.poor_rate", f"{_('Năm gốc')} — {_('Tỷ lệ hộ nghèo (%)')}", PERCENT),
            Figure("poor_change_percent", _("Số hộ nghèo thay đổi so với năm gốc (%)"), PERCENT),
            Figure("poor_rate_change_points", _("Tỷ lệ hộ nghèo thay đổi (điểm %)"), DECIMAL),
        ]
    area_labels = {
        "poor_districts_30a": _("Huyện nghèo (30a)"),
        "districts_293": _("Huyện theo Quyết định 293"),
        "p135_communes": _("Xã đặc biệt khó khăn (Chương trình 135)"),
        "p135_villages": _("Thôn đặc biệt khó khăn (Chương trình 135)"),
    }
    figures += [Figure(key, label, INT) for key, label in area_labels.items()]
    areas = [
        {"area": area_labels.get(key, key), **values}
        for key, values in (data.get("by_area_class") or {}).items()
    ]
    return figures_report(
        data,
        figures,
        rows_table(
            _("Theo dân tộc"), data.get("by_ethnicity"), _household_columns(Column("ethnicity", _("Dân tộc")))
        ),
        rows_table(_("Theo địa bàn"), areas, _household_columns(Column("area", _("Địa bàn")))),
    )


def by_province_layout(data: dict[str, Any]) -> Report:
    columns = [
        Column("unit", _("Mã tỉnh")),
        *_household_columns(Column("name", _("Tỉnh"))),
        Column("poor_and_near_poor_rate", _("Tỷ lệ hộ nghèo và cận nghèo (%)"), PERCENT),
    ]
    return figures_report(
        data,
        [Figure("unit", _("Đơn vị")), Figure("year", _("Năm"))],
        rows_table(_("Theo tỉnh"), data.get("provinces"), columns),
    )
