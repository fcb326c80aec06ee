"""The embedded cache (no CACHE_URL): shared by the processes of one machine, with an ``incr``
that loses nothing when several processes count at once (rate limits, waiting view counts) and
no entry limit that culls at random (issue 14)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_COUNT = """
import django
django.setup()
from django.core.cache import cache
cache.add("counted", 0, timeout=None)
for _ in range({times}):
    cache.incr("counted")
from django.core.cache import caches
print(type(caches["default"]).__module__, cache.get("counted"))
"""


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    environment.update(DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    return environment


def test_processes_counting_at_once_lose_no_count(tmp_path):
    environment = _environment(tmp_path)
    script = _COUNT.format(times=300)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120)[0].split() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert {module for module, _ in outputs} == {"diskcache.djangocache"}
    final = subprocess.run(
        [sys.executable, "-c", _COUNT.format(times=0)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert final.stdout.split()[1] == "900"


def test_thousands_of_entries_are_all_kept(tmp_path):
    script = """
import django
django.setup()
from django.core.cache import cache
cache.set_many({f"key-{n}": n for n in range(2000)}, timeout=None)
print(sum(1 for n in range(2000) if cache.get(f"key-{n}") == n))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_environment(tmp_path), capture_output=True, text=True
    )
    assert done.stdout.strip() == "2000", done.stderr
