"""Settings for the load test's gunicorn: production settings (DEBUG off) without the manifest static storage, so
the run needs no collectstatic (it takes minutes on a busy machine and static files are not part of the test)."""

from mtqg.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Server-Timing: app;dur=<ms> on every response (Django's own time, read by benchmarks/load.py)
MIDDLEWARE = ["mtqg.dashboards.middleware.ServerTimingMiddleware", *MIDDLEWARE]  # noqa: F405

# The dashboards' cache is the production one: files under VAR_DIR shared by every worker (settings.py, decision
# 0716); `--local-cache` sets DASHBOARDS_CACHE=local (one cache per process) to compare.
