"""Optimiser benchmark: criterion-level model for 3,321 communes × 19 criteria (to 1e-4 gap) and the commune-level
model, on a synthetic but realistically shaped instance (no database needed).

    .venv/bin/python -m benchmarks.planning
"""

from __future__ import annotations

import os
import random
import sys
import time
from decimal import Decimal
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
django.setup()

from mtqg.planning.optimiser import (  # noqa: E402
    MILLION,
    Commune,
    Gap,
    Problem,
    Rules,
    evaluate,
    even_spreading,
    greedy_closest,
    solve,
)

UNIT = [
    300,
    8000,
    3000,
    2500,
    6000,
    3000,
    1500,
    500,
    4000,
    2000,
    2500,
    800,
    1000,
    600,
    1200,
    400,
    2500,
    200,
    150,
]
FLAG_SETS = [
    frozenset(),
    frozenset({"poor_district"}),
    frozenset({"border", "p135"}),
    frozenset({"em3", "p135"}),
]


def instance(n: int = 3321, seed: int = 2026) -> list[Commune]:
    rng = random.Random(seed)
    communes = []
    for i in range(n):
        met = min(19, max(2, int(rng.gauss(14, 4))))
        missing = rng.sample(range(1, 20), 19 - met)
        factor = rng.choice([1.0, 1.1, 1.25])
        gaps = [
            Gap(k, f"TC {k}", "chua_dat", int(UNIT[k - 1] * factor * rng.uniform(0.6, 1.4)) * MILLION)
            for k in sorted(missing)
        ]
        communes.append(
            Commune(
                i,
                f"{i:05d}",
                f"Xã {i}",
                f"H{i // 10:03d}",
                f"Huyện {i // 10}",
                met,
                19,
                rng.choice(FLAG_SETS),
                gaps,
            )
        )
    return communes


def results(scale: str = "province") -> list[dict[str, Any]]:
    """benchmarks.run: each of the four solves timed REPEAT times (median, min/max; decision 0807)."""
    from benchmarks.common import Timing, result

    samples: dict[str, list[float]] = {}
    for _ in range(REPEAT):
        for key, seconds in run(quiet=True).items():
            samples.setdefault(key, []).append(seconds)
    return [result(f"planning.{key}", Timing(values), "s") for key, values in samples.items()]


REPEAT = 5


def run(n: int = 3321, quiet: bool = False) -> dict[str, float]:
    communes = instance(n)
    budget = 15_000_000 * MILLION  # 15.000 tỷ đồng
    rules = Rules(
        min_shares={"poor_district": Decimal("0.2"), "border": Decimal("0.1")},
        max_area_share=Decimal("0.02"),
        min_per_commune=1_000 * MILLION,
        together=[(2, 3)],
    )
    out: dict[str, float] = {}
    if not quiet:
        print("tải máy (uptime):", " ".join(f"{v:.2f}" for v in os.getloadavg()))
    for mode, objective in (
        ("commune", "communes"),
        ("criterion", "communes"),
        ("commune", "weighted"),
        ("criterion", "weighted"),
    ):
        problem = Problem(communes, budget, mode, objective, rules)
        started = time.perf_counter()
        cpu = time.process_time()
        sol = solve(problem, time_limit=60, gap=1e-4)
        key = f"{mode}/{objective}"
        out[key] = time.perf_counter() - started
        if quiet:
            continue
        fig = evaluate(problem, sol)
        phases = ", ".join(f"{k} {v:.2f}" for k, v in sol.phases.items())
        print(
            f"{key:20s}: {out[key]:.2f} s ({time.process_time() - cpu:.2f} s CPU), {sol.items} mục, "
            f"trạng thái {sol.status}, gap {sol.mip_gap:.2e}, mục tiêu {sol.objective:.0f} "
            f"(cận trên {sol.bound:.1f}), {fig['communes_reaching']} xã đạt chuẩn mới [{phases}]"
        )
    if quiet:
        return out
    plain = Problem(communes, budget, "criterion", "communes", Rules())
    for name, fn in (("even", even_spreading), ("greedy", greedy_closest)):
        print(
            f"{name:9s}: {evaluate(plain, fn(plain))['communes_reaching']} xã đạt chuẩn mới (không ràng buộc)"
        )
    print("tải máy (uptime):", " ".join(f"{v:.2f}" for v in os.getloadavg()))
    return out


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 3321)
