"""Tasks for the observability tests (not a conftest: a plain module the worker can import by path)."""

import logging

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_BULK

logger = logging.getLogger("tests.operations.observe_tasks")


@task(priority=TASK_PRIORITY_BULK)
def failing_task() -> None:
    raise RuntimeError("this task fails on purpose")


@task(priority=TASK_PRIORITY_BULK)
def logging_task() -> None:
    logger.warning("the task says something")
