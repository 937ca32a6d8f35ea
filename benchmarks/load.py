"""Load test: N concurrent logged-in users (default 50) against gunicorn on 127.0.0.1, on ANY migrated database.

    DATABASE_URL=postgres://… .venv/bin/python -m benchmarks.load --users 50 --seconds 120 --think 2:8

What it does, in order:
1. Checks the database is migrated (django_session, accounts, dashboards tables) — a clear message otherwise.
2. Creates, idempotently, the load-test users it needs (`load_central` over the country, `load_p<code>` over each
   province of the 2025 structure; unusable passwords, one ChangeRecord for the batch) and one server-side session
   per virtual user. Nothing else in the database is touched; the sessions are deleted at the end.
3. Starts gunicorn with deploy/gunicorn.conf.py (workers = 2 × cores + 1, 2 threads; override with --workers /
   --threads), settings benchmarks.load_settings (production settings + the Server-Timing middleware), CONN_MAX_AGE
   600 (persistent, as docs/deployment.md recommends; kept for the whole run so backend CPU can be read), the same DATABASE_URL, on a free port; waits until every worker answers.
4. Runs the virtual users for --seconds (bounded; the run stops itself: no new request after the deadline, every
   request times out after 30 s, gunicorn is killed in a `finally`). Each user starts at a random moment of the
   first think interval, then loops: one request, then a think time drawn uniformly from --think (seconds; default
   2-8 s, mean 5 s — a person reading a dashboard). Scenario "dashboards" (default): a provincial officer opens
   /dashboards/ (redirect to their province), changes program / year / boundary mode, drills down to a commune,
   downloads a table now and then; a central user (1 in 5) does the same on the country page and drills into
   provinces; anonymous visitors (1 in 10) read the public portal. Scenario "mixed" adds the program list pages,
   report APIs and one poverty import upload (the make bench run).
5. Reports per route: count, client latency (connect → last byte) and server time (the `Server-Timing: app;dur=`
   header, Django's own time) p50/p95/p99, errors; and the dashboard pages' p95 server time against the 200 ms
   target (issue #9). Seeded random numbers: the same users make the same choices on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from benchmarks.common import result
except ModuleNotFoundError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.common import result

ROOT = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT = 30.0
WRITE_ROUTES = ("entry.save", "poverty.import", "poverty.accept_rest", "poverty.commit")
DASHBOARD_ROUTES = ("dash.unit", "dash.filter", "dash.current", "dash.commune", "dash.country", "dash.drill")
REQUIRED_TABLES = ("django_session", "accounts_user", "accounts_assignment", "dashboards_summaryfact")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- database side: checks, users, sessions -------------------------------------------------------------------


def check_database() -> None:
    from django.db import connection

    tables = set(connection.introspection.table_names())
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise SystemExit(
            f"Cơ sở dữ liệu {connection.settings_dict.get('NAME')} chưa được migrate (thiếu bảng "
            f"{', '.join(missing)}): chạy `manage.py migrate` trước khi đo tải."
        )


@dataclass
class Persona:
    username: str
    role: str
    unit_id: int
    communes: list[int] = field(default_factory=list)  # 2025 communes under the unit (drill-down targets)
    old_communes: list[int] = field(default_factory=list)  # pre-2025 communes (as-reported drill-down)
    provinces: list[int] = field(default_factory=list)  # for the central user
    unit_code: str = ""
    prefixes: list[str] = field(default_factory=list)  # the province's path and its pre-2025 provinces' paths


def ensure_users() -> dict[str, Persona]:
    """The load-test users (created once, reused by every later run) and what each may look at."""
    from django.db import transaction

    from mtqg.accounts.models import Assignment, User
    from mtqg.core.audit import record_change
    from mtqg.geo.models import UnitVersion

    country = UnitVersion.objects.get(level=UnitVersion.Level.COUNTRY)
    provinces = list(
        UnitVersion.objects.filter(structure="2025", level=UnitVersion.Level.PROVINCE).order_by("code")
    )
    wanted = [("load_central", Assignment.Role.CENTRAL, country)] + [
        (f"load_p{p.code}", Assignment.Role.PROVINCE, p) for p in provinces
    ]
    with transaction.atomic():
        existing = set(User.objects.filter(username__startswith="load_").values_list("username", flat=True))
        created = []
        for username, role, unit in wanted:
            if username in existing:
                continue
            user = User.objects.create_user(
                username=username, password=None, full_name=f"Kiểm thử tải {unit.name}"
            )
            Assignment.objects.create(user=user, role=role, unit=unit, access=Assignment.Access.VIEW)
            created.append(username)
        if created:  # one audit record for the batch
            record_change(
                actor=None,
                obj=country,
                action="created",
                reason="benchmarks.load: tài khoản kiểm thử tải",
                changes={"users": [None, len(created)]},
                unit_path="",
            )
    old_provinces = list(
        UnitVersion.objects.filter(structure="pre2025", level=UnitVersion.Level.PROVINCE).values_list(
            "pk", flat=True
        )
    )
    personas = {
        "load_central": Persona(
            "load_central", "central", country.pk, provinces=[p.pk for p in provinces] + old_provinces
        )
    }
    communes: dict[str, list[int]] = {}
    for pk, path in UnitVersion.objects.filter(level=UnitVersion.Level.COMMUNE).values_list("pk", "path"):
        communes.setdefault(path[:16], []).append(pk)
    lineage = _old_provinces_of(provinces)
    for p in provinces:
        personas[f"load_p{p.code}"] = Persona(
            f"load_p{p.code}",
            "province",
            p.pk,
            communes=sorted(communes.get(p.path[:16], []))[:400],
            old_communes=sorted(c for old in lineage.get(p.pk, ()) for c in communes.get(old, []))[:400],
            unit_code=p.code,
            prefixes=[p.path, *lineage.get(p.pk, ())],
        )
    return personas


def _old_provinces_of(provinces: list[Any]) -> dict[int, list[str]]:
    """2025 province id → path prefixes of the pre-2025 provinces merged into it (lineage edges)."""
    from mtqg.geo.models import UnitLineage

    out: dict[int, list[str]] = {}
    for succ, path in UnitLineage.objects.filter(
        successor_id__in=[p.pk for p in provinces], predecessor__level=1
    ).values_list("successor_id", "predecessor__path"):
        out.setdefault(succ, []).append(path[:16])
    return out


@dataclass
class Entry:
    """A data-entry user: ENTRY access on one commune, one draft workflow report of that commune to fill in."""

    username: str
    report_id: int
    codes: list[str]


def ensure_entry_users(n: int, province_id: int) -> list[Entry]:
    """`n` users load_e<k> with ENTRY access on one 2025 commune each of the province, and one draft commune report
    each (created once, reused while it is a draft): the grid they save under load."""
    from django.db import transaction

    from mtqg.accounts.models import Assignment, User
    from mtqg.geo.models import UnitVersion
    from mtqg.workflow.models import Report, ReportingPeriod, ReportType
    from mtqg.workflow.services import report_create

    province = UnitVersion.objects.get(pk=province_id)
    rt = ReportType.objects.filter(reporting_level=UnitVersion.Level.COMMUNE).order_by("code").first()
    if rt is None or n == 0:
        return []
    period = next((p for p in ReportingPeriod.objects.order_by("-code") if rt.expects(p)), None)
    if period is None:
        return []
    communes = list(
        UnitVersion.objects.filter(path__startswith=province.path, level=UnitVersion.Level.COMMUNE)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    taken = dict(
        Report.objects.filter(report_type=rt, period=period, unit_id__in=communes).values_list(
            "unit_id", "status"
        )
    )
    out: list[Entry] = []
    with transaction.atomic():
        free = iter(c for c in communes if taken.get(c, Report.Status.DRAFT) == Report.Status.DRAFT)
        for k in range(n):
            username = f"load_e{k:02d}"
            user = User.objects.filter(username=username).first()
            assignment = Assignment.objects.filter(
                user__username=username, access=Assignment.Access.ENTRY
            ).first()
            commune_id = assignment.unit_id if assignment is not None else None
            if commune_id is not None and taken.get(commune_id, Report.Status.DRAFT) != Report.Status.DRAFT:
                commune_id = None  # its report was submitted meanwhile: another commune
            if commune_id is None:
                commune_id = next(free, None)
                if commune_id is None:
                    break
                if user is None:
                    user = User.objects.create_user(
                        username=username, password=None, full_name=f"Nhập liệu {k}"
                    )
                Assignment.objects.filter(user=user).delete()
                Assignment.objects.create(
                    user=user,
                    role=Assignment.Role.COMMUNE,
                    unit_id=commune_id,
                    access=Assignment.Access.ENTRY,
                )
            report = Report.objects.filter(report_type=rt, period=period, unit_id=commune_id).first()
            if report is None:
                report = report_create(
                    actor=user, report_type=rt, unit=UnitVersion.objects.get(pk=commune_id), period=period
                )
            out.append(Entry(username, report.pk, list(rt.indicators)))
    return out


def ensure_import_users(code: str) -> tuple[str, str]:
    """load_importer (maker) and load_checker (checker): ENTRY access on the province of that code, both
    structures (the import form resolves the code itself)."""
    from mtqg.accounts.models import Assignment, User
    from mtqg.geo.models import UnitVersion

    provinces = list(UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE, code=code))
    for username in ("load_importer", "load_checker"):
        user = User.objects.filter(username=username).first() or User.objects.create_user(
            username=username, password=None, full_name=f"Kiểm thử tải {username}"
        )
        for unit in provinces:
            Assignment.objects.get_or_create(
                user=user,
                unit=unit,
                defaults={"role": Assignment.Role.PROVINCE, "access": Assignment.Access.ENTRY},
            )
            Assignment.objects.filter(user=user, unit=unit).update(access=Assignment.Access.ENTRY)
    return "load_importer", "load_checker"


def make_sessions(personas: list[Any]) -> list[str]:
    """One server-side session per virtual user (no login round trip, no password hashing)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from mtqg.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in={p.username for p in personas})}
    missing = {p.username for p in personas} - set(users)
    if missing:
        raise SystemExit(f"Thiếu tài khoản kiểm thử tải: {', '.join(sorted(missing))}")
    keys = []
    for persona in personas:
        user = users[persona.username]
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(str(store.session_key))
    return keys


