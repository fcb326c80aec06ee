"""A mixed workload on the scale-out profile, with 1, 2 and 3 web processes (issue 15).

One cluster per number of web processes, on loopback (scale/cluster.py: PostgreSQL, Redis,
moto's S3 behind TLS, the Mollie stand-in, nginx, the web processes, two workers, the urgent
worker, the scheduler), listings and buyers prepared inside the site (scale/ops.py). Then
locust (bench/load_locustfile.py, in its own process: gevent's monkey-patching must stay out of
this one, whose threads run the stand-in and the object store's proxy), same users, same time:
- the floor: /healthz through nginx (a query and the whole middleware; the cheapest answer);
- the mix: anonymous visitors (home, listing, search, add to cart), signed-in buyers (library,
  download: POST, 302 to a pre-signed URL, GET from the object store) and a paced payer (pays
  an open order at the stand-in, whose webhook a web process handles; then the order's status).
Per endpoint: requests per second and p50/p95/p99 (locust's CSV), medians of the runs. Per
component: CPU ms per request of the mix, PostgreSQL transactions and Redis commands per
request: where the next machine's load goes. The load average is recorded with each run.

    .venv/bin/python bench/load.py [--quick] [--webs 1,2,3] [--runs 3] [--seconds 30] [--users 16]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recording import write  # noqa: E402
from scale.cluster import Cluster  # noqa: E402
from scale.faults import ops  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "load_locustfile.py"
MIX = ("Visitor", "Buyer", "Payer")
FLOOR = ("Floor",)
LIBRARY_BUYERS = 16  # paid before the runs: the library and download pages' users
PAYER_PER_SECOND = 1.0  # bench/load_locustfile.py's PAYER_PACING_SECONDS, at most
WARM_UP_SECONDS = 5
IDLE_SECONDS = 10
STAMP_SECONDS = 180  # the urgent worker stamps the library buyers' copies
CHECKOUT = "checkout + webhook"
# The endpoints; "download: object store" is the pre-signed URL's GET.
ENDPOINTS = (
    "home", "listing", "search", "cart add", CHECKOUT, "order status", "library",
    "download", "download: object store",
)  # fmt: skip
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FAILURES: list[str] = []  # locust's failure messages, of every run


def _locust(
    cluster: Cluster, plan: dict[str, Any], classes: tuple[str, ...], *, users: int, seconds: float, out: Path
) -> dict[str, dict[str, float]]:
    """One headless locust run; its CSV's rows by request name. The plan's open payments that
    the run paid are taken out of it: a payment is paid once."""
    prefix = out / f"{'-'.join(classes).lower()}-{time.monotonic_ns()}"
    plan_path = prefix.with_suffix(".plan.json")
    plan_path.write_text(json.dumps(plan))
    environment = {
        **{k: v for k, v in os.environ.items() if k.startswith(("PATH", "LANG", "LC_", "HOME"))},
        "LOAD_PLAN": str(plan_path),
        "LOAD_CA": str(cluster.certificate),
        "REQUESTS_CA_BUNDLE": str(cluster.certificate),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--loglevel", "WARNING", "--csv", str(prefix), "-u", str(users), "-r", str(users),
        "-t", f"{seconds:g}s", "--stop-timeout", "30", "--host", cluster.nginx.url, *classes,
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=seconds + 180
    )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no figures (exit {done.returncode}):\n{done.stderr[-3000:]}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as rows:
            for row in csv.DictReader(rows):
                FAILURES.append(f"{row['Name']}: {row['Error']} ({row['Occurrences']}x)")
    with stats.open(newline="") as rows:
        found = {
            row["Name"]: {k: _number(v) for k, v in row.items() if k not in ("Type", "Name")}
            for row in csv.DictReader(rows)
        }
    # Paid ones out, as the stand-in knows them: a payer stopped at the end of the run may have
    # paid without locust counting the request.
    plan["open_buyers"] = [
        b for b in plan["open_buyers"] if cluster.mollie.payments[b["payment"]]["status"] == "open"
    ]
    return found


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _endpoint(row: dict[str, float]) -> dict[str, Any]:
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "requests_per_second": round(row["Requests/s"], 2),
        "p50_ms": row["50%"],
        "p95_ms": row["95%"],
        "p99_ms": row["99%"],
    }


# --- where the CPU goes ---------------------------------------------------------------------
def _tree(pid: int) -> list[int]:
    found, queue = [pid], [pid]
    while queue:
        parent = queue.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                more = [int(child) for child in children.read_text().split()]
            except OSError:
                continue
            found += more
            queue += more
    return found


def _cpu_seconds(pid: int, *, with_children: bool = True) -> float:
    """CPU time of a process tree: each live process's own, and (cutime/cstime) that of the
    children it has reaped, so a PostgreSQL backend that has ended still counts."""
    total = 0
    for member in _tree(pid) if with_children else [pid]:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:13]) + (
            sum(int(f) for f in fields[13:15]) if with_children else 0
        )
    return total / CLOCK_TICKS


def _components(cluster: Cluster) -> dict[str, list[int]]:
    postmaster = int((cluster.postgres.data / "postmaster.pid").read_text().split()[0])

    def pids(*names: str) -> list[int]:
        return [i.popen.pid for i in cluster.instances if i.process.name in names and i.popen is not None]

    return {
        "web": pids("web"),
        "workers": pids("worker", "worker-urgent", "periodic"),
        "postgresql": [postmaster],
        "redis": [cluster.redis.process.pid] if cluster.redis.process else [],
        "object_store": [cluster.objectstore.process.pid] if cluster.objectstore.process else [],
        "nginx": [cluster.nginx.process.pid] if cluster.nginx.process else [],
    }


def _cpu_sample(cluster: Cluster) -> dict[str, float]:
    sample = {name: sum(_cpu_seconds(pid) for pid in pids) for name, pids in _components(cluster).items()}
    # This process: the Mollie stand-in and the object store's TLS proxy (test scaffolding).
    sample["stand-ins"] = _cpu_seconds(os.getpid(), with_children=False)
    # locust has ended and been reaped by the time of the second sample.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample["load_generator"] = children.ru_utime + children.ru_stime
    return sample


def _counters(cluster: Cluster) -> dict[str, float]:
    import psycopg
    import redis

    with psycopg.connect(f"postgresql://postgres@{cluster.postgres.address}/studymarket") as connection:
        row = connection.execute(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched FROM pg_stat_database "
            "WHERE datname = 'studymarket'"
        ).fetchone()
        backends = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'studymarket'"
        ).fetchone()
    host, port = cluster.redis.address.split(":")
    info = redis.Redis(host=host, port=int(port)).info("stats")
    return {
        "postgres_transactions": float(row[0]) if row else 0.0,
        "postgres_rows_read": float(row[1]) if row else 0.0,
        "postgres_connections": float(backends[0]) if backends else 0.0,
        "redis_commands": float(info["total_commands_processed"]),
    }


# --- one cluster ------------------------------------------------------------------------------
def _plan(cluster: Cluster, open_payments: int, tag: str) -> dict[str, Any]:
    """Listings, buyers whose copies are stamped (the library's users), and open payments."""
    import requests

    prepared = ops(
        cluster, f"prepare(listings=6, buyers={LIBRARY_BUYERS + open_payments}, sellers=0, tag='{tag}')"
    )
    library, waiting = prepared["buyers"][:LIBRARY_BUYERS], prepared["buyers"][LIBRARY_BUYERS:]
    for buyer in library:
        if cluster.mollie.set_status(buyer["payment"], "paid") != 200:
            raise RuntimeError(f"the webhook for {buyer['order']} was not accepted")
    http = requests.Session()
    http.trust_env = False  # REQUESTS_CA_BUNDLE of the machine would win over verify=
    http.verify = str(cluster.certificate)
    cookies = prepared["cookies"]
    deadline = time.monotonic() + STAMP_SECONDS
    for buyer in library:  # the first download asks for the stamped copy; then it is ready
        while True:
            answer = http.post(
                cluster.nginx.url + buyer["download"],
                cookies={cookies["session"]: buyer["session"], cookies["csrf"]: "0" * 32},
                headers={"X-CSRFToken": "0" * 32, "Referer": cluster.nginx.url + "/"},
                allow_redirects=False,
                timeout=30,
            )
            if answer.status_code == 302:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no stamped copy for {buyer['order']}: HTTP {answer.status_code}")
            time.sleep(0.5)
    return {
        "listings": [
            {"id": int(re.search(r"/(\d+)/", path).group(1)), "path": path}  # type: ignore[union-attr]
            for path in prepared["listings"]
        ],
        "search": prepared["search"],
        "cookies": cookies,
        "library_buyers": library,
        "open_buyers": waiting,
        "mollie": cluster.mollie.url,
    }


@dataclass
class Measured:
    """One cluster of the comparison, up for the whole benchmark."""

    webs: int
    cluster: Cluster
    plan: dict[str, Any] = field(default_factory=dict)
    idle: dict[str, float] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0


def _bring_up(measured: Measured, *, runs: int, seconds: float, users: int, folder: Path) -> None:
    cluster = measured.cluster
    print(f"{measured.webs} web process(es): starting in {cluster.root} ...", flush=True)
    cluster.start()
    open_payments = int(PAYER_PER_SECOND * (runs * seconds + WARM_UP_SECONDS)) + 10
    measured.plan = _plan(cluster, open_payments, f"load{measured.webs}")
    before = len(FAILURES)
    for classes in (FLOOR, MIX):  # warm-up: templates, caches, connections
        _locust(cluster, measured.plan, classes, users=users, seconds=WARM_UP_SECONDS, out=folder)
    measured.failures += len(FAILURES) - before
    measured.idle = _idle(cluster)


def _one_run(measured: Measured, *, seconds: float, users: int, folder: Path) -> dict[str, Any]:
    """The floor, then the mix, on one cluster."""
    cluster, plan = measured.cluster, measured.plan
    before = len(FAILURES)
    load_before = os.getloadavg()
    floor = _locust(cluster, plan, FLOOR, users=users, seconds=seconds, out=folder)
    cpu, counters = _cpu_sample(cluster), _counters(cluster)
    started = time.monotonic()
    mix = _locust(cluster, plan, MIX, users=users, seconds=seconds, out=folder)
    wall = time.monotonic() - started
    cpu_after, counters_after = _cpu_sample(cluster), _counters(cluster)
    measured.failures += len(FAILURES) - before
    total = mix["Aggregated"]["Request Count"] or 1.0
    return {
        "load_average_1m": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "floor": _endpoint(floor["healthz"]),
        "mix": {name: _endpoint(row) for name, row in mix.items()},
        "cpu_ms_per_request": {name: round(1000 * (cpu_after[name] - cpu[name]) / total, 2) for name in cpu},
        "cpu_cores_busy": {name: round((cpu_after[name] - cpu[name]) / wall, 2) for name in cpu},
        "per_request": {
            name: round((counters_after[name] - counters[name]) / total, 2)
            for name in ("postgres_transactions", "postgres_rows_read", "redis_commands")
        },
        "postgres_connections": int(counters_after["postgres_connections"]),
    }


def measure(
    webs: list[int], *, runs: int, seconds: float, users: int, folder: Path, keep: bool
) -> list[dict[str, Any]]:
    """Every cluster up at once, and the runs taken in turns: on a shared machine the load
    changes from minute to minute, and no number of web processes gets all the quiet (or busy)
    minutes. The clusters not measured at a time idle (the workers poll: idle_per_second)."""
    clusters = [Measured(n, Cluster(web_processes=n)) for n in webs]
    try:
        for measured in clusters:
            _bring_up(measured, runs=runs, seconds=seconds, users=users, folder=folder)
        for run in range(runs):
            turn = run % len(clusters)
            for measured in clusters[turn:] + clusters[:turn]:
                measured.runs.append(_one_run(measured, seconds=seconds, users=users, folder=folder))
                last = measured.runs[-1]
                print(
                    f"  run {run + 1}/{runs}, {measured.webs} web: mix "
                    f"{last['mix']['Aggregated']['requests_per_second']} req/s, floor "
                    f"{last['floor']['requests_per_second']} req/s, load {last['load_average_1m']}",
                    flush=True,
                )
    finally:
        for measured in clusters:
            measured.cluster.stop()
            if keep or measured.failures:
                print(f"  logs kept in {measured.cluster.root}/logs", flush=True)
            else:
                shutil.rmtree(measured.cluster.root, ignore_errors=True)
    return [
        {"web_processes": m.webs, "runs": m.runs, "idle_per_second": m.idle, "root": str(m.cluster.root)}
        for m in clusters
    ]


def _idle(cluster: Cluster) -> dict[str, float]:
    """What the cluster does with no visitor, per second: the workers polling the task table,
    the scheduler, connection health checks. The part of the mix's per-request figures that is
    not the requests'."""
    cpu, counters = _cpu_sample(cluster), _counters(cluster)
    time.sleep(IDLE_SECONDS)
    cpu_after, counters_after = _cpu_sample(cluster), _counters(cluster)
    rates = {
        name: round((counters_after[name] - counters[name]) / IDLE_SECONDS, 2)
        for name in ("postgres_transactions", "postgres_rows_read", "redis_commands")
    }
    for name in ("web", "workers", "postgresql"):
        rates[f"cpu_cores_{name}"] = round((cpu_after[name] - cpu[name]) / IDLE_SECONDS, 3)
    return rates


# --- summary ----------------------------------------------------------------------------------
def _median(values: list[float]) -> float | None:
    known = [v for v in values if v == v]  # NaN: an endpoint without answers in that run
    return round(statistics.median(known), 2) if known else None


def _summary(measured: dict[str, Any]) -> dict[str, Any]:
    runs = measured["runs"]
    endpoints: dict[str, Any] = {}
    for name in (*ENDPOINTS, "Aggregated"):
        rows = [run["mix"][name] for run in runs if name in run["mix"]]
        if not rows:
            continue
        endpoints["all" if name == "Aggregated" else name] = {
            key: _median([row[key] for row in rows])
            for key in ("requests_per_second", "p50_ms", "p95_ms", "p99_ms")
        } | {
            "requests": sum(row["requests"] for row in rows),
            "failures": sum(row["failures"] for row in rows),
        }
    return {
        "web_processes": measured["web_processes"],
        "endpoints": endpoints,
        "mix_requests_per_second_runs": [run["mix"]["Aggregated"]["requests_per_second"] for run in runs],
        "floor_requests_per_second_runs": [run["floor"]["requests_per_second"] for run in runs],
        "ratio_to_floor_runs": [
            round(run["mix"]["Aggregated"]["requests_per_second"] / run["floor"]["requests_per_second"], 4)
            for run in runs
            if run["floor"]["requests_per_second"]
        ],
        **{
            key: {name: _median([run[key][name] for run in runs]) for name in runs[0][key]}
            for key in ("cpu_ms_per_request", "cpu_cores_busy", "per_request")
        },
        "idle_per_second": measured["idle_per_second"],
        "postgres_connections": max(run["postgres_connections"] for run in runs),
        "load_average_1m": [run["load_average_1m"] for run in runs],
    }


def _scale_up(by_webs: dict[int, float]) -> dict[str, float]:
    base = by_webs.get(1)
    return {f"{n}/1": round(value / base, 3) for n, value in by_webs.items() if base and n != 1}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 run of 8 s per cluster: a smoke run")
    parser.add_argument("--webs", default="1,2,3", help="numbers of web processes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=16, help="locust users (concurrent visitors)")
    parser.add_argument("--keep", action="store_true", help="keep each cluster's folder (logs, data)")
    parser.add_argument("--name", default="load", help="results file name (bench/results/<name>.json)")
    args = parser.parse_args()
    runs, seconds = (1, 8.0) if args.quick else (args.runs, args.seconds)
    webs = [int(n) for n in args.webs.split(",") if n.strip()]
    load_at_start = [round(value, 2) for value in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="studymarket-bench-load-") as folder:
        measured = measure(
            webs, runs=runs, seconds=seconds, users=args.users, folder=Path(folder), keep=args.keep
        )
    by_webs = {m["web_processes"]: m for m in measured}
    summaries = {n: _summary(m) for n, m in by_webs.items()}
    mix = {n: s["endpoints"]["all"]["requests_per_second"] for n, s in summaries.items()}
    floor = {n: _median(s["floor_requests_per_second_runs"]) or 0.0 for n, s in summaries.items()}
    floor_p50 = {n: _median([r["floor"]["p50_ms"] for r in m["runs"]]) for n, m in by_webs.items()}
    ratio: dict[str, Any] = {
        "scale_up_mix": _scale_up(mix),
        "scale_up_floor": _scale_up(floor),
        # Median of the paired ratios (the mix / the floor measured just before it).
        "mix_to_floor": {str(n): _median(s["ratio_to_floor_runs"]) for n, s in summaries.items()},
        # How many times the cheapest answer's p50 each endpoint takes, under the mix.
        "p50_to_floor_p50": {
            str(n): {
                name: round(row["p50_ms"] / floor_p50[n], 1) if row["p50_ms"] and floor_p50[n] else None
                for name, row in s["endpoints"].items()
            }
            for n, s in summaries.items()
        },
    }
    failures = sum(s["endpoints"]["all"]["failures"] for s in summaries.values())
    two = ratio["scale_up_mix"].get("2/1")
    three = ratio["scale_up_mix"].get("3/1")
    goal = {
        "throughput_grows_with_web_processes": {
            "expected": (
                "2/1 above 1.2: a second web process uses the second core. 3/1 about 2/1: with 2 "
                "cores shared by the web processes, PostgreSQL, nginx and the load generator, a "
                "third process cannot add a third core's worth; 3x is not possible here"
            ),
            "met": bool(two and two >= 1.2 and (three is None or three >= 0.9 * two)),
        },
        "no_failed_requests": {"failures": failures, "met": failures == 0},
    }
    figures: dict[str, Any] = {str(n): s for n, s in summaries.items()}
    # Warm-up runs included: what went wrong at all, for the reader to judge.
    figures["failure_messages"] = FAILURES
    figures["setup"] = {
        "runs": runs,
        "seconds_per_run": seconds,
        "users": args.users,
        "mix": "Visitor 6 : Buyer 3 (closed loop, no think time), 1 Payer (a purchase a second at most)",
        "generator": "locust FastHttpUser, 1 process, keep-alive, TLS verified against the run's certificate",
        "cluster": "scale/cluster.py: nginx (TLS), N granian web processes (1 worker, 5 threads), "
        "2 workers, 1 urgent worker, the scheduler, PostgreSQL, Redis, moto S3 behind a TLS proxy",
        "load_average_at_start": load_at_start,
        "interleaved": (
            "all clusters up at once, the runs in turns (each run: every cluster, starting with "
            "another); each run measures the floor (/healthz) and then the mix"
        ),
        "per_request": (
            "deltas over the mix run / its requests, the background included (idle_per_second: "
            "the same with no visitor); PostgreSQL counts each autocommit statement as a transaction"
        ),
        "shared_machine": "other work ran on this machine: compare figures from one file only",
    }
    reference = {
        "healthz": {
            str(n): {
                "requests_per_second": floor[n],
                "p50_ms": floor_p50[n],
                "p99_ms": _median([r["floor"]["p99_ms"] for r in m["runs"]]),
            }
            for n, m in by_webs.items()
        }
    }
    path = write(args.name, figures=figures, reference=reference, ratio=ratio, goal=goal)
    for n, s in summaries.items():
        print(f"{n} web: mix {mix[n]} req/s (floor {floor[n]}); CPU ms/request {s['cpu_ms_per_request']}")
        for name, row in s["endpoints"].items():
            print(
                f"    {name:24} {row['requests_per_second']:>8} req/s  p50 {row['p50_ms']}  p95 "
                f"{row['p95_ms']}  p99 {row['p99_ms']} ms"
                + (f"  {row['failures']} FAILED" if row["failures"] else "")
            )
    for message in FAILURES:
        print(f"failed: {message}")
    print(f"scale-up {ratio['scale_up_mix']} (floor {ratio['scale_up_floor']}); written to {path}")


if __name__ == "__main__":
    main()
