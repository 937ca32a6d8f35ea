"""`make demo` on a fresh clone, timed until the server answers (issue #24 part 9c, target < 3 min).

    .venv/bin/python -m benchmarks.demo_timing [--repo .] [--port 8183] [--limit 1200] [--repeat 5]

Clones the repository's current commit (`git clone` of this working copy: no network for the code) into a
temporary directory and runs `make demo HOST=127.0.0.1 PORT=<port>` there with a clean environment (no
DATABASE_URL, no VIRTUAL_ENV): a new virtualenv, `pip install -r requirements.lock` from the package index (pip's
own cache as it is on the machine — whether it was empty is recorded), migrate + load the units + the demo data
(`demo_setup`), then the server. It records three moments: the virtualenv's install stamp
(`.venv/.installed-runtime`), and the first HTTP answer of the server; then stops make's process group and
deletes the clone. `--repeat` fresh clones (default 5, decision 0807): each figure is the median with min/max.
Where pip took the packages from is recorded beside the timings (its cache directory and size, its index and
find-links settings): a re-run on the same machine installs from what is there, as any re-run would.
Writes benchmarks/results/<date>-demo.json in the format of benchmarks.run (rendered into docs/benchmarks.md by
benchmarks.render).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import MIN_REPEAT, Timing, loadavg, report_head, result

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, TimeoutError):
        return False


def _pip_cache() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    )
    path = Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path and path.exists() else 0
    config = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    ).stdout
    sources = [
        re.sub(r"//[^/@\s]*@", "//", line)  # never a user:password of an index URL
        for line in config.splitlines()
        if re.search(r"index-url|find-links", line)
    ]
    return {
        "pip_cache_dir": str(path) if path else "",
        "pip_cache_mib_before": round(size / 2**20, 1),
        "pip_sources": sources,
    }


SETTINGS_SCRIPT = (
    "import json, django; django.setup(); from benchmarks.run import _db_settings; "
    "print(json.dumps(_db_settings()[0]['detail']))"
)


def _clone_db_settings(clone: Path, env: dict[str, str]) -> dict[str, Any]:
    """The demo database's settings as the clone's app opens it (decision 0808), read before the clone is deleted."""
    out = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-c", SETTINGS_SCRIPT],
        cwd=clone, env={**env, "DJANGO_SETTINGS_MODULE": "mtqg.settings"}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if out.returncode == 0 and lines else {"error": out.stderr[-300:]}


def head(repo: Path) -> str:
    """The commit every run clones: resolved once, so that all the runs of a file time the same code."""
    out = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def measure(repo: Path, port: int, limit: float, commit: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="mtqg-demo-"))
    clone = workdir / "mtqg"
    cache = _pip_cache()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    log = workdir / "make.log"
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit], check=True)
    cloned = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["make", "demo", "HOST=127.0.0.1", f"PORT={port}"],
            cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    installed = answered = None
    try:
        while time.perf_counter() - started < limit:
            if installed is None and (clone / ".venv" / ".installed-runtime").exists():
                installed = time.perf_counter()
            if _answers(port):
                answered = time.perf_counter()
                break
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        tail = log.read_text(errors="replace")[-2000:]
        settings = _clone_db_settings(clone, env) if answered else {}
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "commit": commit,
        "clone_s": cloned - started,
        "install_s": (installed - cloned) if installed else None,
        "setup_and_serve_s": (answered - installed) if answered and installed else None,
        "total_s": (answered - started) if answered else None,
        "answered": answered is not None,
        "log_tail": tail,
        "db_settings": settings,
        **cache,
    }


def rows_from_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The three figures over the runs (medians with min/max); an error on every row if any run did not answer."""
    answered = [m for m in runs if m["answered"] and m["install_s"] is not None]
    figures = [
        ("demo.fresh_clone_to_answer", "total_s", 180.0),
        ("demo.venv_install", "install_s", None),
        ("demo.setup_and_serve", "setup_and_serve_s", None),
    ]
    detail = {"runs": [{k: v for k, v in m.items() if k not in ("log_tail", "db_settings")} for m in runs]}
    rows: list[dict[str, Any]] = []
    settings = next((m["db_settings"] for m in reversed(runs) if m.get("db_settings")), None)
    if settings:
        rows.append({"name": "database.settings", "db": "sqlite", "value": None, "unit": "settings",
                     "detail": settings})  # fmt: skip
    for name, key, target in figures:
        value = Timing([m[key] for m in answered]) if answered else 0.0
        row = result(name, value, "s", target=target)
        row["detail"] = detail
        row["db"] = "sqlite"
        failed = [m for m in runs if m not in answered]
        if failed:
            row["error"] = (
                f"{len(failed)} of {len(runs)} runs: the server did not answer: "
                + str(failed[0]["log_tail"])[-300:]
            )
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=str(ROOT))
    parser.add_argument("--port", type=int, default=8183)
    parser.add_argument("--limit", type=float, default=1200)
    parser.add_argument("--repeat", type=int, default=MIN_REPEAT)
    parser.add_argument("--note", help="a sentence stored in the results file and shown with its table")
    args = parser.parse_args()
    load_start = loadavg()
    commit = head(Path(args.repo))
    runs = [measure(Path(args.repo), args.port, args.limit, commit) for _ in range(args.repeat)]
    rows = rows_from_runs(runs)
    report = {
        **report_head("demo", load_start),
        "method": f"{len(runs)} fresh clones of the commit, one after the other, each `make demo` with a clean "
        "environment timed until the first HTTP answer; median with min/max; install = new virtualenv + pip install "
        "-r requirements.lock from the sources pip is configured with on this machine (cache and sources in the "
        "detail).",
        **({"note": args.note} if args.note else {}),
        "command": " ".join(sys.argv),
        "results": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    path = RESULTS / f"{stamp}-demo.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(rows[-1]["detail"], indent=1, default=str))
    print(runs[-1]["log_tail"][-1500:])


if __name__ == "__main__":
    main()
