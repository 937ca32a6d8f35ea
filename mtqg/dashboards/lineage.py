"""Lineage mapping for the dashboards: a unit's facts carried forward through UnitLineage to today's units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from mtqg.geo.models import UnitLineage, UnitVersion


def current_map(unit_ids: Iterable[int], on: date) -> dict[int, list[tuple[int, Decimal]]]:
    """Each unit id → [(id of a unit valid on `on`, share)], following lineage edges forward; a unit without
    edges (a pre-2025 district) follows its parent's edges."""
    ids = set(unit_ids)
    units: dict[int, dict[str, Any]] = {
        u["pk"]: dict(u)
        for u in UnitVersion.objects.filter(pk__in=ids).values("pk", "parent_id", "valid_from", "valid_to")
    }
    edges: dict[int, list[tuple[int, Decimal | None]]] = defaultdict(list)
    frontier = set(ids)
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        nxt: set[int] = set()
        for pred, succ, share in UnitLineage.objects.filter(predecessor_id__in=frontier).values_list(
            "predecessor_id", "successor_id", "share"
        ):
            edges[pred].append((succ, share))
            nxt.add(succ)
        missing = nxt - set(units)
        if missing:
            units.update(
                {
                    u["pk"]: dict(u)
                    for u in UnitVersion.objects.filter(pk__in=missing).values(
                        "pk", "parent_id", "valid_from", "valid_to"
                    )
                }
            )
        frontier = nxt - seen

    def valid(uid: int) -> bool:
        u = units.get(uid)
        if u is None:
            return False
        return bool(
            (u["valid_from"] is None or u["valid_from"] <= on)
            and (u["valid_to"] is None or on <= u["valid_to"])
        )

    def forward(uid: int, depth: int = 0) -> list[tuple[int, Decimal]]:
        if valid(uid) or depth > 6:
            return [(uid, Decimal(1))]
        out_edges = edges.get(uid)
        if not out_edges:
            parent = units.get(uid, {}).get("parent_id")
            if parent is None:
                return []
            if parent not in units:
                more = UnitVersion.objects.filter(pk=parent).values(
                    "pk", "parent_id", "valid_from", "valid_to"
                )
                units.update({u["pk"]: dict(u) for u in more})
                for pred, succ, share in UnitLineage.objects.filter(predecessor_id=parent).values_list(
                    "predecessor_id", "successor_id", "share"
                ):
                    edges[pred].append((succ, share))
                    if succ not in units:
                        units.update(
                            {
                                u["pk"]: dict(u)
                                for u in UnitVersion.objects.filter(pk=succ).values(
                                    "pk", "parent_id", "valid_from", "valid_to"
                                )
                            }
                        )
            return forward(parent, depth + 1)
        known = [s for _succ, s in out_edges if s is not None]
        equal = Decimal(1) / len(out_edges)
        result: list[tuple[int, Decimal]] = []
        for succ, share in out_edges:
            part = share if share is not None else (equal if not known else Decimal(0))
            for target, sub in forward(succ, depth + 1):
                result.append((target, part * sub))
        return result

    return {uid: forward(uid) for uid in ids}
