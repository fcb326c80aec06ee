"""Faults during a load run, and what must hold afterwards (issue 15).

Each fault is timed: its window runs from the moment it is made to the moment the part is back
(the process listens again, pg_ctl returned, the proxy is mended). After the load stops and the
reconcile sweeps have run, no paid order lacks its entitlement, no entitlement lacks a paid
order, no upload or stamped copy is left in progress, `ledger_check` prints "ledger balanced",
and no request sent outside a fault's window (plus GRACE_SECONDS) was answered with a 5xx.
"""

from __future__ import annotations

import json
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scale.cluster import Cluster, Instance
from scale.load import Load, Recorder

# A request sent just before a fault ends may be answered just after it.
GRACE_SECONDS = 2.0
SETTLE_SECONDS = 240  # the sweeps' time to put everything right after the load
CATCH_SECONDS = 90  # how long to wait for a task to be running before killing its worker
UPLOAD_TASK = "studymarket.selling.tasks.upload_process_task"
STAMP_TASK = "studymarket.library.tasks.stamped_copy_build_task"

# Short sweep intervals: the promises are checked minutes, not hours, after the faults.
FAULT_RUN_SETTINGS = {
    "PAYMENT_RECONCILE_INTERVAL_SECONDS": "10",
    "RECONCILE_INTERVAL_SECONDS": "10",
    "UPLOADS_RECONCILE_INTERVAL_SECONDS": "10",
    "TASK_RUNNING_ABANDON_SECONDS": "300",
    # The load's seller uploads every few seconds: far beyond a person's daily quota.
    "UPLOAD_QUOTA_PER_SELLER": "10000/d",
}


@dataclass
class Window:
    fault: str
    start: float
    end: float
    detail: str = ""


def _running_worker(cluster: Cluster, connection: Any, task_path: str) -> Instance | None:
    """The worker instance running a ``task_path`` task now, if any."""
    rows = connection.execute(
        "SELECT worker_ids->>-1 FROM django_tasks_database_dbtaskresult "
        "WHERE status = 'RUNNING' AND task_path = %s",
        [task_path],
    ).fetchall()
    for (worker_id,) in rows:
        parts = worker_id.split(":")
        pid = int(parts[2]) if len(parts) == 4 and parts[2].isdigit() else -1
        for instance in cluster.instances:
            if instance.popen is not None and instance.popen.pid == pid:
                return instance
    return None


def worker_killed_mid(task_path: str, label: str) -> Callable[[Cluster], Window]:
    def fault(cluster: Cluster) -> Window:
        import psycopg

        deadline = time.monotonic() + CATCH_SECONDS
        # One connection polled often: a stamp runs for about a second.
        with psycopg.connect(
            f"postgresql://postgres@{cluster.postgres.address}/studymarket", autocommit=True
        ) as connection:
            while time.monotonic() < deadline:
                instance = _running_worker(cluster, connection, task_path)
                if instance is not None:
                    start = time.time()
                    cluster.kill(instance)
                    _back(instance)
                    return Window(label, start, time.time(), f"killed {instance.name} running {task_path}")
                time.sleep(0.01)
        raise AssertionError(f"no {task_path} ran within {CATCH_SECONDS} s: the fault could not be made")

    return fault


def _back(instance: Instance) -> None:
    """Until the supervisor has started it again and it runs (and a web process listens); a
    start that dies at once is followed by the supervisor's next one."""
    restarts = instance.restarts
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        popen = instance.popen
        if instance.restarts > restarts and popen is not None and popen.poll() is None:
            if instance.port is None or _listens(instance.port):
                return
        time.sleep(0.05)
    raise AssertionError(f"{instance.name} was not running again within 60 s")


def _listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def web_killed(cluster: Cluster) -> Window:
    instance = cluster.webs[0]
    start = time.time()
    cluster.kill(instance)
    _back(instance)
    return Window("web process killed", start, time.time(), f"SIGKILL to {instance.name}")


def postgres_restarted(cluster: Cluster) -> Window:
    start = time.time()
    cluster.postgres.restart()
    return Window("PostgreSQL restarted", start, time.time(), "pg_ctl restart -m fast")


def redis_restarted(cluster: Cluster) -> Window:
    start = time.time()
    cluster.redis.restart()
    return Window("Redis restarted", start, time.time(), "stopped and started (no persistence: empty)")


