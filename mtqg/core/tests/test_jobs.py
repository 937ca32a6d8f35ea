"""Background jobs: the one runner (job_run) through django-tasks, progress, Vietnamese errors, owner-only pages,
and the real database queue drained by `manage.py db_worker`."""

from __future__ import annotations

from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase, override_settings

from mtqg.core import jobs
from mtqg.core.jobs import job_enqueue, job_run
from mtqg.core.models import Job
from mtqg.notifications.models import Notification
from mtqg.testing import make_world


class JobTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()

    def test_enqueue_runs_on_commit_and_records_result(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            job = job_enqueue(actor=self.world.dien_bien_officer, kind="core.selftest", params={"steps": 4})
            self.assertEqual(Job.objects.get(pk=job.pk).status, Job.Status.QUEUED)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED)
        self.assertEqual(job.progress, 100)
        self.assertEqual(job.result, {"steps": 4})
        self.assertEqual(job.attempts, 1)
        self.assertEqual(job.created_by, self.world.dien_bien_officer)
        note = Notification.objects.get(recipient=self.world.dien_bien_officer, category="jobs.finished")
        self.assertEqual(note.url, job.get_absolute_url())
        # a second run of the same job is refused by the claim (idempotent)
        self.assertEqual(job_run(str(job.pk)), Job.Status.SUCCEEDED)
        job.refresh_from_db()
        self.assertEqual(job.attempts, 1)

    def test_validation_error_becomes_vietnamese_message(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            job = job_enqueue(actor=None, kind="core.selftest", params={"fail": True})
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn("thất bại", job.error)

    def test_unexpected_error_hides_the_trace(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            job = job_enqueue(actor=None, kind="core.selftest", params={"no_such_param": 1})
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn("Lỗi hệ thống", job.error)
        self.assertNotIn("Traceback", job.error)
        self.assertNotIn("unexpected keyword", job.error)

    def test_unknown_kind_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            job_enqueue(actor=None, kind="nope.nothing")
        self.assertFalse(Job.objects.exists())

    def test_page_is_owner_only_and_polls_until_done(self) -> None:
        job = Job.objects.create(id="8a1f0c2e-0000-4000-8000-000000000001", kind="core.selftest", title="Thử")
        job.created_by = self.world.dien_bien_officer
        job.progress = 40
        job.save()
        self.client.force_login(self.world.dien_bien_officer)
        page = self.client.get(job.get_absolute_url())
        self.assertContains(page, "40%")
        self.assertContains(page, 'hx-trigger="every 1s"')
        partial = self.client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
        self.assertNotContains(partial, "<html")
        self.assertContains(self.client.get("/jobs/"), "Thử")
        self.client.force_login(self.world.cao_bang_officer)
        self.assertEqual(self.client.get(job.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get("/jobs/"), "Thử")


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
class DatabaseQueueTest(TestCase):
    def test_db_worker_drains_the_queue(self) -> None:
        self.assertEqual(type(jobs.run_job.get_backend()).__name__, "DatabaseBackend")
        with self.captureOnCommitCallbacks(execute=True):
            job = job_enqueue(actor=None, kind="core.selftest", params={"steps": 2})
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.QUEUED)
        # the worker closes "old" connections between tasks, which would close this test's transaction on
        # PostgreSQL; the real worker in its own process is exercised by test_crash.py
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED)
        self.assertEqual(job.result, {"steps": 2})
