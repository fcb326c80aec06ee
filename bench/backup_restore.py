"""Backup and restore of the embedded profile, measured on the demo data; and the question
the issue asks: is the search index rebuilt or copied on restore?

A scratch data folder gets the demo data (`manage.py migrate` and `demo_data`, tasks inline).
Then, each the median of --repeat runs:
- backup: `manage.py backup --to DIR` (wall time of the command, Django's start included);
- restore: `manage.py restore DIR` into an empty folder (copy, migrate, ledger_check,
  files_check, search_rebuild), and the same without its search rebuild's share;
- search index, the two ways to get it back: `search_rebuild --clear` from the restored
  database, against a copy of the index folder (what the snapshot would hold, copied back).

Writes bench/results/backup_restore.json.

    .venv/bin/python bench/backup_restore.py [--repeat 3]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recording import write  # noqa: E402

TIMEOUT_SECONDS = 1800


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "STUDYMARKET_ENV", "EMAIL_URL", "CACHE_URL", "SEARCH_INDEX_DIR")
    }
    environment.update(
        DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        STUDYMARKET_TESTING="0",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    return environment


def _manage(*args: str, data_dir: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=_environment(data_dir),
        check=True,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
    )
    return time.perf_counter() - start


def _median(times: list[float]) -> dict[str, Any]:
    return {"median_s": round(statistics.median(times), 3), "times_s": [round(t, 3) for t in times]}


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 1e6, 2)


_REBUILD = (
    "import time; from django.core.management import call_command; start = time.perf_counter(); "
    "call_command('search_rebuild', '--clear', verbosity=0); print('seconds', time.perf_counter() - start)"
)


def _rebuild_seconds(data_dir: Path) -> float:
    """search_rebuild's own time, in a process of its own (Django's start left out)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", _REBUILD],
        cwd=ROOT,
        env=_environment(data_dir),
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("seconds ")]
    return float(line.split()[1])


def _indexing_100k_seconds() -> float | None:
    try:
        recorded = json.loads((ROOT / "bench" / "results" / "search-100k-tantivy.json").read_text())
        return float(recorded["figures"]["indexing"]["seconds"])
    except (OSError, KeyError, ValueError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    try:
        source = work / "site"
        _manage("migrate", "--no-input", data_dir=source)
        _manage("demo_data", data_dir=source)
        backups, restores, rebuilds, copies = [], [], [], []
        for run in range(args.repeat):
            snapshot = work / f"snapshot-{run}"
            backups.append(_manage("backup", "--to", str(snapshot), data_dir=source))
            restored = work / f"restored-{run}"
            restores.append(_manage("restore", str(snapshot), data_dir=restored))
            # The index, rebuilt from the restored database ...
            rebuilds.append(_rebuild_seconds(restored))
            # ... or copied back from the snapshot, had it held the index.
            target = work / f"index-copy-{run}"
            start = time.perf_counter()
            shutil.copytree(source / "search", target)
            copies.append(time.perf_counter() - start)
        figures = {
            "demo_data": {
                "database_mb": _size_mb(source / "studymarket.sqlite3"),
                "private_mb": _size_mb(source / "private"),
                "public_mb": _size_mb(source / "public"),
                "search_index_mb": _size_mb(source / "search"),
            },
            "backup_command": _median(backups),
            "restore_command": _median(restores),
            "search_rebuild": _median(rebuilds),
            "search_index_copy": _median(copies),
        }
        rebuild, copy = statistics.median(rebuilds), statistics.median(copies)
        write(
            "backup_restore",
            figures=figures,
            reference={
                "search_index_copy_s": round(copy, 3),
                # At 100k listings the rebuild is minutes (bench/results/search-100k-tantivy.json).
                "tantivy_indexing_100k_listings_s": _indexing_100k_seconds(),
            },
            ratio={"search_rebuild_over_copy": round(rebuild / copy, 1) if copy else None},
            goal={
                "decision": "rebuild the index on restore unless the rebuild takes over a minute "
                "more than a copy: the database is the source of truth, and a copy of a live "
                "tantivy index written by the worker could be torn",
                "rebuild_minus_copy_s_max": 60,
                "met": rebuild - copy <= 60,
            },
        )
        print(figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
