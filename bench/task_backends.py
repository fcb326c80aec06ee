"""Task backends at scale (issue 15, ADR 0025): django-tasks-db on PostgreSQL against
django-tasks-rq on Redis, on the same machine, through the same django_tasks API.

- db: the "default" backend, django_tasks_db.DatabaseBackend, 2 × `manage.py worker --max-tasks 0`
  (the scale-out worker: django-tasks-db's db_worker, polling every second when idle);
- rq: config/settings.py's second backend "rq" (TASKS_RQ_REDIS_URL), django_tasks_rq.RQBackend,
  2 × `manage.py rqworker default urgent --job-class django_tasks_rq.Job` (django-rq; rq's
  default worker forks a child per task); rq_simple: the same with `--worker-class
  rq.SimpleWorker`, which runs the tasks in the worker's own process. RQ cannot be the site's
  default backend: it refuses any task priority, and every task of the site names one; the
  bench records what `manage.py check` says when it is tried.

For each, over --runs runs (medians reported, each run's figures kept), with --tasks tasks of
each kind (bench/task_backends_tasks.py: a no-op, and one INSERT into a small table):
- enqueue rate: the tasks queued one by one from this process (each its own commit), no worker
  running;
- throughput: then the two workers are started; tasks / (last task finished − first started),
  from the backend's own records, leaving out the first tenth of the tasks (by their start), so
  the workers' start-up is not counted;
- latency with the queue idle: one no-op queued at a time, after a random pause, the next once
  it has finished; started − enqueued from the backend's records, p50 and p95 (nearest rank).
  For db also the urgent worker's case (`worker --queue-name urgent`, polling every 0.5 s);
- a worker killed with SIGKILL while it runs a 10 s task: the task's state afterwards, with a
  fresh worker started (what systemd does). db: a plain db_worker first, then `manage.py
  worker`; rq: the forked child alone, then (another task) the worker and its child, observed
  with a fresh worker at once and with another started after rq's heartbeat TTL has run out.

The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sm_workers),
Redis BENCH_REDIS_URL (default redis://127.0.0.1:6379/13, emptied by the bench). Each backend is
measured in a child process of this script (Django's settings are read once per process).

    .venv/bin/python bench/task_backends.py [--tasks 500] [--runs 3] [--samples 30]
        [--backends db,rq,rq_simple] [--merge: keep the other backends' figures]
"""

import argparse
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.recording import RESULTS as RESULTS_DIR  # noqa: E402
from bench.recording import write  # noqa: E402

MANAGE = str(ROOT / "manage.py")
RESULTS = RESULTS_DIR / "task_backends.json"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sm_workers")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
# The bench's tasks go to this backend alias (bench/task_backends_tasks.py); the site's own tasks
# stay on the database queue in both cases: django-tasks-rq refuses their priorities.
BACKENDS = {"db": "default", "rq": "rq", "rq_simple": "rq"}
WORKERS = {
    "db": [sys.executable, MANAGE, "worker", "--max-tasks", "0"],
    "rq": [sys.executable, MANAGE, "rqworker", "default", "urgent", "--job-class", "django_tasks_rq.Job"],
}
# rq's worker that runs each task in its own process, without a fork (no child to kill).
WORKERS["rq_simple"] = [*WORKERS["rq"], "--worker-class", "rq.SimpleWorker"]
KILL_TASK_SECONDS = 10.0
# rq marks a started job abandoned once its execution's heartbeat has expired, at a worker's
# maintenance round (at its start, then every 10 minutes). The heartbeat's TTL: the forking
# worker's job_monitoring_interval (30 s) + 60 s (rq.worker.base); SimpleWorker's, the job's
# timeout (django-rq's default, 180 s) + 60 s (rq.worker.worker_classes).
RQ_EXECUTION_TTL_SECONDS = {"rq": 90, "rq_simple": 240}
GIVE_UP_SECONDS = 600


def _environment(backend: str, data_dir: str) -> dict[str, str]:
    environment = dict(os.environ)
    for name in ("CACHE_URL", "STUDYMARKET_ENV", "EMAIL_URL"):
        environment.pop(name, None)
    environment.pop("TASKS_RQ_REDIS_URL", None)
    if BACKENDS[backend] == "rq":
        environment["TASKS_RQ_REDIS_URL"] = REDIS_URL  # config/settings.py's second backend
    environment.update(
        DATABASE_URL=DATABASE_URL,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        BENCH_TASKS_BACKEND=BACKENDS[backend],
        DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="config.settings",
        STUDYMARKET_TESTING="0",
    )
    return environment


