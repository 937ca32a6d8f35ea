"""Transitions between two reviews of a household (thoát nghèo, thoát cận nghèo, tái nghèo, phát sinh mới).

Rules (docs/decisions/0203-poverty-transitions.md): compared with the household's previous review —
- poor now, not poor before, poor in some earlier review → tái nghèo (fell_back);
- poor now, not poor before (or no earlier review) → phát sinh mới (new); near-poor with no earlier review → new;
- poor before, not poor now → thoát nghèo (escaped_poor);
- near-poor before, neither poor nor near-poor now → thoát cận nghèo (escaped_near_poor).
"""

from __future__ import annotations

POOR, NEAR_POOR = "poor", "near_poor"
POORISH = (POOR, NEAR_POOR)


def transition(prev: str | None, cur: str, ever_poor: bool = False) -> str:
    if prev is None:
        return "new" if cur in POORISH else ""
    if cur == POOR and prev != POOR:
        return "fell_back" if ever_poor else "new"
    if prev == POOR and cur != POOR:
        return "escaped_poor"
    if prev == NEAR_POOR and cur not in POORISH:
        return "escaped_near_poor"
    return ""
