"""Headline indicators: where each one is defined, its basis and default period (decisions 0015, 0016).

Every page, API endpoint, portal page, report and briefing that shows one of these reads it through the selector
named here — on the source records (`records`) or, for the dashboards and the portal, on the summary facts built
from the same lines (`facts`). `dashboards/tests/test_one_figure.py` checks that both give the same value for the same unit,
year, as-of date and basis. docs/indicators.md is this table in prose.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NO_DATA = _("chưa có số liệu")  # what every surface shows where nothing was reported (the API: null)


@dataclass(frozen=True)
class Headline:
    code: str
    label: str
    records: str  # "module:function" computing it from the program app's records
    facts: str  # "module:function" reading it from the dashboards' summary facts
    basis: str  # as-of date and denominator, as stated on every display


HEADLINES: dict[str, Headline] = {
    h.code: h
    for h in (
        Headline(
            "disbursement.rate",
            "Tỷ lệ giải ngân (theo nguồn vốn, chương trình)",
            "mtqg.finance.selectors:disbursement_summary",
            "mtqg.dashboards.panels:disbursement",
            "Đến ngày finance.selectors.statutory_as_of(năm) = 31/01 năm sau (hoặc hôm nay nếu sớm hơn); mẫu số: "
            "kế hoạch vốn của năm gồm vốn chuyển nguồn (HEADLINE_CARRY_OVER), quyết định đến ngày đó; có thể chọn "
            "không gồm vốn chuyển nguồn.",
        ),
        Headline(
            "ntm.recognised",
            "Số xã và tỷ lệ xã đạt chuẩn nông thôn mới",
            "mtqg.ntm.reports:summary",
            "mtqg.dashboards.panels:key_figures",
            "Quyết định công nhận còn hiệu lực ngày 31/12 của năm (hoặc ngày báo cáo); mẫu số: số xã còn hiệu lực "
            "ngày đó.",
        ),
        Headline(
            "poverty.rate",
            "Tỷ lệ hộ nghèo, hộ cận nghèo",
            "mtqg.poverty.reports:summary",
            "mtqg.dashboards.panels:key_figures",
            "Kỳ rà soát định kỳ gần nhất đã hoàn thành đến ngày báo cáo (poverty.reports.review_year); mẫu số: số "
            "hộ được rà soát trong sổ, ghi rõ số xã có số liệu trên tổng số xã (poverty.reports.coverage).",
        ),
        Headline(
            "output.target",
            "Chỉ tiêu đầu ra so với mục tiêu",
            "mtqg.finance.selectors:outputs",
            "mtqg.dashboards.panels:outputs",
            "Kết quả trong năm so với mục tiêu giao trong năm.",
        ),
    )
}
