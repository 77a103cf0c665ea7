"""Outturn settings: one module, driven by the environment.

With no environment at all it runs as a first look: SQLite in ./var and a real Celery worker on
kombu's filesystem transport (no services needed). CI, docker-compose and production set
DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab

from config.observability import sentry_init
from tablereader.limits import Limits

# Lets admin and querysets be subscripted with their model type at run time (for mypy).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OUTTURN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The built-in key is for commands and tests on a developer's machine only: the web app, the
# worker and beat refuse to start with it unless DEBUG is on (config.startup); `make run` makes a
# key of its own in var/.
SECRET_KEY_IS_LOCAL = not os.environ.get("DJANGO_SECRET_KEY")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "insecure-local-only-outturn-key-change-me-0123456789"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_results",
    "django_celery_beat",
    "axes",
    "accounts",
    "core",
    "forecasting",
    "placements",
    "workforce",
    "savings",
    "forecast_runs",
    "dashboards",
    "feed",
    # DfE's published statistics and statistical neighbours (docs/benchmarks-dfe.md).
    "benchmarks",
]

MIDDLEWARE = [
    "core.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews a session in use once a minute rather than writing it on every request (core.sessions).
    "core.sessions.SessionIdleRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each request's id, user and authority in its log lines (core.logs).
    "core.log_middleware.RequestLogContextMiddleware",
    # Every page needs a signed-in user unless a view is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A director's or administrator's code is owed by a session that has not given it, whenever
    # the rule came to apply to them (accounts.middleware, docs/sign-in.md).
    "accounts.middleware.SecondStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.NoStoreForSignedInMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Every form field renders the GOV.UK way, with its hint and error wired to aria-describedby (docs/forms.md).
FORM_RENDERER = "core.forms.GovukFormRenderer"
INSTALLED_APPS += ["django.forms"]  # Django's own widget templates, for the renderer above

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'outturn.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # A file, not memory, so that a worker process started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # Several processes (web, worker) share the file: wait for locks rather than fail at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (e.g. redis://127.0.0.1:6379/1) lets every web worker reuse one warm copy of a
# run's dashboard; without it each process keeps its own.
if os.environ.get("DJANGO_CACHE_URL", "").startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedRedisCache",
            "LOCATION": os.environ["DJANGO_CACHE_URL"],
        }
    }
    # Sessions read from the shared cache, written through to the database. Only with a shared
    # cache: a cache of each process's own could keep a session another process has ended.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 8 idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
# Renewed by core.sessions.SessionIdleRenewalMiddleware at most once a minute, not on every request.
SESSION_SAVE_EVERY_REQUEST = False
OUTTURN_SESSION_RENEW_SECONDS = int(os.environ.get("OUTTURN_SESSION_RENEW_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG and "DATABASE_URL" in os.environ)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# A council decides on the preload list itself; the warning is about that choice, not a defect.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Repeated failed sign-ins: five failures lock that username from that address for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Single sign-on through the council's identity provider over OpenID Connect (docs/sign-in.md).
# Off unless OIDC_ISSUER (or OIDC_DISCOVERY_URL) and OIDC_CLIENT_ID are set. OIDC_ROLE_MAP maps a
# group (or other claim value) to an authority and role: "group-id=NOTTS:director,..." or JSON.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "") or (
    f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_ROLE_MAP = os.environ.get("OIDC_ROLE_MAP", "")
OIDC_ALGORITHMS = env_list("OIDC_ALGORITHMS", "RS256")
OIDC_TIMEOUT_SECONDS = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
# Where SSO is on, a deployment may switch the username-and-password form off.
OUTTURN_LOCAL_SIGN_IN = env_bool("OUTTURN_LOCAL_SIGN_IN", True)
# Directors and administrators signing in with a password must also give a code from an
# authenticator app (TOTP); these roles are asked, and SSO users never are (their provider asks).
OUTTURN_SECOND_FACTOR_ROLES = env_list("OUTTURN_SECOND_FACTOR_ROLES", "director,administrator")
OUTTURN_SECOND_FACTOR_ISSUER = os.environ.get("OUTTURN_SECOND_FACTOR_ISSUER", "Outturn")
# Wrong codes in a row before the second step pauses for that person, and for how long.
OUTTURN_SECOND_FACTOR_FAILURE_LIMIT = int(os.environ.get("OUTTURN_SECOND_FACTOR_FAILURE_LIMIT", "5"))
OUTTURN_SECOND_FACTOR_LOCK_SECONDS = int(os.environ.get("OUTTURN_SECOND_FACTOR_LOCK_SECONDS", "900"))

# Set-password links (for new users and forced resets) work once and last this many seconds.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("OUTTURN_SET_PASSWORD_LINK_SECONDS", str(3 * 24 * 60 * 60)))
# Email (set-password links): printed to the console unless the deployment names a backend.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "outturn@localhost")
# Who runs the service, told at once of what must never happen (a published report that no longer
# matches what was signed off): comma-separated addresses.
ADMINS = [(a.strip(), a.strip()) for a in os.environ.get("DJANGO_ADMINS", "").split(",") if a.strip()]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The placement register holds children's details: administrators read it (its pages, the KPI
# page and their downloads) only where the deployment allows it.
OUTTURN_ADMINS_SEE_REGISTER = env_bool("OUTTURN_ADMINS_SEE_REGISTER", False)

# The data feed (docs/feed.md): requests a minute per token before it answers 429.
OUTTURN_FEED_REQUESTS_PER_MINUTE = int(os.environ.get("OUTTURN_FEED_REQUESTS_PER_MINUTE", "60"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # money is formatted by our own filters

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Static files (docs/deployment.md, "Static files"). Collected (the image sets
# DJANGO_STATIC_COLLECTED=1 and runs collectstatic): served from STATIC_ROOT alone, each name
# carrying a hash of its content, kept by browsers for good and sent gzipped to those that accept
# it. Not collected (`make run`, tests): read from static/ as they are, kept for 60 seconds.
STATIC_COLLECTED = env_bool("DJANGO_STATIC_COLLECTED", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.static_storage.StaticFilesStorage"
        if STATIC_COLLECTED
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The finders' copies would replace the collected ones, and with them the gzip copies.
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# The DfE release seed_demo loads (the full one shipped in data/dfe-published/); the test suite
# points it at a trimmed copy holding the demo county's council, neighbours, region and England.
OUTTURN_DEMO_PUBLISHED_RELEASE = BASE_DIR / "data" / "dfe-published" / "lait-bds-long-2025-11-03.parquet"

# Uploads: refuse anything bigger than this before reading it (the 50 MB file case).
# Every file (upload, import_data, forecast_demand) is read within these limits (docs/reading.md):
# what an XLSX unpacks to, the rows and columns of a sheet or CSV, and the length of one cell.
# Read from the environment by the reader's own Limits, which forecast_demand also uses.
_READING_LIMITS = Limits.from_environment()
OUTTURN_MAX_UPLOAD_BYTES = _READING_LIMITS.upload_bytes
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
OUTTURN_MAX_UNPACKED_BYTES = _READING_LIMITS.unpacked_bytes
OUTTURN_MAX_ROWS = _READING_LIMITS.rows
OUTTURN_MAX_COLUMNS = _READING_LIMITS.columns
OUTTURN_MAX_CELL_CHARS = _READING_LIMITS.cell_chars
# DfE's published statistics (import_data benchmarks) may hold more rows than an upload: the
# November 2025 release has about 600,000 (docs/benchmarks-dfe.md).
OUTTURN_MAX_PUBLISHED_ROWS = int(os.environ.get("OUTTURN_MAX_PUBLISHED_ROWS", "2000000"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Celery: Redis where CELERY_BROKER_URL is set; otherwise a real worker on the local filesystem
# transport, so the first look runs the same path as production with nothing installed.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    for _folder in (_queue_dir, VAR_DIR / "celery-processed", VAR_DIR / "celery-control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
else:
    # Redis: a task not acknowledged within this many seconds is handed to another worker. Kept
    # above the tasks' hard time limits so a task still running is never delivered twice (the
    # claim would refuse the copy anyway); a dead worker's task is resumed by the recovery sweep
    # (OUTTURN_FORECAST_STALE_SECONDS), not by this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_CACHE_BACKEND = "django-cache"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "900"))
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "840"))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The monthly forecast run (editable later in the admin's periodic tasks).
CELERY_BEAT_SCHEDULE = {
    "monthly-forecast": {
        "task": "forecast_runs.schedule.forecast_monthly_task",
        "schedule": crontab(
            minute="0",
            hour=os.environ.get("OUTTURN_FORECAST_SCHEDULE_HOUR", "6"),
            day_of_month=os.environ.get("OUTTURN_FORECAST_SCHEDULE_DAY", "8"),
        ),
    },
}
# Recovery of a forecast run or back-test whose worker died (docs/forecast-runs.md, Recovery):
# the worker beats on the row every HEARTBEAT seconds; a row silent for STALE seconds is taken
# back by the sweep, which beat runs every SWEEP seconds (and each worker once as it starts).
# Worst case from a kill to another worker starting again: STALE + SWEEP + a few seconds of
# queueing, about 35 s with these defaults.
OUTTURN_HEARTBEAT_SECONDS = float(os.environ.get("OUTTURN_HEARTBEAT_SECONDS", "5"))
OUTTURN_FORECAST_STALE_SECONDS = int(os.environ.get("OUTTURN_FORECAST_STALE_SECONDS", "20"))
OUTTURN_RECOVERY_SWEEP_SECONDS = int(os.environ.get("OUTTURN_RECOVERY_SWEEP_SECONDS", "10"))
# Queue for forecast runs (blank: Celery's default queue); tests give each worker its own.
OUTTURN_FORECAST_QUEUE = os.environ.get("OUTTURN_FORECAST_QUEUE", "") or None
# Queue for checking and importing uploads (blank: Celery's default queue); tests give each worker its own.
OUTTURN_IMPORT_QUEUE = os.environ.get("OUTTURN_IMPORT_QUEUE", "") or None
CELERY_BEAT_SCHEDULE["recover-forecast-runs"] = {
    "task": "forecast_runs.schedule.forecast_runs_recover_task",
    "schedule": float(OUTTURN_RECOVERY_SWEEP_SECONDS),
    # A sweep nobody took within a minute (every worker down) is dropped: a later one does the
    # same work, and each step of a sweep is a compare-and-swap, so a late one is harmless too.
    "options": {"expire_seconds": 60, **({"queue": OUTTURN_FORECAST_QUEUE} if OUTTURN_FORECAST_QUEUE else {})},
}
# Fault injection for the worker-killed test: seconds to wait before writing results. Always 0 in use.

# Logs: one JSON object a line on standard error, with the request id, user, authority and run id
# of what it happened for (core.logs; docs/deployment.md, "Logs"). LOG_FORMAT=plain gives lines
# for a person at a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain" if LOG_FORMAT == "plain" else "json"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# The worker and beat log through the same handler (Celery would otherwise put in its own format).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Health (/healthz): a worker counts as up if it finished a task within this many seconds (beat's
# recovery sweep gives it one every OUTTURN_RECOVERY_SWEEP_SECONDS); each check waits this long.
OUTTURN_HEALTH_WORKER_SECONDS = int(
    os.environ.get("OUTTURN_HEALTH_WORKER_SECONDS", str(max(60, 6 * OUTTURN_RECOVERY_SWEEP_SECONDS)))
)
OUTTURN_HEALTH_TIMEOUT_SECONDS = float(os.environ.get("OUTTURN_HEALTH_TIMEOUT_SECONDS", "3"))

# Error reporting to a Sentry-compatible service: off unless SENTRY_DSN is set (config.observability).
SENTRY_ENABLED = sentry_init(os.environ.get("SENTRY_DSN", ""))

OUTTURN_COUNCIL_NAME = os.environ.get("OUTTURN_COUNCIL_NAME", "")
# Sign-off guards (docs/dashboards.md): a movement of the outturn since the last published period
# needs a look when it is at least the smaller of this % of the budget and this many pence (£1m);
# a likely range needs a look when it is more than this many times the usual width.
OUTTURN_SIGN_OFF_MOVEMENT_PCT = Decimal(os.environ.get("OUTTURN_SIGN_OFF_MOVEMENT_PCT", "2"))
OUTTURN_SIGN_OFF_MOVEMENT_PENCE = int(os.environ.get("OUTTURN_SIGN_OFF_MOVEMENT_PENCE", "100000000"))
OUTTURN_SIGN_OFF_RANGE_RATIO = Decimal(os.environ.get("OUTTURN_SIGN_OFF_RANGE_RATIO", "1.5"))
# The system Chromium that renders PDF snapshots (never a downloaded browser).
PLAYWRIGHT_CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
