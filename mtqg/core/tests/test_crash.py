"""Crash safety: a worker process really killed (SIGKILL) half-way through a job leaves no partial data; the job
is recovered, re-run by the database worker, and gives the same result as an uninterrupted run.

The worker runs in its own process against a real database (a restore of this test database's backup: a file on
SQLite, a new database in the same cluster on PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from django.db import connection
from django.test import TestCase

from mtqg.core.backup import backup_create, backup_restore

ROOT = Path(__file__).resolve().parents[3]
ROWS = 60

RUN_ONE = """
import django, sys
django.setup()
from mtqg.core.models import Job
from mtqg.core.jobs import job_run
job = Job.objects.create(id=sys.argv[1], kind="core.crash_probe", title="crash", params={"rows": ROWS, "pause": 0.05})
print("started", flush=True)
job_run(sys.argv[1])
""".replace("ROWS", str(ROWS))

COUNT = """
import django, json, sys
django.setup()
from mtqg.core.models import ChangeRecord, Job
job = Job.objects.get(pk=sys.argv[1])
print(json.dumps({"status": job.status, "rows": ChangeRecord.objects.filter(reason="crash-probe").count(),
                  "result": job.result, "attempts": job.attempts}))
"""


class CrashSafetyTest(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="mtqg-crash-"))
        self.cleanup = None
        backup_create(self.tmp / "backup", checksums=False)
        if connection.vendor == "sqlite":
            self.url = f"sqlite:///{self.tmp / 'worker.sqlite3'}"
        else:
            conf = connection.settings_dict
            self.dbname = f"mtqg_crash_{uuid.uuid4().hex[:8]}"
            self.admin = psycopg.connect(
                host=conf["HOST"], port=conf["PORT"], user=conf["USER"], dbname="postgres", autocommit=True
            )
            self.admin.execute(f'CREATE DATABASE "{self.dbname}"')
            self.url = f"postgres://{conf['USER']}@{conf['HOST']}:{conf['PORT']}/{self.dbname}"
        backup_restore(self.tmp / "backup", target_url=self.url, media_root=self.tmp / "media", verify=False)
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "mtqg.settings",
            "VAR_DIR": str(self.tmp / "var"),
            "JOB_PROGRESS_DIR": str(self.tmp / "progress"),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "DEBUG": "1",
        }

    def tearDown(self) -> None:
        if connection.vendor == "postgresql":
            self.admin.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            self.admin.close()

    def _run(self, *args: str) -> str:
        """The project's Python on its own database; its output, after checking it exited 0."""
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        return done.stdout

    def _python(self, code: str, *args: str) -> str:
        return self._run("-c", code, *args)

    def _manage(self, *args: str) -> str:
        return self._run("manage.py", *args)

    def test_killed_worker_leaves_nothing_and_the_rerun_completes(self) -> None:
        job_id = str(uuid.uuid4())
        progress = self.tmp / "progress" / f"{job_id}.json"
        worker = subprocess.Popen(
            [sys.executable, "-c", RUN_ONE, job_id],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 240
        seen = 0
        while time.monotonic() < deadline:
            try:
                seen = json.loads(progress.read_text(encoding="utf-8"))["progress"]
            except (OSError, ValueError, KeyError):
                seen = 0
            if seen >= 50 or worker.poll() is not None:
                break
            time.sleep(0.05)
        self.assertIsNone(worker.poll(), "the worker finished before it could be killed")
        self.assertGreaterEqual(seen, 50)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        self.assertEqual(worker.returncode, -signal.SIGKILL)

        after_kill = json.loads(self._python(COUNT, job_id))
        self.assertEqual(after_kill["status"], "running")
        self.assertEqual(after_kill["rows"], 0, "a killed job must leave no partial rows")

        self.assertIn("Đưa lại hàng đợi: 1", self._manage("jobs_recover", "--stale-seconds", "0"))
        self._manage("db_worker", "--batch", "--no-startup-delay")
        final = json.loads(self._python(COUNT, job_id))
        self.assertEqual(final["status"], "succeeded")
        self.assertEqual(final["rows"], ROWS)
        self.assertEqual(final["result"], {"rows": ROWS})
        self.assertEqual(final["attempts"], 2)
