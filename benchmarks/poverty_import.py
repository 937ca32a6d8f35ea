"""Poverty benchmark: import of household review rows (12 deprivation columns) end to end with validation through
the app's importer (stream + validate + classify + stage → checker accepts all → commit by INSERT … SELECT) versus
django-import-export on the same file, side by side.

`run(scale)` returns result dicts (benchmarks.run format): full = 1,000,000 rows for our importer, small = 200,000,
tiny = 20,000. django-import-export is measured on at most 5,000 rows of the same file (its rows/s does not depend on
the size) and the ratio compares rows/s. Peak RSS (resource.getrusage) is reported for the process. Needs a migrated
database with units; cleans up rows marked BENCH-.

The same run measures the machine's *floor*: the same rows, read from the same file with no validation, written
straight into households and reviews (explicit ids; PostgreSQL COPY, SQLite executemany) with the register's
constraints, in one transaction that is then rolled back — no staging, no maker-checker, no tallies. It is what
any importer on this machine and database at least costs; `poverty_import_vs_floor` says how close ours is.

Standalone: `DATABASE_URL=... .venv/bin/python -m benchmarks.poverty_import --rows 200000 [--theirs 5000]`.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from .common import peak_memory_mib, result

YEAR = 2023
SIZES = {"tiny": 20_000, "small": 200_000, "full": 1_000_000}


def _write_csv(path: str, n: int, communes: list[str]) -> None:
    from mtqg.poverty.importer import template_headers
    from mtqg.poverty.standards import standard_for

    ethnic = ["Thái", "Mông", "Kinh", "Khơ Mú", "Dao"]
    names = ["Lò Văn Pâng", "Vừ A Dính", "Nguyễn Thị Hoa", "Quàng Văn Ín", "Giàng Thị Mai", "Lường Văn Sơn"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + ",".join(template_headers(standard_for(YEAR))) + "\r\n")
        buf = []
        for i in range(n):
            deps = ",".join("x" if (i * 7 + k * 3) % 5 == 0 else "" for k in range(12))
            buf.append(
                f"BENCH-{i:07d},{communes[i % len(communes)]},{names[i % 6]},Bản {i % 40 + 1},"
                f"{ethnic[i % 5]},{'nông thôn' if i % 9 else 'thành thị'},{600_000 + (i * 7919) % 3_000_000},"
                f"{deps}\r\n"
            )
            if len(buf) == 10_000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))


def _cleanup() -> None:
    from django.db import connection, transaction

    from mtqg.poverty.models import Household, ImportBatch, Review

    with transaction.atomic(), connection.cursor() as cur:
        ids = f"SELECT id FROM {Household._meta.db_table} WHERE code LIKE 'BENCH-%%'"
        cur.execute(f"DELETE FROM {Review._meta.db_table} WHERE household_id IN ({ids})")
        cur.execute(f"DELETE FROM {Household._meta.db_table} WHERE code LIKE 'BENCH-%%'")
        ImportBatch.objects.filter(file_name="bench.csv").delete()


def _import_export_rate(path: str, n: int, commune_ids: dict[str, int]) -> float:
    import csv

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

    started = time.perf_counter()
    dataset = tablib.Dataset(headers=["Mã hộ", "commune_id", "Chủ hộ", "Địa chỉ", "Dân tộc"])
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for _i, cells in zip(range(n), reader, strict=False):
            dataset.append([cells[0], commune_ids[cells[1]], cells[2], cells[3], cells[4]])
    HouseholdResource().import_data(dataset, dry_run=False, raise_errors=True)
    return n / (time.perf_counter() - started)


def _floor_rate(path: str, n: int, commune_ids: dict[str, int]) -> float:
    """Rows/s of the bare write of the same rows into the register (see the module docstring)."""
    import csv
    import json

    from django.db import connection, transaction

    from mtqg.poverty.models import Household, PovertyStandard, Review

    standard = PovertyStandard.objects.order_by("-pk").values_list("pk", flat=True).first()
    qn = connection.ops.quote_name
    h_cols = [
        "id",
        "code",
        "commune_id",
        "village_name",
        "address",
        "head_name",
        "head_search",
        "ethnicity",
        "area",
    ]
    r_cols = [
        "household_id", "commune_id", "year", "kind", "area", "income_per_capita_month", "deprivations",
        "deprivation_count", "standard_id", "poverty_class", "local_class", "transition", "causes",
        "policy_housing", "policy_water", "policy_credit", "policy_production", "approval_decision", "ethnicity",
    ]  # fmt: skip
    postgres = connection.vendor == "postgresql"

    def write(model: Any, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
        table, names = qn(model._meta.db_table), ", ".join(cols)
        raw = connection.connection.cursor()
        if postgres:
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['?'] * len(cols))})", rows)

    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(Household._meta.db_table)}")
            next_id = int(cur.fetchone()[0]) + 1
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            while True:
                households, reviews = [], []
                for cells in reader:
                    commune = commune_ids[cells[1]]
                    deps = [str(k) for k, v in enumerate(cells[7:]) if v]
                    households.append(
                        (next_id, cells[0], commune, "", cells[3], cells[2], cells[2], cells[4], "rural")
                    )
                    reviews.append(
                        (next_id, commune, YEAR, "periodic", "rural", int(cells[6]), json.dumps(deps), len(deps),
                         standard, "poor", "", "", "[]", False, False, False, False, "", cells[4])
                    )  # fmt: skip
                    next_id += 1
                    if len(households) == 10_000:
                        break
                if not households:
                    break
                write(Household, h_cols, households)
                write(Review, r_cols, reviews)
        if (
            postgres
        ):  # deferred foreign keys are checked now, as at a commit (SQLite checks each row on insert)
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return n / elapsed


def measure(rows: int, theirs_rows: int = 5_000) -> dict[str, Any]:
    from mtqg.geo.models import UnitVersion
    from mtqg.poverty.importer import batch_approve, batch_stage
    from mtqg.poverty.standards import load_standards

    load_standards()
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
    communes = list(
        UnitVersion.objects.filter(path__startswith=province.path, level=3).values_list("code", "pk")
    )
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        _write_csv(path, rows, [c for c, _pk in communes])
        _cleanup()
        started = time.perf_counter()
        with open(path, "rb") as f:
            batch = batch_stage(actor=None, unit=province, year=YEAR, data=f, name="bench.csv")
        staged = time.perf_counter()
        assert batch.status == "staged", batch.errors[:3]
        created = batch_approve(actor=None, batch=batch)
        done = time.perf_counter()
        assert created == rows, created
        _cleanup()
        floor = _floor_rate(path, rows, dict(communes))
        theirs = _import_export_rate(path, min(rows, theirs_rows), dict(communes))
    finally:
        _cleanup()
        os.unlink(path)
    total = done - started
    return {
        "rows": rows,
        "stage_s": round(staged - started, 2),
        "commit_s": round(done - staged, 2),
        "ours_rows_per_s": rows / total,
        "theirs_rows": min(rows, theirs_rows),
        "theirs_rows_per_s": theirs,
        "ratio": (rows / total) / theirs,
        "floor_rows_per_s": floor,
        "of_floor": (rows / total) / floor,
        "peak_rss_mib": peak_memory_mib(),
    }


def run(scale: str = "full") -> list[dict[str, Any]]:
    m = measure(SIZES.get(scale, SIZES["full"]))
    return [
        result(
            "poverty_import_rows_per_s",
            m["ours_rows_per_s"],
            "rows/s",
            baseline=m["theirs_rows_per_s"],
            baseline_name="django-import-export",
            target=50_000,
            lower_is_better=False,
        ),
        result(
            "poverty_import_vs_floor",
            m["ours_rows_per_s"],
            "rows/s",
            baseline=m["floor_rows_per_s"],
            baseline_name="bare write of the same rows (no validation, staging or checker)",
            lower_is_better=False,
        ),
        result("poverty_import_peak_memory", m["peak_rss_mib"], "MiB", target=1024),
    ]


if __name__ == "__main__":
    import argparse
    import json

    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--theirs", type=int, default=5_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    from django.db import connection

    print(json.dumps({"vendor": connection.vendor, **measure(args.rows, args.theirs)}, indent=1))
