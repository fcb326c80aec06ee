"""Settings: the business rules (DESIGN.md §1) and each app's limits, from the ledger and
payments to uploads, moderation, notices and the legal texts (part of config/settings.py, which
imports this module whole)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.environment import DATA_DIR, PRODUCTION, STUDYMARKET_ENV, TESTING, env

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
