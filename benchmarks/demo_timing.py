"""`make demo` on a fresh clone, timed until the server answers (issue #24 part 9c, target < 3 min).

    .venv/bin/python -m benchmarks.demo_timing [--repo .] [--port 8183] [--limit 1200]

Clones the repository's current commit (`git clone` of this working copy: no network for the code) into a
temporary directory and runs `make demo HOST=127.0.0.1 PORT=<port>` there with a clean environment (no
DATABASE_URL, no VIRTUAL_ENV): a new virtualenv, `pip install -r requirements.lock` from the package index (pip's
own cache as it is on the machine — whether it was empty is recorded), migrate + load the units + the demo data
(`demo_setup`), then the server. It records three moments: the virtualenv's install stamp
(`.venv/.installed-runtime`), and the first HTTP answer of the server; then stops make's process group and
deletes the clone. Writes benchmarks/results/<date>-demo.json in the format of benchmarks.run (rendered into
docs/benchmarks.md by benchmarks.render). One run: a fresh install costs minutes of the shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


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
    return {"pip_cache_dir": str(path) if path else "", "pip_cache_mib_before": round(size / 2**20, 1)}


def measure(repo: Path, port: int, limit: float) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="mtqg-demo-"))
    clone = workdir / "mtqg"
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout
    cache = _pip_cache()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    log = workdir / "make.log"
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", commit.strip()], check=True)
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
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "commit": commit.strip(),
        "clone_s": cloned - started,
        "install_s": (installed - cloned) if installed else None,
        "setup_and_serve_s": (answered - installed) if answered and installed else None,
        "total_s": (answered - started) if answered else None,
        "answered": answered is not None,
        "log_tail": tail,
        **cache,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=str(ROOT))
    parser.add_argument("--port", type=int, default=8183)
    parser.add_argument("--limit", type=float, default=1200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.common import result

    load_start = _loadavg()
    m = measure(Path(args.repo), args.port, args.limit)
    detail = {k: v for k, v in m.items() if k != "log_tail"}
    rows = [
        result("demo.fresh_clone_to_answer", m["total_s"] or 0.0, "s", target=180.0),
        result("demo.venv_install", m["install_s"] or 0.0, "s"),
        result("demo.setup_and_serve", m["setup_and_serve_s"] or 0.0, "s"),
    ]
    for row in rows:
        row["detail"] = detail
        row["db"] = "sqlite"
        if not m["answered"]:
            row["error"] = "the server did not answer: " + m["log_tail"][-300:]
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": "demo",
        "host": f"{os.cpu_count()} CPU, Python {sys.version.split()[0]}",
        "load_average_start": load_start,
        "load_average_end": _loadavg(),
        "method": "one fresh clone of the commit, `make demo` with a clean environment, timed until the first HTTP "
        "answer; install = new virtualenv + pip install -r requirements.lock (pip cache as found, see detail).",
        "command": " ".join(sys.argv),
        "results": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    path = RESULTS / f"{stamp}-demo.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(detail, indent=1, default=str))
    print(m["log_tail"][-1500:])


if __name__ == "__main__":
    main()
