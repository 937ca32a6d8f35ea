"""The briefing (slug `briefing`): "Báo cáo tình hình thực hiện các Chương trình mục tiêu quốc gia".

`briefing(user, params)` assembles the document a delegation receives from the other catalog reports
(ntm-summary, ntm-white-communes, ocop-summary, poverty-summary, disbursement, outputs, finance-alerts) and the
supervision records (difficulties and recommendations of missions to the unit), as JSON-ready data:

    {"report": "briefing", "unit", "period", "document": {NĐ 30/2020 header}, "figures": {flat sourced figures},
     "sources": {slug: params used}, "blocks": [heading/paragraph/table/chart blocks]}

Sentences are generated from the figures in the style of the source articles ("Hết tháng 11/2020, toàn tỉnh có
33/115 xã đạt chuẩn và cơ bản đạt chuẩn NTM; trong đó …"). Every figure comes from a report; a figure a report
cannot give prints "chưa có số liệu" (never a guessed number). Writers (mtqg/reports/writers.py) render the blocks to
DOCX/PDF/XLSX. `briefing_sections(user, unit, start, end)` gives the supervision rows.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi
from mtqg.core.tables import Column, Table
from mtqg.geo.models import UnitVersion
from mtqg.reports.catalog import get_report
from mtqg.reports.document import block_as_dict
from mtqg.reports.params import ReportParams

from .models import Finding, Recommendation
from .selectors import base

log = logging.getLogger(__name__)

PROGRAM_NAMES = {
    "NTM": "Chương trình MTQG xây dựng nông thôn mới",
    "GNBV": "Chương trình MTQG giảm nghèo bền vững",
    "DTTS": "Chương trình MTQG phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi",
}
SOURCE_NAMES = {
    "nstw_dtpt": "NSTW đầu tư phát triển",
    "nstw_sn": "NSTW sự nghiệp",
    "nsdp_doi_ung": "NSĐP đối ứng",
    "long_ghep": "Lồng ghép",
    "tin_dung": "Tín dụng chính sách",
    "huy_dong": "Huy động",
}
RECIPIENTS = ["Ban Chỉ đạo Trung ương các Chương trình MTQG", "Đoàn công tác, đoàn giám sát", "Lưu: VT"]


def briefing_sections(
    user: Any, unit: UnitVersion, start: date, end: date
) -> dict[str, list[dict[str, Any]]]:
    window = Q(mission__start_date__gte=start, mission__start_date__lte=end)
    difficulties = [
        {
            "mission": f.mission.title,
            "date": f.mission.start_date,
            "raised_by": f.get_raised_by_display(),
            "theme": f.theme_label,
            "content": f.content,
        }
        for f in base(Finding, user, unit)
        .filter(window, kind__in=[Finding.Kind.DIFFICULTY, Finding.Kind.LIMITATION])
        .select_related("mission")
        .order_by("mission__start_date", "pk")
    ]
    recommendations = [
        {
            "mission": r.mission.title,
            "date": r.mission.start_date,
            "from": r.from_name or r.get_from_party_display(),
            "to": r.to_name or r.get_to_party_display(),
            "theme": r.theme_label,
            "content": r.content,
            "deadline": r.deadline,
            "status": r.display_status_on(end),  # as of the report's date, not today
        }
        for r in base(Recommendation, user, unit)
        .filter(window)
        .select_related("mission")
        .prefetch_related("followups")
        .order_by("mission__start_date", "pk")
    ]
    return {"difficulties": difficulties, "recommendations": recommendations}


# -----------------------------------------------------------------------------------------------------------------
# Phrases
# -----------------------------------------------------------------------------------------------------------------


def no_data() -> str:
    """The words for a figure the data does not give ("chưa có số liệu")."""
    return str(_("chưa có số liệu"))


def n(value: Any, decimals: int = 0) -> str:
    return no_data() if value is None else number_vi(value, decimals)


def pct(value: Any) -> str:
    return no_data() if value is None else f"{number_vi(value, 2)}%"


def when(on: date) -> str:
    """'Hết tháng 11/2020' (last day of a month), 'Đến hết năm 2020' (31/12), else 'Đến ngày 15/11/2020'."""
    if on.month == 12 and on.day == 31:
        return _("Đến hết năm %(y)s") % {"y": on.year}
    if on.day == calendar.monthrange(on.year, on.month)[1]:
        return _("Hết tháng %(m)s/%(y)s") % {"m": on.month, "y": on.year}
    return _("Đến ngày %(d)s") % {"d": on.strftime("%d/%m/%Y")}


def scope_word(unit: UnitVersion) -> str:
    words: dict[int, str] = {
        UnitVersion.Level.COUNTRY: _("cả nước"),
        UnitVersion.Level.PROVINCE: _("toàn tỉnh"),
        UnitVersion.Level.DISTRICT: _("toàn huyện"),
    }
    return words.get(int(unit.level), _("toàn xã"))


def place_name(unit: UnitVersion) -> str:
    name = unit.short_name or unit.name
    for prefix in ("Tỉnh ", "Thành phố ", "Huyện ", "Thị xã ", "Quận ", "Xã ", "Phường ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def issuer_lines(unit: UnitVersion) -> list[str]:
    if unit.level == UnitVersion.Level.COUNTRY:
        return [str(_("BAN CHỈ ĐẠO TRUNG ƯƠNG")), str(_("CÁC CHƯƠNG TRÌNH MTQG"))]
    return [str(_("ỦY BAN NHÂN DÂN")), unit.name.upper()]


def table(
    title: str, columns: list[tuple[str, str, str]], rows: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    """A table block as JSON with its declared columns (key, label, kind: an unknown kind is refused)."""
    declared = Table(title=title, columns=[Column(k, label, kind) for k, label, kind in columns], rows=rows)
    return {**block_as_dict(declared), **kw}


# -----------------------------------------------------------------------------------------------------------------
# The report
# -----------------------------------------------------------------------------------------------------------------


class Builder:
    def __init__(self, user: Any, params: ReportParams) -> None:
        self.user, self.params, self.unit = user, params, params.unit
        self.on = params.on
        self.year = params.year or self.on.year
        self.blocks: list[dict[str, Any]] = []
        self.annex: list[dict[str, Any]] = []
        self.figures: dict[str, Any] = {}
        self.sources: dict[str, dict[str, Any]] = {}
        self.sourced = 0  # figures that came with data
        self.failed: list[str] = []  # reports that raised: their figures print "chưa có số liệu"

    # -- plumbing ------------------------------------------------------------------------------------------------
    def run(self, slug: str, **changes: Any) -> Any:
        """One catalog report with these params; None when it cannot answer (no criteria set, no data…)."""

        sub = replace(self.params, **changes)
        self.sources[slug + ("@" + sub.on.isoformat() if changes else "")] = {
            "unit": sub.unit.code,
            "year": sub.year,
            "as_of": sub.as_of.isoformat() if sub.as_of else None,
            "include_carry_over": sub.include_carry_over,
            "bands": sub.bands,
        }
        try:
            with transaction.atomic():  # a savepoint: a failing section never poisons the others (PostgreSQL)
                return get_report(slug)(self.user, sub)
        except (ValidationError, ObjectDoesNotExist, LookupError, ValueError) as exc:
            log.info("briefing: report %s gave no data: %s", slug, exc)
            return None
        except Exception:  # one program module failing must not sink the whole document: its section says so
            log.exception("briefing: report %s failed", slug)
            self.failed.append(slug)
            return None

    def fig(self, key: str, value: Any, *, counts: bool = True) -> Any:
        self.figures[key] = value
        if counts and value not in (None, 0, [], {}):
            self.sourced += 1
        return value

    def h(self, text: str, level: int = 1) -> None:
        self.blocks.append({"type": "heading", "text": text, "level": level})

    def p(self, text: str) -> None:
        self.blocks.append({"type": "paragraph", "text": text})

    # -- sections ------------------------------------------------------------------------------------------------
    def context(self) -> None:
        """Socio-economic context figures of the unit (cited, dated; ntm decision record 0128); not counted as
        programme data."""
        data = self.run("ntm-context")
        rows = (data or {}).get("rows") or []
        if not rows:
            return
        parts = [
            _("%(label)s năm %(y)s%(est)s đạt %(v)s %(u)s (nguồn: %(src)s)")
            % {
                "label": r["label"],
                "y": r["year"],
                "est": _(" (ước)") if r["estimated"] else "",
                "v": n(r["value"], 2),
                "u": r["unit_label"],
                "src": r["source"],
            }
            for r in rows
        ]
        for r in rows:
            self.fig(f"context.{r['code']}", float(r["value"]), counts=False)
        self.p(_("Bối cảnh kinh tế - xã hội: %(items)s.") % {"items": "; ".join(parts)})

    def disbursement(self) -> None:
        self.h(_("1. Tình hình giao vốn và giải ngân"), 2)
        data = self.run("disbursement")
        central = (data or {}).get("central") or {}
        local = (data or {}).get("local_counterpart") or {}
        c_rate = self.fig("disbursement.central.rate", central.get("rate") if central.get("plan") else None)
        l_rate = self.fig("disbursement.local.rate", local.get("rate") if local.get("plan") else None)
        self.fig("disbursement.central.plan", central.get("plan") or None)
        self.fig("disbursement.central.disbursed", central.get("disbursed") if central.get("plan") else None)
        if c_rate is None and l_rate is None:
            self.p(
                _("Giải ngân vốn năm %(y)s thực hiện các Chương trình MTQG: %(nd)s.")
                % {"y": self.year, "nd": no_data()}
            )
            return
        as_of = date.fromisoformat(str(data.get("as_of"))) if data and data.get("as_of") else self.on
        carry = (
            _(" (bao gồm vốn chuyển nguồn từ năm %(p)s sang)") % {"p": self.year - 1}
            if self.params.include_carry_over
            else ""
        )
        self.p(
            _(
                "%(when)s, %(scope)s giải ngân nguồn vốn ngân sách Trung ương năm %(y)s thực hiện các Chương trình "
                "mục tiêu quốc gia%(carry)s đạt %(c)s; nguồn vốn đối ứng ngân sách địa phương giải ngân đạt %(l)s."
            )
            % {
                "when": when(as_of),
                "scope": scope_word(self.unit),
                "y": self.year,
                "carry": carry,
                "c": pct(c_rate),
                "l": pct(l_rate),
            }
        )
        if data.get("denominator"):
            self.p(_("Mẫu số tỷ lệ giải ngân: %(d)s.") % {"d": data["denominator"]})
        by_program = [
            {
                "name": PROGRAM_NAMES.get(r.get("program"), r.get("program")),
                "plan": r.get("plan"),
                "disbursed": r.get("disbursed"),
                "rate": r.get("rate"),
            }
            for r in data.get("by_program") or []
        ]
        for row in by_program:
            self.fig(f"disbursement.program.{row['name']}.rate", row["rate"])
        by_source = [
            {
                "name": SOURCE_NAMES.get(r.get("source"), r.get("source")),
                "plan": r.get("plan"),
                "disbursed": r.get("disbursed"),
                "rate": r.get("rate"),
            }
            for r in data.get("by_source") or []
        ]
        money_cols = [
            ("name", str(_("Nội dung")), "text"),
            ("plan", str(_("Kế hoạch vốn (đồng)")), "money"),
            ("disbursed", str(_("Đã giải ngân (đồng)")), "money"),
            ("rate", str(_("Tỷ lệ (%)")), "percent"),
        ]
        if by_source:
            self.blocks.append(
                {
                    "type": "chart",
                    "title": str(_("Biểu đồ: Kế hoạch vốn và giải ngân theo nguồn vốn (triệu đồng)")),
                    "labels": [r["name"] for r in by_source],
                    "series": [
                        {"name": str(_("Kế hoạch")), "values": [_million(r["plan"]) for r in by_source]},
                        {
                            "name": str(_("Đã giải ngân")),
                            "values": [_million(r["disbursed"]) for r in by_source],
                        },
                    ],
                    "unit": str(_("triệu đồng")),
                }
            )
            self.annex.append(table(str(_("Biểu 1. Giải ngân theo nguồn vốn")), money_cols, by_source))
        if by_program:
            self.annex.append(table(str(_("Biểu 2. Giải ngân theo chương trình")), money_cols, by_program))

    def ntm(self) -> None:
        self.h(_("2. Chương trình MTQG xây dựng nông thôn mới"), 2)
        data = self.run("ntm-summary")
        total = (data or {}).get("communes")
        if not data or not total or not data.get("assessed", total):
            self.fig("ntm.recognised", None)
            self.p(_("Kết quả xây dựng nông thôn mới: %(nd)s.") % {"nd": no_data()})
        else:
            # one statement, as of the report's date: figures after it (the year end) are not the report's, and
            # the recognised count is said once
            self._ntm_status(data, self.on, lead=True)
            provisional = data.get("provisional_assessments") or 0
            self.fig("ntm.provisional_assessments", provisional)
            if provisional:  # "tạm tính": computed with unconfirmed thresholds (ntm decision record 0113)
                self.p(
                    _("Số liệu tạm tính: %(n)s/%(m)s xã được đánh giá theo ngưỡng tiêu chí chưa xác minh.")
                    % {"n": n(provisional), "m": n(data.get("assessed"))}
                )
            for scheme in data.get("schemes") or []:
                got = scheme.get("recognised_or_basically_met")
                self.fig(f"ntm.scheme.{scheme.get('code')}", got)
                self.p(
                    _(
                        "Thực hiện %(name)s, %(scope)s đã có %(n)s/%(t)s xã được công nhận đạt chuẩn và cơ bản "
                        "đạt chuẩn NTM."
                    )
                    % {
                        "name": scheme.get("name"),
                        "scope": scope_word(self.unit),
                        "n": n(got),
                        "t": n(scheme.get("communes")),
                    }
                )
        self.ocop()
        self.white_communes()

    def _ntm_status(self, data: dict[str, Any], on: date, *, lead: bool) -> None:
        total = data.get("communes")
        rec = data.get("recognised")
        basic = data.get("basically_met") or 0
        key = "ntm" if lead else f"ntm.{on.isoformat()}"
        self.fig(f"{key}.communes", total)
        self.fig(f"{key}.recognised", rec)
        self.fig(f"{key}.basically_met", basic)
        self.fig(f"{key}.recognised_rate", data.get("recognised_rate"))
        self.fig(f"{key}.average_criteria_met", data.get("average_criteria_met"))
        scope = scope_word(self.unit)
        bands = data.get("bands") or {}
        band_items = list(bands.items())
        if band_items and band_items[0][1] == rec:
            band_items = band_items[1:]  # the top band is the recognised communes
        band_text = ", ".join(
            _("%(n)s xã đạt từ %(lo)s - %(hi)s tiêu chí")
            % {"n": n(c), "lo": k.split("-")[0], "hi": k.split("-")[1]}
            if "-" in k
            else _("%(n)s xã đạt %(k)s tiêu chí") % {"n": n(c), "k": k}
            for k, c in band_items
            if c
        )
        for k, c in bands.items():
            self.fig(f"{key}.band.{k}", c)
        average = data.get("average_criteria_met")
        avg_text = (
            _("số tiêu chí đạt bình quân %(a)s tiêu chí/xã") % {"a": n(average, 1 if average % 1 else 0)}
            if average is not None
            else _("số tiêu chí đạt bình quân: %(nd)s") % {"nd": no_data()}
        )
        if basic:
            sentence = _(
                "%(when)s, %(scope)s có %(sum)s/%(total)s xã đạt chuẩn và cơ bản đạt chuẩn NTM; trong đó có "
                "%(rec)s xã đạt chuẩn NTM (đạt %(rate)s) và %(basic)s xã cơ bản đạt chuẩn NTM"
            ) % {
                "when": when(on),
                "scope": scope,
                "sum": n((rec or 0) + basic),
                "total": n(total),
                "rec": n(rec),
                "rate": pct(data.get("recognised_rate")),
                "basic": n(basic),
            }
            if band_text:
                sentence += "; " + band_text
        else:
            sentence = _(
                "%(when)s, trên địa bàn %(scope_name)s có %(rec)s/%(total)s xã đạt chuẩn NTM (đạt %(rate)s)"
            ) % {
                "when": when(on),
                "scope_name": scope.replace("toàn ", "") if scope.startswith("toàn ") else scope,
                "rec": n(rec),
                "total": n(total),
                "rate": pct(data.get("recognised_rate")),
            }
            if band_text:
                sentence += ", " + band_text
        sentence += "; " + avg_text + "."
        self.p(sentence)
        extra = []
        if data.get("advanced"):
            extra.append(_("%(n)s xã đạt chuẩn NTM nâng cao") % {"n": n(data["advanced"])})
        if data.get("model"):
            extra.append(_("%(n)s xã đạt chuẩn NTM kiểu mẫu") % {"n": n(data["model"])})
        if extra:
            self.p(_("Trong đó có %(x)s.") % {"x": ", ".join(extra)})
        if bands:
            labels = [
                _("Đạt chuẩn (%(k)s tiêu chí)") % {"k": k} if i == 0 else _("%(k)s tiêu chí") % {"k": k}
                for i, k in enumerate(bands)
            ]
            self.blocks.append(
                {
                    "type": "chart",
                    "title": str(
                        _("Biểu đồ: Số xã theo nhóm số tiêu chí đạt (%(d)s)") % {"d": on.strftime("%d/%m/%Y")}
                    ),
                    "labels": labels,
                    "series": [{"name": str(_("Số xã")), "values": list(bands.values())}],
                    "unit": str(_("xã")),
                }
            )
            self.annex.append(
                table(
                    str(
                        _("Biểu 3. Số xã theo nhóm số tiêu chí đạt (%(d)s)") % {"d": on.strftime("%d/%m/%Y")}
                    ),
                    [("band", str(_("Nhóm số tiêu chí")), "text"), ("count", str(_("Số xã")), "int")],
                    [{"band": k, "count": c} for k, c in bands.items()]
                    + [{"band": str(_("Tổng số xã")), "count": total}],
                    notes=[str(data.get("criteria_set", {}).get("legal_basis", ""))]
                    if data.get("criteria_set")
                    else [],
                )
            )

    def ocop(self) -> None:
        data = self.run("ocop-summary")
        products = (data or {}).get("products") or {}
        rated = self.fig(
            "ocop.certified_3plus", products.get("certified_3plus") if products.get("rated") else None
        )
        registered = self.fig("ocop.registered", products.get("registered") or None)
        if registered is None and rated is None:
            self.p(_("Chương trình mỗi xã một sản phẩm (OCOP): %(nd)s.") % {"nd": no_data()})
            return
        self.p(
            _(
                "Chương trình mỗi xã một sản phẩm (OCOP): %(reg)s sản phẩm đăng ký tham gia; số sản phẩm được "
                "công nhận đạt 3 sao trở lên: %(rated)s."
            )
            % {"reg": n(registered), "rated": n(rated)}
        )

    def white_communes(self) -> None:
        data = self.run("ntm-white-communes")
        if not data or not data.get("communes_reported"):
            self.fig("digital.communes_without_radio", None)
            self.p(_("Xã trắng về đài truyền thanh và sóng điện thoại di động: %(nd)s.") % {"nd": no_data()})
            return
        radio = data.get("communes_without_radio") or []
        signal = data.get("communes_without_mobile_signal") or []
        self.fig("digital.communes_without_radio", len(radio))
        self.fig("digital.communes_without_mobile_signal", len(signal))
        if not radio and not signal:
            self.p(_("Không còn xã trắng về đài truyền thanh và sóng điện thoại di động."))
            return
        self.p(
            _(
                "%(Scope)s còn %(r)s xã trắng về đài truyền thanh và %(s)s xã trắng về sóng điện thoại di động "
                "(số liệu năm %(y)s, %(rep)s xã có báo cáo)."
            )
            % {
                "Scope": scope_word(self.unit).capitalize(),
                "r": n(len(radio)),
                "s": n(len(signal)),
                "y": data.get("year", self.year),
                "rep": n(data.get("communes_reported")),
            }
        )
        rows = [
            {"name": r.get("name"), "district": r.get("district"), "gap": str(_("Đài truyền thanh"))}
            for r in radio
        ] + [
            {"name": r.get("name"), "district": r.get("district"), "gap": str(_("Sóng di động"))}
            for r in signal
        ]
        self.annex.append(
            table(
                str(_("Biểu 4. Xã trắng về đài truyền thanh, sóng điện thoại di động")),
                [
                    ("name", str(_("Xã")), "text"),
                    ("district", str(_("Huyện")), "text"),
                    ("gap", str(_("Còn thiếu")), "text"),
                ],
                rows,
            )
        )

    def poverty(self) -> None:
        self.h(_("3. Chương trình MTQG giảm nghèo bền vững"), 2)
        data = self.run("poverty-summary") or {}
        has_register = bool(data.get("households"))
        poor = self.fig("poverty.poor", data.get("poor") if has_register else None)
        self.fig("poverty.poor_rate", data.get("poor_rate") if has_register else None)
        parts = []
        # classification counts (30a, 293, P135) describe the unit, not the period: they do not make a period "have
        # data" on their own (fig(..., counts=False))
        d30a = self.fig("poverty.poor_districts_30a", data.get("poor_districts_30a") or None, counts=False)
        d293 = self.fig("poverty.districts_293", data.get("districts_293") or None, counts=False)
        p135c = self.fig("poverty.p135_communes", data.get("p135_communes") or None, counts=False)
        p135v = self.fig("poverty.p135_villages", data.get("p135_villages") or None, counts=False)
        if d30a is not None:
            parts.append(_("%(n)s huyện nghèo theo Nghị quyết 30a/NQ-CP") % {"n": n(d30a)})
        else:
            parts.append(_("số huyện nghèo theo Nghị quyết 30a/NQ-CP: %(nd)s") % {"nd": no_data()})
        if d293 is not None:
            parts.append(
                _(
                    "%(n)s huyện hưởng 70%% chính sách đầu tư cơ sở hạ tầng huyện nghèo theo Quyết định 293/QĐ-TTg"
                )
                % {"n": n(d293)}
            )
        if p135c is None and p135v is None:
            parts.append(
                _("số xã, thôn bản đặc biệt khó khăn hưởng chính sách Chương trình 135: %(nd)s")
                % {"nd": no_data()}
            )
        else:
            parts.append(
                _(
                    "%(c)s xã đặc biệt khó khăn và %(v)s thôn bản đặc biệt khó khăn hưởng chính sách Chương trình 135"
                )
                % {"c": n(p135c), "v": n(p135v)}
            )
        self.p(
            _("Về Chương trình MTQG giảm nghèo bền vững, %(scope)s hiện còn %(parts)s.")
            % {"scope": scope_word(self.unit), "parts": "; ".join(parts)}
        )
        coverage = data.get("coverage") or {}
        self.fig("poverty.communes_reporting", coverage.get("communes_reporting"), counts=False)
        self.fig("poverty.communes", coverage.get("communes"), counts=False)
        if has_register:
            # the review year used (the last completed by the as-of date) and the register's coverage are stated:
            # a register of some communes is not the unit's figure
            if coverage.get("illustrative"):
                whose = _("sổ hộ minh họa (%(h)s hộ, dữ liệu mẫu)") % {"h": n(data.get("households"))}
            elif coverage.get("complete", True):
                whose = scope_word(self.unit)
            else:
                whose = _("%(n)s/%(m)s xã có số liệu trong sổ hộ") % {
                    "n": n(coverage.get("communes_reporting")),
                    "m": n(coverage.get("communes")),
                }
            sentence = _(
                "Theo kết quả rà soát năm %(y)s, %(scope)s còn %(poor)s hộ nghèo (tỷ lệ %(rate)s), %(near)s hộ cận nghèo"
            ) % {
                "y": data.get("year") or self.year,
                "scope": whose,
                "poor": n(poor),
                "rate": pct(data.get("poor_rate")),
                "near": n(data.get("near_poor")),
            }
            change = data.get("poor_change_percent")
            points = data.get("poor_rate_change_points")
            if change is not None and data.get("baseline"):
                # both changes, each named: the count of poor households (%) and the rate (percentage points)
                sentence += _(
                    "; so với năm %(b)s, số hộ nghèo %(dir)s %(c)s, tỷ lệ hộ nghèo %(pdir)s %(p)s điểm phần trăm"
                ) % {
                    "b": data["baseline"].get("year")
                    if isinstance(data["baseline"], dict)
                    else data["baseline"],
                    "dir": _("giảm") if change <= 0 else _("tăng"),
                    "c": pct(abs(change)),
                    "pdir": _("giảm") if (points or 0) <= 0 else _("tăng"),
                    "p": n(abs(points), 2) if points is not None else no_data(),
                }
            self.p(sentence + ".")
            notes = [str(data["review_year"])] if data.get("review_year") else []
            if coverage.get("text"):
                notes.append(str(coverage["text"]))
            if notes:
                self.p("(" + "; ".join(notes) + ".)")
        else:
            self.p(_("Số hộ nghèo, hộ cận nghèo năm %(y)s: %(nd)s.") % {"y": self.year, "nd": no_data()})
            if data.get("review_year"):
                self.p("(" + str(data["review_year"]) + ".)")

    def outputs(self) -> None:
        data = self.run("outputs") or []
        by_program: dict[str, list[dict[str, Any]]] = {}
        for row in data:
            by_program.setdefault(str(row.get("program")), []).append(row)
        self._outputs_sentence("GNBV", by_program.get("GNBV", []))
        self.h(
            _("4. Chương trình MTQG phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi"),
            2,
        )
        self._outputs_sentence("DTTS", by_program.get("DTTS", []))
        rows = [
            {
                "program": row.get("program"),
                "name": row.get("name"),
                "unit": row.get("unit"),
                "actual": row.get("actual"),
                "target": row.get("target"),
                "percent": row.get("percent"),
            }
            for row in data
        ]
        with_target = [r for r in rows if r["target"]]
        if with_target:
            self.blocks.append(
                {
                    "type": "chart",
                    "title": str(_("Biểu đồ: Kết quả đầu ra so với mục tiêu (%)")),
                    "labels": [r["name"] for r in with_target],
                    "series": [
                        {
                            "name": str(_("Tỷ lệ đạt so với mục tiêu")),
                            "values": [r["percent"] for r in with_target],
                        }
                    ],
                    "unit": "%",
                    "decimals": 2,
                }
            )
        if rows:
            self.annex.append(
                table(
                    str(_("Biểu 5. Kết quả đầu ra so với mục tiêu")),
                    [
                        ("program", str(_("Chương trình")), "text"),
                        ("name", str(_("Chỉ tiêu")), "text"),
                        ("unit", str(_("Đơn vị tính")), "text"),
                        ("actual", str(_("Thực hiện")), "int"),
                        ("target", str(_("Mục tiêu")), "int"),
                        ("percent", str(_("Tỷ lệ (%)")), "percent"),
                    ],
                    rows,
                )
            )

    def _outputs_sentence(self, program: str, rows: list[dict[str, Any]]) -> None:
        items = []
        for row in rows:
            actual, target = row.get("actual"), row.get("target")
            self.fig(f"outputs.{row.get('code')}.actual", actual)
            if target:
                self.fig(f"outputs.{row.get('code')}.target", target)
            if actual is None:
                value = no_data()
            elif target:
                value = f"{n(actual)}/{n(target)} {row.get('unit', '')}".strip()
            else:
                value = f"{n(actual)} {row.get('unit', '')}".strip()
            name = str(row.get("name", ""))
            items.append(f"{name[:1].lower()}{name[1:]}: {value}")
        if not any(r.get("actual") for r in rows):  # nothing recorded for the program in the year
            self.p(_("Kết quả thực hiện %(p)s: %(nd)s.") % {"p": PROGRAM_NAMES[program], "nd": no_data()})
            return
        self.p(
            _("Thực hiện %(p)s năm %(y)s: %(items)s.")
            % {"p": PROGRAM_NAMES[program], "y": self.year, "items": "; ".join(items)}
        )

    def difficulties(self) -> None:
        self.h(_("II. KHÓ KHĂN, VƯỚNG MẮC, TỒN TẠI"))
        start, end = date(self.on.year, 1, 1), self.on
        sections = briefing_sections(self.user, self.unit, start, end)
        self._sections = sections
        alerts = self.run("finance-alerts") or []
        self.fig("finance.alerts", len(alerts) if isinstance(alerts, list) else None)
        if not sections["difficulties"] and not alerts:
            self.p(
                _("Chưa có khó khăn, vướng mắc nào được ghi nhận từ %(s)s đến %(e)s.")
                % {"s": start.strftime("%d/%m/%Y"), "e": end.strftime("%d/%m/%Y")}
            )
        for i, row in enumerate(sections["difficulties"], start=1):
            content = row["content"].rstrip(". ")
            self.p(f"{i}. {content} ({row['raised_by']}, {row['date']:%d/%m/%Y}; {row['theme']}).")
        if alerts:
            self.p(
                _(
                    "Hệ thống ghi nhận %(n)s cảnh báo về giải ngân, đầu tư trong năm %(y)s (chi tiết tại Phụ lục)."
                )
                % {"n": n(len(alerts)), "y": self.year}
            )
            self.annex.append(
                table(
                    str(_("Biểu 6. Cảnh báo giải ngân, đầu tư")),
                    [("title", str(_("Cảnh báo")), "text"), ("evidence", str(_("Dẫn chứng")), "text")],
                    [{"title": a.get("title"), "evidence": a.get("evidence")} for a in alerts],
                )
            )

    def recommendations(self) -> None:
        self.h(_("III. KIẾN NGHỊ, ĐỀ XUẤT"))
        recs = self._sections["recommendations"]
        self.fig("supervision.recommendations", len(recs))
        if not recs:
            self.p(_("Chưa có kiến nghị nào được ghi nhận trong kỳ."))
            return
        for i, row in enumerate(recs, start=1):
            deadline = f"; {_('thời hạn')} {row['deadline']:%d/%m/%Y}" if row["deadline"] else ""
            content = row["content"].rstrip(". ")
            self.p(f"{i}. {row['from']} → {row['to']}: {content} ({row['status']}{deadline}).")
        self.annex.append(
            table(
                str(_("Biểu 7. Kiến nghị và tình hình thực hiện")),
                [
                    ("date", str(_("Ngày")), "date"),
                    ("from", str(_("Bên kiến nghị")), "text"),
                    ("to", str(_("Bên nhận")), "text"),
                    ("content", str(_("Nội dung")), "text"),
                    ("deadline", str(_("Thời hạn")), "date"),
                    ("status", str(_("Trạng thái")), "text"),
                ],
                [{**r, "date": r["date"], "deadline": r["deadline"]} for r in recs],
            )
        )

    def build(self) -> dict[str, Any]:
        self.h(_("I. KẾT QUẢ THỰC HIỆN CÁC CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA"))
        self.context()
        self.disbursement()
        self.ntm()
        self.poverty()
        self.outputs()
        if not self.sourced:
            raise ValidationError(
                _(
                    "Không có số liệu nào của %(u)s cho kỳ báo cáo năm %(y)s (tính đến %(d)s); không lập báo cáo."
                )
                % {"u": self.unit.name, "y": self.year, "d": self.on.strftime("%d/%m/%Y")}
            )
        self.difficulties()
        self.recommendations()
        for block in self.annex:
            block["annex"] = True
        place = place_name(self.unit) if self.unit.level else "Hà Nội"
        period = when(self.on)
        return {
            "report": "briefing",
            "unit": {"code": self.unit.code, "name": self.unit.name, "structure": self.unit.structure},
            "period": {"year": self.year, "as_of": self.on.isoformat()},
            "document": {
                "issuer_lines": issuer_lines(self.unit),
                "number": str(_("Số:      /BC-UBND")),
                "place_date": _("%(place)s, ngày      tháng      năm %(y)s")
                % {
                    "place": place,
                    "y": self.on.year,
                },  # signed as of the report date, not the day it is generated
                "kind": str(_("BÁO CÁO")),
                "title": str(_("Tình hình thực hiện các Chương trình mục tiêu quốc gia")),
                "subtitle": _("%(unit)s, năm %(y)s (%(period)s)")
                % {"unit": self.unit.name, "y": self.year, "period": period.lower()},
                "recipients": RECIPIENTS,
                "signer": [str(_("TM. ỦY BAN NHÂN DÂN")), str(_("CHỦ TỊCH"))],
            },
            "figures": self.figures,
            "sources": self.sources,
            "failed": self.failed,
            "blocks": self.blocks + self.annex,
        }


def _million(value: Any) -> float | None:
    return None if value is None else round(float(value) / 1_000_000, 0)


def briefing(user: Any, params: ReportParams) -> dict[str, Any]:
    """Catalog function for slug `briefing`: ValidationError when the period has no data at all."""
    return Builder(user, params).build()
