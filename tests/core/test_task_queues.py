"""Every task's queue and priority (core.task_queues; issue 14): the urgent queue, which has a
worker of its own in `serve`, holds only short tasks a person waits for; every task says its
priority with one of the named levels; `serve` starts a worker for every queue and one for the
urgent queue only."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks.base import Task

import studymarket
from studymarket.core.management.commands import serve
from studymarket.core.task_queues import (
    QUEUES,
    TASK_PRIORITY_BULK,
    TASK_PRIORITY_HEARTBEAT,
    TASK_PRIORITY_SOON,
    TASK_PRIORITY_SWEEP,
    TASK_PRIORITY_WAITING,
    URGENT_QUEUE,
)


def _tasks() -> dict[str, Task]:
    found = {}
    for module in pkgutil.walk_packages(studymarket.__path__, "studymarket."):
        if module.name.rsplit(".", 1)[-1] in ("tasks", "ledger_tasks"):
            for value in vars(importlib.import_module(module.name)).values():
                if isinstance(value, Task):
                    found[value.module_path] = value
    return found


def test_only_short_tasks_a_person_waits_for_are_on_the_urgent_queue():
    urgent = {path for path, task in _tasks().items() if task.queue_name == URGENT_QUEUE}
    assert urgent == {
        "studymarket.library.tasks.stamped_copy_build_task",
        "studymarket.accounts.tasks.password_reset_mail_task",
        "studymarket.orders.tasks.order_receipt_send_task",
    }


def test_every_task_decorator_says_its_priority():
    """A bare @task() would get 0 (the sweeps' level) without anyone deciding it."""
    unsaid = []
    for path in Path(studymarket.__path__[0]).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    bare = isinstance(decorator, ast.Name) and decorator.id == "task"
                    if bare or (
                        isinstance(decorator, ast.Call)
                        and getattr(decorator.func, "id", "") == "task"
                        and "priority" not in {keyword.arg for keyword in decorator.keywords}
                    ):
                        unsaid.append(f"{path.name}:{node.name}")
    assert unsaid == []


def test_every_task_has_a_named_priority_and_bulk_work_is_last():
    tasks = _tasks()
    levels = {
        TASK_PRIORITY_HEARTBEAT,
        TASK_PRIORITY_WAITING,
        TASK_PRIORITY_SOON,
        TASK_PRIORITY_SWEEP,
        TASK_PRIORITY_BULK,
    }
    assert len(tasks) >= 20
    assert {path: task.priority for path, task in tasks.items() if task.priority not in levels} == {}
    assert tasks["studymarket.search.tasks.search_index_listing_task"].priority == TASK_PRIORITY_BULK
    assert tasks["studymarket.selling.tasks.upload_process_task"].priority == TASK_PRIORITY_SOON
    assert tasks["studymarket.selling.tasks.uploads_reconcile_task"].priority > TASK_PRIORITY_BULK


def test_the_settings_know_the_queues():
    assert settings.TASKS["default"]["QUEUES"] == list(QUEUES)


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_serve_runs_a_worker_for_every_queue_and_one_for_the_urgent_queue():
    children = serve.Command()._children(
        "127.0.0.1", 8000, "http://127.0.0.1:8000/", serve._Ticker([], print)
    )

    commands = {}
    for name in ("task worker", "urgent task worker"):
        child = children[name]
        assert child.restart is True
        worker = child.start.__self__  # type: ignore[attr-defined]
        assert child.on_exit == worker.lost
        worker.worker_id = "serve:h:1:x"
        commands[name] = worker.command()[2:]
    assert commands == {
        "task worker": [
            "db_worker", "--queue-name", "*", "--no-reload", "--worker-id", "serve:h:1:x",
            "--max-tasks", "100",
        ],
        "urgent task worker": [
            "db_worker", "--queue-name", "urgent", "--no-reload", "--worker-id", "serve:h:1:x",
            "--interval", "0.5",
        ],
    }  # fmt: skip
