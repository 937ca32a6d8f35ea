"""Demo: Điện Biên's 2020 situation (the NTM demo's 115 communes, 31/12/2020) with a 300 tỷ đồng budget for 2021.

The budget is a demo choice (UNCONFIRMED): the article gives no 2021 capital figure. Two scenarios are computed from
the assessments and the cost table (nothing typed): without rules, and with the priority rules of a provincial
resolution (shares for poor districts and border communes, minimum 2 tỷ per funded commune, no district above 35%).
"""

from __future__ import annotations

from datetime import date

from mtqg.geo.models import UnitVersion

from .costs import load_costs
from .models import Scenario
from .services import scenario_create

AS_OF = date(2020, 12, 31)
BUDGET = 300_000_000_000
PLAIN = "Điện Biên 2021 — 300 tỷ đồng (minh họa)"
RULED = "Điện Biên 2021 — 300 tỷ đồng, ưu tiên huyện nghèo và xã biên giới (minh họa)"
RULES = {
    "min_shares": {"poor_district": "0.4", "border": "0.2"},
    "max_area_share": "0.35",
    "min_per_commune": 2_000_000_000,
    "together": [],
    "committed": [],
    "horizon": [2021, 2021],
}


def seed() -> int:
    """Deterministic (the solver is) and idempotent: existing demo scenarios are kept."""
    load_costs()
    province = UnitVersion.objects.filter(structure="pre2025", level=1, code="11").first()
    if province is None:
        return 0
    created = 0
    for name, rules in ((PLAIN, {"horizon": [2021, 2021]}), (RULED, RULES)):
        if Scenario.objects.filter(province=province, name=name).exists():
            continue
        scenario_create(
            actor=None,
            province=province,
            name=name,
            as_of=AS_OF,
            budget=BUDGET,
            rules=rules,
            note="Dữ liệu minh họa (demo)",
        )
        created += 1
    return created
