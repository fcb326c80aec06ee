"""`manage.py worker`, the scale-out worker that systemd restarts (core.workers), as real
processes on the test database: killed with SIGKILL mid-upload, the next worker started on this
host marks the dead one's task row abandoned and queues the sweeps, and the upload is processed
again to the end; SIGTERM lets the running task finish and exits 0; --max-tasks exits 0 after
that many tasks. No timing is asserted: each wait has a generous limit."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from studymarket.core import workers
from studymarket.core.task_rows import WORKER_LOST
from studymarket.core.tasks import task_results_abandon_task
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.selling.services import upload_store
from studymarket.selling.tasks import upload_process_task
from tests.documents import hostile
from tests.processes import subprocess_database_url

MANAGE = Path(settings.BASE_DIR) / "manage.py"
PAGES = 100
GIVE_UP_SECONDS = 300


def _environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": subprocess_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        # The parse limit is wall-clock: on a busy two-core machine the hundred drawings can
        # take over the default minute and be refused, which these tests are not about.
        "PROCESSING_TIME_LIMIT_SECONDS": "600",
        # About a killed worker, not the reader's limit (as tests/selling/test_worker_kill.py).
        "READER_PAGE_DRAW_SECONDS": "0",
    }


class Workers:
    """`manage.py worker` processes started by a test, each with its output in a file; any
    still running at the end is killed."""

    def __init__(self, data_dir: Path, logs: Path) -> None:
        self.data_dir = data_dir
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *arguments: str) -> subprocess.Popen[bytes]:
        log = self.logs / f"worker-{len(self.started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, str(MANAGE), "worker", "--interval", "0.1", *arguments],
                env=_environment(self.data_dir),
                cwd=settings.BASE_DIR,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def output(self, process: subprocess.Popen[bytes]) -> str:
        return (self.logs / f"worker-{self.started.index(process)}.log").read_text()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


@pytest.fixture
def worker_processes(data_dir: Path, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(data_dir, tmp_path)
    yield started
    started.stop_all()


def _wait_for(condition: Callable[[], bool], *, what: str, seconds: float = GIVE_UP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what}")
        time.sleep(0.05)


def _heavy_upload(seller) -> DocumentVersion:
    # 100 pages of detailed drawings take a worker seconds: time to stop it part-way.
    return upload_store(
        seller=seller, file=ContentFile(hostile.drawings_pdf(pages=PAGES)), original_name="tekeningen.pdf"
    )


def _part_way(version: DocumentVersion) -> Callable[[], bool]:
    def check() -> bool:
        current = DocumentVersion.objects.get(pk=version.pk)
        return current.status == VersionStatus.PROCESSING and current.pages_processed >= 10

    return check


def _status(version: DocumentVersion) -> str:
    return str(DocumentVersion.objects.get(pk=version.pk).status)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("db_task_backend")
def test_the_next_worker_marks_a_killed_worker_s_task_and_the_upload_is_processed_again(
    seller, worker_processes
):
    version = _heavy_upload(seller)
    first = worker_processes.start()
    _wait_for(_part_way(version), what="the first worker to be part-way through the upload")
    os.kill(first.pid, signal.SIGKILL)  # the worker alone: as the OOM killer would
    first.wait(timeout=30)
    row = DBTaskResult.objects.get(task_path=upload_process_task.module_path)
    (killed_id,) = row.worker_ids
    assert row.status == TaskResultStatus.RUNNING  # nobody says otherwise yet
    assert killed_id.startswith(workers.worker_id_prefix(workers.WORKER, first.pid))

    second = worker_processes.start()  # as systemd does after Restart=always
    _wait_for(lambda: _status(version) == VersionStatus.ACCEPTED, what="the upload to be accepted")

    row.refresh_from_db()
    assert (row.status, row.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
    assert killed_id in row.traceback
    version.refresh_from_db()
    assert (version.status, version.page_count, version.attempts) == (VersionStatus.ACCEPTED, PAGES, 2)
    rerun = DBTaskResult.objects.filter(task_path=upload_process_task.module_path).exclude(pk=row.pk).get()
    assert rerun.status == TaskResultStatus.SUCCESSFUL
    assert rerun.worker_ids[0].startswith(workers.worker_id_prefix(workers.WORKER, second.pid))
    assert "Marked 1 task(s) of a stopped worker as abandoned." in worker_processes.output(second)

    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("db_task_backend")
def test_sigterm_lets_the_running_task_finish_then_the_worker_exits_0(seller, worker_processes):
    version = _heavy_upload(seller)
    worker = worker_processes.start()
    _wait_for(_part_way(version), what="the worker to be part-way through the upload")

    worker.send_signal(signal.SIGTERM)  # systemctl stop (KillMode=mixed: the worker alone)

    assert worker.wait(timeout=GIVE_UP_SECONDS) == 0
    version.refresh_from_db()
    assert (version.status, version.page_count, version.attempts) == (VersionStatus.ACCEPTED, PAGES, 1)
    row = DBTaskResult.objects.get(task_path=upload_process_task.module_path)
    assert row.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("db_task_backend")
def test_the_worker_leaves_with_exit_code_0_after_max_tasks(worker_processes):
    queued = [task_results_abandon_task.enqueue() for _ in range(3)]

    worker = worker_processes.start("--max-tasks", "2")

    assert worker.wait(timeout=GIVE_UP_SECONDS) == 0
    statuses = sorted(DBTaskResult.objects.get(pk=result.id).status for result in queued)
    assert statuses == sorted([TaskResultStatus.SUCCESSFUL] * 2 + [TaskResultStatus.READY])


def _row(worker_id: str, arg: int) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        args_kwargs={"args": [arg], "kwargs": {}},
        task_path=upload_process_task.module_path,
        worker_ids=[worker_id],
        backend_name="default",
        run_after=get_date_max(),
    )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.django_db
def test_rows_of_this_host_s_dead_workers_and_serves_are_judged_gone_and_no_others(monkeypatch):
    monkeypatch.setattr(workers.socket, "gethostname", lambda: "worker-host-" + "x" * 40)
    dead = _dead_pid()
    rows = {
        "dead worker": _row(f"{workers.worker_id_prefix(workers.WORKER, dead)}ab", 1),
        "dead serve": _row(f"{workers.worker_id_prefix(workers.SERVE, dead)}ab", 2),
        "live worker": _row(f"{workers.worker_id_prefix(workers.WORKER, os.getppid())}ab", 3),
        "this process": _row(workers.worker_id_new(workers.WORKER), 4),
        "other host": _row(f"worker:elsewhere:{dead}:ab", 5),
        "other form": _row(f"celery:{workers.host_name()}:{dead}:ab", 6),
        "db_worker's own id": _row("aZ3kP0qL", 7),
    }

    abandoned = workers.task_results_abandon_gone()

    assert sorted(task.args[0] for task in abandoned) == [1, 2]
    statuses = {name: DBTaskResult.objects.get(pk=row.pk).status for name, row in rows.items()}
    assert {name for name, status in statuses.items() if status == TaskResultStatus.FAILED} == {
        "dead worker",
        "dead serve",
    }
    # db_worker refuses ids over 64 characters; ours fit with the longest host name kept (30).
    assert len(workers.worker_id_new(workers.WORKER)) <= 64


@pytest.mark.django_db
def test_a_starting_worker_judges_a_predecessor_with_its_own_process_id_gone():
    """A container's first process, started again, is PID 1 again: the killed worker's id has
    the new worker's process id."""
    predecessor = _row(f"{workers.worker_id_prefix(workers.WORKER, os.getpid())}ab", 1)

    assert workers.task_results_abandon_gone() == []  # `serve`: its own workers are alive
    abandoned = workers.task_results_abandon_gone(starting=True)  # `worker`, before its first task

    assert [task.args for task in abandoned] == [[1]]
    assert DBTaskResult.objects.get(pk=predecessor.pk).status == TaskResultStatus.FAILED


@pytest.mark.django_db
def test_the_worker_refuses_to_run_on_another_backend():
    # The tests' default backend runs tasks inline; RQ would need its own worker.
    with pytest.raises(CommandError, match="runs the database queue only"):
        call_command("worker")
