"""A django-tasks backend that hands tasks to Celery (scaled profile): `TASKS_BACKEND=mtqg.core.celery_backend.
CeleryBackend`. The task itself is not changed: the Celery worker imports it by module path and calls it
(mtqg/celery.py), so `mtqg.core.jobs.run_job` — and through it every job handler — runs the same code as under the
database worker. Results stay on the Job row; this backend does not fetch results back."""

from __future__ import annotations

from typing import Any, TypeVar

from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.exceptions import InvalidTaskError
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id

from mtqg.celery import run_django_task

T = TypeVar("T")


class CeleryBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = False

    def validate_task(self, task: Task[Any, Any]) -> None:
        super().validate_task(task)
        if task.takes_context:
            raise InvalidTaskError("CeleryBackend does not pass a task context.")

    def enqueue(self, task: Task[Any, T], args: Any, kwargs: Any) -> TaskResult[T]:
        self.validate_task(task)
        result_id = get_random_id()
        options: dict[str, Any] = {"task_id": result_id, "queue": task.queue_name}
        if task.run_after is not None:
            options["eta"] = task.run_after
        run_django_task.apply_async(args=[task.module_path, list(args), dict(kwargs)], **options)
        result: TaskResult[T] = TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        return result