def _nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _wait(condition: Callable[[], bool], what: str, seconds: float = GIVE_UP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.02)


def _finished(result: Any) -> Callable[[], bool]:
    def check() -> bool:
        result.refresh()
        return bool(result.is_finished)

    return check


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


class Site:
    """One backend, measured from inside a Django process (the child)."""

    def __init__(self, backend: str, data_dir: str, logs: Path) -> None:
        self.backend = backend
        self.environment = _environment(backend, data_dir)
        self.logs = logs
        self.workers: list[subprocess.Popen[bytes]] = []

    # --- Workers ----------------------------------------------------------------------
    def start(self, command: list[str], count: int = 1) -> list[subprocess.Popen[bytes]]:
        started = []
        for _ in range(count):
            with (self.logs / f"worker-{len(self.workers)}.log").open("wb") as log:
                process = subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=self.environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.workers.append(process)
            started.append(process)
        return started

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.workers = []

    # --- The queue ----------------------------------------------------------------------
    def reset(self) -> None:
        if self.backend == "db":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.all().delete()
        else:
            import django_rq

            django_rq.get_connection("default").flushdb()

    def unfinished(self) -> int:
        if self.backend == "db":
            from django_tasks_db.models import DBTaskResult

            return int(DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count())
        import django_rq
        from rq.registry import StartedJobRegistry

        queues = [django_rq.get_queue(name) for name in ("default", "urgent")]
        return sum(queue.count + StartedJobRegistry(queue=queue).count for queue in queues)

    # --- Measures ----------------------------------------------------------------------
    def batch(self, task: Any, count: int) -> dict[str, Any]:
        """Queue ``count`` tasks with no worker running, then drain them with two."""
        started = time.perf_counter()
        ids = [task.enqueue(n).id for n in range(count)]
        enqueue_seconds = time.perf_counter() - started
        self.start(WORKERS[self.backend], 2)
        _wait(lambda: self.unfinished() == 0, f"{count} {task.name} to finish")
        self.stop()
        results = [task.get_result(result_id) for result_id in ids]
        statuses = Counter(str(result.status) for result in results)
        # From the tenth task started on: by then both workers are up (they start seconds apart).
        starts = sorted(result.started_at for result in results if result.started_at)
        skipped = len(starts) // 10
        last = max(result.finished_at for result in results if result.finished_at)
        return {
            "enqueue_per_s": round(count / enqueue_seconds, 1),
            "throughput_per_s": round((count - skipped) / (last - starts[skipped]).total_seconds(), 1),
            "statuses": dict(statuses),
        }

    def latency(self, task: Any, samples: int) -> dict[str, Any]:
        """Workers already running and idle: one task at a time, started − enqueued."""
        waits = []
        for n in range(samples):
            time.sleep(random.uniform(0.2, 1.2))  # noqa: S311 - not for security
            result = task.enqueue(n)
            _wait(_finished(result), "a task to finish", 60)
            if result.started_at is None:  # rq: read while its worker was writing the job
                result.refresh()
            if result.started_at is not None and result.enqueued_at is not None:
                waits.append((result.started_at - result.enqueued_at).total_seconds())
        return {
            "p50_ms": round(1000 * statistics.median(waits), 1),
            "p95_ms": round(1000 * _nearest_rank(waits, 0.95), 1),
        }

    def status(self, task: Any, result_id: str) -> str:
        result = task.get_result(result_id)
        errors = [error.exception_class_path for error in result.errors]
        return f"{result.status}{' ' + errors[-1] if errors else ''}"

    def running(self, task: Any, result_id: str) -> Callable[[], bool]:
        return lambda: str(task.get_result(result_id).status) == "RUNNING"


