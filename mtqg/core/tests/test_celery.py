"""The scaled profile's job path: the same job (`core.selftest` through `run_job`/`job_run`) runs under the embedded
database worker (django-tasks-db + `db_worker`) and under Celery with a real Redis broker (Debian `redis-server`
started on a random loopback port) and an in-thread Celery worker.

The test stays in one database transaction (TestCase): the Celery worker thread is given the test's connection for
the duration of the task (as Django's LiveServerTestCase does), and Celery's own connection closing (per task, and
the solo pool's "process init", which would close the socket of the test's PostgreSQL connection) is disabled for
that reason only. Outside the test, `make serve-scaled` and docs/deployment.md run the worker as usual.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.core.management import call_command
from django.db import connections
from django.test import TestCase, override_settings

from mtqg.celery import app as celery_app
from mtqg.core.jobs import job_enqueue
from mtqg.core.models import Job
from mtqg.testing import make_world

CELERY = {"default": {"BACKEND": "mtqg.core.celery_backend.CeleryBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (no persistence); yields its URL."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server manquant: scripts/system-deps.sh l'installe"
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="mtqg-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir, "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                    break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


class JobsRunBothWaysTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def _enqueue(self, **params: Any) -> Job:
        with self.captureOnCommitCallbacks(execute=True):
            job = job_enqueue(
                actor=self.world.dien_bien_officer, kind="core.selftest", params=params, title="selftest"
            )
        return job

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_database_worker_runs_the_job(self) -> None:
        job = self._enqueue(steps=2)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.QUEUED)  # waiting in the database queue
        # db_worker closes "old" connections between tasks; that would close the test's transaction
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--max-tasks", "1", verbosity=0)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED)
        self.assertEqual(job.result, {"steps": 2})
        self.assertEqual(job.progress, 100)

    @override_settings(TASKS=CELERY)
    def test_celery_worker_on_redis_runs_the_same_job(self) -> None:
        shared = connections["default"]
        done = threading.Event()
        seen: list[str] = []

        def lend_connection(**_kw: Any) -> None:  # runs in the worker thread, before the task
            connections["default"] = shared
            seen.append(threading.current_thread().name)

        def finished(**_kw: Any) -> None:
            done.set()

        task_prerun.connect(lend_connection, weak=False)
        task_postrun.connect(finished, weak=False)
        shared.inc_thread_sharing()
        old_broker = celery_app.conf.broker_url
        try:
            with (
                redis_server() as url,
                mock.patch("celery.fixups.django.DjangoWorkerFixup.close_database"),
                mock.patch("celery.fixups.django.DjangoWorkerFixup.on_worker_process_init"),
            ):
                celery_app.conf.broker_url = url
                with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["default"]):
                    ok = self._enqueue(steps=3)
                    self.assertTrue(done.wait(20), "Celery worker did not run the job")
                    done.clear()
                    failing = self._enqueue(steps=1, fail=True)
                    self.assertTrue(done.wait(20), "Celery worker did not run the second job")
        finally:
            celery_app.conf.broker_url = old_broker
            celery_app.pool.force_close_all()
            shared.dec_thread_sharing()
            task_prerun.disconnect(lend_connection)
            task_postrun.disconnect(finished)
        self.assertTrue(seen and all(name != threading.current_thread().name for name in seen))
        ok.refresh_from_db()
        self.assertEqual(ok.status, Job.Status.SUCCEEDED)
        self.assertEqual(ok.result, {"steps": 3})
        failing.refresh_from_db()
        self.assertEqual(failing.status, Job.Status.FAILED)
        self.assertEqual(failing.error, "Công việc thử nghiệm được yêu cầu thất bại.")
