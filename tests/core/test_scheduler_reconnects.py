"""The scheduler (`manage.py periodic`, `serve`'s ticker) outlives a PostgreSQL restart: found by
`make scale-test` (issue 15), where it said "the connection is closed" for ever afterwards and
no sweep ran again, so uploads and buyers' copies stayed unfinished."""

import psycopg
import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from studymarket.catalog.tasks import listing_views_flush_task
from studymarket.core.workers import Ticker

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_scheduler_queues_again_after_the_database_dropped_its_connection(db_task_backend):
    if connection.vendor != "postgresql":
        pytest.skip("a server that drops the connection: PostgreSQL only")
    errors: list[str] = []
    ticker = Ticker([(listing_views_flush_task, 60.0)], errors.append)
    assert ticker() == [listing_views_flush_task.name]
    DBTaskResult.objects.all().delete()

    # What a restart does to every open connection.
    parameters = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in parameters.items() if k in ("host", "port", "user", "dbname", "password")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])

    ticker.due_now()
    assert ticker() == [listing_views_flush_task.name]
    assert errors == []
    assert DBTaskResult.objects.filter(task_path=listing_views_flush_task.module_path).count() == 1
