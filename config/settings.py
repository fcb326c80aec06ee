"""All settings, read from the environment (django-environ).

Two profiles share this one module: the embedded default (SQLite, local files,
simulated payments, one worker) and scale-out, chosen by environment variables
alone. ``STUDYMARKET_ENV=production`` turns on the deploy hardening and refuses
to start without the secrets it needs.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

STUDYMARKET_ENV = env.str("STUDYMARKET_ENV", default="development")
PRODUCTION = STUDYMARKET_ENV == "production"
TESTING = env.bool("STUDYMARKET_TESTING", default=False)

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var"))).resolve()

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

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id at 19 MiB, 2 passes, 1 lane (OWASP; accounts/hashers.py, ADR 0031): Django's default
# takes 100 MiB a hash. Hashes made with Django's parameters are re-hashed at the next login.
PASSWORD_HASHERS = [
    "studymarket.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2's cost is the point in production; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Passwords (issue 12, slice "limits"): at least PASSWORD_MIN_LENGTH characters, not on Django's
# common list nor on the Dutch one (accounts/data/common-passwords-nl.txt, also with digits or a
# year around the word), and a zxcvbn score (0-4: breached passwords, repeats, keyboard rows,
# sequences, the user's own name) of at least PASSWORD_MIN_SCORE (accounts.passwords).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
PASSWORD_MIN_SCORE = env.int("PASSWORD_MIN_SCORE", default=3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "studymarket.accounts.validators.UserAttributeSimilarityValidator"},
    {
        "NAME": "studymarket.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "studymarket.accounts.validators.CommonPasswordValidator"},
    {"NAME": "studymarket.accounts.validators.NumericPasswordValidator"},
    {
        "NAME": "studymarket.accounts.passwords.DutchCommonPasswordValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "studymarket.accounts.passwords.PasswordStrengthValidator",
        "OPTIONS": {"min_score": PASSWORD_MIN_SCORE, "min_length": PASSWORD_MIN_LENGTH},
    },
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "storefront:home"
LOGOUT_REDIRECT_URL = "storefront:home"

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# --- Rate limits, quotas and password strength (issue 12, slice "limits") -------
# core.ratelimits over django-ratelimit, counted in the default cache (fixed windows). Rates are
# "count/period" with s, m, h or d (django-ratelimit's notation); an empty rate turns a limit off.
RATE_LIMITS = {
    # Password-reset e-mails per address, and reset requests per client IP. Over either, the
    # answer looks exactly like success but no e-mail goes out (no account enumeration).
    "password_reset_email": env.str("RATE_LIMIT_PASSWORD_RESET_PER_EMAIL", default="5/h"),
    "password_reset_ip": env.str("RATE_LIMIT_PASSWORD_RESET_PER_IP", default="20/h"),
    # Sign-up submissions (also the checkout's inline form) per client IP.
    "signup_ip": env.str("RATE_LIMIT_SIGNUP_PER_IP", default="20/h"),
    # The search page and the header's suggestions (one request per pause in typing), per IP.
    "search_ip": env.str("RATE_LIMIT_SEARCH_PER_IP", default="60/m"),
    "suggest_ip": env.str("RATE_LIMIT_SUGGEST_PER_IP", default="120/m"),
    # Reviews written per account.
    "review_user": env.str("RATE_LIMIT_REVIEWS_PER_USER", default="10/d"),
    # Upload quota: documents and new versions stored per seller per day (ASVS 5.2.4).
    "upload_seller": env.str("UPLOAD_QUOTA_PER_SELLER", default="20/d"),
    # Notices ("Meld dit document") per client IP (slice "trust-core").
    "notice_ip": env.str("RATE_LIMIT_NOTICES_PER_IP", default="10/h"),
    # Rights holders' registrations (each reads a PDF in the sandbox while the request waits),
    # every attempt counted, per account (slice "moderation").
    "rights_holder_user": env.str("RATE_LIMIT_RIGHTS_HOLDER_PER_USER", default="20/d"),
    # The public earnings calculator on "Start met verkopen" (one request per pause in typing), per IP.
    "sell_price_ip": env.str("RATE_LIMIT_SELL_PRICE_PER_IP", default="120/m"),
    # Discount codes that do not exist (typed at checkout, or a taken one a seller tried to
    # choose) per account and per client IP (promotions): guessing codes stops here.
    "discount_code_user": env.str("RATE_LIMIT_DISCOUNT_CODES_PER_USER", default="10/h"),
    "discount_code_ip": env.str("RATE_LIMIT_DISCOUNT_CODES_PER_IP", default="10/h"),
    # The JSON API (slice "api"): requests per personal access token, and per client IP.
    "api_token": env.str("RATE_LIMIT_API_PER_TOKEN", default="600/m"),
    "api_ip": env.str("RATE_LIMIT_API_PER_IP", default="300/m"),
}
# Clients never limited by the IP-keyed limits (e.g. a monitoring host); nothing by default.
RATE_LIMIT_EXEMPT_IPS = env.list("RATE_LIMIT_EXEMPT_IPS", default=[])
# How many reverse proxies in front of the app we trust to append to X-Forwarded-For; 0 = take
# the client IP from REMOTE_ADDR (the header is then ignored, since any client can write it).
RATE_LIMIT_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)

# --- Staff two-factor authentication (issue 12, slice "staff") ------------------
# Staff sign in with a password and a TOTP code (django-otp; accounts/twofactor.py) before any
# /beheer/ page. The issuer is the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="studymarket")
# After n wrong codes in a row the next try waits FACTOR × 2^(n-1) seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
# The admin's TOTP device pages never show a confirmed device's secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

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
# Daily backups by `serve` (operations.tasks; embedded profile only): a snapshot a day into
# this folder, best on another disk than DATA_DIR and copied off the machine (README, Backups).
# Empty (the default): off. Kept: the newest of each of the last 7 days and 4 weeks.
BACKUP_DIR = env.str("BACKUP_DIR", default="")
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)

# --- E-mail ---------------------------------------------------------------------
# Written to files in DATA_DIR/mail by default; EMAIL_URL=smtp://... for real mail.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="studymarket <noreply@studymarket.localhost>")

# --- Business rules (DESIGN.md §1): settings, never literals in code ------------
# A public demonstration: the simulated payment provider and the example bank account are
# allowed in production mode.
DEMO_MODE = env.bool("DEMO_MODE", default=False)
CURRENCY = "EUR"
PLATFORM_COMMISSION_PERCENT = env.int("PLATFORM_COMMISSION_PERCENT", default=20)
VAT_RATES_PERCENT = {"NL": 21, "BE": 21}
GUARANTEE_WINDOW_DAYS = env.int("GUARANTEE_WINDOW_DAYS", default=14)
PAYOUT_MINIMUM_CENTS = env.int("PAYOUT_MINIMUM_CENTS", default=1000)
# (minimum page count, preview pages): the first row whose minimum is reached wins.
PREVIEW_PAGES_BY_LENGTH = [(31, 4), (15, 3), (4, 2), (1, 1)]
PREVIEW_IMAGE_WIDTH = env.int("PREVIEW_IMAGE_WIDTH", default=1100)
PLATFORM_FIGURES_CACHE_SECONDS = env.int("PLATFORM_FIGURES_CACHE_SECONDS", default=300)
# Public pages for visitors without a session, kept whole this long (core.page_cache); 0 turns
# the cache off. At most 60: views, sales and reviews may show that late, prices never (issue 14).
PUBLIC_PAGE_CACHE_SECONDS = min(env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60), 60)
# Reputation tiers by points (paid sales and good reviews): the first row reached wins.
REPUTATION_TIERS = [(1000, "gold"), (100, "silver"), (25, "bronze")]

# --- Ledger and payouts (ledger app; DESIGN.md rules 3, 4, 5, 9) ------------------
# How payouts reach sellers: "sepa" (a pain.001 credit-transfer file staff download for the
# bank) or "mollie_route" (Mollie Connect delayed routing of each sale's share when its
# guarantee window closes; needs MOLLIE_API_KEY and each seller's Mollie organisation id).
PAYOUT_PROVIDER = env.str("PAYOUT_PROVIDER", default="sepa")
# Automatic weekly payouts are created on this weekday (0 = Monday) for sellers who chose them.
PAYOUT_WEEKDAY = env.int("PAYOUT_WEEKDAY", default=0)
# The platform's own bank account, the debtor of every SEPA payout file. The defaults are the
# well-known example IBAN: fine for the demo, refused in production.
SEPA_DEBTOR_NAME = env.str("SEPA_DEBTOR_NAME", default="studymarket B.V.")
SEPA_DEBTOR_IBAN = env.str("SEPA_DEBTOR_IBAN", default="NL91ABNA0417164300")
SEPA_DEBTOR_BIC = env.str("SEPA_DEBTOR_BIC", default="ABNANL2A")
_sepa_debtor_missing = not env.str("SEPA_DEBTOR_IBAN", default="")
if PRODUCTION and PAYOUT_PROVIDER == "sepa" and not DEMO_MODE and _sepa_debtor_missing:
    raise ImproperlyConfigured(
        "SEPA_DEBTOR_IBAN (and SEPA_DEBTOR_NAME, SEPA_DEBTOR_BIC) must be set in production."
    )
# How often `serve` queues the release of held earnings, the weekly payouts and the ledger check.
LEDGER_INTERVAL_SECONDS = env.int("LEDGER_INTERVAL_SECONDS", default=3600)
# `manage.py clock_advance` may move the application's clock (core.clock) forward: for tests
# and demos of the guarantee window. Never in production.
CLOCK_ADJUSTABLE = env.bool("CLOCK_ADJUSTABLE", default=not PRODUCTION)

# --- Search (the search app; DESIGN.md §2) --------------------------------------
# "tantivy" (embedded default: an index in DATA_DIR/search, written by the worker only) or
# "postgres" (PostgreSQL full-text search; needs a PostgreSQL DATABASE_URL).
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="tantivy")
SEARCH_INDEX_DIR = Path(env.str("SEARCH_INDEX_DIR", default=str(DATA_DIR / "search"))).resolve()
SEARCH_PAGE_SIZE = env.int("SEARCH_PAGE_SIZE", default=20)

# --- Payments (payments app; DESIGN.md §2, rules 6 and 7) ------------------------
# "simulated" (embedded default: a local checkout page, no money moves; refused in production
# unless DEMO_MODE) or "mollie" (mollie-api-python; MOLLIE_API_ENDPOINT empty = Mollie itself).
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="simulated")
MOLLIE_API_KEY = env.str("MOLLIE_API_KEY", default="")
MOLLIE_API_ENDPOINT = env.str("MOLLIE_API_ENDPOINT", default="")
MOLLIE_TIMEOUT_SECONDS = env.float("MOLLIE_TIMEOUT_SECONDS", default=10.0)
# Webhooks are hints; the return page and this periodic sweep also sync open payments.
PAYMENT_RECONCILE_INTERVAL_SECONDS = env.int("PAYMENT_RECONCILE_INTERVAL_SECONDS", default=60)
# How often `serve` queues the other sweeps for work a killed worker left unfinished.
RECONCILE_INTERVAL_SECONDS = env.int("RECONCILE_INTERVAL_SECONDS", default=300)
# The function that lists the periodic tasks and their intervals (read by `serve`, like ROOT_URLCONF).
PERIODIC_TASKS = "config.periodic.periodic_tasks"
PAYMENT_EXPIRE_AFTER_MINUTES = env.int("PAYMENT_EXPIRE_AFTER_MINUTES", default=60)
# An environment label in idempotency keys keeps test and live keys apart at the provider.
IDEMPOTENCY_KEY_PREFIX = env.str("IDEMPOTENCY_KEY_PREFIX", default=STUDYMARKET_ENV)
if PRODUCTION and PAYMENT_PROVIDER == "simulated" and not DEMO_MODE:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=simulated is refused in production (set mollie, or DEMO_MODE=true)."
    )
if "mollie" in (PAYMENT_PROVIDER, PAYOUT_PROVIDER.split("_")[0]) and not MOLLIE_API_KEY:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=mollie and PAYOUT_PROVIDER=mollie_route need MOLLIE_API_KEY."
    )

# --- Uploads and processing (documents app) --------------------------------------
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
UPLOAD_MAX_PAGES = env.int("UPLOAD_MAX_PAGES", default=1000)
# Each upload is parsed in a child process with these limits, so a PDF bomb or a
# parser hang fails that one upload and never the worker.
PROCESSING_MEMORY_LIMIT_MB = env.int("PROCESSING_MEMORY_LIMIT_MB", default=512)
PROCESSING_TIME_LIMIT_SECONDS = env.int("PROCESSING_TIME_LIMIT_SECONDS", default=60)
# A version still "processing" with no heartbeat for this long was left by a killed worker.
PROCESSING_STALE_SECONDS = env.int("PROCESSING_STALE_SECONDS", default=180)
THUMBNAIL_WIDTH = env.int("THUMBNAIL_WIDTH", default=180)
# originality: estimated Jaccard similarity of 4-word shingle sets from which an upload is held
# (ADR 0016: a copy with 20 % of its words edited scores ≈ 0.2 or more, distinct notes of one
# course ≤ 0.06). Changing it changes the LSH bands: run `manage.py originality_fingerprint --all`.
NEAR_DUPLICATE_THRESHOLD = env.float("NEAR_DUPLICATE_THRESHOLD", default=0.15)
# LibreOffice, for .docx/.odt uploads; when it is not installed those are refused with a reason.
SOFFICE_PATH = env.str("SOFFICE_PATH", default="soffice")

# --- Rights holders and moderation (issue 13, slice "moderation") -----------------
# An upload is held for review when the share of shingles it has in common with a registered
# work, over the smaller of the two texts, reaches this; or when it repeats at least
# RIGHTS_HOLDER_MATCH_MIN_PAGES of the work's pages (a page counts when this share of its
# shingles, RIGHTS_HOLDER_PAGE_SHARE, is in the upload).
RIGHTS_HOLDER_MATCH_THRESHOLD = env.float("RIGHTS_HOLDER_MATCH_THRESHOLD", default=0.3)
RIGHTS_HOLDER_MATCH_MIN_PAGES = env.int("RIGHTS_HOLDER_MATCH_MIN_PAGES", default=3)
RIGHTS_HOLDER_PAGE_SHARE = env.float("RIGHTS_HOLDER_PAGE_SHARE", default=0.5)
# Staff should decide on a held upload within this many hours (the moderation queue's deadline).
MODERATION_HELD_UPLOAD_HOURS = env.int("MODERATION_HELD_UPLOAD_HOURS", default=48)

# --- Online reader page images (issue 12, slice "reader") -------------------------
# Reader pages are drawn in the sandboxed child (the PROCESSING_* limits above). A page may
# take this long to draw at the reader's largest width (a text page takes a few hundredths,
# a detailed technical drawing a few seconds): an upload with a slower page is refused; in the
# reader a page gets twice this (a busy machine) before it is shown as "too heavy".
READER_PAGE_DRAW_SECONDS = env.float("READER_PAGE_DRAW_SECONDS", default=10.0)
# Page draws (child processes) at once per web process; one document draws one at a time,
# so a heavy document waits behind itself and takes one of these at most.
READER_DRAWS_MAX = env.int("READER_DRAWS_MAX", default=3)
# The first pages of a version drawn ahead, at every reader width, when a copy is bought (a
# task), so the buyer's first screen in the reader is served from storage (issue 14). 0: off,
# as in the tests, where tasks run inline and would draw on every purchase.
READER_PREDRAW_PAGES = env.int("READER_PREDRAW_PAGES", default=0 if TESTING else 4)

# --- Views, the worker, two staff approvals (issue 12, slice "ops") ---------------
# A listing's views count once per visitor per day (catalog.counters); one address counts at
# most this many anonymous visitors (fresh sessions are cheap) per listing per day.
VIEW_COUNT_SESSIONS_PER_ADDRESS = env.int("VIEW_COUNT_SESSIONS_PER_ADDRESS", default=3)
# Counted views wait in the cache and reach the database in batches this often (the listing
# page shows the waiting ones too): no write on the page's path (issue 14, slice "public").
VIEW_COUNT_FLUSH_INTERVAL_SECONDS = env.int("VIEW_COUNT_FLUSH_INTERVAL_SECONDS", default=60)
# `serve`'s worker for every queue leaves after this many tasks and a fresh one takes over, so
# what one big task made the process grow by is given back (issue 14: ≤ 200 MB). 0: never.
WORKER_MAX_TASKS = env.int("WORKER_MAX_TASKS", default=100)
# How often `serve` sweeps for uploads left unfinished; a killed worker's uploads are found at
# once (its task rows are marked abandoned), this is the net under that.
UPLOADS_RECONCILE_INTERVAL_SECONDS = env.int("UPLOADS_RECONCILE_INTERVAL_SECONDS", default=60)
# A task row "running" for longer than this lost its worker (no task runs that long): it is
# marked abandoned (core.task_rows), for workers that `serve` does not watch.
TASK_RUNNING_ABANDON_SECONDS = env.int("TASK_RUNNING_ABANDON_SECONDS", default=3600)
# A correction or a payout above this amount needs a second staff member's approval (ledger.approvals).
STAFF_SECOND_APPROVAL_ABOVE_CENTS = env.int("STAFF_SECOND_APPROVAL_ABOVE_CENTS", default=50000)

# --- Notice and action, DSA arts 16 and 17 (issue 13, slice "trust-core") ---------
# Staff decide on a notice within these many hours (shown in the staff queue); sooner for
# "other illegal content" (trust.notices.notice_deadline).
TRUST_NOTICE_DEADLINE_HOURS = env.int("TRUST_NOTICE_DEADLINE_HOURS", default=72)
TRUST_NOTICE_DEADLINE_HOURS_ILLEGAL = env.int("TRUST_NOTICE_DEADLINE_HOURS_ILLEGAL", default=24)
# A seller asked to respond to a notice is given this many hours to answer.
TRUST_SELLER_RESPONSE_HOURS = env.int("TRUST_SELLER_RESPONSE_HOURS", default=72)

# --- Appeals and repeat offenders, DSA arts 20, 21, 23 (issue 13, slice "trust-appeals") ---
# A decision can be appealed inside the site for this many calendar months after the person was
# told of it (art. 20(1): at least six) (trust.appeals).
TRUST_APPEAL_MONTHS = env.int("TRUST_APPEAL_MONTHS", default=6)
# The certified out-of-court dispute settlement body named in every appeal decision (art. 21).
TRUST_OUT_OF_COURT_BODY = env.str(
    "TRUST_OUT_OF_COURT_BODY", default="een door de Digitale Dienstencoördinator erkende geschilleninstantie"
)
TRUST_OUT_OF_COURT_URL = env.str("TRUST_OUT_OF_COURT_URL", default="https://www.acm.nl/")
# Repeat offenders (art. 23, trust.strikes): upheld infringements by a seller, or manifestly
# unfounded notices by a reporter, counted within TRUST_STRIKES_WINDOW_DAYS. At
# TRUST_STRIKES_WARNING of them a warning e-mail; at TRUST_STRIKES_SUSPEND a suspension of
# TRUST_SUSPENSION_DAYS (a seller: no uploading or publishing; a reporter: no notices).
TRUST_STRIKES_WARNING = env.int("TRUST_STRIKES_WARNING", default=2)
TRUST_STRIKES_SUSPEND = env.int("TRUST_STRIKES_SUSPEND", default=3)
TRUST_STRIKES_WINDOW_DAYS = env.int("TRUST_STRIKES_WINDOW_DAYS", default=365)
TRUST_SUSPENSION_DAYS = env.int("TRUST_SUSPENSION_DAYS", default=30)

# --- The operator and the legal texts (issue 13, slice "legal") -----------------
# Who runs the site, as the footer's legal pages (storefront/templates/legal/) show it: the
# E-Commerce Directive (art. 5) and the DSA (arts 11, 12) ask for the registered name, a
# geographic address, e-mail and a second channel, the chamber of commerce (KvK/KBO) and VAT
# numbers. The defaults are clearly fake, for development and tests; production refuses to start
# without real ones.
OPERATOR_LEGAL_NAME = env.str("OPERATOR_LEGAL_NAME", default="Demo studymarket B.V. (voorbeeld)")
OPERATOR_ADDRESS = env.str("OPERATOR_ADDRESS", default="Voorbeeldstraat 1, 1234 AB Demostad, Nederland")
OPERATOR_EMAIL = env.str("OPERATOR_EMAIL", default="info@studymarket.example")
OPERATOR_PHONE = env.str("OPERATOR_PHONE", default="+31 20 000 0000")
OPERATOR_KVK_NUMBER = env.str("OPERATOR_KVK_NUMBER", default="00000000")
OPERATOR_VAT_NUMBER = env.str("OPERATOR_VAT_NUMBER", default="NL000000000B00")
_operator_missing = [
    name
    for name in (
        "OPERATOR_LEGAL_NAME",
        "OPERATOR_ADDRESS",
        "OPERATOR_EMAIL",
        "OPERATOR_PHONE",
        "OPERATOR_KVK_NUMBER",
        "OPERATOR_VAT_NUMBER",
    )
    if not env.str(name, default="").strip()
]
if PRODUCTION and _operator_missing:
    raise ImproperlyConfigured(
        f"{', '.join(_operator_missing)} must be set in production (the legal pages show them)."
    )
# The date of the legal texts in force (terms, privacy statement, the checkout's consent to
# immediate delivery): stored on every order with the buyer's consent. Bump it when they change.
LEGAL_TEXTS_VERSION = env.str("LEGAL_TEXTS_VERSION", default="2026-12-07")

# --- Data rights, GDPR arts 15, 17, 20 (issue 13, slice "privacy") -------------
# A person's data export (a ZIP in the private storage) can be downloaded for this many days,
# then it is deleted (privacy.export.data_exports_expire).
PRIVACY_EXPORT_DAYS = env.int("PRIVACY_EXPORT_DAYS", default=7)
# The link in the "Account verwijderen" e-mail works for this many hours.
PRIVACY_ERASURE_LINK_HOURS = env.int("PRIVACY_ERASURE_LINK_HOURS", default=24)
# A business seller's trader information is kept this many days after their account was erased
# (DSA art. 30(3): six months after the relationship ends), then deleted.
PRIVACY_TRADER_RETENTION_DAYS = env.int("PRIVACY_TRADER_RETENTION_DAYS", default=183)
# Password attempts on the "Account verwijderen" form per account.
RATE_LIMITS["erasure_password_user"] = env.str("RATE_LIMIT_ERASURE_PASSWORD_PER_USER", default="5/h")

# --- Security -------------------------------------------------------------------
# Sessions are read from the cache and written through to the database (issue 14: a signed-in
# page read its session row first). Ending one goes through the session engine (logout,
# privacy.erasure), so it leaves the cache too.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
# A signed-in session unused this many seconds ends at its next request (accounts.session_idle,
# ADR 0031): 14 days for buyers and sellers (the cookie's own 2 weeks), 30 minutes for staff,
# who refund and pay out (NIST SP 800-63B, AAL2).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=14 * 24 * 60 * 60)
SESSION_IDLE_TIMEOUT_STAFF = env.int("SESSION_IDLE_TIMEOUT_STAFF_SECONDS", default=30 * 60)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser accepts these cookies only over HTTPS, for this host and path "/", so
    # a sibling subdomain cannot plant or overwrite them (ASVS 3.3.1).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-django_language"
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if EMAIL_BACKEND.endswith("filebased.EmailBackend") and not env.bool("ALLOW_FILE_EMAIL", default=False):
        raise ImproperlyConfigured("EMAIL_URL must be set in production (or ALLOW_FILE_EMAIL=true).")

# --- Content-Security-Policy (issue 12, slice "csp"; django-csp, config/csp.py) ---------------
# Every response says: scripts, styles, fonts and fetches from this site's own files only (no
# inline code, no eval: base.html tells htmx so), images from this site and data: URLs (Pico's
# icons), no plugins, no framing by any site, forms only to this site. config/csp.py adds what
# depends on other settings: the payment provider's checkout host to form-action (Chromium checks
# the redirect after the checkout POST against it) and the public storage's host to img-src.
# With PAYMENT_PROVIDER=mollie: the hosts of Mollie's hosted checkout, where the checkout POST's
# redirect leads (every host of that redirect chain must be listed: Chromium blocks the rest).
MOLLIE_CHECKOUT_ORIGINS = env.list("MOLLIE_CHECKOUT_ORIGINS", default=["https://www.mollie.com"])
_csp_self = "'self'"
_csp_none = "'none'"
_csp = {
    "DIRECTIVES": {
        "default-src": [_csp_self],
        "script-src": [_csp_self],
        "style-src": [_csp_self],
        "img-src": [_csp_self, "data:"],
        "font-src": [_csp_self],
        "connect-src": [_csp_self],
        "object-src": ["'none'"],
        "base-uri": [_csp_none],
        "form-action": [_csp_self],
        "frame-ancestors": ["'none'"],
        # Where browsers send violation reports (empty: nowhere; the browser console shows them).
        "report-uri": env.list("CSP_REPORT_URI", default=[]) or None,
    }
}
# CSP_REPORT_ONLY=true sends the policy as Content-Security-Policy-Report-Only: browsers report
# what it would block and block nothing. For trying a change out; refused in production.
# (Not a setting named CSP_*: django-csp takes those for its old-style settings and refuses them.)
_csp_report_only = env.bool("CSP_REPORT_ONLY", default=False)
if PRODUCTION and _csp_report_only:
    raise ImproperlyConfigured("CSP_REPORT_ONLY is refused in production: the policy must be enforced.")
CONTENT_SECURITY_POLICY = None if _csp_report_only else _csp
CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp if _csp_report_only else None

# --- Knowing how it runs (issue 18, slice "observe"; studymarket.operations) ------------
# /metrics (Prometheus): with METRICS_TOKEN set, only for "Authorization: Bearer <token>";
# without one, only from this machine (loopback, not through a proxy). Anyone else gets 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# The web processes' request counters and timings, summed over all of them (granian may run
# several, and they are restarted): prometheus-client's multiprocess mode keeps them in files in
# this folder. It reads the variable when it is first imported, so it is set here, before that.
METRICS_DIR = Path(env.str("PROMETHEUS_MULTIPROC_DIR", default=str(DATA_DIR / "metrics"))).resolve()
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(METRICS_DIR))
# /readyz and the staff status page: each check gets this long before it counts as failed.
READINESS_TIMEOUT_SECONDS = env.float("READINESS_TIMEOUT_SECONDS", default=2.0)
# A worker heartbeat (a tiny task on each queue, config/periodic.py) this often; a queue whose
# last one is older than three of these has no worker taking its tasks.
WORKER_HEARTBEAT_INTERVAL_SECONDS = env.int("WORKER_HEARTBEAT_INTERVAL_SECONDS", default=60)
# Finished task rows are deleted after this many days (core.task_rows.task_results_prune);
# failed ones are kept longer: staff and /metrics read them.
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=14)
TASK_RESULTS_FAILED_KEEP_DAYS = env.int("TASK_RESULTS_FAILED_KEEP_DAYS", default=90)
# The oldest task waiting on a queue may be this old before readiness fails (urgent: a buyer waits).
READINESS_BACKLOG_MAX_AGE_SECONDS = env.int("READINESS_BACKLOG_MAX_AGE_SECONDS", default=900)
READINESS_URGENT_BACKLOG_MAX_AGE_SECONDS = env.int("READINESS_URGENT_BACKLOG_MAX_AGE_SECONDS", default=120)
# Errors to Sentry (or a Sentry-compatible tracker such as GlitchTip) when set; off by default.
# No personal data is sent (studymarket.operations.sentry scrubs e-mails, IBANs, tokens, cookies).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=STUDYMARKET_ENV)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)

# Log lines (core.logging, issue 18): one JSON object per line in production or with
# LOG_FORMAT=json, a readable line otherwise; both carry the request id (core.request_id) of the
# request, or of the request that queued the task, they belong to.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # ISO 8601 with the offset, so lines from machines in different zones line up (ASVS 16.2.2).
        "plain": {"()": "studymarket.core.logging.PlainFormatter"},
        "json": {"()": "studymarket.core.logging.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "studymarket.core.logging.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # pikepdf announces its logger bridge at INFO on import: noise in every command's output.
    "loggers": {
        "axes": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        # core.security_log: authentication events, access denials and staff actions, one
        # key=value line each (slice "staff"). SECURITY_LOG_LEVEL=WARNING silences it.
        "studymarket.security": {"level": env.str("SECURITY_LOG_LEVEL", default="INFO")},
    },
}
