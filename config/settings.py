"""All settings, read from the environment (django-environ).

Two profiles share these settings: the embedded default (SQLite, local files,
simulated payments, one worker) and scale-out, chosen by environment variables
alone. ``STUDYMARKET_ENV=production`` turns on the deploy hardening and refuses
to start without the secrets it needs.

This module holds the framework's own settings (apps, middleware, database, cache, tasks,
languages, files, e-mail) and takes the rest from one module per subject, at its end:
config/settings_security.py (sign-in, passwords, rate limits, cookies, the CSP),
config/settings_business.py (the business rules and each app's limits) and
config/settings_operations.py (backups, metrics, readiness, logging).
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.environment import BASE_DIR, DATA_DIR, PRODUCTION, STUDYMARKET_ENV, TESTING, env

# Settings in their own right too (code reads settings.TESTING, settings.PRODUCTION, ...).
__all__ = ["BASE_DIR", "DATA_DIR", "PRODUCTION", "STUDYMARKET_ENV", "TESTING"]

if PRODUCTION:
    # No defaults for secrets in production: fail loudly at start-up.
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set (at least 50 characters) in production.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
    DEBUG = False
else:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-" + "x" * 40)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env.bool("DEBUG", default=False)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin with a site that asks staff for their TOTP code (slice "staff").
    "config.admin.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    # django-ninja's templates and static files: /api/docs serves Swagger UI from here, not a CDN.
    "ninja",
    "axes",
    "csp",  # django-csp: its system checks of the policy settings (slice "csp")
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "studymarket.core",
    "studymarket.accounts",
    "studymarket.notifications",
    "studymarket.documents",
    "studymarket.catalog",
    "studymarket.search",
    "studymarket.library",
    "studymarket.ledger",
    "studymarket.orders",
    "studymarket.payments",
    "studymarket.promotions",
    "studymarket.reviews",
    "studymarket.checkout",
    "studymarket.selling",
    "studymarket.trust",
    "studymarket.storefront",
    "studymarket.support",
    "studymarket.privacy",
    "studymarket.api",
    "studymarket.operations",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id; then the request's count and
    # time by view and status for /metrics (issue 18, slice "observe").
    "studymarket.core.request_id.RequestIdMiddleware",
    "studymarket.operations.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # No TRACE/CONNECT; nothing a signed-in user sees is stored by a cache (docs/security.md).
    "studymarket.core.middleware.HttpHardeningMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header on every response but static files (slice "csp").
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a TOTP code too (staff; slice "staff").
    "django_otp.middleware.OTPMiddleware",
    # The security log's request context, and a line for every PermissionDenied (slice "staff").
    "studymarket.core.security_log.SecurityLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Signs out a session unused for SESSION_IDLE_TIMEOUT(_STAFF); after auth, messages and htmx.
    "studymarket.accounts.session_idle.SessionIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
    # Answers core.ratelimits.RateLimited with 429 (issue 12, slice "limits").
    "studymarket.core.ratelimits.RateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "studymarket" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studymarket.checkout.context_processors.cart",
                # The header bell's unread count, for signed-in people only (one indexed COUNT).
                "studymarket.notifications.context_processors.notifications",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite in WAL mode by default; DATABASE_URL=postgres://... for scale-out.
_sqlite_default = f"sqlite:///{DATA_DIR / 'studymarket.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=_sqlite_default)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so a web process and a worker
        # never deadlock upgrading read locks; busy_timeout waits instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    # Each web thread keeps its connection: opening one (and running the PRAGMAs above) on
    # every request cost about as much as a query (issue 14).
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=600))
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------
# A cache shared by all processes of one machine (view de-duplication, rate limits, the public
# page cache, sessions). Embedded default: diskcache (SQLite files in DATA_DIR/cache), whose add
# and incr are atomic across processes and which evicts by size, least recently stored first;
# Django's file cache culls a random third of its entries beyond 300 (rate-limit counters and
# waiting view counts among them) and its incr is not atomic (issue 14). Redis via
# CACHE_URL=redis://... at scale.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "diskcache.DjangoCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "SHARDS": 4,
            # How long one process waits for another's write before giving up (a miss, not an error).
            "DATABASE_TIMEOUT": 1.0,
            "OPTIONS": {"size_limit": env.int("CACHE_SIZE_LIMIT_BYTES", default=512 * 1024 * 1024)},
        }
    }

# --- Background tasks (django_tasks API, database backend) ---------------------
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        # studymarket.core.task_queues.QUEUES: "urgent" has a worker of its own (`serve`).
        "QUEUES": ["default", "urgent"],
    }
}
# RQ on Redis through django-tasks-rq, as a second backend ("rq") when TASKS_RQ_REDIS_URL is set:
# only for bench/task_backends.py, which measured it against the database queue (ADR 0025). It
# cannot be "default": it refuses any task priority, and every task of the site names one.
if env.str("TASKS_RQ_REDIS_URL", default=""):
    INSTALLED_APPS.append("django_rq")
    TASKS["rq"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASKS["default"]["QUEUES"]}
    RQ_QUEUES = {name: {"URL": env.str("TASKS_RQ_REDIS_URL")} for name in TASKS["rq"]["QUEUES"]}

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "studymarket" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------
# "default" holds sellers' private documents and is never served at a public URL;
# "public" holds previews and avatars. STORAGE=s3 switches both to object storage.
STORAGE = env.str("STORAGE", default="local")
MEDIA_URL = "/media/"
# A private file is downloaded through a pre-signed URL of the bucket valid this long
# (core.storage.stored_file_response): long enough to follow the redirect, too short to share.
DOWNLOAD_URL_SECONDS = env.int("DOWNLOAD_URL_SECONDS", default=60)
if STORAGE == "s3":
    # Only this profile needs botocore here (no stubs of its own).
    from botocore.config import Config as _S3Config  # type: ignore[import-untyped]

    # One bucket: "private/" (no public access, by the bucket policy) and "public/" (anyone may
    # read; README "Running at scale"). No ACLs are sent: buckets made today have them disabled.
    # Short timeouts and few retries: a store that is down costs a request seconds, not a
    # minute, and it is answered with "probeer het over een minuut opnieuw" (503).
    _s3 = {
        "bucket_name": env.str("S3_BUCKET"),
        "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
        "region_name": env.str("S3_REGION", default=None),
        "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
        "client_config": _S3Config(
            s3={"addressing_style": env.str("S3_ADDRESSING_STYLE", default="auto")},
            signature_version="s3v4",
            connect_timeout=env.float("S3_CONNECT_TIMEOUT", default=3.0),
            read_timeout=env.float("S3_READ_TIMEOUT", default=10.0),
            retries={"mode": "standard", "max_attempts": env.int("S3_MAX_ATTEMPTS", default=3)},
        ),
        # A name taken gets another, as in a folder: the code relies on it (a second worker's
        # copy must not replace, nor its clean-up delete, the first one's file).
        "file_overwrite": False,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": "private", "querystring_expire": DOWNLOAD_URL_SECONDS},
        },
        "public": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": "public", "querystring_auth": False},
        },
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(DATA_DIR / "private"), "base_url": None},
        },
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(DATA_DIR / "public"), "base_url": MEDIA_URL},
        },
    }
STORAGES["staticfiles"] = {
    "BACKEND": (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
}
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "studymarket" / "static"]
STATIC_ROOT = DATA_DIR / "static"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# --- E-mail ---------------------------------------------------------------------
# Written to files in DATA_DIR/mail by default; EMAIL_URL=smtp://... for real mail.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="studymarket <noreply@studymarket.localhost>")
# Production sends real mail: a file backend there loses every receipt and reset link.
if (
    PRODUCTION
    and EMAIL_BACKEND.endswith("filebased.EmailBackend")
    and not env.bool("ALLOW_FILE_EMAIL", default=False)
):
    raise ImproperlyConfigured("EMAIL_URL must be set in production (or ALLOW_FILE_EMAIL=true).")

# --- The rest, by subject ------------------------------------------------------------
# Star imports on purpose: Django reads a settings module's upper-case names, and each subject
# module's names are its settings (their helpers start with "_" and stay behind).
from config.settings_business import *  # noqa: E402, F403
from config.settings_operations import *  # noqa: E402, F403
from config.settings_security import *  # noqa: E402, F403
