"""The job worker's heartbeat, recovery and supervision (decision 0912).

Before: `db_worker` exited on "database is locked" and nothing restarted it; `jobs_recover` judged a job by its
start time only (15 minutes by default), so a job of a dead worker waited 15 minutes and a long job of a live
PostgreSQL worker would be re-queued and run twice; it crashed on a locked database; the job page said nothing.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import TestCase, override_settings
from django.utils import timezone

from mtqg.core import jobs
from mtqg.core.management.commands.jobs_worker import run_forever
from mtqg.core.models import Job
from mtqg.testing import make_world

ROOT = Path(__file__).resolve().parents[3]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


class RecoveryByHeartbeatTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def _running(self, worker: str, beat_ago: float, started_ago: float = 5) -> Job:
        now = timezone.now()
        return Job.objects.create(
            id=__import__("uuid").uuid4(),
            kind="core.selftest",
            title="t",
            status=Job.Status.RUNNING,
            started_at=now - timedelta(seconds=started_ago),
            worker=worker,
            heartbeat_at=now - timedelta(seconds=beat_ago),
            created_by=self.world.central,
        )

    def test_a_job_of_a_dead_worker_is_requeued_at_once_and_runs(self) -> None:
        job = self._running(f"{socket.gethostname()}:{_dead_pid()}", beat_ago=1, started_ago=5)
        with self.captureOnCommitCallbacks(execute=True):
            outcome = jobs.jobs_recover(stale_after=timedelta(minutes=15))
        self.assertEqual(outcome["requeued"], 1)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED)  # re-run by the (immediate) backend

    def test_a_long_job_of_a_live_worker_elsewhere_is_left_alone(self) -> None:
        """PostgreSQL, several machines: started two hours ago, beating now — not re-queued (would run twice)."""
        job = self._running("other-machine:4242", beat_ago=3, started_ago=7200)
        self.assertEqual(jobs.jobs_recover(stale_after=timedelta(minutes=15))["requeued"], 0)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.RUNNING)
        self.assertFalse(jobs.worker_gone(job))

    def test_a_silent_worker_elsewhere_is_gone(self) -> None:
        job = self._running("other-machine:4243", beat_ago=600, started_ago=700)
        self.assertTrue(jobs.worker_gone(job))
        with self.captureOnCommitCallbacks(execute=False):
            self.assertEqual(jobs.jobs_recover(stale_after=timedelta(minutes=15))["requeued"], 1)
        job.refresh_from_db()
        self.assertEqual((job.status, job.worker, job.heartbeat_at), (Job.Status.QUEUED, "", None))

    def test_the_job_page_shows_a_job_whose_worker_is_gone(self) -> None:
        job = self._running(f"{socket.gethostname()}:{_dead_pid()}", beat_ago=1)
        self.client.force_login(self.world.central)
        response = self.client.get(job.get_absolute_url())
        self.assertContains(response, "data-worker-gone")
        self.assertContains(response, "đã dừng (mất tín hiệu sống)")
        alive = self._running(f"{socket.gethostname()}:{os.getpid()}", beat_ago=1)
        self.assertNotContains(self.client.get(alive.get_absolute_url()), "data-worker-gone")

    def test_a_job_run_records_its_worker_and_heartbeat(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            job = jobs.job_enqueue(actor=self.world.central, kind="core.selftest")
        job.refresh_from_db()
        self.assertEqual(job.worker, jobs.worker_id())
        self.assertIsNotNone(job.heartbeat_at)

    def test_recover_waits_out_a_locked_database_and_the_command_explains_a_lasting_one(self) -> None:
        real = jobs._recover
        calls: list[int] = []

        def locked_once(**kwargs: object) -> dict[str, int]:
            calls.append(1)
            if len(calls) == 1:
                raise OperationalError("database is locked")
            return real(**kwargs)  # type: ignore[arg-type]

        with mock.patch.object(jobs, "_recover", locked_once), mock.patch.object(jobs.time, "sleep"):
            self.assertEqual(
                jobs.jobs_recover(stale_after=timedelta(minutes=1)), {"requeued": 0, "failed": 0}
            )
        self.assertEqual(len(calls), 2)
        with (
            mock.patch.object(jobs, "_recover", side_effect=OperationalError("database is locked")),
            mock.patch.object(jobs.time, "sleep"),
            self.assertRaisesMessage(CommandError, "đang bận"),
        ):
            call_command("jobs_recover", "--retries", "2", stdout=io.StringIO())


class WorkerSurvivesLocksTest(TestCase):
    def test_worker_loop_carries_on_after_database_is_locked(self) -> None:
        runs: list[int] = []

        def run() -> None:
            runs.append(1)
            if len(runs) < 3:
                raise OperationalError("database is locked")

        run_forever(run, pause=0)
        self.assertEqual(len(runs), 3)
        with self.assertRaises(OperationalError):
            run_forever(lambda: (_ for _ in ()).throw(OperationalError("no such table: x")), pause=0)


class SupervisorTest(TestCase):
    def test_supervisor_restarts_a_worker_that_exits(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            marks = Path(tmp) / "starts"
            log = Path(tmp) / "log"
            sup = subprocess.Popen(
                [
                    "bash",
                    str(ROOT / "scripts" / "supervise.sh"),
                    str(log),
                    "--",
                    "bash",
                    "-c",
                    f"echo x >> {marks}",
                ],
                env={**os.environ, "SUPERVISE_DELAY": "0.1"},
            )
            try:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and (
                    not marks.exists() or len(marks.read_text().split()) < 3
                ):
                    time.sleep(0.1)
            finally:
                sup.terminate()
                sup.wait(timeout=10)
            self.assertGreaterEqual(len(marks.read_text().split()), 3)
            self.assertIn("khởi động lại", log.read_text(encoding="utf-8"))

    @override_settings(JOB_WORKER_STALE_SECONDS=60)
    def test_serve_script_runs_the_worker_under_the_supervisor(self) -> None:
        text = (ROOT / "scripts" / "serve.sh").read_text(encoding="utf-8")
        self.assertIn("scripts/supervise.sh", text)
        self.assertIn("jobs_worker", text)
        self.assertIn("Restart=always", (ROOT / "deploy" / "mtqg-worker.service").read_text(encoding="utf-8"))