def _kill_db(site: Site, sleep_task: Any) -> dict[str, Any]:
    from django.utils import timezone

    result = sleep_task.enqueue(KILL_TASK_SECONDS)
    (worker,) = site.start(WORKERS["db"])
    _wait(site.running(sleep_task, result.id), "the task to start")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    site.stop()
    seen: dict[str, Any] = {}
    site.start([sys.executable, MANAGE, "db_worker", "--queue-name", "*", "--no-reload"])
    time.sleep(KILL_TASK_SECONDS + 5)  # long enough for the task to have finished, had it run on
    seen["with a plain db_worker running, after 15 s"] = site.status(sleep_task, result.id)
    site.stop()
    restarted = timezone.now()
    site.start(WORKERS["db"])  # systemd starting the killed `manage.py worker` again
    _wait(lambda: not site.status(sleep_task, result.id).startswith("RUNNING"), "the row to be marked", 60)
    marked = sleep_task.get_result(result.id).finished_at
    seen["after `manage.py worker` started"] = site.status(sleep_task, result.id)
    # Python and Django's start included.
    seen["marked_s_after_worker_started"] = round((marked - restarted).total_seconds(), 1)
    time.sleep(5)
    seen["runs_again"] = sleep_task.get_result(result.id).status != "FAILED"
    site.stop()
    return seen


def _kill_rq(site: Site, sleep_task: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    command = WORKERS[site.backend]
    (worker,) = site.start(command)
    if site.backend == "rq":
        # 1. The forked child that runs the task (what the OOM killer picks: the one that grew).
        result = sleep_task.enqueue(KILL_TASK_SECONDS)
        _wait(site.running(sleep_task, result.id), "the task to start")
        _wait(lambda: bool(_children_of(worker.pid)), "rq's work horse")
        for horse in _children_of(worker.pid):
            os.kill(horse, signal.SIGKILL)
        time.sleep(KILL_TASK_SECONDS + 5)
        seen["child killed, worker alive, after 15 s"] = site.status(sleep_task, result.id)
    # 2. The worker and its child if any (OOM, a crash of the machine, the unit's cgroup killed).
    result = sleep_task.enqueue(KILL_TASK_SECONDS)
    _wait(site.running(sleep_task, result.id), "the task to start")
    horses = _children_of(worker.pid)
    for pid in [worker.pid, *horses]:
        os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    worker.wait()
    site.stop()
    site.start(command)  # systemd starting it again
    time.sleep(KILL_TASK_SECONDS + 5)
    seen["worker killed, fresh worker, after 15 s"] = site.status(sleep_task, result.id)
    # A worker cleans the registries at its start and every 10 minutes after; the job counts as
    # abandoned once its execution's heartbeat TTL has run out. One more worker, started then:
    ttl = RQ_EXECUTION_TTL_SECONDS[site.backend]
    time.sleep(max(0.0, ttl + 5 - (time.monotonic() - killed)))
    site.start(command)
    time.sleep(10)
    seen[f"after {ttl + 15} s, a worker started after the TTL"] = site.status(sleep_task, result.id)
    seen["runs_again"] = False if "FAILED" in seen[list(seen)[-1]] else None
    site.stop()
    return seen


def child(backend: str, tasks: int, runs: int, samples: int) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix=f"bench-tasks-{backend}-")
    os.environ.update(_environment(backend, data_dir))
    import django

    django.setup()
    from django.core.management import call_command

    from bench.task_backends_tasks import noop_task, sleep_task, table_create, write_task

    call_command("migrate", verbosity=0)
    table_create()
    site = Site(backend, data_dir, Path(data_dir))
    figures: dict[str, Any] = {}
    try:
        for kind, task in (("noop", noop_task), ("write", write_task)):
            per_run = []
            for run in range(runs):
                site.reset()
                per_run.append(site.batch(task, tasks))
                print(f"  {backend} {kind} run {run + 1}: {per_run[-1]}", file=sys.stderr, flush=True)
            figures[kind] = {
                "enqueue_per_s": statistics.median(r["enqueue_per_s"] for r in per_run),
                "throughput_per_s": statistics.median(r["throughput_per_s"] for r in per_run),
                "runs": per_run,
            }
        cases = [("idle", WORKERS[backend], 2, noop_task)]
        if backend == "db":
            urgent = [sys.executable, MANAGE, "worker", "--queue-name", "urgent"]
            cases.append(("idle_urgent_worker", urgent, 1, noop_task.using(queue_name="urgent")))
        for name, command, count, task in cases:
            site.reset()
            site.start(command, count)
            task.enqueue(-1)
            _wait(lambda: site.unfinished() == 0, "the workers to be up")
            per_run = [site.latency(task, samples) for _ in range(runs)]
            site.stop()
            print(f"  {backend} latency {name}: {per_run}", file=sys.stderr, flush=True)
            figures[f"latency_{name}"] = {
                "p50_ms": statistics.median(r["p50_ms"] for r in per_run),
                "p95_ms": statistics.median(r["p95_ms"] for r in per_run),
                "runs": per_run,
            }
        site.reset()
        figures["sigkill_mid_task"] = (_kill_db if backend == "db" else _kill_rq)(site, sleep_task)
        print(f"  {backend} kill: {figures['sigkill_mid_task']}", file=sys.stderr, flush=True)
    finally:
        site.stop()
        site.reset()
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def _rq_as_the_site_s_backend() -> str:
    """What `manage.py check` says with TASKS_BACKEND=django_tasks_rq.RQBackend."""
    with tempfile.TemporaryDirectory(prefix="bench-tasks-check-") as data_dir:
        environment = _environment("rq", data_dir)
        environment["TASKS_BACKEND"] = "django_tasks_rq.RQBackend"
        done = subprocess.run(
            [sys.executable, MANAGE, "check"], cwd=ROOT, env=environment, capture_output=True, text=True
        )
    return f"exit code {done.returncode}: " + (done.stderr.strip().splitlines() or [done.stdout.strip()])[-1]


