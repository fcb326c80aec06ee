"""The scale-out profile in one list: which processes run, with which commands and settings.

`make scale-test` starts exactly this on loopback (scale/cluster.py), and the files in deploy/
(systemd units, nginx, docker-compose.yml, the example environment file) are generated from it
(scale/render.py; tests/scale/test_deploy_files.py fails when they differ). So the deployment
a newcomer copies is the one that was proven under load and faults.

Settings name the engines by role ({postgres}, {redis}, {objectstore}, {smtp}, {site}); each
target fills them in: ports on 127.0.0.1 for the test, service names for Docker, an operator's
hosts for systemd.
"""

from __future__ import annotations

from dataclasses import dataclass

# The settings every web, worker and scheduler process of one deployment shares. Values in
# braces are filled in per target; SECRET_PLACEHOLDER marks a secret each deployment makes up.
SECRET_PLACEHOLDER = "change-me"

SETTINGS: dict[str, str] = {
    "STUDYMARKET_ENV": "production",
    "SECRET_KEY": SECRET_PLACEHOLDER,
    "SITE_URL": "{site}",
    "ALLOWED_HOSTS": "{site_host}",
    "CSRF_TRUSTED_ORIGINS": "{site}",
    # One reverse proxy (nginx) appends to X-Forwarded-For; the client IP is its last entry.
    "PROXY_COUNT": "1",
    "DATABASE_URL": "postgres://studymarket:{postgres_password}@{postgres}/studymarket",
    # Cache, sessions (cached_db: read from Redis, written through to PostgreSQL), rate limits,
    # view counting and the public page cache: one Redis for all processes.
    "CACHE_URL": "redis://{redis}/0",
    # Tasks stay in PostgreSQL (ADR 0025): transactional with the domain writes, priorities, and
    # the abandoned-row sweeps.
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    "STORAGE": "s3",
    "S3_BUCKET": "studymarket",
    "S3_ENDPOINT_URL": "{objectstore}",
    "S3_REGION": "eu-west-1",
    "S3_ACCESS_KEY_ID": "{s3_access_key}",
    "S3_SECRET_ACCESS_KEY": "{s3_secret_key}",
    # Browsers follow pre-signed URLs and load previews from S3_ENDPOINT_URL: a public name.
    "S3_ADDRESSING_STYLE": "{s3_addressing_style}",
    # Tantivy's index is a folder on one machine; PostgreSQL's full-text search is shared.
    "SEARCH_BACKEND": "postgres",
    "EMAIL_URL": "{smtp}",
    "DEFAULT_FROM_EMAIL": "studymarket <noreply@{site_host}>",
    "PAYMENT_PROVIDER": "mollie",
    "MOLLIE_API_KEY": "{mollie_api_key}",
    "PAYOUT_PROVIDER": "sepa",
    "SEPA_DEBTOR_NAME": "studymarket B.V.",
    "SEPA_DEBTOR_IBAN": "{sepa_debtor_iban}",
    "SEPA_DEBTOR_BIC": "{sepa_debtor_bic}",
    "OPERATOR_LEGAL_NAME": "studymarket B.V.",
    "OPERATOR_ADDRESS": "{operator_address}",
    "OPERATOR_EMAIL": "{operator_email}",
    "OPERATOR_PHONE": "{operator_phone}",
    "OPERATOR_KVK_NUMBER": "{operator_kvk_number}",
    "OPERATOR_VAT_NUMBER": "{operator_vat_number}",
    # Where collectstatic writes (nginx serves it) and where the processes keep nothing else:
    # files live in the bucket, the cache in Redis, the database in PostgreSQL.
    "DATA_DIR": "{data_dir}",
    # /metrics answers a scraper that sends this as a Bearer token (behind the proxy, loopback
    # alone would not do: every request comes from nginx).
    "METRICS_TOKEN": SECRET_PLACEHOLDER,
}


@dataclass(frozen=True)
class Process:
    """A process of the project's own code. ``arguments`` follow ``python -m`` or
    ``python manage.py``; ``{port}`` is the instance's port (web only)."""

    name: str
    description: str
    arguments: tuple[str, ...]
    # How many `make scale-test` starts; a deployment runs as many as its load needs.
    test_instances: int
    manage: bool = True  # `python manage.py …`, else `python -m …`
    listens: bool = False  # behind nginx, one port per instance
    # How long systemd (and Docker) wait after SIGTERM: a worker finishes its task first.
    stop_seconds: int = 30

    def command(self, python: str, manage_py: str, port: int | str | None = None) -> list[str]:
        arguments = [a.replace("{port}", str(port)) for a in self.arguments]
        return [python, manage_py, *arguments] if self.manage else [python, "-m", *arguments]


PROCESSES: tuple[Process, ...] = (
    Process(
        name="web",
        description="studymarket web server (granian, WSGI)",
        arguments=(
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--workers",
            "1",
            "--blocking-threads",
            "5",
            "--no-ws",
            "config.wsgi:application",
        ),  # fmt: skip
        test_instances=3,
        manage=False,
        listens=True,
    ),
    Process(
        name="worker",
        description="studymarket task worker (every queue)",
        arguments=("worker", "--queue-name", "*", "--max-tasks", "100"),
        test_instances=2,
        stop_seconds=300,  # the longest task (an upload, an index rebuild) may finish
    ),
    Process(
        name="worker-urgent",
        description="studymarket task worker (urgent queue only: receipts, stamped copies)",
        arguments=("worker", "--queue-name", "urgent", "--interval", "0.5"),
        test_instances=1,
        stop_seconds=60,
    ),
    Process(
        name="periodic",
        description="studymarket scheduler (queues the periodic sweeps)",
        arguments=("periodic",),
        test_instances=1,
    ),
)

# Run once per release, before the processes above start (and again after each upgrade).
RELEASE_STEPS: tuple[tuple[str, ...], ...] = (
    ("migrate", "--no-input"),
    ("collectstatic", "--no-input", "-v", "0"),
)

# The engines, by role: what the test starts on loopback, and the image Docker users get.
ENGINES: dict[str, dict[str, str]] = {
    "postgres": {"test": "PostgreSQL from Debian (initdb in a temporary folder)", "image": "postgres:15"},
    "redis": {"test": "redis-server from Debian", "image": "redis:7"},
    "objectstore": {
        "test": "moto in server mode (S3 API), behind a proxy the fault run can cut",
        "image": "minio/minio:RELEASE.2025-09-07T16-13-09Z",
    },
    "nginx": {"test": "nginx from Debian, TLS with a certificate made for the run", "image": "nginx:1.27"},
}

# nginx: the largest request body it passes on (an upload of UPLOAD_MAX_BYTES plus the form).
NGINX_CLIENT_MAX_BODY = "60m"