def objectstore_cut(seconds: float) -> Callable[[Cluster], Window]:
    def fault(cluster: Cluster) -> Window:
        start = time.time()
        cluster.objectstore.proxy.cut()
        time.sleep(seconds)
        cluster.objectstore.proxy.mend()
        return Window("object store unreachable", start, time.time(), f"{seconds:g} s, connections refused")

    return fault


FULL = [
    web_killed,
    worker_killed_mid(UPLOAD_TASK, "worker killed mid-upload"),
    worker_killed_mid(STAMP_TASK, "worker killed mid-stamp"),
    postgres_restarted,
    redis_restarted,
    objectstore_cut(30),
]
SHORT = [web_killed, worker_killed_mid(STAMP_TASK, "worker killed mid-stamp")]


def ops(cluster: Cluster, call: str) -> dict[str, Any]:
    done = cluster.manage("shell", "-c", f"from scale.ops import *; {call}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def settle(cluster: Cluster) -> dict[str, Any]:
    """Waits for the sweeps to put everything right; the last report either way."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        report = ops(cluster, "invariants()")
        broken = [key for key in _PROMISES if report[key]]
        if not broken and not report["tasks_running_long"]:
            return report
        if time.monotonic() > deadline:
            return report
        time.sleep(3)


_PROMISES = (
    "paid_without_entitlement",
    "entitlement_without_paid_order",
    "uploads_stuck",
    "stamped_copies_stuck",
)


def errors_outside(recorder: Recorder, windows: list[Window]) -> list[dict[str, Any]]:
    outside = []
    for answer in recorder.answers:
        if answer.status < 500 or answer.endpoint == "pre-signed":
            continue
        if any(w.start - GRACE_SECONDS <= answer.at <= w.end + GRACE_SECONDS for w in windows):
            continue
        outside.append({"at": answer.at, "endpoint": answer.endpoint, "status": answer.status})
    return outside


def summary(recorder: Recorder, seconds: float) -> dict[str, Any]:
    by_endpoint: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}
    for answer in recorder.answers:
        by_endpoint.setdefault(answer.endpoint, []).append(answer.seconds)
        counts = statuses.setdefault(answer.endpoint, {})
        counts[str(answer.status)] = counts.get(str(answer.status), 0) + 1
    figures = {}
    for endpoint, times in sorted(by_endpoint.items()):
        times.sort()
        figures[endpoint] = {
            "requests": len(times),
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1),
            "statuses": statuses[endpoint],
        }
    return {"seconds": round(seconds, 1), "requests": len(recorder.answers), "endpoints": figures}


def run(
    cluster: Cluster, faults: list[Callable[[Cluster], Window]], *, buyers: int, pause: float
) -> dict[str, Any]:
    """Load, the faults one after another with ``pause`` seconds of plain load around each,
    then the checks. Returns the report; ``report["failures"]`` lists every broken promise."""
    plan = ops(cluster, f"prepare(listings=6, buyers={buyers}, sellers=1, tag='last')")
    load = Load(cluster, plan).start()
    started = time.time()
    windows = []
    try:
        time.sleep(pause)
        for fault in faults:
            window = fault(cluster)
            windows.append(window)
            print(f"  {window.fault}: {window.end - window.start:.1f} s ({window.detail})", flush=True)
            time.sleep(pause)
    finally:
        recorder = load.finish()
    loaded = time.time() - started
    report = settle(cluster)
    ledger = cluster.manage("ledger_check", check=False)
    failures = [f"{key}: {report[key]}" for key in _PROMISES if report[key]]
    if report["tasks_running_long"]:
        failures.append(f"{report['tasks_running_long']} task(s) running for over a minute")
    if "ledger balanced" not in ledger.stdout:
        failures.append(f"ledger_check: {ledger.stdout.strip()} {ledger.stderr.strip()}")
    outside = errors_outside(recorder, windows)
    if outside:
        failures.append(f"{len(outside)} answer(s) 5xx outside the faults: {outside[:10]}")
    if not cluster.processes_alive():
        failures.append("a process is not running after the faults")
    return {
        "faults": [w.__dict__ | {"seconds": round(w.end - w.start, 1)} for w in windows],
        "load": summary(recorder, loaded),
        "after": report,
        "ledger_check": ledger.stdout.strip(),
        "errors_5xx_outside_faults": len(outside),
        "client_errors": recorder.errors[:20],
        "failures": failures,
    }
