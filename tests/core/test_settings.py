"""Production mode, checked in fresh interpreters: settings are read once, at import."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_SECRETS = {
    "SECRET_KEY": "k3V9q-x7T2mZ8pR4wY6nB1cL5dF0gH3jK7sA9eU2iO4tQ8vW6zX1yN5rM0bC7",
    "ALLOWED_HOSTS": "studymarket.example",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.studymarket.example:587",
    "PAYMENT_PROVIDER": "mollie",
    "MOLLIE_API_KEY": "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM",
    "SEPA_DEBTOR_IBAN": "NL02ABNA0123456789",
    # The operator's details on the legal pages (slice "legal"; tests/storefront/test_legal_pages.py).
    "OPERATOR_LEGAL_NAME": "Studymarket Nederland B.V.",
    "OPERATOR_ADDRESS": "Oudegracht 100, 3511 AV Utrecht, Nederland",
    "OPERATOR_EMAIL": "info@studymarket.example",
    "OPERATOR_PHONE": "+31 30 123 4567",
    "OPERATOR_KVK_NUMBER": "12345678",
    "OPERATOR_VAT_NUMBER": "NL123456789B01",
    # Not a secret, but without it `check` warns a shop on SQLite that it makes no backups.
    "BACKUP_DIR": "/srv/backups/studymarket",
}


def run_in_production(args: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "STUDYMARKET_TESTING"}
    # Empty values win over a developer's .env file, which the settings only use for unset variables.
    environment.update(dict.fromkeys(PRODUCTION_SECRETS, ""))
    environment.pop("PAYMENT_PROVIDER")  # unset, not empty: its default (simulated) applies
    environment.update(STUDYMARKET_ENV="production", DJANGO_SETTINGS_MODULE="config.settings", **variables)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set (at least 50 characters) in production."),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set in production."),
        ("EMAIL_URL", "EMAIL_URL must be set in production (or ALLOW_FILE_EMAIL=true)."),
        (
            "PAYMENT_PROVIDER",
            "PAYMENT_PROVIDER=simulated is refused in production (set mollie, or DEMO_MODE=true).",
        ),
        (
            "MOLLIE_API_KEY",
            "PAYMENT_PROVIDER=mollie and PAYOUT_PROVIDER=mollie_route need MOLLIE_API_KEY.",
        ),
        (
            "SEPA_DEBTOR_IBAN",
            "SEPA_DEBTOR_IBAN (and SEPA_DEBTOR_NAME, SEPA_DEBTOR_BIC) must be set in production.",
        ),
    ],
)
def test_production_refuses_to_start_without(missing: str, message: str) -> None:
    given = {name: value for name, value in PRODUCTION_SECRETS.items() if name != missing}

    result = run_in_production(["-c", "import django; django.setup()"], **given)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"django.core.exceptions.ImproperlyConfigured: {message}"


def test_production_refuses_a_short_secret_key() -> None:
    result = run_in_production(
        ["-c", "import django; django.setup()"], **{**PRODUCTION_SECRETS, "SECRET_KEY": "too-short"}
    )

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "SECRET_KEY must be set (at least 50 characters) in production."
    )


def test_production_passes_the_deploy_checks() -> None:
    result = run_in_production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_SECRETS
    )

    assert result.stderr == ""
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert result.returncode == 0
