"""The tasks bench/task_backends.py runs on each backend: a no-op, one small database write, and
one that sleeps long enough to kill its worker part-way. Importable by every worker (bench is a
package under the project folder, which manage.py puts on the path).

BENCH_TASKS_BACKEND names the backend they go to, the same in the bench and in its workers:
"default" (the database queue, with the priority of an upload's processing) or "rq" (config/
settings.py's second backend, which takes no priority at all).
"""

import os
import time

from django.db import connection
from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SOON

TABLE = "bench_task_writes"
BACKEND = os.environ.get("BENCH_TASKS_BACKEND", "default")
_task = task(priority=TASK_PRIORITY_SOON) if BACKEND == "default" else task(backend=BACKEND)


def table_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id serial PRIMARY KEY, n integer NOT NULL)")
        cursor.execute(f"TRUNCATE {TABLE}")


@_task
def noop_task(n: int) -> int:
    return n


@_task
def write_task(n: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (n) VALUES (%s)", [n])  # noqa: S608 - a constant table name
    return n


@_task
def sleep_task(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
