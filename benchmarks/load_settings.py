"""Settings for the load test's gunicorn: production settings (DEBUG off) without the manifest static storage, so
the run needs no collectstatic (it takes minutes on a busy machine and static files are not part of the test)."""

import os

from mtqg.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Server-Timing: app;dur=<ms> on every response (Django's own time, read by benchmarks/load.py)
MIDDLEWARE = ["mtqg.dashboards.middleware.ServerTimingMiddleware", *MIDDLEWARE]  # noqa: F405

# --shared-cache: the dashboards' cache in files under VAR_DIR, shared by every gunicorn worker (decision 0711)
if os.environ.get("LOAD_SHARED_CACHE"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "dashboards": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "dashboards"),  # noqa: F405
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }
