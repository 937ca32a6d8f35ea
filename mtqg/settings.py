"""One environment-driven settings module (variables are named as the settings they set)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DEBUG", True)
# Django's debug pages (traceback, URL map) only when a developer asks: DEBUG_ERROR_PAGES=1. Otherwise even the
# development server and `make demo` show the site's own 400/403/404/500 pages (mtqg/core/errors.py).
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY là bắt buộc khi DEBUG tắt (SECRET_KEY is required).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "mtqg.core",
    "mtqg.accounts",
    "mtqg.geo",
    "mtqg.ntm",
    "mtqg.poverty",
    "mtqg.survey",
    "mtqg.finance",
    "mtqg.ocop",
    "mtqg.workflow",
    "mtqg.supervision",
    "mtqg.notifications",
    "mtqg.dashboards",
    "mtqg.portal",
    "mtqg.planning",
    "mtqg.synthetic",
    "mtqg.reports",
    "mtqg.frontpage",
    "mtqg.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mtqg.core.middleware.SecurityHeadersMiddleware",
    "mtqg.core.errors.ErrorPagesMiddleware",
]

ROOT_URLCONF = "mtqg.urls"
WSGI_APPLICATION = "mtqg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mtqg" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mtqg.core.context_processors.navigation",
                "mtqg.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database: DATABASE_URL, default SQLite under var/ in WAL mode -------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mtqg.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Dashboards' page cache, shared by every gunicorn worker (decisions 0711, 0716) ------------------
# DASHBOARDS_CACHE: "file" (default: VAR_DIR/cache/dashboards), "redis://…" (scaled profile) or "local" (per
# process, in the default cache; settings_test.py uses it, so tests clear it with the default cache).
DASHBOARDS_CACHE = os.environ.get("DASHBOARDS_CACHE", "file")
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if DASHBOARDS_CACHE == "file":
    CACHES["dashboards"] = {
        # Django's file cache, culled once per 200 writes instead of listing the directory on every write (0835)
        "BACKEND": "mtqg.dashboards.filecache.FileCache",
        "LOCATION": str(VAR_DIR / "cache" / "dashboards"),
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
elif DASHBOARDS_CACHE.startswith(("redis://", "rediss://")):
    CACHES["dashboards"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": DASHBOARDS_CACHE,
    }
# After a refresh, a background job renders the refreshed province's pages into that cache (decision 0820).
DASHBOARDS_WARM = os.environ.get("DASHBOARDS_WARM", "1") == "1"
# A province's or the country's page may be served from its last computed version, its as-of shown, for at most
# this many seconds after newer figures exist (one request recomputes it meanwhile; decision 0835). 0 = never.
DASHBOARDS_STALE_SECONDS = env_int("DASHBOARDS_STALE_SECONDS", 60)
# A unit's pages are warmed at most once per this many seconds (decision 0856): between two warmings readers get
# them within the bound above, and one of them recomputes a page past half of it. 0 = after every refresh.
DASHBOARDS_WARM_INTERVAL = env_int("DASHBOARDS_WARM_INTERVAL", DASHBOARDS_STALE_SECONDS // 2)

AUTH_USER_MODEL = "accounts.User"
# Which unit paths a user may see/edit; mtqg.core.scoping calls it (core imports nothing above it).
MTQG_SCOPE_PATHS = "mtqg.accounts.scoping.paths_for"
# Called with a finished background job (core.jobs); notifications tells its creator.
MTQG_JOB_FINISHED = "mtqg.notifications.services.job_finished_notify"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "frontpage:home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_LOCKOUT_ATTEMPTS = env_int("LOGIN_LOCKOUT_ATTEMPTS", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_IP_ATTEMPTS = env_int("LOGIN_IP_ATTEMPTS", 30)
PORTAL_MIN_CELL = env_int(
    "PORTAL_MIN_CELL", 5
)  # public portal: fewer households than this are not shown (0914)
# Behind a reverse proxy: the header carrying the client's address, read only from TRUSTED_PROXIES (decision 0913)
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")  # e.g. "X-Forwarded-For" or "X-Real-IP"; "" = off
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)

# --- Language, time, formats: Vietnamese first, English second --------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "mtqg" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["mtqg.formats"]
# Identifiers, codes and years are never grouped; quantities go through the `vi` filters (decision 0010).
USE_THOUSAND_SEPARATOR = False

# --- Static and media ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

# --- Security (check --deploy is clean when DEBUG is off) ---------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail: console in development ---------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mtqg@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")  # absolute links in e-mails

# --- Background jobs: database-backed queue (manage.py db_worker) --------------------------------
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
JOB_PROGRESS_DIR = Path(os.environ.get("JOB_PROGRESS_DIR", VAR_DIR / "jobs"))  # live progress of running jobs
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10)  # a running job's worker beats this often (0912)
JOB_WORKER_STALE_SECONDS = env_int(
    "JOB_WORKER_STALE_SECONDS", 60
)  # no beat for this long: the worker is gone

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["mtqg.core.api.filters.BoundedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mtqg.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "mtqg.core.api.throttling.SharedAnonRateThrottle",  # counted in the shared cache (decision 0913)
        "mtqg.core.api.throttling.SharedUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_RATE_ANON", "60/min"),
        "user": os.environ.get("API_RATE_USER", "1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MTQG API",
    "DESCRIPTION": "API của hệ thống theo dõi, đánh giá các Chương trình mục tiêu quốc gia.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
