"""Test settings: the normal settings plus a few overrides for speed and isolation."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="mtqg-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"}}  # noqa: F405
# one per-process cache: the dashboards' pages go to the default cache, which tests clear (decision 0716)
DASHBOARDS_CACHE = "local"
DASHBOARDS_WARM = False  # tests that warm say so (override_settings): a warm renders dozens of pages
DASHBOARDS_WARM_INTERVAL = 0  # every warming renders (the interval's own test sets it)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
