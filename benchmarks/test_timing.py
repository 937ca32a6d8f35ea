"""`make test`'s two test phases timed: wall, CPU (user + sys of pytest and everything it starts) and the load
average (issue #24 part 9d, target: both databases under 8 minutes on this machine).

    .venv/bin/python -m benchmarks.test_timing [--concurrent] [--workers 2] [--log-dir DIR]
    .venv/bin/python -m benchmarks.test_timing --from-logs DIR --commit HASH --label before [--concurrent]

Runs the same commands as `make test-sqlite` and `make test-postgres` (pytest-xdist, `--dist loadgroup`), with
`--durations=60` so that each run also says where the time goes (the logs, in --log-dir). Sequential by default,
as `make test` runs them; `--concurrent` starts both at once (the machine is shared: then each phase's wall time
includes the other's competition, and only the CPU time compares with a sequential run). Lint and the
dependency audit are not timed. Writes benchmarks/results/<date>-test[-<label>].json in the format of
benchmarks.run. `--from-logs` records a run made by hand with the same commands: DIR holds test-<db>.log (pytest's
output), test-<db>.time (`/usr/bin/time -v -o`) and test-<db>.load (`uptime` before and after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import loadavg, report_head

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGET_S = 480.0


def _command(db: str, workers: int) -> list[str]:
    pytest = ["bash", "scripts/pytest.sh", "-n", str(workers), "--dist", "loadgroup", "--durations=60"]
    if db == "postgres":
        return ["bash", "scripts/with-postgres.sh", *pytest]
    return pytest


def _start(db: str, workers: int, log_dir: Path) -> tuple[subprocess.Popen[bytes], Path, float, str]:
    env = {**os.environ}
    if db == "sqlite":
        env["DATABASE_URL"] = ""
    log = log_dir / f"test-{db}.log"
    # /usr/bin/time -v: the CPU of the phase's process tree (not the PostgreSQL daemon), apart from the other phase's
    timed = ["/usr/bin/time", "-v", "-o", str(log_dir / f"test-{db}.time"), *_command(db, workers)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(timed, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, log, time.perf_counter(), loadavg()


def _cpu(time_file: Path) -> tuple[float, float]:
    text = time_file.read_text()
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))  # type: ignore[union-attr]
    sys_ = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))  # type: ignore[union-attr]
    return user, sys_


def _summary(log: Path) -> str:
    lines = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if re.search(r"\d+ (passed|failed)", line)
    ]
    return lines[-1].strip("= ") if lines else ""


def _server_cpu(log: Path) -> float | None:
    """The PostgreSQL server's CPU, which scripts/with-postgres.sh prints when it stops the cluster."""
    found = re.findall(r"Máy chủ PostgreSQL đã dùng CPU: (\d+) s", log.read_text(errors="replace"))
    return float(found[-1]) if found else None


def _slowest(log: Path, count: int = 15) -> list[str]:
    text = log.read_text(errors="replace")
    block = text.split("slowest 60 durations", 1)[-1].splitlines()
    return [line.strip() for line in block if re.match(r"^\d+\.\d+s ", line)][:count]


def measure(db: str, proc: subprocess.Popen[bytes], log: Path, started: float, load: str) -> dict[str, Any]:
    rc = proc.wait()
    wall = time.perf_counter() - started
    return _phase(db, log, rc, wall, load, loadavg())


def _phase(db: str, log: Path, rc: int, wall: float, load_start: str, load_end: str) -> dict[str, Any]:
    user, sys_ = _cpu(log.parent / f"test-{db}.time")
    return {
        "db": db,
        "exit_code": rc,
        "wall_s": round(wall, 1),
        "cpu_user_s": user,
        "cpu_sys_s": sys_,
        "cpu_s": round(user + sys_, 1),
        "load_average_start": load_start,
        "load_average_end": load_end,
        "server_cpu_s": _server_cpu(log),
        "summary": _summary(log),
        "slowest": _slowest(log),
    }


