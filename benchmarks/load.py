"""Load test: a bounded, self-stopping asyncio client (stdlib only) against gunicorn on 127.0.0.1.

A logged-in mix of users (a central user and a provincial officer; sessions created server-side) requests the home
page and dashboards, program lists, report APIs and — once per run — a poverty review import (CSV upload through the
real form with its CSRF token). Runs for `--seconds` (default 20) or `--requests`, whichever comes first, with
`--concurrency` clients; reports p50/p95/p99 latency per route and errors. Needs a migrated database with units and
(ideally) the synthetic country; `python -m benchmarks.load` runs it on the current DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import result

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Load-test-password-2026"  # noqa: S105 (throwaway bench database only)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sessions() -> dict[str, str]:
    """Session cookies of the load users (created server-side: no login lockout, no password hashing per run)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from mtqg.accounts.models import Assignment, User
    from mtqg.geo.models import UnitVersion

    people = {
        "central": (Assignment.Role.CENTRAL, UnitVersion.objects.get(level=0)),
        "province": (Assignment.Role.PROVINCE, UnitVersion.objects.get(structure="2025", level=1, code="11")),
    }
    cookies = {}
    for name, (role, unit) in people.items():
        user = User.objects.filter(username=f"load_{name}").first()
        if user is None:
            user = User.objects.create_user(
                username=f"load_{name}", password=PASSWORD, full_name=f"load {name}"
            )
            Assignment.objects.create(user=user, role=role, unit=unit, access=Assignment.Access.ENTRY)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[name] = f"sessionid={store.session_key}"
    return cookies


ROUTES: list[tuple[str, str, str]] = [
    # (label, who, path)
    ("home", "central", "/"),
    ("dashboards", "central", "/dashboards/"),
    ("dashboards.province", "province", "/dashboards/"),
    ("ntm.index", "province", "/ntm/"),
    ("poverty.index", "province", "/poverty/"),
    ("poverty.households", "province", "/poverty/ho/"),
    ("finance.index", "province", "/finance/"),
    ("workflow.index", "province", "/workflow/"),
    ("api.poverty_summary.national", "central", "/api/v1/poverty/summary/?unit=VN&year=2024"),
    ("api.poverty_summary.province", "province", "/api/v1/poverty/summary/?unit=11&year=2024"),
    ("api.ntm_summary", "province", "/api/v1/ntm/summary/?unit=11&as_of=2020-12-31"),
    ("api.units", "province", "/api/v1/geo/units/"),
]


async def _request(
    port: int, method: str, path: str, cookie: str, body: bytes = b"", extra: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Cookie": cookie,
        "Connection": "close",
        "Accept": "text/html,application/json",
        "X-Forwarded-Proto": "https",
        **(extra or {}),
    }
    if body:
        headers["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode("latin-1") + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    top, _, payload = raw.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    out: dict[str, str] = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        out[key.strip().lower()] = (out.get(key.strip().lower(), "") + ";" + value.strip()).lstrip(";")
    return status, out, payload


async def _import_once(port: int, cookie: str, data: bytes) -> tuple[int, float]:
    """GET the import form (CSRF cookie + token), then POST the CSV; 302 to the batch page = success."""
    started = time.perf_counter()
    status, headers, page = await _request(port, "GET", "/poverty/nhap/", cookie)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
    if status != 200 or not token or not csrf:
        return status or 599, time.perf_counter() - started
    boundary = "----mtqgload"
    parts = []
    for name, value in (("csrfmiddlewaretoken", token.group(1).decode()), ("unit", "11"), ("year", "2023")):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="load.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    status, _h, _b = await _request(
        port,
        "POST",
        "/poverty/nhap/",
        f"{cookie}; csrftoken={csrf.group(1)}",
        b"".join(parts),
        {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"https://127.0.0.1:{port}/poverty/nhap/",
            "Origin": f"https://127.0.0.1:{port}",
        },
    )
    return status, time.perf_counter() - started


