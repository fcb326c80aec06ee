"""`python manage.py serve`: the one command behind `make run`.

Prepares the database and static files, loads the demo data, then runs the web
server (granian) and the background-task worker (django-tasks-db) side by side
until Ctrl-C or SIGTERM, or until either of them dies. Meanwhile it queues the
periodic tasks (settings.PERIODIC_TASKS, config/periodic.py) for the worker.
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
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15
POLL_SECONDS = 0.2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


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
            call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            if not options["no_demo_data"]:
                call_command("demo_data")
        except KeyboardInterrupt:
            raise CommandError("Interrupted before the server started.") from None

        # Only the address shown to the user: a wildcard host is reached at 127.0.0.1.
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # nosec B104
        url = f"http://{f'[{shown_host}]' if ':' in shown_host else shown_host}:{port}/"
        ticker = _Ticker(import_string(settings.PERIODIC_TASKS)(), self.stderr.write)
        supervisor = _Supervisor(self.stdout.write, self.stderr.write, tick=ticker)
        exit_code = supervisor.run(lambda: self._start_children(host, port, url), url)
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

    def _start_children(self, host: str, port: int, url: str) -> dict[str, subprocess.Popen[bytes]]:
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
        commands = {"web server": web}
        if isinstance(task_backends["default"], DatabaseBackend):
            commands["task worker"] = [
                sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker",
                "--queue-name", "*",
                "--no-reload",
            ]  # fmt: skip
        else:
            self.stdout.write("Tasks run without a worker (TASKS_BACKEND is not the database backend).")
        # Own sessions: Ctrl-C reaches only this process, which stops each child exactly once.
        return {
            name: subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # safe here: one prctl call, then exec
            )
            for name, command in commands.items()
        }


def _die_with_parent() -> None:
    # Should this process be killed outright (SIGKILL), Linux still stops the children.
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class _Ticker:
    """Queues each periodic task when it is due. Called from the supervisor's loop, so it
    stops with everything else; the worker does the work."""

    def __init__(self, schedule: list[tuple[Task[[], Any], float]], err: Callable[[str], None]) -> None:
        self.schedule = schedule
        self.err = err
        self.next_at = [0.0] * len(schedule)  # all due at once

    def __call__(self) -> None:
        now = time.monotonic()
        for i, (task, interval) in enumerate(self.schedule):
            if now < self.next_at[i]:
                continue
            self.next_at[i] = now + interval
            try:
                task.enqueue()
            except Exception as error:  # a busy database must not stop the site
                self.err(f"Could not queue {task.name}: {error}; trying again in {interval:g} s.")


class _Supervisor:
    """Starts the children, waits for readiness, then for a stop signal or a child's death;
    stops whatever still runs. Calls ``tick`` on every round once the site is up."""

    def __init__(
        self,
        out: Callable[[str], None],
        err: Callable[[str], None],
        tick: Callable[[], None] | None = None,
    ) -> None:
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.out = out
        self.err = err
        self.tick = tick
        self.stop_signal: int | None = None

    def run(self, start: Callable[[], dict[str, subprocess.Popen[bytes]]], url: str) -> int:
        # Handlers first: a signal between starting the children and watching them must not
        # leave them running on their own.
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            self.children = start()
            return self._supervise(url)
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signal = signum

    def _supervise(self, url: str) -> int:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        ready = False
        while self.stop_signal is None:
            dead = self._first_dead_child()
            if dead is not None:
                name, code = dead
                self.err(f"The {name} stopped unexpectedly (exit code {code}); stopping the rest.")
                return 1
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

    def _first_dead_child(self) -> tuple[str, int] | None:
        for name, child in self.children.items():
            code = child.poll()
            if code is not None:
                return name, code
        return None

    def _stop_all(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, child in self.children.items():
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
