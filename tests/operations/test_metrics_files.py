"""The metrics files of processes that have ended (operations.metrics_files): their live
gauges are dropped, their counters and histograms folded into one archive per type, so the
folder stops growing and the sums a scrape reports never go down."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families

from studymarket.operations import metrics
from studymarket.operations.metrics_files import metrics_dir_compact, metrics_dir_locked, pid_alive

LIVE = os.getpid()
DEAD = 4_000_001  # above Linux's largest pid (4194304 is the cap; never one of these tests' own)
OTHER_DEAD = 4_000_002


def _alive(pid: int) -> bool:
    return pid == LIVE


def _write(path: Path, values: dict[tuple[str, str, tuple[tuple[str, str], ...]], float]) -> None:
    data = MmapedDict(str(path))
    try:
        for (metric, name, labels), value in values.items():
            key = mmap_key(metric, name, [k for k, _v in labels], [v for _k, v in labels], "help")
            data.write_value(key, value, 0.0)
    finally:
        data.close()


def _counter(directory: Path, pid: int, healthz: float, search: float = 0.0) -> None:
    values: dict[tuple[str, str, tuple[tuple[str, str], ...]], float] = {
        ("requests", "requests_total", (("view", "healthz"),)): healthz
    }
    if search:
        values[("requests", "requests_total", (("view", "search"),))] = search
    _write(directory / f"counter_{pid}.db", values)


def _scrape(directory: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))
    samples = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_a_dead_process_loses_its_live_gauges_and_its_counters_are_folded(tmp_path: Path):
    _counter(tmp_path, LIVE, healthz=5)
    _counter(tmp_path, DEAD, healthz=7, search=2)
    _counter(tmp_path, OTHER_DEAD, healthz=1)
    gauge = ("in_progress", "in_progress", ())
    _write(tmp_path / f"gauge_livesum_{DEAD}.db", {gauge: 3})
    _write(tmp_path / f"gauge_livesum_{LIVE}.db", {gauge: 1})
    before = _scrape(tmp_path)

    assert metrics_dir_compact(tmp_path, alive=_alive) == [DEAD, OTHER_DEAD]

    assert {p.name for p in tmp_path.glob("*.db")} == {
        "counter_archive.db",
        f"counter_{LIVE}.db",
        f"gauge_livesum_{LIVE}.db",
    }
    after = _scrape(tmp_path)
    assert after[("requests_total", (("view", "healthz"),))] == 13
    assert after[("requests_total", (("view", "search"),))] == 2
    # Only the dead process's gauge is gone; every counter sums as before.
    assert before[("in_progress", ())] == 4
    assert after[("in_progress", ())] == 1
    assert {k: v for k, v in after.items() if k[0] != "in_progress"} == {
        k: v for k, v in before.items() if k[0] != "in_progress"
    }


def test_folding_again_adds_to_the_archive(tmp_path: Path):
    _counter(tmp_path, DEAD, healthz=7)
    metrics_dir_compact(tmp_path, alive=_alive)
    _counter(tmp_path, OTHER_DEAD, healthz=4, search=1)
    assert metrics_dir_compact(tmp_path, alive=_alive) == [OTHER_DEAD]
    assert [p.name for p in tmp_path.glob("*.db")] == ["counter_archive.db"]
    after = _scrape(tmp_path)
    assert after[("requests_total", (("view", "healthz"),))] == 11
    assert after[("requests_total", (("view", "search"),))] == 1
    # Nothing left to fold: nothing changes.
    assert metrics_dir_compact(tmp_path, alive=_alive) == []
    assert _scrape(tmp_path) == after


def test_a_histogram_is_folded_bucket_by_bucket(tmp_path: Path):
    for pid, count in ((LIVE, 1.0), (DEAD, 2.0)):
        _write(
            tmp_path / f"histogram_{pid}.db",
            {
                ("seconds", "seconds_bucket", (("le", "0.1"),)): count,
                ("seconds", "seconds_bucket", (("le", "+Inf"),)): 0.0,
                ("seconds", "seconds_sum", ()): count * 0.05,
            },
        )
    before = _scrape(tmp_path)
    metrics_dir_compact(tmp_path, alive=_alive)
    assert {p.name for p in tmp_path.glob("*.db")} == {"histogram_archive.db", f"histogram_{LIVE}.db"}
    assert _scrape(tmp_path) == before
    assert before[("seconds_count", ())] == 3


def test_pids_of_ended_processes_are_told_apart_from_running_ones(tmp_path: Path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    gone = int(ended.stdout)
    assert pid_alive(os.getpid()) is True
    assert pid_alive(1) is True  # init: someone else's process still counts as running
    assert pid_alive(gone) is False
    _counter(tmp_path, gone, healthz=2)
    _write(tmp_path / f"gauge_liveall_{gone}.db", {("up", "up", ()): 1})
    _counter(tmp_path, os.getpid(), healthz=1)
    with metrics_dir_locked(tmp_path):
        assert metrics_dir_compact(tmp_path) == [gone]
    assert {p.name for p in tmp_path.glob("*.db")} == {"counter_archive.db", f"counter_{os.getpid()}.db"}


@pytest.mark.django_db
def test_a_scrape_folds_what_ended_processes_left(client: Client):
    directory = Path(metrics._MULTIPROC_DIR)
    assert directory.is_dir()  # config/settings_operations.py sets PROMETHEUS_MULTIPROC_DIR before any import
    view = f"test-ended-{uuid.uuid4().hex[:8]}"  # the folder may outlive this test
    labels = (("method", "GET"), ("status", "200"), ("view", view))
    _write(
        directory / f"counter_{DEAD}.db",
        {("studymarket_http_requests", "studymarket_http_requests_total", labels): 3},
    )
    sample = f'studymarket_http_requests_total{{method="GET",status="200",view="{view}"}} 3.0'
    assert sample in client.get("/metrics").content.decode()
    assert not (directory / f"counter_{DEAD}.db").exists()
    assert (directory / "counter_archive.db").exists()
    # Folded once: the next scrape reports the same.
    assert sample in client.get("/metrics").content.decode()
