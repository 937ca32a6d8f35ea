"""Celery application of the scaled profile: background jobs on Redis workers.

The embedded default runs jobs with django-tasks' database queue (`manage.py db_worker`). With
`TASKS_BACKEND=mtqg.core.celery_backend.CeleryBackend` the same django-tasks tasks (above all `mtqg.core.jobs.run_job`)
are sent to Celery instead, and a worker started with

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 celery -A mtqg worker -Q default --concurrency 4

executes them: one Celery task, `mtqg.run_django_task`, imports the django-tasks task by its module path and calls it.
No job code is written for Celery. See docs/deployment.md.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtqg.settings")

QUEUE = "default"  # the django-tasks default queue name; the worker listens on it (-Q default)

app = Celery("mtqg")
app.conf.update(
    broker_url=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
    task_default_queue=QUEUE,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,  # results live on the Job row, not in Celery
    task_acks_late=True,  # a job survives a worker crash (job_run's claim makes a re-delivery harmless)
    worker_prefetch_multiplier=1,  # long jobs: one at a time per worker process
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    broker_transport_options={
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 6 * 3600))
    },
)


@app.task(name="mtqg.run_django_task")
def run_django_task(module_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Execute a django-tasks task (e.g. 'mtqg.core.jobs.run_job') in this worker."""

    task = import_string(module_path)
    return task.call(*args, **kwargs)
