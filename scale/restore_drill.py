"""The scale-out profile's backup, proven by a restore: `pg_dump` of the live database after the
faults (the way a small site backs up; big sites add base backups and WAL archiving, README
"Running at scale: Backups"), restored into a fresh database as a DBA would, then
`manage.py ledger_check` against the restored copy. The files are in the object store, whose
versioning is their backup; they are not part of this drill.

The DBA's part, as at the cluster's start: the database and the search's extensions are made
by the superuser (the application's role may not create `rum`); pg_restore then skips the
dump's extension entries and creates everything else as the application's role.
"""

from __future__ import annotations

import subprocess  # nosec B404: PostgreSQL's own programs, argument lists, timeouts
import sys
import time
from typing import Any

from scale.cluster import BASE_DIR, Cluster

RESTORED = "studymarket_restored"
EXTENSIONS = ("unaccent", "pg_trgm", "rum")
TIMEOUT_SECONDS = 900


def restore_drill(
    cluster: Cluster, *, source: str = "studymarket", role: str = "studymarket", restored: str = RESTORED
) -> dict[str, Any]:
    """Dump ``source``, restore it into a fresh database ``restored`` owned by ``role``, run
    ledger_check there. Returns the figures and ``failures`` (empty when it is balanced)."""
    postgres = cluster.postgres
    connect = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres"]
    dump = cluster.root / "studymarket.dump"
    started = time.monotonic()
    _run([str(postgres.bin / "pg_dump"), *connect, "-Fc", "-f", str(dump), source])
    dumped = time.monotonic()
    postgres.sql(f"DROP DATABASE IF EXISTS {restored}")
    postgres.sql(f"CREATE DATABASE {restored} OWNER {role}")
    for extension in EXTENSIONS:
        postgres.sql(f"CREATE EXTENSION IF NOT EXISTS {extension}", database=restored, check=False)
    listing = _run([str(postgres.bin / "pg_restore"), "-l", str(dump)]).stdout
    wanted = cluster.root / "studymarket.dump.list"
    wanted.write_text("".join(line + "\n" for line in listing.splitlines() if " EXTENSION " not in line))
    _run([
        str(postgres.bin / "pg_restore"), *connect, "--no-owner", f"--role={role}", "--exit-on-error",
        "-L", str(wanted), "-d", restored, str(dump),
    ])  # fmt: skip
    loaded = time.monotonic()
    environment = dict(cluster.environment)
    environment["DATABASE_URL"] = environment["DATABASE_URL"].rsplit("/", 1)[0] + f"/{restored}"
    check = subprocess.run(  # nosec B603
        [sys.executable, "manage.py", "ledger_check", "--no-record"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    failures = []
    if check.returncode or check.stdout.strip() != "ledger balanced":
        failures.append(f"restored dump: ledger_check: {check.stdout.strip()} {check.stderr.strip()}")
    return {
        "dump_mb": round(dump.stat().st_size / 1e6, 2),
        "dump_seconds": round(dumped - started, 1),
        "restore_seconds": round(loaded - dumped, 1),
        "ledger_check": check.stdout.strip(),
        "failures": failures,
    }


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)  # nosec B603
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr.strip()}")
    return done
