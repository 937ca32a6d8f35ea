"""Reference classifications every install loads (not demo data): the NTM threshold region of every commune.

Pre-2025 communes take their province's region (GSO list, `data/ntm_regions.json`). A commune formed on 1/7/2025
takes the region of its predecessor communes through lineage (the majority; a tie or a commune whose predecessors
lie in two regions is flagged unconfirmed), because merged provinces such as Phú Thọ (Phú Thọ + Vĩnh Phúc + Hòa
Bình) span two regions. Idempotent: only new or changed rows are written (decision record 0108).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from django.db import transaction

from .loader import NEW_START, PRE_END
from .models import ClassificationScheme, UnitClassification, UnitLineage, UnitVersion

REGIONS_FILE = Path(__file__).parent / "data" / "ntm_regions.json"
L = UnitVersion.Level
S = UnitVersion.Structure


def region_of_province() -> tuple[dict[str, str], dict[str, str], str]:
    """(pre-2025 province code → region, code → unconfirmed note, source citation) from the data file."""
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    by_code = {code: region for region, codes in data["regions"].items() for code in codes}
    return by_code, data.get("unconfirmed", {}), data["source"]


def _province_code(path: str, segment_to_code: dict[str, str]) -> str:
    """The province code of a unit from its path (country/province/…)."""
    parts = path.strip("/").split("/")
    return segment_to_code.get(parts[1], "") if len(parts) > 1 else ""


@transaction.atomic
def load_ntm_regions() -> tuple[int, int]:
    """Write the ntm_region classification of every commune in both structures; returns (created, updated)."""
    scheme = ClassificationScheme.objects.filter(code="ntm_region").first()
    if scheme is None:
        return 0, 0
    by_code, notes, source = region_of_province()
    provinces = dict(
        UnitVersion.objects.filter(level=L.PROVINCE, structure=S.PRE2025).values_list("path", "code")
    )
    segment_to_code = {p.strip("/").split("/")[-1]: c for p, c in provinces.items()}
    wanted: dict[int, tuple[Any, Any, str, str, bool]] = {}
    pre_region: dict[int, str] = {}
    pre_flagged: set[int] = set()
    for uid, path in UnitVersion.objects.filter(level=L.COMMUNE, structure=S.PRE2025).values_list(
        "id", "path"
    ):
        code = _province_code(path, segment_to_code)
        region = by_code.get(code)
        if region is None:
            continue
        pre_region[uid] = region
        basis = source if code not in notes else f"{source}. {notes[code]}"
        wanted[uid] = (None, PRE_END, region, basis, code in notes)
        if code in notes:
            pre_flagged.add(uid)
    preds: dict[int, list[int]] = defaultdict(list)
    for pred, succ in UnitLineage.objects.filter(
        successor__level=L.COMMUNE, successor__structure=S.Y2025
    ).values_list("predecessor_id", "successor_id"):
        preds[succ].append(pred)
    new_communes = list(
        UnitVersion.objects.filter(level=L.COMMUNE, structure=S.Y2025).values_list("id", "parent_id")
    )
    by_province: dict[int, Counter[str]] = defaultdict(Counter)
    pending = []
    for uid, parent_id in new_communes:
        votes = Counter(pre_region[p] for p in preds.get(uid, []) if p in pre_region)
        if not votes:
            pending.append((uid, parent_id))
            continue
        ranked = votes.most_common()
        region = ranked[0][0]
        mixed = len(ranked) > 1
        flagged = mixed or any(p in pre_flagged for p in preds.get(uid, []))
        by_province[parent_id][region] += 1
        basis = "Theo vùng của các xã trước sáp nhập (quan hệ kế thừa 01/7/2025)"
        if mixed:
            basis += ": các xã trước sáp nhập thuộc nhiều vùng, lấy vùng của đa số (UNCONFIRMED)"
        elif flagged:
            basis += " (vùng của tỉnh trước sáp nhập chưa xác minh)"
        wanted[uid] = (NEW_START, None, region, basis, flagged)
    for uid, parent_id in pending:  # no lineage edge: the province's most common region, flagged
        common = by_province[parent_id].most_common(1)
        if common:
            basis = "Không có quan hệ kế thừa: lấy vùng phổ biến nhất của tỉnh (UNCONFIRMED)"
            wanted[uid] = (NEW_START, None, common[0][0], basis, True)
    existing = {
        (c.unit_id, c.valid_from): c
        for c in UnitClassification.objects.filter(scheme=scheme, unit_id__in=wanted)
    }
    new, changed = [], []
    for uid, (start, end, region, basis, unconfirmed) in wanted.items():
        row = existing.get((uid, start))
        fields = {"value": region, "valid_to": end, "legal_basis": basis[:255], "unconfirmed": unconfirmed}
        if row is None:
            new.append(UnitClassification(unit_id=uid, scheme=scheme, valid_from=start, **fields))
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            changed.append(row)
    UnitClassification.objects.bulk_create(new, batch_size=2000)
    UnitClassification.objects.bulk_update(
        changed, ["value", "valid_to", "legal_basis", "unconfirmed"], batch_size=2000
    )
    return len(new), len(changed)
