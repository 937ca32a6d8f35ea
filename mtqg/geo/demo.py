"""Demo classifications for Điện Biên and Cao Bằng (both structures), from a data file. Idempotent."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.db import transaction

from .loader import NEW_START, PRE_END
from .models import ClassificationScheme, UnitClassification, UnitVersion
from .services import unit_create

DEMO_FILE = Path(__file__).parent / "data" / "demo_classifications.json"
DEMO_PROVINCES = ("11", "04")


def village(commune: UnitVersion, code: str, name: str) -> UnitVersion:
    """A demo village under a commune and valid as long as it: the one with this code if it exists, else created
    through the geo service as a system job (actor=None)."""
    found = UnitVersion.objects.filter(
        structure=commune.structure, level=UnitVersion.Level.VILLAGE, code=code
    ).first()
    return found or unit_create(
        actor=None,
        parent=commune,
        code=code,
        name=name,
        level=UnitVersion.Level.VILLAGE,
        kind=UnitVersion.Kind.VILLAGE,
        valid_from=commune.valid_from,
        valid_to=commune.valid_to,
        legal_basis="Thôn minh họa (chưa xác minh)",
    )


def _provinces(code: str) -> list[UnitVersion]:
    return list(UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE, code=code))


def _period(unit: UnitVersion) -> tuple[date | None, date | None]:
    return (None, PRE_END) if unit.structure == UnitVersion.Structure.PRE2025 else (NEW_START, None)


@transaction.atomic
def seed() -> int:
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    schemes = {s.code: s for s in ClassificationScheme.objects.all()}
    existing = set(UnitClassification.objects.values_list("unit_id", "scheme_id", "valid_from"))
    new: list[UnitClassification] = []

    def add(
        unit: UnitVersion, scheme: str, value: str, start: date | None, end: date | None, **extra: object
    ) -> None:
        key = (unit.pk, schemes[scheme].pk, start)
        if key not in existing:
            existing.add(key)
            new.append(
                UnitClassification(
                    unit=unit, scheme=schemes[scheme], value=value, valid_from=start, valid_to=end, **extra
                )
            )

    for code in DEMO_PROVINCES:
        for province in _provinces(code):
            communes = UnitVersion.objects.filter(
                path__startswith=province.path, level=UnitVersion.Level.COMMUNE
            )
            for commune in communes:
                start, end = _period(commune)
                add(commune, "area_type", "rural" if commune.kind == "xa" else "urban", start, end)
    for item in data["province_wide"]:
        for province in _provinces(item["province"]):
            start, end = _period(province)
            for commune in UnitVersion.objects.filter(
                path__startswith=province.path, level=UnitVersion.Level.COMMUNE
            ):
                add(commune, item["scheme"], item["value"], start, end)
    for item in data["districts"]:
        pre = [p for p in _provinces(item["province"]) if p.structure == UnitVersion.Structure.PRE2025]
        for district in UnitVersion.objects.filter(
            path__startswith=pre[0].path, level=UnitVersion.Level.DISTRICT, name__in=item["names"]
        ):
            add(
                district,
                item["scheme"],
                "yes",
                date.fromisoformat(item["valid_from"]),
                date.fromisoformat(item["valid_to"]),
                legal_basis=item["legal_basis"],
                unconfirmed=item.get("unconfirmed", False),
            )
    UnitClassification.objects.bulk_create(new, batch_size=2000)
    return len(new)
