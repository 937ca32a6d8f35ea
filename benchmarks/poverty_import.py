"""Poverty benchmark: import of household review rows (12 deprivation columns) through the app's importer
(validate → stage → approve/commit) versus django-import-export on the same rows, side by side.

`run(scale)` returns result dicts (benchmarks.run format). full = 1,000,000 rows for our importer; tiny/small use
5,000/20,000. django-import-export is measured on at most 5,000 rows (rows/s is size-independent for it) and the
ratio compares rows/s. Needs a migrated database with units and standards loaded. Cleans up rows marked BENCH-.
"""

from __future__ import annotations

import time
from typing import Any

from .common import peak_memory_mib, result

YEAR = 2023


def _csv(n: int, communes: list[str]) -> bytes:
    from mtqg.poverty.importer import template_headers
    from mtqg.poverty.standards import standard_for

    lines = [",".join(template_headers(standard_for(YEAR)))]
    for i in range(n):
        deps = ["x" if (i + k) % 4 == 0 else "" for k in range(12)]
        lines.append(
            ",".join(
                [
                    f"BENCH-{i:07d}",
                    communes[i % len(communes)],
                    "Lò Văn Bench",
                    "Bản 1",
                    "Thái",
                    "nông thôn",
                    str(800_000 + (i % 2_000) * 1000),
                    *deps,
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _cleanup() -> None:
    from django.db import transaction

    from mtqg.poverty.models import Household, ImportBatch, Review

    with transaction.atomic():
        Review.objects.filter(household__code__startswith="BENCH-").delete()
        Household.objects.filter(code__startswith="BENCH-").delete()
        ImportBatch.objects.filter(file_name="bench.csv").delete()


def _import_export_rate(data: bytes, n: int, commune_ids: dict[str, int]) -> float:
    import tablib
    from import_export import fields, resources

    from mtqg.poverty.models import Household

    class HouseholdResource(resources.ModelResource):
        code = fields.Field(attribute="code", column_name="Mã hộ")
        commune_id = fields.Field(attribute="commune_id", column_name="commune_id")
        head_name = fields.Field(attribute="head_name", column_name="Chủ hộ")
        address = fields.Field(attribute="address", column_name="Địa chỉ")
        ethnicity = fields.Field(attribute="ethnicity", column_name="Dân tộc")

        class Meta:
            model = Household
            import_id_fields = ("code",)
            fields = ("code", "commune_id", "head_name", "address", "ethnicity")
            use_bulk = True

    text = data.decode("utf-8").splitlines()
    dataset = tablib.Dataset(headers=["Mã hộ", "commune_id", "Chủ hộ", "Địa chỉ", "Dân tộc"])
    for line in text[1 : n + 1]:
        cells = line.split(",")
        dataset.append([cells[0], commune_ids[cells[1]], cells[2], cells[3], cells[4]])
    started = time.perf_counter()
    HouseholdResource().import_data(dataset, dry_run=False, raise_errors=True)
    return n / (time.perf_counter() - started)


def run(scale: str = "full") -> list[dict[str, Any]]:
    from mtqg.geo.models import UnitVersion
    from mtqg.poverty.importer import batch_approve, batch_stage
    from mtqg.poverty.standards import load_standards

    load_standards()
    rows = {"tiny": 5_000, "small": 20_000}.get(scale, 1_000_000)
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
    communes = list(
        UnitVersion.objects.filter(path__startswith=province.path, level=3).values_list("code", "pk")
    )
    data = _csv(rows, [c for c, _pk in communes])
    _cleanup()
    try:
        started = time.perf_counter()
        batch = batch_stage(actor=None, unit=province, year=YEAR, data=data, name="bench.csv")
        batch_approve(actor=None, batch=batch)
        ours = rows / (time.perf_counter() - started)
        _cleanup()
        theirs = _import_export_rate(data, min(rows, 5_000), dict(communes))
    finally:
        _cleanup()
    return [
        result(
            "poverty_import_rows_per_s",
            ours,
            "rows/s",
            baseline=theirs,
            baseline_name="django-import-export",
            target=50_000,
            lower_is_better=False,
        ),
        result("poverty_import_peak_memory", peak_memory_mib(), "MiB", target=1024),
    ]
