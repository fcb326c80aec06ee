"""A buyer's PDF is not stuck behind bulk work (issue 14): its build task has the urgent queue and
a high priority (core.task_queues), so the worker for every queue takes it before a backlog of
search index tasks queued earlier, and `serve`'s urgent worker takes it while leaving the
backlog alone (the other worker may be busy with a long task)."""

import os
import subprocess

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from studymarket.core.management.commands import serve
from studymarket.core.task_queues import URGENT_QUEUE
from studymarket.library.models import StampedCopy, StampedCopyStatus
from studymarket.library.tasks import stamped_copy_build_task
from studymarket.search.tasks import search_index_listing_task
from tests.processes import subprocess_database_url
from tests.purchases import purchase

BACKLOG = 30


def _worker(*queues: str) -> db_worker.Worker:
    """django-tasks-db's own run loop, as `manage.py db_worker` runs it, for one task."""
    return db_worker.Worker(
        queue_names=list(queues),
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def _backlog(priority: int | None = None) -> list[str]:
    """BACKLOG search index tasks (the purchase queues one more: the listing's sales changed)."""
    task = search_index_listing_task.using(priority=priority)
    return [task.enqueue(1).id for _ in range(BACKLOG)]


def _statuses(ids: list[str]) -> list[str]:
    return sorted(DBTaskResult.objects.filter(pk__in=ids).values_list("status", flat=True))


@pytest.fixture
def _in_test_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    # The run loop closes a connection that is not in autocommit, as the test's transaction is not.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend", "_in_test_transaction")
def test_the_worker_takes_the_stamp_before_a_backlog_queued_earlier(
    buyer, listing, django_capture_on_commit_callbacks
):
    backlog = _backlog()
    with django_capture_on_commit_callbacks(execute=True):
        purchase(buyer=buyer, listing=listing)
    stamp = DBTaskResult.objects.get(task_path=stamped_copy_build_task.module_path)
    assert (stamp.queue_name, stamp.priority) == (URGENT_QUEUE, 50)

    _worker("*").run()  # the worker for every queue, one task

    assert StampedCopy.objects.get().status == StampedCopyStatus.READY
    assert DBTaskResult.objects.get(pk=stamp.pk).status == TaskResultStatus.SUCCESSFUL
    assert _statuses(backlog) == [TaskResultStatus.READY] * BACKLOG


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend", "_in_test_transaction")
def test_control_at_the_same_priority_the_backlog_queued_earlier_goes_first(
    buyer, listing, django_capture_on_commit_callbacks
):
    backlog = _backlog(priority=50)
    with django_capture_on_commit_callbacks(execute=True):
        purchase(buyer=buyer, listing=listing)

    _worker("*").run()

    assert StampedCopy.objects.get().status == StampedCopyStatus.PENDING
    assert _statuses(backlog) == [TaskResultStatus.READY] * (BACKLOG - 1) + [TaskResultStatus.SUCCESSFUL]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("db_task_backend")
def test_serve_s_urgent_worker_builds_the_pdf_and_leaves_the_backlog(buyer, listing, tmp_path):
    """A real worker process, started with the command `serve` gives its urgent worker (plus
    --batch: run what is there, then stop). The worker for every queue is not running: as
    when it is busy with a long task."""
    backlog = _backlog()
    purchase(buyer=buyer, listing=listing)  # the stamp is queued on commit
    environment = {
        **os.environ,
        "DATA_DIR": str(tmp_path),  # the library's tests keep their files in tmp_path/private
        "DATABASE_URL": subprocess_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    worker = serve._Worker(
        environment, serve._Ticker([], print), print, queues=URGENT_QUEUE, interval=serve.URGENT_POLL_SECONDS
    )
    worker.worker_id = "serve:test:1:urgent"

    subprocess.run(
        [*worker.command(), "--batch", "--no-startup-delay"],
        env=environment,
        cwd=str(tmp_path),
        capture_output=True,
        timeout=120,
        check=True,
    )

    copy = StampedCopy.objects.get()
    assert copy.status == StampedCopyStatus.READY
    assert copy.file.size == copy.size_bytes > 0
    stamp = DBTaskResult.objects.get(task_path=stamped_copy_build_task.module_path)
    assert (stamp.status, stamp.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["serve:test:1:urgent"])
    assert _statuses(backlog) == [TaskResultStatus.READY] * BACKLOG
