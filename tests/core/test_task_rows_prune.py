"""Finished task rows are deleted after their keeping time, failed ones later; rows still
waiting or running are never touched (core.task_rows.task_results_prune)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from studymarket.core.task_rows import task_results_prune

pytestmark = pytest.mark.django_db


def _row(status: str, *, finished_days_ago: float | None) -> DBTaskResult:
    finished = timezone.now() - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    return DBTaskResult.objects.create(
        status=status,
        finished_at=finished,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="studymarket.operations.heartbeat.worker_heartbeat_task",
        backend_name="default",
        run_after=get_date_max(),
    )


def test_old_finished_rows_go_failed_ones_later_and_open_ones_stay(settings):
    settings.TASK_RESULTS_KEEP_DAYS = 14
    settings.TASK_RESULTS_FAILED_KEEP_DAYS = 90
    _row(TaskResultStatus.SUCCESSFUL, finished_days_ago=15)
    new_done = _row(TaskResultStatus.SUCCESSFUL, finished_days_ago=13)
    old_failure = _row(TaskResultStatus.FAILED, finished_days_ago=30)
    _row(TaskResultStatus.FAILED, finished_days_ago=91)
    waiting = _row(TaskResultStatus.READY, finished_days_ago=None)
    running = _row(TaskResultStatus.RUNNING, finished_days_ago=None)

    assert task_results_prune() == 2

    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {new_done.pk, old_failure.pk, waiting.pk, running.pk}
    assert task_results_prune() == 0
