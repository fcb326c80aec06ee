"""Task rows whose worker died (core.task_rows; issue 12, finding 8): django-tasks-db leaves
them RUNNING for ever; they are marked abandoned by who knows the worker is gone (`serve`, for
its own workers and those of an earlier `serve` on this host) or by the periodic sweep."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from studymarket.core.management.commands import serve
from studymarket.core.task_rows import (
    WORKER_LOST,
    task_results_abandon,
    task_results_abandon_stale,
    task_results_abandoned,
    task_workers_running,
)

pytestmark = pytest.mark.django_db


def _row(
    worker_id: str, *, started_minutes_ago: float = 1, status: str = TaskResultStatus.RUNNING, arg: int = 7
):
    return DBTaskResult.objects.create(
        status=status,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        args_kwargs={"args": [arg], "kwargs": {}},
        task_path="studymarket.selling.tasks.upload_process_task",
        worker_ids=[worker_id],
        backend_name="default",
        run_after=get_date_max(),
    )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_rows_of_a_gone_worker_are_marked_abandoned_once():
    dead, alive = _row("w-dead", arg=1), _row("w-alive", arg=2)
    finished = _row("w-dead", status=TaskResultStatus.SUCCESSFUL, arg=3)

    abandoned = task_results_abandon(worker_ids=["w-dead"])

    assert [task.args for task in abandoned] == [[1]]
    dead.refresh_from_db()
    assert (dead.status, dead.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
    assert "w-dead" in dead.traceback
    assert DBTaskResult.objects.get(pk=alive.pk).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=finished.pk).status == TaskResultStatus.SUCCESSFUL
    assert task_results_abandon(worker_ids=["w-dead"]) == []
    found = task_results_abandoned(task_path=dead.task_path, since=timezone.now() - timedelta(minutes=1))
    assert [task.args for task in found] == [[1]]


def test_the_sweep_marks_rows_running_longer_than_the_setting(settings):
    settings.TASK_RUNNING_ABANDON_SECONDS = 3600
    old, recent = _row("w1", started_minutes_ago=61, arg=1), _row("w2", started_minutes_ago=59, arg=2)

    assert [task.args for task in task_results_abandon_stale()] == [[1]]
    assert DBTaskResult.objects.get(pk=old.pk).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=recent.pk).status == TaskResultStatus.RUNNING


def test_serve_marks_the_rows_of_an_earlier_serve_on_this_host_whose_process_is_gone(settings):
    gone = _row(f"{serve._worker_id_prefix(_dead_pid())}abcd", arg=1)
    ours = _row(f"{serve._worker_id_prefix(serve.os.getpid())}abcd", arg=2)
    other_host = _row(f"serve:elsewhere:{_dead_pid()}:abcd", arg=3)
    not_serve = _row("aZ3kP0", arg=4)
    errors: list[str] = []
    ticker = serve._Ticker([], errors.append)

    serve._Worker({}, ticker, errors.append).abandon_gone()

    statuses = {
        row.pk: DBTaskResult.objects.get(pk=row.pk).status for row in (gone, ours, other_host, not_serve)
    }
    assert statuses == {
        gone.pk: TaskResultStatus.FAILED,
        ours.pk: TaskResultStatus.RUNNING,
        other_host.pk: TaskResultStatus.RUNNING,
        not_serve.pk: TaskResultStatus.RUNNING,
    }
    assert errors == ["Marked 1 task(s) of a stopped worker as abandoned."]


def test_when_serve_s_worker_dies_its_rows_are_marked_and_the_sweeps_queued_at_once():
    errors: list[str] = []
    ticker = serve._Ticker([], errors.append)
    ticker.next_at = [10.0**9]
    ticker.schedule = [(None, 60.0)]  # type: ignore[list-item]
    worker = serve._Worker({}, ticker, errors.append)
    worker.worker_id = "serve:h:1:dead"
    row, other = _row("serve:h:1:dead", arg=1), _row("serve:h:1:next", arg=2)
    assert task_workers_running() == {"serve:h:1:dead", "serve:h:1:next"}

    worker.lost()

    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=other.pk).status == TaskResultStatus.RUNNING
    assert ticker.next_at == [0.0]
