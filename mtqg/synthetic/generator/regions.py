"""Step `regions`: the NTM region of every generated commune lacking one."""

from __future__ import annotations

from mtqg.geo.models import ClassificationScheme, UnitClassification

from .base import MARK, Context


def regions(g: Context) -> None:
    """NTM thresholds are per region (ntm_region classification): give every generated commune lacking one
    the region of its province, flagged unconfirmed and marked as synthetic."""
    scheme, _ = ClassificationScheme.objects.get_or_create(
        code="ntm_region", defaults={"name": "Vùng áp dụng ngưỡng tiêu chí NTM"}
    )
    ids = [c.id for c in g.old + g.new]
    have: set[int] = set()
    for start in range(0, len(ids), 5000):
        have.update(
            UnitClassification.objects.filter(
                scheme=scheme, unit_id__in=ids[start : start + 5000]
            ).values_list("unit_id", flat=True)
        )
    rows = [
        UnitClassification(
            unit_id=c.id,
            scheme=scheme,
            value=c.region,
            legal_basis=f"{MARK}: vùng theo tỉnh (generate_synthetic)",
            unconfirmed=True,
        )
        for c in g.old + g.new
        if c.id not in have
    ]
    UnitClassification.objects.bulk_create(rows, batch_size=5000)
    g.stats.counts["region_classifications"] += len(rows)
