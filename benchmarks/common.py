"""Helpers shared by benchmark modules: timing with repeats (median, min, max), side-by-side pairs, peak memory.

Every timed figure is a `Timing`: a float equal to the median of ≥ 5 runs that also carries its samples, so that
`result()` records n, min and max next to the median (decision 0807). A figure given as a plain float is recorded
with n = 1 and shown as a single run in docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from django.test.utils import setup_test_environment

MIN_REPEAT = 5


class Timing(float):
    """The median of `samples` (a float), with the samples kept for min/max."""

    samples: list[float]

    def __new__(cls, samples: list[float]) -> Timing:
        if not samples:
            raise ValueError("no samples")
        obj = super().__new__(cls, statistics.median(samples))
        obj.samples = list(samples)
        return obj


def timed(fn: Callable[[], Any], repeat: int = MIN_REPEAT, warmup: bool = True) -> Timing:
    """Median wall time in seconds over max(repeat, 5) runs, after one warm-up unless `warmup` is False."""
    if warmup:
        fn()
    samples = []
    for _ in range(max(repeat, MIN_REPEAT)):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return Timing(samples)


def paired(
    ours: Callable[[], Any], theirs: Callable[[], Any], repeat: int = MIN_REPEAT, warmup: bool = True
) -> tuple[Timing, Timing]:
    """Ours and the baseline timed alternately (ours, theirs, ours, …) so that the machine's load drifts over both
    alike: the ratio of the two medians is the side-by-side figure."""
    if warmup:
        ours()
        theirs()
    a: list[float] = []
    b: list[float] = []
    for _ in range(max(repeat, MIN_REPEAT)):
        for fn, out in ((ours, a), (theirs, b)):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
    return Timing(a), Timing(b)


def rates(count: float, timing: Timing) -> Timing:
    """Per-second throughput of `count` items from a Timing (each sample converted)."""
    return Timing([count / s for s in timing.samples])


def ensure_test_environment() -> None:
    """Django's test environment (the test client's instrumented renderer, locmem e-mail), once per process: several
    steps of one module need it and Django refuses a second setup (decision 0845)."""
    with contextlib.suppress(RuntimeError):  # set up already by an earlier step of this process
        setup_test_environment()


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loadavg() -> str:
    """/proc/loadavg's three averages (1, 5, 15 min) as results files write them: how busy the machine was."""
    path = "/proc/loadavg"
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        return " ".join(f.read().split()[:3])


def report_head(scale: str, load_start: str, load_end: str | None = None) -> dict[str, Any]:
    """The fields every results file opens with (benchmarks/render.py reads them): when, the scale, the machine,
    the load average before the run and after it (now, unless given)."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": scale,
        "host": f"{os.cpu_count()} CPU, Python {sys.version.split()[0]}",
        "load_average_start": load_start,
        "load_average_end": loadavg() if load_end is None else load_end,
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _spread(value: float) -> dict[str, Any]:
    samples = getattr(value, "samples", None)
    if not samples:
        return {"n": 1}
    return {
        "n": len(samples),
        "min": round(min(samples), 6),
        "max": round(max(samples), 6),
        "samples": [round(s, 6) for s in samples],
    }


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
    """One benchmark figure, with its ratio against the baseline measured in the same run. `value` and `baseline`
    may be Timings (medians with samples): n/min/max are recorded for both."""
    ratio = None
    if baseline:
        ratio = (baseline / value) if lower_is_better and value else (value / baseline)
    met = None
    if target is not None:
        met = value <= target if lower_is_better else value >= target
    row: dict[str, Any] = {
        "name": name,
        "value": round(float(value), 6),
        "unit": unit,
        **_spread(value),
        "baseline": baseline and round(float(baseline), 6),
        "baseline_name": baseline_name,
        "ratio": ratio and round(ratio, 2),
        "target": target,
        "target_met": met,
        "lower_is_better": lower_is_better,
    }
    if baseline:
        spread = _spread(baseline)
        row["baseline_n"] = spread["n"]
        if "min" in spread:
            row["baseline_min"], row["baseline_max"] = spread["min"], spread["max"]
    return row
