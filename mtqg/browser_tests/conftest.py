"""A real server (gunicorn-free: Django's runserver with --insecure static) on 127.0.0.1 and a free port, with its
own database (SQLite file, or a new database in the PostgreSQL cluster the suite runs on), driven by Debian's
chromium through Playwright. Nothing is downloaded: `playwright install` is never called.

The server's database starts as a copy of the run's migrated database with the real units (mtqg/testdb.py, decision
0825), then gets its own demo seed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from mtqg import testdb

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Package scope: the server and the browser stop after the last browser test, not at the end of the session. The
# worker that ran them goes on with other tests (decision 0840), and while Playwright's sync API is open its event
# loop sits in the thread, so Django refuses that worker's database connections (SynchronousOnlyOperation).
@pytest.fixture(scope="package")
def live_url(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    tmp = Path(tempfile.mkdtemp(prefix="mtqg-browser-"))
    name = f"mtqg_browser_{os.getpid()}"
    with django_db_blocker.unblock():
        database_url = testdb.database_url("units", name, tmp)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "mtqg.browser_tests.server_settings",
        "DEBUG": "1",
        "VAR_DIR": str(tmp),
    }
    python = sys.executable
    prepare = (
        "import django; django.setup();"
        "from mtqg.geo import demo; demo.seed();"
        "from mtqg.accounts import demo as a; a.seed();"
        "from mtqg.survey import demo as s; s.seed(small=True);"
        # real NTM records for the two demo provinces: charts of a province with nothing reported say so (0016)
        "from mtqg.ntm import demo as n; n.seed_dien_bien(); n.seed_cao_bang(); n.seed_dien_bien_2026();"
        "from mtqg.dashboards.services import summaries_rebuild; summaries_rebuild()"
    )
    subprocess.run([python, "-c", prepare], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)  # noqa: S310 — loopback only
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        with django_db_blocker.unblock():
            testdb.drop(name)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="package")
def browser_context(live_url: str) -> Iterator[object]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian chromium is required (make test installs it)"
    out = ROOT / "test-results"
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        yield context
        context.close()
        browser.close()


@pytest.fixture(autouse=True)
def fresh_session(browser_context: Any) -> None:
    """Each test starts logged out, in Vietnamese: the browser context (and its cookies) is shared by the session."""
    browser_context.clear_cookies()  # type: ignore[attr-defined]
