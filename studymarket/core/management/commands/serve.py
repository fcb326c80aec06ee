"""`python manage.py serve`: the one command behind `make run`.

Prepares the database and static files, loads the demo data, then runs the web
server (granian) and two background-task workers (django-tasks-db) side by side
until Ctrl-C or SIGTERM, or until the web server dies: one for every queue, one for the
urgent queue only (core.task_queues), so a buyer's PDF never waits behind a long bulk
task. A worker that dies is started again, after a pause that doubles with each quick
death (a worker that crashes at once must not spin); the task rows it was running are
marked abandoned (core.task_rows) and the periodic sweeps queued at once, so an upload it
was processing resumes within seconds. Meanwhile it queues the periodic tasks
(settings.PERIODIC_TASKS, config/periodic.py) for the workers. At scale the same parts run as
processes of their own: `manage.py worker` and `manage.py periodic` (core.workers).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from studymarket.core.task_queues import URGENT_QUEUE
from studymarket.core.task_rows import AbandonedTask, task_results_abandon
from studymarket.core.workers import (
    SERVE,
    URGENT_POLL_SECONDS,
    periodic_schedule,
    task_results_abandon_gone,
    worker_id_new,
    worker_id_prefix,
)
from studymarket.core.workers import Ticker as _Ticker

READY_TIMEOUT_SECONDS = 60
# A migration of a big database may take long; a step that hangs must still end.
PREPARE_TIMEOUT_SECONDS = 3600
STOP_TIMEOUT_SECONDS = 15
POLL_SECONDS = 0.2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# A dead worker is started again after 1 s, then 2, 4, ... up to a minute while it keeps dying
# within HEALTHY_SECONDS of its start; once it has run that long, the next pause is 1 s again.
RESTART_FIRST_DELAY_SECONDS = 1.0
RESTART_MAX_DELAY_SECONDS = 60.0
HEALTHY_SECONDS = 60.0
# A worker that leaves by plan (exit code 0 after --max-tasks) is replaced at once, unless it
# left this soon after its start: then it is treated as dying, with back-off, and cannot spin.
PLANNED_EXIT_MIN_SECONDS = 1.0
# Our workers' ids (core.workers) name this host and this process, so a later `serve` (or a
# `manage.py worker` on this host) can tell that the worker behind a row left running is gone.
WORKER_ID_PREFIX = SERVE


def _port_from_environment() -> int:
    raw = os.environ.get("PORT", "8000")
    try:
        return int(raw)
    except ValueError:
        raise CommandError(f"PORT must be a number, got {raw!r}") from None


class Command(BaseCommand):
    help = "Migrate, collect static files, load the demo data, then run the web server and a task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument(
            "--port", type=int, default=None, help="Port to listen on (default: $PORT, else 8000)."
        )
        parser.add_argument("--no-demo-data", action="store_true", help="Do not load the demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"] if options["port"] is not None else _port_from_environment()
        self._refuse_busy_port(host, port)

        try:
            self.stdout.write("Preparing the database, static files and demo data...")
            steps = [["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]]
            # A real shop (production without DEMO_MODE) gets no demo accounts: their password is public.
            if not options["no_demo_data"] and (not settings.PRODUCTION or settings.DEMO_MODE):
                steps.append(["demo_data"])
            for step in steps:
                _prepare(step)
        except KeyboardInterrupt:
            raise CommandError("Interrupted before the server started.") from None

        # Only the address shown to the user: a wildcard host is reached at 127.0.0.1.
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # nosec B104
        url = f"http://{f'[{shown_host}]' if ':' in shown_host else shown_host}:{port}/"
        ticker = _Ticker(periodic_schedule(), self.stderr.write)
        supervisor = _Supervisor(self.stdout.write, self.stderr.write, tick=ticker)
        exit_code = supervisor.run(self._children(host, port, url, ticker), url)
        if exit_code:
            sys.exit(exit_code)

    def _refuse_busy_port(self, host: str, port: int) -> None:
        # Fail before migrating rather than after, with a hint instead of granian's traceback.
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                raise CommandError(
                    f"Cannot listen on {host}:{port} ({error.strerror}). Another server running? "
                    "Choose another port with PORT=8001 make run."
                ) from None

    def _children(self, host: str, port: int, url: str, ticker: _Ticker) -> dict[str, _Child]:
        environment = dict(os.environ)
        # Links in e-mails follow the port actually served, unless SITE_URL says otherwise.
        environment.setdefault("SITE_URL", url.rstrip("/"))
        # Granian's WSGI default is 512 Python threads per process; its own advice is about
        # 2 per core. GRANIAN_* variables (GRANIAN_WORKERS, ...) still tune it from outside.
        environment.setdefault("GRANIAN_BLOCKING_THREADS", str(2 * (os.cpu_count() or 1) + 1))
        web = [
            sys.executable, "-m", "granian",
            "--interface", "wsgi",
            "--host", host,
            "--port", str(port),
            "--working-dir", str(settings.BASE_DIR),
            "config.wsgi:application",
        ]  # fmt: skip
        children = {"web server": _Child(start=lambda: _spawn(web, environment))}
        if isinstance(task_backends["default"], DatabaseBackend):
            # Every queue, urgent tasks first by their priority (they are taken here too
            # while the urgent worker is down).
            # It leaves after WORKER_MAX_TASKS tasks and a fresh one takes over: what a big PDF
            # or an index merge made the process grow by is given back (issue 14, memory).
            worker = _Worker(
                environment, ticker, self.stderr.write, queues="*", max_tasks=settings.WORKER_MAX_TASKS
            )
            worker.abandon_gone()
            children["task worker"] = _Child(start=worker.start, restart=True, on_exit=worker.lost)
            urgent = _Worker(
                environment, ticker, self.stderr.write, queues=URGENT_QUEUE, interval=URGENT_POLL_SECONDS
            )
            children["urgent task worker"] = _Child(start=urgent.start, restart=True, on_exit=urgent.lost)
        else:
            self.stdout.write("Tasks run without a worker (TASKS_BACKEND is not the database backend).")
        return children


def _prepare(arguments: list[str]) -> None:
    """One preparation step, ``manage.py <arguments>``, in a child process: migrating,
    compressing the static files and drawing the demo PDFs leave some 350 MB behind in the
    process that does them (imported libraries, Python's and the C allocator's free lists),
    and this process lives as long as the site (bench/memory.py)."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments]
    try:
        done = subprocess.run(command, cwd=settings.BASE_DIR, check=False, timeout=PREPARE_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise CommandError(
            f"`manage.py {arguments[0]}` took over {PREPARE_TIMEOUT_SECONDS} s; the site was not started. "
            f"Run `python manage.py {' '.join(arguments)}` by hand to see where it hangs."
        ) from None
    if done.returncode:
        raise CommandError(f"`manage.py {arguments[0]}` failed (see above); the site was not started.")


def _spawn(command: list[str], environment: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own sessions: Ctrl-C reaches only this process, which stops each child exactly once.
    return subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=environment,
        start_new_session=True,
        preexec_fn=_die_with_parent,  # safe here: one prctl call, then exec
    )


class _Worker:
    """A task worker for ``queues`` (django-tasks-db's ``--queue-name``: "*" or names joined by
    commas): each start gets an id naming this host and process; when it dies, the task rows it
    left running are marked abandoned and the periodic sweeps are queued at once, so the
    restarted worker takes up what the dead one left (an upload: selling.uploads_reconcile)."""

    def __init__(
        self,
        environment: dict[str, str],
        ticker: _Ticker,
        err: Callable[[str], None],
        *,
        queues: str = "*",
        interval: float | None = None,
        max_tasks: int | None = None,
    ) -> None:
        self.environment = environment
        self.ticker = ticker
        self.err = err
        self.queues = queues
        self.interval = interval
        self.max_tasks = max_tasks
        self.worker_id = ""

    def start(self) -> subprocess.Popen[bytes]:
        self.worker_id = worker_id_new(WORKER_ID_PREFIX)
        return _spawn(self.command(), self.environment)

    def command(self) -> list[str]:
        command = [
            sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker",
            "--queue-name", self.queues,
            "--no-reload",
            "--worker-id", self.worker_id,
        ]  # fmt: skip
        if self.interval is not None:
            command += ["--interval", f"{self.interval:g}"]
        if self.max_tasks:
            command += ["--max-tasks", str(self.max_tasks)]
        return command

    def lost(self) -> None:
        self._abandon(lambda: task_results_abandon(worker_ids=[self.worker_id]))
        self.ticker.due_now()

    def abandon_gone(self) -> None:
        """Rows left running by the workers of a `serve` on this host that is no longer
        running (stopped by a power cut, say, or killed with its worker), or of a
        `manage.py worker` on this host that is gone."""
        self._abandon(task_results_abandon_gone)

    def _abandon(self, abandon: Callable[[], list[AbandonedTask]]) -> None:
        try:
            abandoned = abandon()
        except Exception as error:  # a busy database must not stop the site; the sweep catches up
            self.err(f"Could not mark the stopped worker's tasks as abandoned: {error}")
            return
        if abandoned:
            self.err(f"Marked {len(abandoned)} task(s) of a stopped worker as abandoned.")


def _worker_id_prefix(pid: int) -> str:
    return worker_id_prefix(WORKER_ID_PREFIX, pid)


def _die_with_parent() -> None:
    # Should this process be killed outright (SIGKILL), Linux still stops the children.
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class _Child:
    start: Callable[[], subprocess.Popen[bytes]]
    # Started again (with back-off) when it dies; a child that is not stops everything instead.
    restart: bool = False
    # A restartable child that ends with exit code 0 did so by plan (a worker after its
    # --max-tasks): started again at once, without back-off and without a warning
    # (PLANNED_EXIT_MIN_SECONDS).
    on_exit: Callable[[], None] | None = None  # after it died, before it is started again


class _Supervisor:
    """Starts the children, waits for readiness, then for a stop signal or the death of a child
    that is not restarted; starts a restartable child again after a back-off; stops whatever
    still runs. Calls ``tick`` on every round once the site is up."""

    def __init__(
        self,
        out: Callable[[str], None],
        err: Callable[[str], None],
        tick: Callable[[], object] | None = None,
    ) -> None:
        self.children: dict[str, subprocess.Popen[bytes] | None] = {}  # None: waiting to restart
        self.out = out
        self.err = err
        self.tick = tick
        self.stop_signal: int | None = None
        self._specs: Mapping[str, _Child] = {}
        self._started_at: dict[str, float] = {}
        self._restart_at: dict[str, float] = {}
        self._quick_deaths: dict[str, int] = {}

    def run(self, children: Mapping[str, _Child], url: str) -> int:
        # Handlers first: a signal between starting the children and watching them must not
        # leave them running on their own.
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        self._specs = children
        try:
            for name in children:
                self._start(name)
            return self._supervise(url)
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signal = signum

    def _start(self, name: str) -> None:
        self.children[name] = self._specs[name].start()
        self._started_at[name] = time.monotonic()

    def _supervise(self, url: str) -> int:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        ready = False
        while self.stop_signal is None:
            dead = self._first_dead_child()
            if dead is not None:
                name, code = dead
                if not self._specs[name].restart:
                    self.err(f"The {name} stopped unexpectedly (exit code {code}); stopping the rest.")
                    return 1
                if code == 0 and time.monotonic() - self._started_at[name] >= PLANNED_EXIT_MIN_SECONDS:
                    self._start(name)
                else:
                    self._restart_later(name, code)
            self._restart_due()
            if not ready:
                ready = _answers(url + "healthz")
                if ready:
                    self.out(f"studymarket is running at {url} (Ctrl-C stops it)")
                elif time.monotonic() > deadline:
                    self.err(
                        f"The web server did not answer at {url}healthz within {READY_TIMEOUT_SECONDS} s."
                    )
                    return 1
            if ready and self.tick is not None:
                self.tick()
            time.sleep(POLL_SECONDS)
        self.out(f"\nReceived {signal.Signals(self.stop_signal).name}; stopping.")
        return 0

    def _restart_later(self, name: str, code: int) -> None:
        now = time.monotonic()
        if now - self._started_at[name] >= HEALTHY_SECONDS:
            self._quick_deaths[name] = 0  # it ran well for a while: this is a new trouble
        deaths = self._quick_deaths.get(name, 0)
        delay = min(RESTART_FIRST_DELAY_SECONDS * 2**deaths, RESTART_MAX_DELAY_SECONDS)
        self._quick_deaths[name] = deaths + 1
        self.err(f"The {name} stopped unexpectedly (exit code {code}); starting it again in {delay:g} s.")
        self.children[name] = None
        self._restart_at[name] = now + delay
        on_exit = self._specs[name].on_exit
        if on_exit is not None:
            on_exit()

    def _restart_due(self) -> None:
        now = time.monotonic()
        for name, child in self.children.items():
            if child is None and now >= self._restart_at[name]:
                self._start(name)
                self.out(f"The {name} is running again.")

    def _first_dead_child(self) -> tuple[str, int] | None:
        for name, child in self.children.items():
            code = child.poll() if child is not None else None
            if code is not None:
                return name, code
        return None

    def _stop_all(self) -> None:
        running = {name: child for name, child in self.children.items() if child is not None}
        for child in running.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, child in running.items():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.err(f"The {name} did not stop within {STOP_TIMEOUT_SECONDS} s; killing it.")
                child.kill()
                child.wait()


# Straight to our own server, whatever http_proxy says.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers(url: str) -> bool:
    try:
        with _direct.open(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