def drop_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=keys).delete()


# ---- HTTP ----------------------------------------------------------------------------------------------------


async def _request(
    port: int, method: str, path: str, cookie: str, body: bytes = b"", extra: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Connection": "close",
        "Accept": "text/html,application/json",
        "Accept-Language": "vi",
        "X-Forwarded-Proto": "https",
        **({"Cookie": cookie} if cookie else {}),
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


SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")
CPU_TIMING = re.compile(r"cpu;dur=([0-9.]+)")


@dataclass
class Stats:
    client: dict[str, list[float]] = field(default_factory=dict)
    server: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    since: float = (
        0.0  # perf_counter: requests started before it are the warm-up (counted apart, errors kept)
    )
    warmup_requests: int = 0
    measured_s: float = 0.0

    def add(self, route: str, status: int, headers: dict[str, str], took: float, ok: bool) -> None:
        if not ok:
            self.errors[f"{route} {status}"] = self.errors.get(f"{route} {status}", 0) + 1
        if time.perf_counter() - took < self.since:
            self.warmup_requests += 1
            return
        self.requests += 1
        self.client.setdefault(route, []).append(took)
        timing = SERVER_TIMING.search(headers.get("server-timing", ""))
        if timing:
            self.server.setdefault(route, []).append(float(timing.group(1)) / 1000)
        cpu = CPU_TIMING.search(headers.get("server-timing", ""))
        if cpu:
            self.cpu.setdefault(route, []).append(float(cpu.group(1)) / 1000)


async def fetch(port: int, stats: Stats, route: str, path: str, cookie: str) -> tuple[int, dict[str, str]]:
    started = time.perf_counter()
    try:
        status, headers, _body = await asyncio.wait_for(_request(port, "GET", path, cookie), REQUEST_TIMEOUT)
    except (OSError, TimeoutError):
        status, headers = 599, {}
    ok = status == 200 or (300 <= status < 400 and "login" not in headers.get("location", ""))
    stats.add(route, status, headers, time.perf_counter() - started, ok)
    return status, headers


# ---- scenarios -----------------------------------------------------------------------------------------------

PROGRAMS = ("ntm", "poverty", "em", "hn2026")
YEARS = (2022, 2023, 2024, 2025)


def dashboard_steps(persona: Persona | None, rng: random.Random) -> list[tuple[str, str]]:
    """The next few requests of a user's session, as (route, path); the user thinks between them."""
    if persona is None:  # an anonymous visitor of the public portal
        return [("portal", rng.choice(("/cong-khai/", "/cong-khai/?year=2024", "/cong-khai/du-lieu/")))]
    unit = f"/dashboards/{persona.unit_id}/"
    roll = rng.random()
    if persona.role == "central":
        if roll < 0.35:
            return [("dash.country", unit)]
        if roll < 0.55:
            return [("dash.filter", f"{unit}?program={rng.choice(PROGRAMS)}&year={rng.choice(YEARS)}")]
        if roll < 0.95:
            return [("dash.drill", f"/dashboards/{rng.choice(persona.provinces)}/")]
        return [("dash.xlsx", f"{unit}xlsx/units/")]
    if roll < 0.25:
        return [("dash.index", "/dashboards/")]  # the redirect; followed by the caller
    if roll < 0.45:
        return [("dash.filter", f"{unit}?program={rng.choice(PROGRAMS)}&year={rng.choice(YEARS)}")]
    if roll < 0.55:
        return [("dash.current", f"{unit}?mode=current&year={rng.choice(YEARS)}")]
    if roll < 0.85 and persona.communes:
        target = rng.choice(persona.communes)
        return [("dash.commune", f"/dashboards/{target}/")]
    if roll < 0.95 and persona.old_communes:
        return [("dash.commune", f"/dashboards/{rng.choice(persona.old_communes)}/?year=2024")]
    return [("dash.xlsx", f"{unit}xlsx/{rng.choice(('units', 'ntm_tiers', 'poverty_rates'))}/")]


MIXED_ROUTES = [
    ("home", "/"),
    ("ntm.index", "/ntm/"),
    ("poverty.index", "/poverty/"),
    ("poverty.households", "/poverty/ho/"),
    ("finance.index", "/finance/"),
    ("workflow.index", "/workflow/"),
    ("api.poverty_summary", "/api/v1/reports/poverty-summary/?unit={code}&year=2024"),
    ("api.ntm_summary", "/api/v1/reports/ntm-summary/?unit={code}&as_of=2020-12-31"),
    ("api.units", "/api/v1/geo/units/"),
]


async def virtual_user(
    k: int,
    port: int,
    persona: Persona | None,
    cookie: str,
    stats: Stats,
    deadline: float,
    think: tuple[float, float],
    scenario: str,
) -> None:
    rng = random.Random(1000 + k)
    await asyncio.sleep(rng.uniform(0, think[1]))  # ramp-up: users arrive over the first think interval
    while time.perf_counter() < deadline:
        if scenario == "mixed" and persona is not None and rng.random() < 0.5:
            route, path = rng.choice(MIXED_ROUTES)
            steps = [(route, path.format(code=persona.unit_code or "VN"))]
        else:
            steps = dashboard_steps(persona, rng)
        for route, path in steps:
            status, headers = await fetch(port, stats, route, path, cookie)
            location = headers.get("location", "")
            if route == "dash.index" and 300 <= status < 400 and location:
                target = location.split("127.0.0.1", 1)[-1].split(f":{port}", 1)[-1]
                await fetch(port, stats, "dash.unit", target, cookie)
        pause = rng.uniform(*think)
        if time.perf_counter() + pause >= deadline:
            return
        await asyncio.sleep(pause)


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(rb'name="version" id="report-version" value="(\d+)"')


def _form(fields: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


async def _post(
    port: int, stats: Stats, route: str, path: str, cookie: str, page: bytes, headers: dict[str, str],
    fields: list[tuple[str, str]],
) -> tuple[int, dict[str, str]]:  # fmt: skip
    """POST a form with the CSRF token of `page` (and the cookie its GET set); 302 = the write succeeded."""
    token = TOKEN.search(page)
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
    started = time.perf_counter()
    if not token or not csrf:
        stats.add(route, 0, {}, 0.0, False)
        return 0, {}
    try:
        status, out, _body = await asyncio.wait_for(
            _request(
                port,
                "POST",
                path,
                f"{cookie}; csrftoken={csrf.group(1)}",
                _form([("csrfmiddlewaretoken", token.group(1).decode()), *fields]),
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"https://127.0.0.1:{port}{path}",
                    "Origin": f"https://127.0.0.1:{port}",
                },
            ),
            REQUEST_TIMEOUT,
        )
    except (OSError, TimeoutError):
        status, out = 599, {}
    ok = 300 <= status < 400 and "login" not in out.get("location", "")
    stats.add(route, status, out, time.perf_counter() - started, ok)
    return status, out


async def _get_page(
    port: int, stats: Stats, route: str, path: str, cookie: str
) -> tuple[int, dict[str, str], bytes]:
    started = time.perf_counter()
    try:
        status, headers, page = await asyncio.wait_for(_request(port, "GET", path, cookie), REQUEST_TIMEOUT)
    except (OSError, TimeoutError):
        status, headers, page = 599, {}, b""
    stats.add(route, status, headers, time.perf_counter() - started, status == 200)
    return status, headers, page


async def entry_user(
    k: int, port: int, entry: Entry, cookie: str, stats: Stats, deadline: float, think: tuple[float, float]
) -> None:
    """A data-entry user: opens their commune report's grid, types values, saves the whole grid (302 = saved),
    thinks, and again. Each has their own report: a conflict would be an error of the test, not of the app."""
    rng = random.Random(5000 + k)
    await asyncio.sleep(rng.uniform(0, think[1]))
    while time.perf_counter() < deadline:
        path = f"/workflow/reports/{entry.report_id}/"
        status, headers, page = await _get_page(port, stats, "entry.grid", path, cookie)
        version = VERSION.search(page)
        if status == 200 and version:
            value = str(
                rng.randint(1, 5000)
            )  # one value for every cell: "part ≤ whole" rules hold, nothing flagged
            values = [(f"v_{code}", value) for code in entry.codes]
            await _post(port, stats, "entry.save", f"{path}values/", cookie, page, headers,
                        [("version", version.group(1).decode()), *values])  # fmt: skip
        elif status == 200:
            stats.add("entry.save", 0, {}, 0.0, False)  # the grid is not editable for this user: an error
        pause = rng.uniform(*think)
        if time.perf_counter() + pause >= deadline:
            return
        await asyncio.sleep(pause)


async def import_and_approve(
    port: int, stats: Stats, maker: str, checker: str, data: bytes, code: str
) -> int:
    """The maker uploads the review file through the form (staged: 302 to the batch page); the checker accepts
    the remaining rows and commits (302 to the job page; the job worker writes the register). Returns the batch
    id (0 if the upload failed)."""
    status, took, location = await _import_once(port, maker, data, code)
    ok = status == 302
    stats.add("poverty.import", status, {}, took, ok)
    match = re.search(r"/poverty/nhap/(\d+)/", location) if ok else None
    if not match:
        return 0
    path = f"/poverty/nhap/{match.group(1)}/"
    for action in ("accept_rest", "commit"):
        status, headers, page = await _get_page(port, stats, "poverty.batch", path, checker)
        await _post(port, stats, f"poverty.{action}", path, checker, page, headers, [("action", action)])
    return int(match.group(1))


async def _import_once(port: int, cookie: str, data: bytes, code: str) -> tuple[int, float, str]:
    """GET the import form (CSRF cookie + token), then POST the CSV; 302 to the batch page = success. Returns
    (status, seconds, the redirect's location)."""
    started = time.perf_counter()
    status, headers, page = await _request(port, "GET", "/poverty/nhap/", cookie)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
    if status != 200 or not token or not csrf:
        return status or 599, time.perf_counter() - started, ""
    boundary = "----mtqgload"
    parts = []
    for name, value in (("csrfmiddlewaretoken", token.group(1).decode()), ("unit", code), ("year", "2023")):
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
    status, out, _b = await _request(
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
    return status, time.perf_counter() - started, out.get("location", "")


def _upload(code: str, rows: int = 2000, stamp: str = "") -> bytes:
    from mtqg.geo.models import UnitVersion
    from mtqg.poverty.importing import template_headers
    from mtqg.poverty.standards import standard_for

    province = UnitVersion.objects.get(structure="pre2025", level=1, code=code)
    communes = list(
        UnitVersion.objects.filter(path__startswith=province.path, level=3).values_list("code", flat=True)[
            :50
        ]
    )
    lines = [",".join(template_headers(standard_for(2023)))]
    for i in range(rows):
        deps = ["x" if (i + k) % 4 == 0 else "" for k in range(12)]
        lines.append(
            ",".join([f"LOAD{stamp}-{i:06d}", communes[i % len(communes)], "Lò Văn Tải", "Bản 1", "Thái", "nông thôn",
                      str(800_000 + (i % 2_000) * 1000), *deps])
        )  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode()


async def drive(
    port: int,
    plan: list[tuple[Persona | None, str]],
    seconds: float,
    think: tuple[float, float],
    scenario: str,
    upload: tuple[str, bytes, str, str] | None,
    entries: list[tuple[Entry, str]] | None = None,
    warmup: float = 0.0,
    on_measure: Callable[[], None] | None = None,
) -> tuple[Stats, int]:
    """Readers (`plan`), data-entry users (`entries`) and, when `upload` = (code, file, maker cookie, checker
    cookie), one import staged by the maker and committed by the checker a few seconds into the measured window.
    With `warmup` > 0 the same load runs `warmup` s first and only the `seconds` after it are measured (latencies,
    requests/s; `on_measure` is called at the window's start); errors count over the whole run."""
    stats = Stats()
    stats.since = time.perf_counter() + warmup
    deadline = stats.since + seconds
    tasks = [
        asyncio.create_task(virtual_user(k, port, persona, cookie, stats, deadline, think, scenario))
        for k, (persona, cookie) in enumerate(plan)
    ]
    tasks += [
        asyncio.create_task(entry_user(k, port, entry, cookie, stats, deadline, think))
        for k, (entry, cookie) in enumerate(entries or [])
    ]
    batch_id = 0
    if warmup > 0:
        await asyncio.sleep(warmup)
    # on_measure reads the database's backends: Django refuses that in the event loop's thread
    if on_measure is not None:
        await asyncio.to_thread(on_measure)
    if upload is not None:
        await asyncio.sleep(min(think[0], seconds / 4))  # under load: the readers have started
        batch_id = await import_and_approve(port, stats, upload[2], upload[3], upload[1], upload[0])
    # bounded: whatever is still running REQUEST_TIMEOUT after the deadline is cancelled
    _done, pending = await asyncio.wait(tasks, timeout=seconds + REQUEST_TIMEOUT + think[1])
    stats_end = time.perf_counter()
    stats.measured_s = min(stats_end, deadline) - stats.since
    for task in pending:
        task.cancel()
    return stats, batch_id


# ---- server --------------------------------------------------------------------------------------------------


def _database_url() -> str:
    from django.conf import settings

    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{settings.DATABASES['default']['NAME']}"  # the very file this process uses


def start_server(
    workers: int | None, threads: int | None, shared_cache: bool = False
) -> tuple[subprocess.Popen[bytes], int]:
    from django.conf import settings

    port = int(os.environ.get("LOAD_PORT") or _free_port())  # LOAD_PORT: a fixed port on a shared machine
    url = _database_url()
    if url.startswith(("postgres", "postgresql")):  # the backends serving the test are found by this name
        url += ("&" if "?" in url else "?") + f"application_name={APP_NAME}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions are signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": os.environ.get(
            "CONN_MAX_AGE", "600"
        ),  # persistent for the whole run: backend CPU is read at the end
        "VAR_DIR": os.environ.get("VAR_DIR") or tempfile.mkdtemp(prefix="mtqg-load-"),
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
    }
    env["DASHBOARDS_CACHE"] = "file" if shared_cache else "local"  # production default: file (0716)
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    command = [
        sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "--log-level", "warning",
        "--max-requests", "0", "--preload", "mtqg.wsgi",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    return server, port


APP_NAME = "mtqg_load"
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a local process (Linux /proc), 0 if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def server_cpu(server: subprocess.Popen[bytes]) -> dict[str, float]:
    """CPU seconds used so far by the gunicorn workers and by the PostgreSQL backends serving them (found by
    application_name; only when the database runs on this machine): the capacity figures."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:
            workers.append(int(stat.parent.name))
    app = sum(_cpu_seconds(p) for p in [server.pid, *workers])
    db = 0.0
    if _database_url().startswith(("postgres", "postgresql")):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
            db = sum(_cpu_seconds(int(r[0])) for r in cursor.fetchall())
        connection.close()
    return {"app": app, "db": db}


def cpu_snapshot(server: subprocess.Popen[bytes], worker: subprocess.Popen[bytes] | None) -> dict[str, float]:
    """CPU seconds so far of each side and the wall clock: the server (gunicorn `app`, PostgreSQL `db`), the job
    worker's process and this process — the load generator itself (every thread: `time.process_time`)."""
    return {
        **server_cpu(server),
        "worker": _cpu_seconds(worker.pid) if worker is not None else 0.0,
        "client": time.process_time(),
        "wall": time.perf_counter(),
    }


def cpu_window(before: dict[str, float], after: dict[str, float], cores: int) -> dict[str, float]:
    """CPU of the measured window per side: seconds, cores (CPU seconds / wall seconds) and share of the machine.
    On one machine the load generator competes with the server: its own share says how much of the cores the
    server could not have had (decision 0851)."""
    wall = max(after["wall"] - before["wall"], 1e-9)
    spent = {k: after[k] - before[k] for k in ("app", "db", "worker", "client")}
    server = spent["app"] + spent["db"]
    return {
        "cpu_window_s": round(wall, 2),
        "machine_cores": cores,
        "client_cpu_s": round(spent["client"], 2),
        "worker_cpu_s": round(spent["worker"], 2),
        "client_cpu_cores": round(spent["client"] / wall, 3),
        "server_cpu_cores": round(server / wall, 3),
        "client_cpu_share": round(spent["client"] / wall / cores, 3),
        "server_cpu_share": round(server / wall / cores, 3),
    }


def cpu_rows(window: dict[str, float]) -> list[dict[str, Any]]:
    """The window's CPU as results rows: the load generator's and the server's (app + PostgreSQL), in cores."""
    return [
        result("load.client_cpu_cores", window["client_cpu_cores"], "cores"),
        result("load.server_cpu_cores", window["server_cpu_cores"], "cores"),
    ]


def start_worker() -> subprocess.Popen[bytes]:
    """The job worker (manage.py db_worker), as `make demo` runs it: it writes the committed import."""
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.5"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_committed(batch_id: int, limit: float = 120.0) -> bool:
    """After the run: the checker's commit job has written the batch (polls up to `limit` s)."""
    from django.db import connections

    from mtqg.poverty.models import ImportBatch

    if not batch_id:
        return False
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        status = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).first()
        connections.close_all()
        if status == ImportBatch.Status.COMMITTED:
            return True
        time.sleep(1)
    return False


def stop_server(server: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def wait_ready(port: int, workers: int, limit: float = 120) -> None:
    """Wait until the workers have booted and answer /healthz (the clock starts after this)."""

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
    if ok == 0:
        raise SystemExit("gunicorn không trả lời /healthz sau 120 giây.")


# ---- report --------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(stats: Stats) -> dict[str, dict[str, float]]:
    out = {}
    for route in sorted(stats.client):
        c, s, cpu = stats.client[route], stats.server.get(route, []), stats.cpu.get(route, [])
        out[route] = {
            "n": len(c),
            "client_p50": percentile(c, 50),
            "client_p95": percentile(c, 95),
            "client_p99": percentile(c, 99),
            "server_p50": percentile(s, 50),
            "server_p95": percentile(s, 95),
            "server_p99": percentile(s, 99),
            "cpu_p50": percentile(cpu, 50),
            "cpu_p95": percentile(cpu, 95),
            "errors": sum(n for k, n in stats.errors.items() if k.rsplit(" ", 1)[0] == route),
        }
    return out


def run(
    scale: str = "province",
    *,
    seconds: float = 60,
    users: int = 50,
    think: tuple[float, float] = (2.0, 8.0),
    scenario: str = "dashboards",
    workers: int | None = None,
    threads: int | None = None,
    shared_cache: bool = True,
    entry_users: int = 0,
    warm: bool = False,
    warmup: float = 0.0,
) -> list[dict[str, Any]]:
    """The load test on the current DATABASE_URL; rows in the benchmarks.run format (`scale` is a label).
    `warmup` s of the same load run before the measured `seconds` (steady state: the caches as readers and the
    warming job leave them); the window's figures are the rows, the warm-up's request count is in the detail.
    Scenario "mixed": `users` readers as in "dashboards" plus the list pages and report APIs, `entry_users`
    data-entry users saving their commune report's grid, and one poverty import staged by a maker and committed
    by a checker (the job worker writes it); every write must succeed (0 errors)."""
    from django.db import connections

    check_database()
    personas = ensure_users()
    with_facts = _provinces_with_facts(personas)
    provincial = [p for p in personas.values() if p.role == "province" and p.unit_id in with_facts] or [
        p for p in personas.values() if p.role == "province"
    ]
    plan_personas: list[Persona | None] = []
    for k in range(users):
        if k % 10 == 9:
            plan_personas.append(None)  # anonymous portal visitor
        elif k % 5 == 0:
            plan_personas.append(personas["load_central"])
        else:
            plan_personas.append(provincial[k % len(provincial)])
    logged_in = [p for p in plan_personas if p is not None]
    keys = make_sessions(logged_in)
    cookies = iter(f"sessionid={k}" for k in keys)
    plan = [(p, next(cookies) if p is not None else "") for p in plan_personas]
    upload = None
    entries: list[tuple[Entry, str]] = []
    if scenario == "mixed":
        stamp = f"{int(time.time()) % 100000:05d}"
        code = next(p.unit_code for p in provincial if _has_old_province(p.unit_code))
        maker, checker = ensure_import_users(code)
        users_by_name = {
            u.username: u for u in [Persona(maker, "province", 0), Persona(checker, "province", 0)]
        }
        import_keys = make_sessions(list(users_by_name.values()))
        keys += import_keys
        upload = (
            code,
            _upload(code, stamp=stamp),
            f"sessionid={import_keys[0]}",
            f"sessionid={import_keys[1]}",
        )
        made = ensure_entry_users(entry_users, provincial[0].unit_id)
        entry_keys = make_sessions(made)
        keys += entry_keys
        entries = [(e, f"sessionid={key}") for e, key in zip(made, entry_keys, strict=True)]
    warmed = None
    if warm:  # the server's VAR_DIR (a fresh one per run: its cache starts empty) gets the warmed pages
        os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="mtqg-load-"))
        warmed = _warm([p for p in plan_personas if p is not None], Path(os.environ["VAR_DIR"]))
    connections.close_all()
    server, port = start_server(workers, threads, shared_cache)
    worker = start_worker() if upload is not None else None
    n_workers = workers or int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) * 2 + 1))
    load_before = os.getloadavg()
    try:
        wait_ready(port, n_workers)
        cpu_at: dict[str, dict[str, float]] = {"before": cpu_snapshot(server, worker)}

        def measure_from() -> None:
            cpu_at["before"] = cpu_snapshot(server, worker)

        stats, batch_id = asyncio.run(
            drive(
                port, plan, seconds, think, scenario, upload, entries, warmup=warmup, on_measure=measure_from
            )
        )
        wall = stats.measured_s
        cpu_after = cpu_snapshot(server, worker)
        cpu_before = cpu_at["before"]
        committed = _wait_committed(batch_id) if upload is not None else None
        if committed is False:
            stats.errors["poverty.commit_job not committed"] = 1
    finally:
        stop_server(server)
        if worker is not None:
            stop_server(worker)
        drop_sessions(keys)
    load_after = os.getloadavg()
    routes = summary(stats)
    dash_server = [v for r in DASHBOARD_ROUTES for v in stats.server.get(r, [])]
    dash_client = [v for r in DASHBOARD_ROUTES for v in stats.client.get(r, [])]
    dash_cpu = [v for r in DASHBOARD_ROUTES for v in stats.cpu.get(r, [])]
    every = [v for values in stats.client.values() for v in values]
    app_cpu = cpu_after["app"] - cpu_before["app"]
    db_cpu = cpu_after["db"] - cpu_before["db"]
    window = cpu_window(cpu_before, cpu_after, os.cpu_count() or 1)
    detail = {
        "app_cpu_s": round(app_cpu, 2),
        "db_cpu_s": round(db_cpu, 2),
        "cpu_per_request_s": round((app_cpu + db_cpu) / max(stats.requests, 1), 4),
        **window,
        "users": users,
        "think_s": list(think),
        "seconds": seconds,
        "warmup_s": warmup,
        "warmup_requests": stats.warmup_requests,
        "measured_s": round(wall, 1),
        "workers": n_workers,
        "scenario": scenario,
        "shared_cache": shared_cache,
        "warmed": warmed,
        "database": _database_url().split("@")[-1],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "errors": stats.errors,
        "entry_users": len(entries),
        "import_committed": committed,
        "routes": routes,
    }
    writes = [v for r in WRITE_ROUTES for v in stats.client.get(r, [])]
    writes_server = [v for r in WRITE_ROUTES for v in stats.server.get(r, [])]
    rows = [
        result("load.requests_per_s", stats.requests / wall, "req/s", lower_is_better=False),
        result("load.dashboard_server_p95", percentile(dash_server, 95), "s", target=0.2),
        result("load.dashboard_server_p50", percentile(dash_server, 50), "s"),
        result("load.dashboard_server_p99", percentile(dash_server, 99), "s"),
        result("load.dashboard_client_p95", percentile(dash_client, 95), "s", target=0.2),
        result("load.dashboard_cpu_p50", percentile(dash_cpu, 50), "s", target=0.010),
        result("load.dashboard_cpu_p95", percentile(dash_cpu, 95), "s"),
        result("load.p95", percentile(every, 95), "s"),
        result("load.errors", float(sum(stats.errors.values())), "count", target=0),
    ]
    if scenario == "mixed":
        rows += [
            result("load.writes_ok", float(len(writes) - sum(
                n for k, n in stats.errors.items() if k.rsplit(" ", 1)[0] in WRITE_ROUTES)), "count",
                lower_is_better=False),
            result("load.write_client_p95", percentile(writes, 95), "s"),
            result("load.write_server_p95", percentile(writes_server, 95), "s"),
            result("load.import_committed", float(bool(committed)), "yes=1", target=1.0, lower_is_better=False),
        ]  # fmt: skip
    rows += cpu_rows(window)
    for row in rows:
        row["n"] = len(dash_server) if row["name"].startswith("load.dashboard") else stats.requests
        if row["name"].startswith("load.write"):
            row["n"] = len(writes)
    for route, values in routes.items():
        rows.append(result(f"load.route.{route}.server_p95", values["server_p95"], "s"))
        rows[-1]["n"] = values["n"]
    for row in rows:
        row["detail"] = detail
    return rows


