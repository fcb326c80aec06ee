"""`manage.py periodic`, the scale-out scheduler (core.workers.Ticker), as real processes on the
test database: `--once` queues every periodic task (settings.PERIODIC_TASKS) and exits; the
long-running form queues them all at start and stops on SIGTERM with exit code 0; several at
once queue no second copy of a task that is still waiting."""

import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.processes import subprocess_database_url

MANAGE = Path(settings.BASE_DIR) / "manage.py"
GIVE_UP_SECONDS = 120

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("db_task_backend")]


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": subprocess_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }


def _periodic_paths() -> list[str]:
    return sorted(task.module_path for task, _ in import_string(settings.PERIODIC_TASKS)())


def _queued_paths() -> list[str]:
    return sorted(DBTaskResult.objects.ready().values_list("task_path", flat=True))


def test_periodic_once_queues_every_periodic_task_and_exits():
    done = subprocess.run(
        [sys.executable, str(MANAGE), "periodic", "--once"],
        env=_environment(),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=GIVE_UP_SECONDS,
        check=False,
    )

    assert (done.returncode, done.stderr) == (0, "")
    paths = _periodic_paths()
    assert len(paths) >= 10
    assert _queued_paths() == paths
    assert done.stdout == (
        f"Queued {len(paths)} of {len(paths)} periodic tasks (the others have a copy waiting in the queue).\n"
    )


def test_a_second_scheduler_queues_no_second_copy_of_a_waiting_task():
    """Several schedulers at once (a standby host, a cron job next to the unit) do no harm."""
    call_command("periodic", "--once", stdout=StringIO())
    waiting = DBTaskResult.objects.ready().order_by("pk").first()
    assert waiting is not None
    waiting.status = TaskResultStatus.SUCCESSFUL  # one of them has run meanwhile
    waiting.save(update_fields=["status"])
    out = StringIO()

    call_command("periodic", "--once", stdout=out)

    paths = _periodic_paths()
    assert _queued_paths() == paths  # the one that ran is queued again; no task twice
    assert out.getvalue().startswith(f"Queued 1 of {len(paths)} periodic tasks")


def test_periodic_queues_the_tasks_at_start_and_stops_on_sigterm_with_exit_code_0():
    process = subprocess.Popen(
        [sys.executable, str(MANAGE), "periodic"],
        env=_environment(),
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        paths = _periodic_paths()
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while _queued_paths() != paths:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"queued only {_queued_paths()}"
            time.sleep(0.1)

        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=GIVE_UP_SECONDS)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    assert (process.returncode, err) == (0, "")
    assert out.splitlines() == [
        f"Queueing {len(paths)} periodic tasks when due.",
        "Received SIGTERM; stopped.",
    ]