def _recorded(db: str, directory: Path) -> dict[str, Any]:
    """A phase run by hand: its exit code and wall time from /usr/bin/time, the load from `uptime`."""
    text = (directory / f"test-{db}.time").read_text()
    status = re.search(r"exited with non-zero status (\d+)", text)
    clock = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    parts = [float(x) for x in clock.group(1).split(":")] if clock else [0.0]
    wall = sum(value * 60**i for i, value in enumerate(reversed(parts)))
    loads = [
        line.split("load average:")[1].strip().replace(",", "")
        for line in (directory / f"test-{db}.load").read_text().splitlines()
        if "load average:" in line
    ]
    return _phase(
        db, directory / f"test-{db}.log", int(status.group(1)) if status else 0, wall, loads[0], loads[-1]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrent", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-dir", default="var")
    parser.add_argument("--from-logs", help="record a run made by hand (see above) instead of running")
    parser.add_argument("--commit", help="with --from-logs: the commit that run tested")
    parser.add_argument("--label", default="", help="results file test-<label>.json")
    parser.add_argument("--note", default="", help="what a reader must know about this run")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.common import result

    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    load_start = loadavg()
    begun = time.perf_counter()
    phases = []
    if args.from_logs:
        commit = args.commit or ""
        phases = [_recorded(db, Path(args.from_logs)) for db in ("sqlite", "postgres")]
        load_start = phases[0]["load_average_start"]
    elif args.concurrent:
        running = [(db, *_start(db, args.workers, log_dir)) for db in ("sqlite", "postgres")]
        phases = [measure(*run) for run in running]
    else:
        for db in ("sqlite", "postgres"):
            phases.append(measure(db, *_start(db, args.workers, log_dir)))
    total_wall = time.perf_counter() - begun
    if args.from_logs:
        walls = [p["wall_s"] for p in phases]
        total_wall = max(walls) if args.concurrent else sum(walls)
    total_cpu = sum(p["cpu_s"] for p in phases)
    detail = {"commit": commit, "concurrent": args.concurrent, "workers": args.workers, "phases": phases}
    rows = [result("test.both_databases_wall", total_wall, "s", target=TARGET_S)]
    rows.append(result("test.both_databases_cpu", total_cpu, "s"))
    for phase in phases:
        rows.append(result(f"test.{phase['db']}_wall", phase["wall_s"], "s"))
        rows.append(result(f"test.{phase['db']}_cpu", phase["cpu_s"], "s"))
        if phase["server_cpu_s"] is not None:
            rows.append(result(f"test.{phase['db']}_server_cpu", phase["server_cpu_s"], "s"))
    for row in rows:
        row["detail"] = detail
        row["db"] = "both"
        failed = [p for p in phases if p["exit_code"] != 0]
        if failed:
            row["error"] = "; ".join(f"{p['db']}: exit {p['exit_code']}, {p['summary']}" for p in failed)
    report = {
        **report_head("test", load_start, phases[-1]["load_average_end"] if args.from_logs else None),
        "method": "one run of each phase of `make test` (the pytest commands of make test-sqlite / test-postgres, "
        f"{args.workers} xdist workers, --durations=60), "
        + ("both phases at once" if args.concurrent else "one after the other")
        + "; CPU = user + sys of the phase's process tree (/usr/bin/time -v): pytest, its workers and "
        "their subprocesses; the PostgreSQL server's CPU (pg_ctl starts it as a daemon) is measured apart by "
        "scripts/with-postgres.sh (postgres_server_cpu), not in both_databases_cpu; lint and audit not timed.",
        "command": " ".join(sys.argv),
        **({"note": args.note} if args.note else {}),
        "results": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    path = RESULTS / f"{stamp}-test{'-' + args.label if args.label else ''}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(detail, indent=1, default=str))


if __name__ == "__main__":
    main()
