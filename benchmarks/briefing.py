"""Briefing benchmark: a province briefing (data → report → document) in DOCX (target < 3 s) and PDF (< 6 s).

Measures the whole path a user waits for: the briefing report assembled from the catalog reports on the database,
then rendered by mtqg.reports.writers. Needs the demo database (`make demo`: Cao Bằng 2023 finance/NTM/OCOP data).

Standalone: `.venv/bin/python -m benchmarks.briefing [--unit 04 --year 2023 --as-of 2024-01-31 --repeat 3]`.
`run(scale)` returns result dicts in the benchmarks.run format.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from .common import result, timed


def _build(unit: str, year: str, as_of: str) -> Any:
    from mtqg.reports.params import parse_params
    from mtqg.supervision.briefing import briefing

    params = parse_params({"unit": unit, "year": year, "as_of": as_of, "include_carry_over": "1"})
    return briefing(None, params)


def measure(
    unit: str = "04", year: str = "2023", as_of: str = "2024-01-31", repeat: int = 3
) -> dict[str, float]:
    from mtqg.reports.writers import render

    out = {}
    for fmt in ("docx", "pdf"):
        out[fmt] = timed(lambda fmt=fmt: render("briefing", _build(unit, year, as_of), fmt), repeat=repeat)
    out["data"] = timed(lambda: _build(unit, year, as_of), repeat=repeat)
    return out


def run(scale: str = "small") -> list[dict[str, Any]]:
    """Cao Bằng 2023 on the demo database; on a `make bench` database (the synthetic country, no Cao Bằng data)
    the synthetic province, Điện Biên 2024 at 31/01/2025. Medians of 5 (decision 0807)."""
    from django.core.exceptions import ValidationError

    case = ("04", "2023", "2024-01-31")
    try:
        _build(*case)
    except ValidationError:
        case = ("11", "2024", "2025-01-31")
    t = measure(*case, repeat=5)
    rows = [
        result("briefing.province.data", t["data"], "s"),
        result("briefing.province.docx", t["docx"], "s", target=3.0),
        result("briefing.province.pdf", t["pdf"], "s", target=6.0),
    ]
    for row in rows:
        row["detail"] = {"unit": case[0], "year": case[1], "as_of": case[2]}
    return rows


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--unit", default="04")
    parser.add_argument("--year", default="2023")
    parser.add_argument("--as-of", dest="as_of", default="2024-01-31")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    t = measure(args.unit, args.year, args.as_of, args.repeat)
    print(f"briefing {args.unit} {args.year} (median of {args.repeat}, after a warm-up):")
    print(f"  data only : {t['data']:.2f} s")
    print(f"  DOCX      : {t['docx']:.2f} s  (target < 3 s) {'OK' if t['docx'] < 3 else 'OVER'}")
    print(f"  PDF       : {t['pdf']:.2f} s  (target < 6 s) {'OK' if t['pdf'] < 6 else 'OVER'}")


if __name__ == "__main__":
    main()
