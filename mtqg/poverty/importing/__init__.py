"""Bulk import of a review (CSV/XLSX, Vietnamese headers, template close to the TT 07/2021 forms).

Pipeline (docs/decisions/0201-poverty-fast-import.md):
1. `batch_stage` (services) — streams the file(s) once (reader: csv.reader / calamine), validates each row in plain
   Python against precompiled lookups and classifies it with the engine's rule (validate), and stages it packed, a
   thousand rows to a `StagedChunk` (staging: `core.bulk`, executemany on SQLite, COPY from a writer thread on
   PostgreSQL; decision 0816). Any error → the batch is INVALID with per-row errors (line numbers, downloadable)
   and its staged rows are dropped: nothing reaches the register.
2. The checker (≠ maker) accepts or rejects records one by one (`staged_row_decide`) and/or accepts all remaining
   ones (`batch_accept_rest`), or rejects the whole batch (`batch_reject`).
3. `batch_commit_request` enqueues the background job `poverty.batch_commit` → `batch_commit_job`, which runs
   `batch_write_to_register` (commit): the accepted rows copied from the chunks straight into the register in one
   transaction, with progress (a re-review: INSERT … SELECT skipping existing rows).
   `batch_approve` does both checker steps at once and writes synchronously (commands, benchmarks).
Re-importing the same file (same SHA-256 for the same unit and year) returns the existing batch; committing never
duplicates a household/year review or a household's members.
"""

from .commit import batch_write_to_register
from .reader import MEMBER_HEADERS, errors_csv, template_csv, template_headers, template_xlsx
from .services import (
    batch_accept_rest,
    batch_approve,
    batch_commit_job,
    batch_commit_request,
    batch_reject,
    batch_stage,
    staged_row_decide,
    validate_file,
)
from .staging import StagedLines
from .validate import fast_rule

__all__ = [
    "MEMBER_HEADERS",
    "StagedLines",
    "batch_accept_rest",
    "batch_approve",
    "batch_commit_job",
    "batch_commit_request",
    "batch_reject",
    "batch_stage",
    "batch_write_to_register",
    "errors_csv",
    "fast_rule",
    "staged_row_decide",
    "template_csv",
    "template_headers",
    "template_xlsx",
    "validate_file",
]
