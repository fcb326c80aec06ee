"""Starting and stopping the site for a benchmark, the way `make run` runs it: `manage.py serve`
(granian, the task workers) in a process group of its own, ready once /healthz answers."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_start(
    environment: dict[str, str],
    log: Path,
    *,
    arguments: Sequence[str] = (),
    root: Path = ROOT,
    ready_seconds: float = 300,
) -> subprocess.Popen[bytes]:
    """`manage.py serve` of the checkout at ``root`` on environment["PORT"], its output in ``log``."""
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "serve", *arguments],
            cwd=root,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ready_wait(server, f"http://127.0.0.1:{environment['PORT']}/healthz", log, seconds=ready_seconds)
    return server


def ready_wait(server: subprocess.Popen[bytes], url: str, log: Path, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server stopped (exit {server.returncode}); see {log}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    serve_stop(server)
    raise SystemExit(f"server not ready after {seconds:g} s; see {log}")


def serve_stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# The environment a bench's site must not inherit from the shell (it runs the embedded profile
# unless a bench keeps the shell's services on purpose).
_PROFILE_VARIABLES = ("DATABASE_URL", "CACHE_URL", "STUDYMARKET_ENV", "EMAIL_URL", "TASKS_BACKEND")


def site_environment(data_dir: str, port: int, *, keep: bool = False, **extra: str) -> dict[str, str]:
    """This process's environment for a site in ``data_dir`` on ``port``: the embedded profile
    (unless ``keep``), requests from 127.0.0.1 never rate-limited (the bench is one client,
    faster than people), and ``extra`` on top."""
    environment = dict(os.environ)
    if not keep:
        for name in _PROFILE_VARIABLES:
            environment.pop(name, None)
    environment.update(
        DATA_DIR=data_dir,
        PORT=str(port),
        SITE_URL=f"http://127.0.0.1:{port}",
        DJANGO_SETTINGS_MODULE="config.settings",
        STUDYMARKET_TESTING="0",
        RATE_LIMIT_EXEMPT_IPS="127.0.0.1",
    )
    environment.update(extra)
    return environment
