"""A database made by the previous `main` migrates forward without losing anything.

fixtures/previous-main.sqlite3.gz is that database (the demo data, a purchase, a purchase
reviewed and then refunded under the guarantee); previous-main.json holds what facts.py read
from it there. Here the current code migrates a copy, in subprocesses of `manage.py` with their
own DATABASE_URL (pytest-django's test database is not touched), and must then say "ledger
balanced" and read the same facts. Remake the fixture with scripts/make-previous-main-fixture.py.

SQLite only: the fixture is a SQLite file (the embedded default, which is what an upgraded
installation holds).
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "previous-main.sqlite3.gz"
EXPECTED = HERE / "fixtures" / "previous-main.json"
FACTS = HERE / "facts.py"
MARKER = "migration-facts: "

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the fixture is a SQLite database made by the previous main"
)


@dataclass(frozen=True)
class Migrated:
    env: dict[str, str]
    migrate: subprocess.CompletedProcess[str]
    before: dict[str, Any]
    after: dict[str, Any]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def facts_read(env: dict[str, str]) -> dict[str, Any]:
    shell = manage(
        "shell", "-c", f"import runpy; runpy.run_path({str(FACTS)!r}, run_name='__main__')", env=env
    )
    assert shell.returncode == 0, shell.stdout + shell.stderr
    (line,) = [line for line in shell.stdout.splitlines() if line.startswith(MARKER)]
    facts: dict[str, Any] = json.loads(line.removeprefix(MARKER))
    return facts


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Migrated:
    """The fixture copied to a folder of its own and migrated by the current code, once."""
    data_dir = tmp_path_factory.mktemp("previous-main")
    database = data_dir / "studymarket.sqlite3"
    with gzip.open(FIXTURE, "rb") as packed, database.open("wb") as raw:
        shutil.copyfileobj(packed, raw)
    # The test environment (tests/__init__.py: tasks inline, local cache, testing on), with
    # this copy as the database and data folder.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DATA_DIR": str(data_dir)}
    env.pop("STUDYMARKET_ENV", None)
    result = manage("migrate", "--no-input", env=env)
    assert result.returncode == 0, f"migrate failed:\n{result.stdout}\n{result.stderr}"
    before = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return Migrated(env=env, migrate=result, before=before, after=facts_read(env))


def test_every_migration_is_applied(migrated: Migrated) -> None:
    check = manage("migrate", "--check", "--plan", env=migrated.env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_ledger_still_balanced(migrated: Migrated) -> None:
    check = manage("ledger_check", env=migrated.env)
    assert (check.returncode, check.stdout.strip()) == (0, "ledger balanced"), check.stdout + check.stderr


def test_nothing_lost(migrated: Migrated) -> None:
    before, after = migrated.before, migrated.after
    assert after["counts"] == before["counts"]
    assert after["entitlements"] == before["entitlements"] == {"active": 160, "revoked": 1}
    assert after["order_lines_refunded"] == before["order_lines_refunded"] == 1
    assert after["listing_counters"] == before["listing_counters"]
    assert after["account_entry_sums"] == before["account_entry_sums"]


def test_every_entitlement_keeps_its_order_line(migrated: Migrated) -> None:
    pairs = migrated.after["entitlement_order_lines"]
    assert pairs == migrated.before["entitlement_order_lines"]
    assert all(line is not None for _entitlement, line in pairs)


def test_refunded_review_still_reads_refunded(migrated: Migrated) -> None:
    before, after = migrated.before, migrated.after
    assert len(before["reviews_refunded"]) == 1
    assert after["reviews_refunded"] == before["reviews_refunded"]
    # Review.is_refunded was a stored flag; where it is still read (a property now), it agrees.
    assert before["reviews_reading_refunded"] == [pk for pk, _line in before["reviews_refunded"]]
    if after["reviews_reading_refunded"] is not None:
        assert after["reviews_reading_refunded"] == before["reviews_reading_refunded"]


@pytest.mark.parametrize(
    "key",
    [
        "orders_by_status",
        "payments_by_status",
        "refunds_by_status",
        "refund_requests_by_status",
        "listings_by_status",
        "document_versions_by_status",
        "journals_by_source",
    ],
)
def test_statuses_map_forward(migrated: Migrated, key: str) -> None:
    """Each row keeps its status; a status that was renamed (a value gone from the field's
    choices, another new in them) carries exactly the rows of the old one over."""
    before, after = migrated.before[key], migrated.after[key]
    old_choices = set(migrated.before["choices"][key])
    new_choices = set(migrated.after["choices"][key])
    assert set(after) <= new_choices
    kept = old_choices & new_choices
    assert {s: n for s, n in after.items() if s in kept} == {s: n for s, n in before.items() if s in kept}
    renamed_from = sum(n for s, n in before.items() if s not in new_choices)
    renamed_to = sum(n for s, n in after.items() if s not in old_choices)
    assert renamed_to == renamed_from