def _provinces_with_facts(personas: dict[str, Persona]) -> set[int]:
    """2025 provinces whose lineage holds program facts (at province scale: the generated province only)."""
    from mtqg.dashboards.models import SummaryFact
    from mtqg.dashboards.services import path_range

    out = set()
    for p in personas.values():
        if p.role == "province" and (
            SummaryFact.objects.filter(path_range("unit_path", tuple(p.prefixes)))
            .exclude(measure="ntm.communes")
            .exists()
        ):
            out.add(p.unit_id)
    return out


def _warm(personas: list[Persona], var_dir: Path) -> dict[str, Any]:
    """The state right after the refresh's warming job ran (decision 0820): the pages of the provinces the users
    read rendered by `pages_warm` into the server's (empty) shared cache under `var_dir` (timed: the job's cost)."""
    from django.conf import settings
    from django.test import override_settings

    from mtqg.dashboards.warming import pages_warm
    from mtqg.geo.models import UnitVersion

    shared = {**settings.CACHES["dashboards"], "LOCATION": str(var_dir / "cache" / "dashboards")}
    started, cpu, pages = time.perf_counter(), time.thread_time(), 0
    ids = sorted({p.unit_id for p in personas if p.role == "province"})
    with override_settings(CACHES={**settings.CACHES, "dashboards": shared}):
        for unit in UnitVersion.objects.filter(pk__in=ids):
            pages += pages_warm(unit.path)["pages"]
    return {
        "provinces": len(ids),
        "pages": pages,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_s": round(time.thread_time() - cpu, 1),
    }


