"""`manage.py jobs_worker`: django-tasks' `db_worker`, kept alive and beating (decision 0912).

* "database is locked" (a write holding SQLite longer than the busy timeout) does not end the process: the loop
  logs it and carries on after a pause. Any other error still ends it, and the supervisor restarts it
  (scripts/supervise.sh in `make run`/`make demo`/`make serve-prod`, systemd's `Restart=always` in
  deploy/mtqg-worker.service).
* A thread beats for the process (JOB_PROGRESS_DIR/workers/<host-pid>.beat) every JOB_HEARTBEAT_SECONDS, so pages
  can tell that queued jobs will be taken, and runs `jobs_recover` at start and every RECOVER_SECONDS: jobs left
  running by a worker that is gone go back to the queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from mtqg.core.jobs import beat, jobs_recover

log = logging.getLogger(__name__)
RECOVER_SECONDS = 60
LOCKED_PAUSE = 1.0


def run_forever(
    run: Callable[[], Any], *, pause: float = LOCKED_PAUSE, max_locked: int | None = None
) -> None:
    """Call `run` again after each "database is locked" error (at most `max_locked` times when given); return when
    it returns; re-raise anything else."""
    locked = 0
    while True:
        try:
            run()
            return
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            locked += 1
            if max_locked is not None and locked > max_locked:
                raise
            log.warning("jobs_worker: database is locked; continuing in %s s", pause)
            connections.close_all()
            time.sleep(pause)


def _beat_and_recover(stop: threading.Event) -> None:
    last_recover = 0.0
    while not stop.is_set():
        try:
            beat()
            if time.monotonic() - last_recover >= RECOVER_SECONDS:
                last_recover = time.monotonic()
                jobs_recover(stale_after=timedelta(minutes=15), retries=0)
        except Exception:  # a missed beat or recovery is retried on the next round
            log.exception("jobs_worker: heartbeat/recovery round failed")
        finally:
            connections.close_all()
        stop.wait(settings.JOB_HEARTBEAT_SECONDS)


class Command(DbWorkerCommand):
    help = "Chạy công việc nền (hàng đợi trong cơ sở dữ liệu), có tín hiệu sống và tự phục hồi công việc bị gián đoạn."

    def handle(self, *args: Any, **options: Any) -> None:
        options["reload"] = False  # the supervisor restarts; the autoreloader would hide the process id
        stop = threading.Event()
        threading.Thread(target=_beat_and_recover, args=(stop,), name="jobs-heartbeat", daemon=True).start()
        try:
            run_forever(lambda: super(Command, self).handle(*args, **options))
        finally:
            stop.set()
