"""Load criteria sets and schemes from mtqg/ntm/data/*.json (idempotent: an unchanged file is skipped)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from mtqg.core.audit import record_change
from mtqg.geo.models import UnitVersion

from .authoring import threshold_sources_load
from .models import CriteriaSet, Criterion, Indicator, Scheme, Threshold
from .periods import load_periods
from .programme import load_programme_data

DATA_DIR = Path(__file__).parent / "data"
# national sets first: a derived set copies its parent
SET_FILES = [
    "qd1980_2016.json",
    "qd318_app1_2021.json",
    "qd318_app2_2021.json",
    "qd318_app1_2024.json",
    "qd318_app2_2024.json",
    "qd51_2025.json",
    "dien_bien_2017.json",
]


def parse_threshold(text: str) -> tuple[str, Decimal | None]:
    """'≥80' → (ge, 80); '≤6' → (le, 6); 'Đạt' → (true, None); 'Không' → (zero, None)."""
    text = text.strip()
    if text == "Đạt":
        return Threshold.Op.TRUE, None
    if text == "Không":
        return Threshold.Op.ZERO, None
    for sign, op in (("≥", Threshold.Op.GE), ("≤", Threshold.Op.LE)):
        if text.startswith(sign):
            return op, Decimal(text[1:].strip())
    raise ValueError(f"Ngưỡng không hợp lệ: {text!r}")


def _flag(unconfirmed: Any, region: str) -> bool:
    if isinstance(unconfirmed, list):
        return region in unconfirmed
    return bool(unconfirmed)


def _threshold_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    layers: list[tuple[int | None, dict[str, str]]] = [(None, spec.get("t", {}))]
    layers += [(int(y), t) for y, t in spec.get("by_year", {}).items()]
    for year, table in layers:
        for region, text in table.items():
            op, value = parse_threshold(text)
            rows.append(
                {
                    "region": region,
                    "year": year,
                    "op": op,
                    "value": value,
                    "unconfirmed": _flag(spec.get("unconfirmed", False), region),
                    "source": spec.get("source", ""),
                }
            )
    return rows


def _derived_spec(data: dict[str, Any], parent_data: dict[str, Any]) -> list[dict[str, Any]]:
    """The parent's criteria with the derived set's overrides and basic thresholds applied; with
    "all_unconfirmed" (an amendment whose changes are not known yet) every indicator and threshold is flagged."""
    criteria = json.loads(json.dumps(parent_data["criteria"]))
    overrides = data.get("overrides", {})
    basic = data.get("basic", {})
    register = data.get(
        "register", {}
    )  # {"11": ""}: a derived set keeps the typed value (decision record 0126)
    for crit in criteria:
        for ind in crit["indicators"]:
            if ind["code"] in register:
                ind["from_register"] = register[ind["code"]]
            if data.get("all_unconfirmed"):
                ind["unconfirmed"] = True
            if ind["code"] in overrides:
                ind["t"] = {**ind.get("t", {}), **overrides[ind["code"]]}
                ind["unconfirmed"] = True
            if ind["code"] in basic:
                ind["basic"] = basic[ind["code"]]
    return criteria


@transaction.atomic
def load_set(path: Path, *, force: bool = False) -> CriteriaSet | None:
    """Create or update one set from its file; returns None when the file is unchanged."""
    raw = path.read_bytes()
    data = json.loads(raw)
    criteria_spec = data.get("criteria", [])
    parent = None
    if data.get("derives_from"):
        parent = CriteriaSet.objects.filter(code=data["derives_from"]).order_by("-version").first()
        if parent is None:
            raise ValueError(f"Bộ tiêu chí gốc {data['derives_from']} chưa được nạp.")
        parent_file = DATA_DIR / parent.source_file
        parent_data = json.loads(parent_file.read_bytes())
        raw += parent_file.read_bytes()
        criteria_spec = _derived_spec(data, parent_data)
    checksum = hashlib.sha256(raw).hexdigest()
    existing = CriteriaSet.objects.filter(code=data["code"], version=data["version"]).first()
    if existing and existing.checksum == checksum and not force:
        return None
    province = None
    if data.get("province"):
        province = UnitVersion.objects.filter(
            level=UnitVersion.Level.PROVINCE,
            code=data["province"],
            structure=data.get("structure", "pre2025"),
        ).first()
    fields = {
        "name": data["name"],
        "tier": data.get("tier", "standard"),
        "legal_basis": data["legal_basis"],
        "valid_from": date.fromisoformat(data["valid_from"]) if data.get("valid_from") else None,
        "valid_to": date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None,
        "dimension_scheme": data.get("dimension_scheme", parent.dimension_scheme if parent else "ntm_region"),
        "region_overrides": data.get("region_overrides", parent.region_overrides if parent else []),
        "parent": parent,
        "province": province,
        "basic_tier_rule": data.get("basic_tier_rule", {}),
        "source_file": path.name,
        "checksum": checksum,
        "notes": data.get("_about", ""),
        "unconfirmed": bool(data.get("unconfirmed", False)),
        "applies_to_kinds": data.get("applies_to_kinds", parent.applies_to_kinds if parent else ["xa"]),
        "tier_rule": data.get("tier_rule", parent.tier_rule if parent else {}),
    }
    cset, created = CriteriaSet.objects.update_or_create(
        code=data["code"], version=data["version"], defaults=fields
    )
    counts = {"criteria": 0, "indicators": 0, "thresholds": 0}
    if created:
        counts = _bulk_insert(cset, criteria_spec)
    for c in criteria_spec if not created else []:
        crit, _c = Criterion.objects.update_or_create(
            criteria_set=cset,
            number=c["number"],
            defaults={
                "name": c["name"],
                "group": c.get("group", ""),
                "unconfirmed": bool(c.get("unconfirmed")),
            },
        )
        counts["criteria"] += 1
        for order, spec in enumerate(c.get("indicators", [])):
            ind, _i = Indicator.objects.update_or_create(
                criterion=crit,
                code=spec["code"],
                defaults={
                    "name": spec["name"],
                    "value_type": spec["type"],
                    "unit_label": spec.get("unit", ""),
                    "if_applicable": bool(spec.get("if_applicable")),
                    "register_measure": spec.get("from_register", ""),
                    "reference_only": bool(spec.get("reference_only")),
                    "order": order,
                    "unconfirmed": spec.get("unconfirmed") is True,
                },
            )
            counts["indicators"] += 1
            basic_value = parse_threshold(spec["basic"])[1] if spec.get("basic") else None
            keep = []
            for row in _threshold_rows(spec):
                thr, _t = Threshold.objects.update_or_create(
                    indicator=ind,
                    region=row["region"],
                    year=row["year"],
                    defaults={
                        "op": row["op"],
                        "value": row["value"],
                        "source": row["source"],
                        "unconfirmed": row["unconfirmed"]
                        or bool(basic_value is not None and cset.unconfirmed),
                        "basic_value": basic_value,
                    },
                )
                keep.append(thr.pk)
                counts["thresholds"] += 1
            Threshold.objects.filter(indicator=ind).exclude(pk__in=keep).delete()
    record_change(
        actor=None,
        obj=cset,
        action="imported" if not created else "created",
        changes={"source_file": [None, path.name], **{k: [None, v] for k, v in counts.items()}},
        unit_path=province.path if province else "",
    )
    return cset


def _bulk_insert(cset: CriteriaSet, criteria_spec: list[dict[str, Any]]) -> dict[str, int]:
    """A new set: criteria, indicators and thresholds in three bulk inserts (same rows as the update path)."""
    criteria = Criterion.objects.bulk_create(
        [
            Criterion(
                criteria_set=cset,
                number=c["number"],
                name=c["name"],
                group=c.get("group", ""),
                unconfirmed=bool(c.get("unconfirmed")),
            )
            for c in criteria_spec
        ]
    )
    specs = [
        (crit, order, spec)
        for crit, c in zip(criteria, criteria_spec, strict=True)
        for order, spec in enumerate(c.get("indicators", []))
    ]
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                criterion=crit,
                code=spec["code"],
                name=spec["name"],
                value_type=spec["type"],
                unit_label=spec.get("unit", ""),
                if_applicable=bool(spec.get("if_applicable")),
                register_measure=spec.get("from_register", ""),
                reference_only=bool(spec.get("reference_only")),
                order=order,
                unconfirmed=spec.get("unconfirmed") is True,
            )
            for crit, order, spec in specs
        ]
    )
    thresholds = []
    for ind, (_crit, _order, spec) in zip(indicators, specs, strict=True):
        basic_value = parse_threshold(spec["basic"])[1] if spec.get("basic") else None
        for row in _threshold_rows(spec):
            thresholds.append(
                Threshold(
                    indicator=ind,
                    region=row["region"],
                    year=row["year"],
                    op=row["op"],
                    value=row["value"],
                    source=row["source"],
                    unconfirmed=row["unconfirmed"] or bool(basic_value is not None and cset.unconfirmed),
                    basic_value=basic_value,
                )
            )
    Threshold.objects.bulk_create(thresholds)
    return {"criteria": len(criteria), "indicators": len(indicators), "thresholds": len(thresholds)}


@transaction.atomic
def load_schemes() -> int:
    data = json.loads((DATA_DIR / "schemes.json").read_text(encoding="utf-8"))
    n = 0
    for item in data["schemes"]:
        province = UnitVersion.objects.filter(
            level=UnitVersion.Level.PROVINCE,
            code=item["province"],
            structure=item.get("structure", "pre2025"),
        ).first()
        if province is None:
            continue
        Scheme.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "province": province,
                "classification_scheme": item["classification_scheme"],
                "classification_value": item["classification_value"],
                "target": item.get("target", ""),
                "legal_basis": item.get("legal_basis", ""),
                "unconfirmed": bool(item.get("unconfirmed")),
            },
        )
        n += 1
    return n


def load_all(*, force: bool = False) -> list[str]:
    """Load every set and scheme; returns the codes of the sets that changed."""
    changed = []
    for name in SET_FILES:
        cset = load_set(DATA_DIR / name, force=force)
        if cset is not None:
            changed.append(cset.code)
    load_schemes()
    threshold_sources_load()
    load_periods()
    load_programme_data()
    return changed