async def _drive(
    port: int, cookies: dict[str, str], seconds: float, max_requests: int, concurrency: int, upload: bytes
) -> tuple[dict[str, list[float]], dict[str, int], int]:
    latencies: dict[str, list[float]] = {label: [] for label, _w, _p in ROUTES}
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    counter = {"n": 0}

    async def client(k: int) -> None:
        i = k
        while time.perf_counter() < deadline and counter["n"] < max_requests:
            counter["n"] += 1
            label, who, path = ROUTES[i % len(ROUTES)]
            i += 1
            started = time.perf_counter()
            try:
                status, headers, _b = await asyncio.wait_for(_request(port, "GET", path, cookies[who]), 30)
            except (OSError, TimeoutError):
                status, headers = 599, {}
            latencies[label].append(time.perf_counter() - started)
            redirect_ok = 300 <= status < 400 and "login" not in headers.get("location", "")
            if status != 200 and not redirect_ok:
                errors[f"{label} {status}"] = errors.get(f"{label} {status}", 0) + 1

    tasks = [asyncio.create_task(client(k)) for k in range(concurrency)]
    status, took = await _import_once(port, cookies["province"], upload)
    latencies["poverty.import"] = [took]
    if status != 302:
        errors[f"poverty.import {status}"] = 1
    await asyncio.gather(*tasks)
    return latencies, errors, counter["n"] + 1


def _upload(rows: int = 2000) -> bytes:
    from mtqg.geo.models import UnitVersion
    from mtqg.poverty.importer import template_headers
    from mtqg.poverty.standards import standard_for

    province = UnitVersion.objects.get(structure="pre2025", level=1, code="11")
    communes = list(
        UnitVersion.objects.filter(path__startswith=province.path, level=3).values_list("code", flat=True)[
            :50
        ]
    )
    lines = [",".join(template_headers(standard_for(2023)))]
    for i in range(rows):
        deps = ["x" if (i + k) % 4 == 0 else "" for k in range(12)]
        lines.append(
            ",".join([f"LOAD-{i:06d}", communes[i % len(communes)], "Lò Văn Tải", "Bản 1", "Thái", "nông thôn",
                      str(800_000 + (i % 2_000) * 1000), *deps])
        )  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode()


def _wait_ready(port: int, workers: int, limit: float = 120) -> None:
    """Wait until every worker has booted and answers /healthz (the clock starts after the warm-up)."""

    async def probe() -> int:
        try:
            status, _h, _b = await asyncio.wait_for(_request(port, "GET", "/healthz", ""), 10)
            return status
        except (OSError, TimeoutError):
            return 0

    deadline = time.perf_counter() + limit
    ok = 0
    while time.perf_counter() < deadline and ok < workers * 2:
        if asyncio.run(probe()) == 200:
            ok += 1
        else:
            time.sleep(0.2)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run(
    scale: str = "province",
    *,
    seconds: float = 20,
    max_requests: int = 5000,
    concurrency: int = 8,
    workers: int = 3,
) -> list[dict[str, Any]]:
    from django.conf import settings
    from django.db import connections

    cookies = _sessions()
    upload = _upload()
    connections.close_all()
    port = _free_port()
    var = Path(os.environ.get("VAR_DIR") or tempfile.mkdtemp(prefix="mtqg-load-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions above are signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "60", "--preload", "--log-level", "warning", "mtqg.wsgi"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_ready(port, workers)
        started = time.perf_counter()
        latencies, errors, total = asyncio.run(
            _drive(port, cookies, seconds, max_requests, concurrency, upload)
        )
        wall = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    every = [v for values in latencies.values() for v in values]
    rows = [
        result("load.requests_per_s", total / wall, "req/s", lower_is_better=False),
        result("load.p50", _percentile(every, 50), "s"),
        result("load.p95", _percentile(every, 95), "s"),
        result("load.p99", _percentile(every, 99), "s"),
        result("load.errors", float(sum(errors.values())), "count", target=0),
    ]
    dash = latencies.get("dashboards", []) + latencies.get("dashboards.province", [])
    rows.append(result("load.dashboard_p95", _percentile(dash, 95), "s", target=0.2))
    for label, values in sorted(latencies.items()):
        if values:
            rows.append(result(f"load.route.{label}.p95", _percentile(values, 95), "s"))
    for row in rows:
        row["detail"] = {"errors": errors, "concurrency": concurrency, "workers": workers, "seconds": seconds}
    if every:
        rows[0]["detail"]["mean_s"] = statistics.mean(every)
    return rows


if __name__ == "__main__":
    import json

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else "tiny", seconds=10), indent=1, default=str))
