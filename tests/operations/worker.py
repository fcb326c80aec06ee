"""django-tasks-db's own run loop, as `manage.py db_worker` runs it, inside a test."""

import pytest
from django_tasks_db.management.commands import db_worker


def worker_run(monkeypatch: pytest.MonkeyPatch, *queues: str, tasks: int = 1) -> None:
    # The run loop closes a connection that is not in autocommit, as the test's transaction is not.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(
        queue_names=list(queues or ["*"]),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
