"""Background jobs users can watch. One runner, several executors.

`job_enqueue(actor=, kind=, params=, title=)` writes a `Job` row and, once the surrounding transaction commits,
hands its id to the django-tasks task `run_job` (DB queue + `manage.py db_worker` by default; Celery when the
scaled profile's backend is configured; immediately in tests). `job_run(job_id)` — the only code that executes a
job, whatever the executor — claims the row, calls the handler listed in JOB_HANDLERS with a `JobContext`, and
records the result, or the Vietnamese message of a ValidationError (any other exception is logged and shown as a
generic message: no stack trace reaches a user). A handler is atomic on its own terms; progress updates are written
on a separate connection-level autocommit so the page sees them while the job's transaction is open.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from mtqg.core.service_errors import error_text

from .audit import record_change
from .models import Job

log = logging.getLogger(__name__)

# kind → "module:function"; each app adds one line per handler.
JOB_HANDLERS: dict[str, str] = {
    "core.selftest": "mtqg.core.jobs:selftest",
    "core.crash_probe": "mtqg.core.jobs:crash_probe",
    "planning.scenario": "mtqg.planning.jobs:scenario_job",
    "supervision.render_report": "mtqg.supervision.jobs:render_report",
    "poverty.batch_commit": "mtqg.poverty.importing.services:batch_commit_job",
    "ntm.recompute": "mtqg.ntm.jobs:recompute_job",
    "dashboards.warm": "mtqg.dashboards.warming:warm_job",
    "dashboards.refresh": "mtqg.dashboards.receivers:refresh_job",
}


@dataclass
class JobContext:
    job: Job
    actor: Any

    def progress(self, percent: int, message: str = "") -> None:
        """Record progress (0-100) where a watcher sees it at once, even while the handler holds one long
        transaction (an atomic import): a small JSON file beside the database (`JOB_PROGRESS_DIR`), plus the Job
        row itself when no transaction is open."""
        percent = max(0, min(100, int(percent)))
        message = str(message)[:500]
        self.job.progress, self.job.message = percent, message
        progress_write(str(self.job.pk), percent, message)
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(progress=percent, message=message)


def _progress_file(job_id: str) -> Path:
    return Path(settings.JOB_PROGRESS_DIR) / f"{job_id}.json"


def progress_write(job_id: str, percent: int, message: str) -> None:
    path = _progress_file(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"progress": percent, "message": message}, ensure_ascii=False), encoding="utf-8"
    )
    os.replace(tmp, path)


def progress_read(job: Job) -> Job:
    """Overlay the live progress of an unfinished job (from its progress file) on the row."""
    if job.done:
        return job
    try:
        data = json.loads(_progress_file(str(job.pk)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return job
    job.progress = max(job.progress, int(data.get("progress", 0)))
    job.message = str(data.get("message", job.message))
    return job


def job_enqueue(*, actor: Any, kind: str, params: dict[str, Any] | None = None, title: str = "") -> Job:
    """Create a job and dispatch it when the current transaction commits (at once outside a transaction)."""
    if kind not in JOB_HANDLERS:
        raise ValidationError(_("Loại công việc không được hỗ trợ: %(kind)s") % {"kind": kind})
    job = Job.objects.create(
        id=uuid.uuid4(),
        kind=kind,
        title=title or kind,
        params=params or {},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def _handler(kind: str) -> Callable[..., Any]:
    return import_string(JOB_HANDLERS[kind].replace(":", "."))  # "package.module:function"


def _notify(job_id: str) -> None:
    """Tell the job's creator it finished, through the function `settings.MTQG_JOB_FINISHED` names
    (mtqg.notifications.services.job_finished_notify: inbox, e-mail per their preference)."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.created_by is None:
        return
    hook = getattr(settings, "MTQG_JOB_FINISHED", "")
    if hook:
        import_string(hook)(job)


def job_run(job_id: str) -> str:
    """Execute one job (idempotent claim: a job already running or finished is left alone). Returns its status."""
    status = _execute(job_id)
    if status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
        _progress_file(job_id).unlink(missing_ok=True)
        try:
            _notify(job_id)
        except Exception:  # a notification failure never fails the job
            log.exception("notifying job %s failed", job_id)
    return status


# --- Workers' heartbeat (decision 0912) ---------------------------------------------------------------------------
# A running job carries its worker ("host:pid") and a heartbeat: a thread of the process running it refreshes
# `Job.heartbeat_at` and a beat file (JOB_PROGRESS_DIR/workers/<host-pid>.beat) every JOB_HEARTBEAT_SECONDS. The
# file keeps beating while SQLite is held by the job's own long transaction (the row update then waits); PostgreSQL
# workers on other machines are seen through the row. A worker is gone when its process no longer exists (same
# machine) or when neither beat is fresher than JOB_WORKER_STALE_SECONDS.


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _beat_file(worker: str) -> Path:
    return (
        Path(settings.JOB_PROGRESS_DIR) / "workers" / (worker.replace(":", "-").replace("/", "_") + ".beat")
    )


def beat(worker: str | None = None) -> None:
    """Touch this worker's beat file (cheap; never touches the database)."""
    path = _beat_file(worker or worker_id())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(timezone.now().isoformat(), encoding="utf-8")


def worker_alive(worker: str, heartbeat_at: Any = None) -> bool:
    """Is the process `worker` ("host:pid") still there? Same machine: ask the kernel; any machine: a beat (file or
    row) fresher than JOB_WORKER_STALE_SECONDS."""
    host, _sep, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # exists, another user's process
    stale = timedelta(seconds=settings.JOB_WORKER_STALE_SECONDS)
    now = timezone.now()
    if heartbeat_at is not None and now - heartbeat_at < stale:
        return True
    try:
        mtime = _beat_file(worker).stat().st_mtime
    except OSError:
        return False
    return time.time() - mtime < stale.total_seconds()


