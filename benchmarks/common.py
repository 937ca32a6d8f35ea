"""Helpers shared by benchmark modules: timing with repeats and peak memory."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Median wall time in seconds over `repeat` runs (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def result(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    target: float | None = None,
    lower_is_better: bool = True,
) -> dict[str, Any]:
    """One benchmark figure, with its ratio against the baseline measured in the same run."""
    ratio = None
    if baseline:
        ratio = (baseline / value) if lower_is_better and value else (value / baseline)
    met = None
    if target is not None:
        met = value <= target if lower_is_better else value >= target
    return {
        "name": name,
        "value": round(value, 6),
        "unit": unit,
        "baseline": baseline and round(baseline, 6),
        "baseline_name": baseline_name,
        "ratio": ratio and round(ratio, 2),
        "target": target,
        "target_met": met,
    }