def _record(figures: dict[str, Any], arguments: argparse.Namespace) -> Path:
    figures["setup"] = {
        "tasks_per_batch": arguments.tasks,
        "runs": arguments.runs,
        "latency_samples_per_run": arguments.samples,
        "workers": {
            name: " ".join(Path(w).name for w in command) + " (×2)" for name, command in WORKERS.items()
        },
    }
    ratio = {}
    if "db" in figures:
        for rq in ("rq", "rq_simple"):
            if rq not in figures:
                continue
            for kind in ("noop", "write"):
                for measure in ("enqueue_per_s", "throughput_per_s"):
                    ratio[f"{kind}_{measure}_{rq}_over_db"] = round(
                        figures[rq][kind][measure] / figures["db"][kind][measure], 2
                    )
            ratio[f"latency_p50_{rq}_over_db"] = round(
                figures[rq]["latency_idle"]["p50_ms"] / figures["db"]["latency_idle"]["p50_ms"], 3
            )
    return write(
        "task_backends",
        figures=figures,
        reference={"backend": "db (django-tasks-db on PostgreSQL, the embedded profile's backend too)"},
        ratio=ratio,
        goal={
            "throughput": "far above the site's task rate (an upload, a purchase: a few tasks each)",
            "latency": "a buyer's PDF started well within a second (ADR 0021)",
            "sigkill": "no task stuck or lost without a sweep taking its work up again",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=30, help="tasks per latency run")
    parser.add_argument("--backends", default="db,rq,rq_simple")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other backends' figures in bench/results/task_backends.json (each has its date)",
    )
    parser.add_argument("--child", choices=sorted(BACKENDS), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(child(arguments.child, arguments.tasks, arguments.runs, arguments.samples)))
        return

    figures: dict[str, Any] = {}
    if arguments.merge and RESULTS.exists():
        earlier = json.loads(RESULTS.read_text())
        figures = earlier["figures"]
        figures.pop("load_average_1min", None)  # kept per backend since
        for name in BACKENDS:
            if name in figures:
                figures[name].setdefault("measured_at", earlier["date"])
    figures["rq_as_the_site_s_default_backend"] = _rq_as_the_site_s_backend()
    for backend in arguments.backends.split(","):
        print(f"== {backend}", flush=True)
        load_before = os.getloadavg()[0]
        done = subprocess.run(
            [sys.executable, __file__, "--child", backend, *sys.argv[1:]],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        figures[backend] = json.loads(done.stdout.splitlines()[-1])
        figures[backend]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        # The machine is shared: how busy it was says how far the figures can be trusted.
        figures[backend]["load_average_1min"] = {
            "before": round(load_before, 1),
            "after": round(os.getloadavg()[0], 1),
        }
        path = _record(figures, arguments)  # after each backend: a failure later keeps these
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