def _has_old_province(code: str) -> bool:
    from mtqg.geo.models import UnitVersion

    return UnitVersion.objects.filter(structure="pre2025", level=1, code=code).exists()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", default="2:8", help="think time range in seconds, min:max (uniform)")
    parser.add_argument("--scenario", choices=("dashboards", "mixed"), default="dashboards")
    parser.add_argument("--entry-users", type=int, default=10, help="data-entry users (mixed scenario)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument(
        "--shared-cache",
        action="store_true",
        help="accepted for old command lines: the shared file cache is the default (decision 0716)",
    )
    parser.add_argument(
        "--local-cache",
        action="store_true",
        help="one dashboards cache per worker process (DASHBOARDS_CACHE=local) instead of the shared files",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="start from the pages the refresh's warming job renders (decision 0820) instead of an empty cache",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=0.0,
        help="seconds of the same load before the measured window (steady state)",
    )
    parser.add_argument("--json", help="write the rows to this file too")
    args = parser.parse_args(argv)
    lo, _sep, hi = args.think.partition(":")
    rows = run(
        seconds=args.seconds,
        users=args.users,
        think=(float(lo), float(hi or lo)),
        scenario=args.scenario,
        entry_users=args.entry_users,
        workers=args.workers,
        threads=args.threads,
        shared_cache=not args.local_cache,
        warm=args.warm,
        warmup=args.warmup,
    )
    detail = rows[0]["detail"]
    print(f"{detail['users']} users, think {detail['think_s']} s, {detail['seconds']} s, "
          f"{detail['workers']} workers, shared cache {detail['shared_cache']}, {detail['database']}; load average before "
          f"{detail['load_average_before']} after {detail['load_average_after']}")  # fmt: skip
    print(
        f"{'route':<22}{'n':>6}{'client p50':>12}{'p95':>8}{'p99':>8}{'server p50':>12}{'p95':>8}{'p99':>8}{'err':>5}"
    )
    for route, v in detail["routes"].items():
        print(
            f"{route:<22}{v['n']:>6}{v['client_p50']:>12.3f}{v['client_p95']:>8.3f}{v['client_p99']:>8.3f}"
            f"{v['server_p50']:>12.3f}{v['server_p95']:>8.3f}{v['server_p99']:>8.3f}"
            f"{v['cpu_p50']:>9.3f}{v['cpu_p95']:>8.3f}{v['errors']:>5}"
        )
    print(
        f"CPU over the window ({detail['cpu_window_s']} s, {detail['machine_cores']} cores): load generator "
        f"{detail['client_cpu_cores']} cores ({detail['client_cpu_share']:.0%} of the machine), server "
        f"{detail['server_cpu_cores']} cores ({detail['server_cpu_share']:.0%}), job worker {detail['worker_cpu_s']} s"
    )
    for row in rows[:9]:
        print(
            f"{row['name']}: {row['value']} {row['unit']}"
            + (f" (target {row['target']})" if row["target"] else "")
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")
    django.setup()
    main()
