"""Settings: backups, metrics, readiness, task rows, error reports and logging (issue 18;
part of config/settings.py, which imports this module whole)."""

import os
from pathlib import Path

from config.environment import DATA_DIR, PRODUCTION, STUDYMARKET_ENV, env

# --- Backups (studymarket.operations) ------------------------------------------------------
# Daily backups by `serve` (operations.tasks; embedded profile only): a snapshot a day into
# this folder, best on another disk than DATA_DIR and copied off the machine (README, Backups).
# Empty (the default): off. Kept: the newest of each of the last 7 days and 4 weeks.
BACKUP_DIR = env.str("BACKUP_DIR", default="")
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)

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
