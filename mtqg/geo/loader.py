"""Load both structures of administrative units from the `vietnamadminunits` package (offline, idempotent).

Reads the package's shipped SQLite data (`admin_units_legacy`: 63 provinces / 696 districts / 10,035 communes valid
until 30/06/2025; `admin_units`: 34 provinces / 3,321 communes from 01/07/2025) and its old→new mapping
(`converter_2025.json`) for lineage edges. Rows are matched on (structure, level, code), so a re-run creates nothing
new and keeps ids stable.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import vietnamadminunits
from django.db import transaction

from mtqg.core.text import fold

from .models import AdministrativeUnit, ClassificationScheme, UnitLineage, UnitVersion
from .services import segment

DATA_DIR = Path(vietnamadminunits.__file__).parent / "data"
PRE_END = date(2025, 6, 30)
NEW_START = date(2025, 7, 1)
LEGAL_PRE = "Danh mục đơn vị hành chính trước 01/7/2025 (mã GSO)"
LEGAL_PROVINCES = "Nghị quyết 202/2025/QH15 (sắp xếp đơn vị hành chính cấp tỉnh)"
LEGAL_COMMUNES = "Các Nghị quyết của UBTVQH ngày 16/06/2025 về sắp xếp đơn vị hành chính cấp xã"
DISTRICT_KINDS = {"Huyện": "huyen", "Quận": "quan", "Thị xã": "thi_xa", "Thành phố": "thanh_pho"}
WARD_KINDS = {"Xã": "xa", "Phường": "phuong", "Thị trấn": "thi_tran", "Đặc khu": "dac_khu"}
K = UnitVersion.Kind
L = UnitVersion.Level
S = UnitVersion.Structure


@dataclass
class Row:
    structure: str
    level: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_key: tuple[str, int, str] | None
    lat: float | None = None
    lon: float | None = None
    area: float | None = None
    name_key: str = ""
    identity_hint: tuple[str, int, str] | None = None


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    lineage_created: int = 0
    by_structure: dict[str, int] = field(default_factory=dict)


def _province_kind(name: str) -> str:
    return K.CITY if name.startswith("Thành phố") else K.PROVINCE


def _province_row(
    rows: list[Row],
    seen: set[tuple[str, int, str]],
    structure: str,
    r: sqlite3.Row,
    country: tuple[str, int, str],
    hint: tuple[str, int, str] | None = None,
) -> tuple[str, int, str]:
    """Appends the province of dataset row r once per structure; its key."""
    pkey = (str(structure), int(L.PROVINCE), r["provinceCode"])
    if pkey not in seen:
        seen.add(pkey)
        rows.append(
            Row(
                structure,
                L.PROVINCE,
                r["provinceCode"],
                r["province"],
                r["provinceShort"],
                _province_kind(r["province"]),
                country,
                r["provinceLat"],
                r["provinceLon"],
                name_key=r["provinceKey"],
                identity_hint=hint,
            )
        )
    return pkey


def read_rows() -> list[Row]:
    con = sqlite3.connect(f"file:{DATA_DIR / 'dataset.db'}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    rows: list[Row] = [Row("national", L.COUNTRY, "VN", "Việt Nam", "Việt Nam", K.COUNTRY, None)]
    country = ("national", int(L.COUNTRY), "VN")
    seen: set[tuple[str, int, str]] = set()
    legacy = con.execute("SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode")
    for r in legacy:
        pkey = _province_row(rows, seen, S.PRE2025, r, country)
        dkey = (S.PRE2025.value, int(L.DISTRICT), r["districtCode"])
        if dkey not in seen:
            seen.add(dkey)
            rows.append(
                Row(
                    S.PRE2025,
                    L.DISTRICT,
                    r["districtCode"],
                    r["district"],
                    r["districtShort"],
                    DISTRICT_KINDS.get(r["districtType"], K.DISTRICT),
                    pkey,
                    r["districtLat"],
                    r["districtLon"],
                    name_key=f"{r['provinceKey']}_{r['districtKey']}",
                )
            )
        if not r["wardCode"]:
            continue  # island districts without communes
        rows.append(
            Row(
                S.PRE2025,
                L.COMMUNE,
                r["wardCode"],
                r["ward"],
                r["wardShort"],
                WARD_KINDS[r["wardType"]],
                dkey,
                r["wardLat"],
                r["wardLon"],
                name_key=f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}",
            )
        )
    new = con.execute("SELECT * FROM admin_units ORDER BY provinceCode, wardCode")
    for r in new:
        pkey = _province_row(
            rows, seen, S.Y2025, r, country, hint=(S.PRE2025.value, int(L.PROVINCE), r["provinceCode"])
        )
        rows.append(
            Row(
                S.Y2025,
                L.COMMUNE,
                r["wardCode"],
                r["ward"],
                r["wardShort"],
                WARD_KINDS[r["wardType"]],
                pkey,
                r["wardLat"],
                r["wardLon"],
                r["wardAreaKm2"],
                name_key=f"{r['provinceKey']}_{r['wardKey']}",
            )
        )
    con.close()
    return rows


def read_lineage() -> list[tuple[str, str, bool, int]]:
    """(old name key, new name key, is_primary, number of new units the old one went to)."""
    conv = json.loads((DATA_DIR / "converter_2025.json").read_text(encoding="utf-8"))
    edges: list[tuple[str, str, bool, int]] = []
    for new_prov, old_provs in conv["DICT_PROVINCE"].items():
        for old in old_provs:
            edges.append((old, new_prov, True, 1))
    for new_prov, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, olds in wards.items():
            for old in olds:
                edges.append((old, f"{new_prov}_{new_ward}", True, 1))
    for new_prov, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, targets in olds.items():
            for t in targets:
                edges.append(
                    (old, f"{new_prov}_{t['newWardKey']}", bool(t["isDefaultNewWard"]), len(targets))
                )
    return edges


def _version_fields(row: Row, unit_id: int) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "structure": row.structure,
        "level": row.level,
        "code": row.code,
        "name": row.name,
        "short_name": row.short_name or "",
        "search_name": fold(row.name),
        "kind": row.kind,
        "valid_from": NEW_START if row.structure == S.Y2025 else None,
        "valid_to": PRE_END if row.structure == S.PRE2025 else None,
        "legal_basis": {
            S.PRE2025: LEGAL_PRE,
            S.Y2025: LEGAL_PROVINCES if row.level == L.PROVINCE else LEGAL_COMMUNES,
        }.get(row.structure, ""),  # type: ignore[call-overload]
        "latitude": row.lat,
        "longitude": row.lon,
        "area_km2": Decimal(str(row.area)).quantize(Decimal("0.01")) if row.area is not None else None,
    }


@transaction.atomic
def load_admin_units() -> LoadResult:
    """Create or update every unit version, its path and the 2025 lineage. Safe to re-run."""
    rows = read_rows()
    result = LoadResult()
    existing = {(u.structure, u.level, u.code): u for u in UnitVersion.objects.filter(level__lte=L.COMMUNE)}
    by_key: dict[tuple[str, int, str], UnitVersion] = {}
    name_to_key: dict[str, tuple[str, int, str]] = {}
    lineage_raw = read_lineage()
    # Identity: a new province keeps the identity of the old one with its code; a new commune whose only
    # predecessor went wholly into it (and has the same name) continues that commune's identity.
    for row in rows:
        key = (str(row.structure), int(row.level), row.code)
        name_to_key[f"{row.structure}:{row.name_key}"] = key
    old_out = defaultdict(list)
    new_in = defaultdict(list)
    for old, new, _primary, _n in lineage_raw:
        old_out[old].append(new)
        new_in[new].append(old)
    to_create: list[UnitVersion] = []
    to_update: list[UnitVersion] = []
    update_fields = [
        "name",
        "short_name",
        "search_name",
        "kind",
        "valid_from",
        "valid_to",
        "legal_basis",
        "latitude",
        "longitude",
        "area_km2",
    ]
    idents: dict[tuple[str, int, str], AdministrativeUnit] = {
        k: AdministrativeUnit(pk=u.unit_id) for k, u in existing.items()
    }
    fresh: list[AdministrativeUnit] = []
    for row in rows:
        key = (str(row.structure), int(row.level), row.code)
        if key in idents:
            continue
        hint = row.identity_hint
        if row.structure == S.Y2025 and row.level == L.COMMUNE:
            olds = new_in.get(row.name_key, [])
            if len(olds) == 1 and len(old_out[olds[0]]) == 1:
                hint = name_to_key.get(f"{S.PRE2025}:{olds[0]}")
        if hint and hint in idents:
            idents[key] = idents[hint]
            continue
        idents[key] = AdministrativeUnit(name=row.name)
        fresh.append(idents[key])
    AdministrativeUnit.objects.bulk_create(fresh, batch_size=2000)
    identities = {k: u.pk for k, u in idents.items()}
    for row in rows:
        key = (str(row.structure), int(row.level), row.code)
        fields = _version_fields(row, identities[key])
        current = existing.get(key)
        if current is None:
            to_create.append(UnitVersion(path=f"tmp/{key[0]}/{key[1]}/{key[2]}", **fields))
        else:
            if any(getattr(current, f) != fields[f] for f in update_fields):
                for f in update_fields:
                    setattr(current, f, fields[f])
                to_update.append(current)
            by_key[key] = current
    for unit in UnitVersion.objects.bulk_create(to_create, batch_size=2000):
        by_key[(unit.structure, unit.level, unit.code)] = unit
    result.created, result.updated = len(to_create), len(to_update)
    # Parents and materialised paths, top-down.
    path_changes: list[UnitVersion] = []
    for row in rows:
        key = (str(row.structure), int(row.level), row.code)
        unit = by_key[key]
        parent = by_key[row.parent_key] if row.parent_key else None
        path = (parent.path if parent else "") + segment(unit.pk)
        if unit.path != path or unit.parent_id != (parent.pk if parent else None):
            unit.path, unit.parent = path, parent
            path_changes.append(unit)
    UnitVersion.objects.bulk_update(path_changes, ["path", "parent"], batch_size=2000)
    if to_update:
        UnitVersion.objects.bulk_update(to_update, update_fields, batch_size=2000)
    result.lineage_created = _load_lineage(lineage_raw, name_to_key, by_key)
    for row in rows:
        result.by_structure[str(row.structure)] = result.by_structure.get(str(row.structure), 0) + 1
    return result


def _load_lineage(
    raw: list[tuple[str, str, bool, int]],
    name_to_key: dict[str, tuple[str, int, str]],
    by_key: dict[tuple[str, int, str], UnitVersion],
) -> int:
    existing = set(UnitLineage.objects.values_list("predecessor_id", "successor_id"))
    new_in_count: dict[str, int] = defaultdict(int)
    for _old, new, _p, _n in raw:
        new_in_count[new] += 1
    edges: list[UnitLineage] = []
    for old, new, primary, n_targets in raw:
        old_key = name_to_key.get(f"{S.PRE2025}:{old}")
        new_key = name_to_key.get(f"{S.Y2025}:{new}")
        if old_key is None or new_key is None:
            continue  # the package's mapping names a unit it does not list (e.g. island districts)
        pred, succ = by_key[old_key], by_key[new_key]
        if (pred.pk, succ.pk) in existing:
            continue
        existing.add((pred.pk, succ.pk))
        if n_targets > 1:
            kind = UnitLineage.Kind.SPLIT
        elif new_in_count[new] > 1:
            kind = UnitLineage.Kind.MERGE
        else:
            kind = UnitLineage.Kind.RENAME
        edges.append(
            UnitLineage(
                predecessor=pred,
                successor=succ,
                kind=kind,
                event_date=NEW_START,
                is_primary=primary,
                share=Decimal(1) if n_targets == 1 else None,
                legal_basis=LEGAL_PROVINCES if pred.level == L.PROVINCE else LEGAL_COMMUNES,
            )
        )
    UnitLineage.objects.bulk_create(edges, batch_size=2000)
    return len(edges)


SCHEMES_FILE = Path(__file__).parent / "data" / "classification_schemes.json"


@transaction.atomic
def load_schemes() -> int:
    """Create or update the classification schemes from their data file."""

    data = json.loads(SCHEMES_FILE.read_text(encoding="utf-8"))
    for item in data["schemes"]:
        ClassificationScheme.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "applies_to_level": item["level"],
                "values": item["values"],
                "legal_basis": item.get("legal_basis", ""),
            },
        )
    return len(data["schemes"])
