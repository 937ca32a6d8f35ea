"""Poverty benchmark: import of household review rows (12 deprivation columns) end to end with validation through
the app's importer (stream + validate + classify + stage → checker accepts all → commit by INSERT … SELECT),
side by side with django-import-export and with the machine's floor on the same file (decision 0807).

Sizes: tiny 20.000 rows, province 200.000, full/national 1.000.000 for ours and the floor; django-import-export
writes the first 10.000 rows in its fast mode and 1.000 in its default mode (its rows/s hardly depends on the
size). Each of `repeat` (5) rounds runs the four one after the other, each on clean tables; every figure is the
median of the rounds with min/max.

- django-import-export writes the SAME rows as ours: each household AND its review (class decided by the app's
  rule), both resources in one transaction. Fast mode = its documented options for new rows (bulk mode with
  `batch_size`, `skip_diff`, `force_init_instance`, `skip_unchanged`/`report_skipped` off); default mode = its
  defaults (labelled).
- The floor: the same rows, read from the same file with no validation, written straight into households and
  reviews (explicit ids; PostgreSQL COPY, SQLite executemany) with the register's constraints, **committed** — no
  staging, no maker-checker, no tallies. `poverty_import_vs_floor` = ours ÷ floor (issue #24: ≥ 95 %).
- Clean tables: after every measurement the rows are deleted, the tallies restored, and on PostgreSQL the written
  tables are VACUUM ANALYZEd and a CHECKPOINT taken, so neither ours nor the floor pays for the previous run's dead
  index entries or for writing out its dirty pages.

Standalone: `DATABASE_URL=... .venv/bin/python -m benchmarks.poverty_import --rows 200000 [--repeat 5]`.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from .common import Timing, peak_memory_mib, result

YEAR = 2023
SIZES = {"tiny": 20_000, "small": 200_000, "province": 200_000, "full": 1_000_000, "national": 1_000_000}


def _write_csv(path: str, n: int, communes: list[str]) -> None:
    from mtqg.poverty.importing import template_headers
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
    """Remove every row of the benchmark (households, reviews, batches), put the tallies of the communes it touched
    back as they were, and on PostgreSQL VACUUM (ANALYZE) the tables written to, so that the next measurement —
    ours or the floor — starts on clean tables without dead index entries (decision 0807)."""
    from django.db import connection, transaction

    from mtqg.poverty.models import Household, ImportBatch, Review, StagedChunk, StagedDecision
    from mtqg.poverty.tally import tally_refresh

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SELECT DISTINCT commune_id FROM {Household._meta.db_table} WHERE code LIKE 'BENCH-%%'")
        communes = [row[0] for row in cur.fetchall()]
        ids = f"SELECT id FROM {Household._meta.db_table} WHERE code LIKE 'BENCH-%%'"
        cur.execute(f"DELETE FROM {Review._meta.db_table} WHERE household_id IN ({ids})")
        cur.execute(f"DELETE FROM {Household._meta.db_table} WHERE code LIKE 'BENCH-%%'")
        ImportBatch.objects.filter(file_name="bench.csv").delete()
        if communes:
            tally_refresh(communes, [YEAR])
    if (
        connection.vendor == "postgresql" and not connection.in_atomic_block
    ):  # VACUUM: not inside a transaction
        tables = [m._meta.db_table for m in (Household, Review, StagedChunk, StagedDecision)]
        with connection.cursor() as cur:
            cur.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
            # and a checkpoint: the previous measurement's writes are flushed now, not during the next one (a
            # checkpoint comes every ≈ 1 GB of WAL, ≈ two rounds, and otherwise lands on whichever runs then)
            cur.execute("CHECKPOINT")


def _read_rows(path: str, n: int) -> list[list[str]]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return [cells for _i, cells in zip(range(n), reader, strict=False)]


def _import_export_rate(path: str, n: int, commune_ids: dict[str, int], *, fast: bool) -> float:
    """django-import-export writing the SAME rows as ours: every household AND its review (class decided by the
    app's rule), both resources in one transaction. `fast`: its documented fast options — bulk mode
    (`use_bulk`, `batch_size` 5.000), `skip_diff`, `force_init_instance` (every row is new: no look-up),
    `skip_unchanged` off, `report_skipped` off, no per-row transaction, the household of each review resolved
    from one dict read once (not a query per row). Otherwise its defaults: per-row save with look-up and diff,
    the review's household by `ForeignKeyWidget(Household, "code")`. Rows/s over the whole (file → committed)."""
    import json

    import tablib
    from django.db import transaction
    from import_export import fields, resources, widgets

    from mtqg.core.text import fold
    from mtqg.poverty.importing import fast_rule as _fast_rule
    from mtqg.poverty.models import Household, Review
    from mtqg.poverty.standards import standard_for

    standard = standard_for(YEAR)
    rule = _fast_rule(standard)
    codes = [i["code"] for i in standard.indicators]
    options = (
        {"use_bulk": True, "batch_size": 5_000, "skip_diff": True, "force_init_instance": True,
         "skip_unchanged": False, "report_skipped": False, "use_transactions": False}
        if fast else {}
    )  # fmt: skip

    class HouseholdResource(resources.ModelResource):
        code = fields.Field(attribute="code", column_name="code")
        commune_id = fields.Field(attribute="commune_id", column_name="commune_id")
        head_name = fields.Field(attribute="head_name", column_name="head_name")
        head_search = fields.Field(attribute="head_search", column_name="head_search")
        address = fields.Field(attribute="address", column_name="address")
        ethnicity = fields.Field(attribute="ethnicity", column_name="ethnicity")
        area = fields.Field(attribute="area", column_name="area")

        class Meta:
            model = Household
            import_id_fields = ("code",)
            fields = ("code", "commune_id", "head_name", "head_search", "address", "ethnicity", "area")

    review_fields = ["commune_id", "year", "kind", "area", "income_per_capita_month", "deprivations",
                     "deprivation_count", "standard_id", "poverty_class", "transition", "ethnicity"]  # fmt: skip

    class ReviewResource(resources.ModelResource):  # default mode: the household found by its code, per row
        household = fields.Field(
            attribute="household", column_name="household", widget=widgets.ForeignKeyWidget(Household, "code")
        )
        commune_id = fields.Field(attribute="commune_id", column_name="commune_id")
        standard_id = fields.Field(attribute="standard_id", column_name="standard_id")
        deprivations = fields.Field(
            attribute="deprivations", column_name="deprivations", widget=widgets.JSONWidget()
        )

        class Meta:
            model = Review
            import_id_fields = ("household", "year", "kind")
            fields = ("household", *review_fields)

    class FastReviewResource(resources.ModelResource):  # fast mode: the household id given in the dataset
        household_id = fields.Field(attribute="household_id", column_name="household_id")
        commune_id = fields.Field(attribute="commune_id", column_name="commune_id")
        standard_id = fields.Field(attribute="standard_id", column_name="standard_id")
        deprivations = fields.Field(
            attribute="deprivations", column_name="deprivations", widget=widgets.JSONWidget()
        )

        class Meta:
            model = Review
            import_id_fields = ("household_id", "year", "kind")
            fields = ("household_id", *review_fields)

    for resource in (HouseholdResource, FastReviewResource):
        for key, value in options.items():
            setattr(resource._meta, key, value)

    started = time.perf_counter()
    rows = _read_rows(path, n)
    h_headers = ["code", "commune_id", "head_name", "head_search", "address", "ethnicity", "area"]
    households = tablib.Dataset(headers=h_headers)
    parsed = []
    for cells in rows:
        area = "urban" if cells[5] == "thành thị" else "rural"
        households.append(
            [cells[0], commune_ids[cells[1]], cells[2], fold(cells[2]), cells[3], cells[4], area]
        )
        deps = [codes[k] for k, v in enumerate(cells[7:]) if v]
        income = int(cells[6])
        parsed.append(
            (cells[0], commune_ids[cells[1]], area, income, deps, rule(area, income, len(deps)), cells[4])
        )
    with transaction.atomic():
        HouseholdResource().import_data(households, dry_run=False, raise_errors=True, use_transactions=False)
        first = "household_id" if fast else "household"
        reviews = tablib.Dataset(headers=[first, "commune_id", "year", "kind", "area", "income_per_capita_month",
                                          "deprivations", "deprivation_count", "standard_id", "poverty_class",
                                          "transition", "ethnicity"])  # fmt: skip
        ids = (
            dict(Household.objects.filter(code__startswith="BENCH-").values_list("code", "id"))
            if fast
            else None
        )
        for code, commune, area, income, deps, cls, eth in parsed:
            reviews.append([ids[code] if ids is not None else code, commune, YEAR, "periodic", area, income,
                            json.dumps(deps), len(deps), standard.pk, cls,
                            "new" if cls in ("poor", "near_poor") else "", eth])  # fmt: skip
        resource = FastReviewResource() if fast else ReviewResource()
        resource.import_data(reviews, dry_run=False, raise_errors=True, use_transactions=False)
    took = time.perf_counter() - started
    assert Review.objects.filter(household__code__startswith="BENCH-").count() == n
    return n / took


def _floor_rate(path: str, n: int, commune_ids: dict[str, int]) -> float:
    """Rows/s of the bare write of the same rows into the register (see the module docstring): committed, like
    ours, on tables cleaned by `_cleanup` (VACUUM on PostgreSQL)."""
    import csv
    import json

    from django.db import connection, transaction

    from mtqg.poverty.models import Household, Review
    from mtqg.poverty.standards import standard_for

    standard = standard_for(YEAR)
    codes = [i["code"] for i in standard.indicators]
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
                    area = "urban" if cells[5] == "thành thị" else "rural"
                    deps = [codes[k] for k, v in enumerate(cells[7:]) if v]
                    households.append(
                        (next_id, cells[0], commune, "", cells[3], cells[2], cells[2], cells[4], area)
                    )
                    reviews.append(
                        (next_id, commune, YEAR, "periodic", area, int(cells[6]), json.dumps(deps), len(deps),
                         standard.pk, "poor", "", "", "[]", False, False, False, False, "", cells[4])
                    )  # fmt: skip
                    next_id += 1
                    if len(households) == 10_000:
                        break
                if not households:
                    break
                write(Household, h_cols, households)
                write(Review, r_cols, reviews)
    if postgres:  # the identity sequence after explicit ids, as any bulk loader must leave it
        with connection.cursor() as cur:
            table = Household._meta.db_table
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
    return n / (time.perf_counter() - started)


def _ours(path: str, province: Any, rows: int) -> tuple[float, float, float, float]:
    """File → staged (validated, classified) → the checker approves all → committed (register and tallies), then
    the dashboards' refresh, which the commit leaves to a background job (decision 0831) and which is run here
    at once, as the worker would. (committed, stage, commit, committed + refresh) s."""
    from mtqg.core.jobs import job_run
    from mtqg.core.models import Job
    from mtqg.poverty.importing import batch_approve, batch_stage

    started = time.perf_counter()
    with open(path, "rb") as f:
        batch = batch_stage(actor=None, unit=province, year=YEAR, data=f, name="bench.csv")
    staged = time.perf_counter()
    assert batch.status == "staged", batch.errors[:3]
    created = batch_approve(actor=None, batch=batch)
    done = time.perf_counter()
    assert created == rows, created
    queued = Job.objects.filter(kind="dashboards.refresh", status=Job.Status.QUEUED)
    for job in queued.values_list("pk", flat=True):
        job_run(str(job))
    refreshed = time.perf_counter()
    return done - started, staged - started, done - staged, refreshed - started


def measure(
    rows: int, theirs_rows: int = 20_000, default_rows: int = 2_000, repeat: int = 5
) -> dict[str, Any]:
    """`repeat` rounds (≥ 5 for the results files; tests pass fewer); each round runs ours, the floor,
    django-import-export in fast mode and in default mode, one after the other on clean tables, so that the
    machine's load drifts over all four alike."""
    from mtqg.geo.models import UnitVersion
    from mtqg.poverty.standards import load_standards

    load_standards()
    province = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
    communes = list(
        UnitVersion.objects.filter(path__startswith=province.path, level=3).values_list("code", "pk")
    )
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    ours: list[float] = []
    stage: list[float] = []
    commit: list[float] = []
    refreshed: list[float] = []
    floor: list[float] = []
    fast: list[float] = []
    default: list[float] = []
    theirs_rows, default_rows = min(rows, theirs_rows), min(rows, default_rows)
    try:
        _write_csv(path, rows, [c for c, _pk in communes])
        _cleanup()
        for _round in range(repeat):
            total, s, c, with_refresh = _ours(path, province, rows)
            ours.append(rows / total)
            refreshed.append(rows / with_refresh)
            stage.append(s)
            commit.append(c)
            _cleanup()
            floor.append(_floor_rate(path, rows, dict(communes)))
            _cleanup()
            fast.append(_import_export_rate(path, theirs_rows, dict(communes), fast=True))
            _cleanup()
            default.append(_import_export_rate(path, default_rows, dict(communes), fast=False))
            _cleanup()
    finally:
        _cleanup()
        os.unlink(path)
    return {
        "rows": rows,
        "theirs_rows": theirs_rows,
        "default_rows": default_rows,
        "ours": Timing(ours),
        "ours_with_refresh": Timing(refreshed),
        "stage_s": Timing(stage),
        "commit_s": Timing(commit),
        "floor": Timing(floor),
        "fast": Timing(fast),
        "default": Timing(default),
        "peak_rss_mib": peak_memory_mib(),
    }


def run(scale: str = "full") -> list[dict[str, Any]]:
    from django.db import connection

    m = measure(SIZES.get(scale, SIZES["full"]))
    detail = {
        "rows": m["rows"],
        "import_export_fast_rows": m["theirs_rows"],
        "import_export_default_rows": m["default_rows"],
        "stage_s": [round(x, 3) for x in m["stage_s"].samples],
        "commit_s": [round(x, 3) for x in m["commit_s"].samples],
        "floor": "committed; tables cleaned (PostgreSQL: VACUUM ANALYZE) before every measurement",
        "vendor": connection.vendor,
    }
    rows = [
        result(
            "poverty_import_rows_per_s",
            m["ours"],
            "rows/s",
            baseline=m["fast"],
            baseline_name="django-import-export, fast options (bulk, skip_diff, force_init_instance), "
            "households + reviews",
            target=50_000,
            lower_is_better=False,
        ),
        result(
            "poverty_import_vs_import_export_default",
            m["ours"],
            "rows/s",
            baseline=m["default"],
            baseline_name="django-import-export, default options, households + reviews",
            lower_is_better=False,
        ),
        result(
            "poverty_import_vs_floor",
            m["ours"],
            "rows/s",
            baseline=m["floor"],
            baseline_name="floor: bare write of the same rows, committed, clean tables",
            target=None,
            lower_is_better=False,
        ),
        result(
            "poverty_import_with_refresh_vs_floor",
            m["ours_with_refresh"],
            "rows/s",
            baseline=m["floor"],
            baseline_name="floor: bare write of the same rows, committed, clean tables (ours here includes the "
            "dashboards' refresh the commit leaves to a job, decision 0831)",
            lower_is_better=False,
        ),
        result("poverty_import_peak_memory", m["peak_rss_mib"], "MiB", target=1024),
    ]
    rows[2]["ratio_target"] = 0.95  # ours ÷ floor, issue #24
    rows[2]["ratio_target_met"] = bool(rows[2]["ratio"] and rows[2]["ratio"] >= 0.95)
    for row in rows:
        row["detail"] = detail
    return rows


if __name__ == "__main__":
    import argparse
    import json

    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--theirs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    from django.db import connection

    out = measure(args.rows, args.theirs, repeat=args.repeat)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                **{k: (v.samples if hasattr(v, "samples") else v) for k, v in out.items()},
            },
            indent=1,
        )
    )