def any_worker_alive() -> bool:
    """A job worker has beaten recently on this machine (the queue is being drained)."""
    stale = settings.JOB_WORKER_STALE_SECONDS
    folder = Path(settings.JOB_PROGRESS_DIR) / "workers"
    try:
        return any(time.time() - p.stat().st_mtime < stale for p in folder.glob("*.beat"))
    except OSError:
        return False


def worker_gone(job: Job) -> bool:
    """For the job page: a running job whose worker is gone, or a queued job with no worker to take it."""
    if job.status == Job.Status.RUNNING and job.worker:
        return not worker_alive(job.worker, job.heartbeat_at)
    if job.status == Job.Status.QUEUED and _uses_db_queue():
        return timezone.now() - job.created_at > timedelta(
            seconds=settings.JOB_WORKER_STALE_SECONDS
        ) and not (any_worker_alive())
    return False


def _uses_db_queue() -> bool:
    return "django_tasks_db" in str(settings.TASKS["default"]["BACKEND"])


class _Heartbeat:
    """A daemon thread beating for one running job until stopped."""

    def __init__(self, job_id: str, worker: str) -> None:
        self.job_id, self.worker = job_id, worker
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        beat(self.worker)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        try:
            while not self.stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                beat(self.worker)
                with contextlib.suppress(
                    OperationalError
                ):  # SQLite held by the job's transaction: the file beats
                    Job.objects.filter(pk=self.job_id, worker=self.worker).update(heartbeat_at=timezone.now())
        finally:
            connections.close_all()


def _execute(job_id: str) -> str:
    me = worker_id()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, progress=0, worker=me, heartbeat_at=now
    )
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job.status
    Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    ctx = JobContext(job=job, actor=job.created_by)
    try:
        with _Heartbeat(job_id, me):
            result = _handler(job.kind)(ctx, **job.params)
    except ValidationError as exc:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, error=error_text(exc), finished_at=timezone.now()
        )
        return Job.Status.FAILED
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            error=_("Lỗi hệ thống khi chạy công việc; quản trị viên đã được ghi nhận. Vui lòng thử lại sau."),
            finished_at=timezone.now(),
        )
        return Job.Status.FAILED
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED,
        progress=100,
        result=result if result is not None else {},
        finished_at=timezone.now(),
    )
    return Job.Status.SUCCEEDED


def jobs_recover(*, stale_after: timedelta, max_attempts: int = 3, retries: int = 10) -> dict[str, int]:
    """Jobs left "running" by a worker that is gone (killed, machine restarted): a handler's work is atomic, so
    nothing of it was written; put them back in the queue, or fail them after `max_attempts`. A job with a worker
    is judged by that worker's heartbeat (`worker_alive`), never by its age — a long job on a live PostgreSQL
    worker is left alone; `stale_after` applies only to rows written before heartbeats existed. The re-queue is a
    compare-and-set on the heartbeat read, so a worker that beats meanwhile keeps its job. "database is locked"
    is retried (`retries` times, 1 s apart) instead of crashing."""

    for attempt in range(retries + 1):
        try:
            with transaction.atomic():
                return _recover(stale_after=stale_after, max_attempts=max_attempts)
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == retries:
                raise
            log.warning("jobs_recover: database locked, retrying (%s/%s)", attempt + 1, retries)
            time.sleep(1)
    return {"requeued": 0, "failed": 0}  # pragma: no cover - the loop returns or raises


def _recover(*, stale_after: timedelta, max_attempts: int) -> dict[str, int]:
    cutoff = timezone.now() - stale_after
    requeued = failed = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING):
        if job.worker:
            if worker_alive(job.worker, job.heartbeat_at):
                continue
        elif job.started_at is None or job.started_at > cutoff:
            continue
        same = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, worker=job.worker, heartbeat_at=job.heartbeat_at
        )
        if job.attempts >= max_attempts:
            failed += same.update(
                status=Job.Status.FAILED,
                error=_("Công việc bị gián đoạn %(n)s lần; đã dừng. Không có dữ liệu nào được ghi dở.")
                % {"n": job.attempts},
                finished_at=timezone.now(),
            )
            continue
        if same.update(status=Job.Status.QUEUED, worker="", heartbeat_at=None):
            job_id = str(job.pk)
            transaction.on_commit(lambda job_id=job_id: run_job.enqueue(job_id))  # type: ignore[misc]
            requeued += 1
    return {"requeued": requeued, "failed": failed}


def crash_probe(ctx: JobContext, *, rows: int = 100, pause: float = 0.01) -> dict[str, Any]:
    """Writes `rows` audit rows in ONE transaction, slowly, reporting progress: the crash-safety test kills the
    worker half-way and checks that nothing of it remains."""

    with transaction.atomic():
        for i in range(rows):
            record_change(
                actor=None, obj=ctx.job, action="created", changes={"probe": [None, i]}, reason="crash-probe"
            )
            ctx.progress(int(100 * (i + 1) / rows), f"{i + 1}/{rows}")
            time.sleep(pause)
    return {"rows": rows}


@task()
def run_job(job_id: str) -> str:
    """The django-tasks entry point (DB worker, Celery backend or immediate in tests)."""
    return job_run(job_id)


def selftest(ctx: JobContext, *, steps: int = 3, fail: bool = False) -> dict[str, Any]:
    """A tiny job used by tests and the scaled profile's smoke check."""
    for i in range(steps):
        ctx.progress(int(100 * (i + 1) / max(steps, 1)), _("Bước %(n)s") % {"n": i + 1})
    if fail:
        raise ValidationError(_("Công việc thử nghiệm được yêu cầu thất bại."))
    return {"steps": steps}
