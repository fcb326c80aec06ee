"""/readyz (operations.readiness): 200 when the database, cache, storage, workers and task
backlog are fine; 503 naming what is not, quickly, even when a part hangs."""

import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studymarket.core.task_queues import QUEUES, URGENT_QUEUE
from studymarket.operations import readiness
from studymarket.operations.heartbeat import heartbeat_record, worker_heartbeat_task
from studymarket.operations.models import WorkerHeartbeat
from tests.operations.observe_tasks import logging_task
from tests.operations.worker import worker_run


def _beat_all(age_seconds: float = 0) -> None:
    for queue in QUEUES:
        heartbeat_record(
            queue_name=queue, worker_id="serve:h:1:ab", at=timezone.now() - timedelta(seconds=age_seconds)
        )


def _ready(client: Client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    return response.status_code, response.json()


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_all_well_answers_200_and_names_every_check(client: Client):
    _beat_all()
    status, body = _ready(client)
    assert (status, body["status"], body["failed"]) == (200, "ok", [])
    assert list(body["checks"]) == ["database", "cache", "storage", "workers", "backlog"]
    assert all(check["ok"] for check in body["checks"].values())
    assert {check["code"] for check in body["checks"].values()} == {"ok"}
    assert body["checks"]["database"]["detail"] == "De database antwoordt."
    assert "queues" not in body["checks"]["workers"]


@pytest.mark.django_db
def test_tasks_run_inline_have_no_workers_to_check(client: Client):
    status, body = _ready(client)
    assert status == 200
    assert body["checks"]["workers"]["detail"] == "Taken draaien zonder werker (geen databasewachtrij)."
    assert body["checks"]["workers"]["code"] == "not_applicable"


class _BrokenConnection:
    vendor = "sqlite"

    def cursor(self) -> None:
        raise OperationalError("could not connect to server: Connection refused (db.internal:5432)")


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_a_database_that_does_not_answer_is_named_without_its_error_text(
    client: Client, monkeypatch: pytest.MonkeyPatch
):
    _beat_all()
    monkeypatch.setattr(readiness, "connection", _BrokenConnection())
    status, body = _ready(client)
    assert (status, body["status"], body["failed"]) == (503, "failed", ["database"])
    assert body["checks"]["database"] == {
        "ok": False,
        "code": "unreachable",
        "detail": "De database antwoordt niet.",
    }
    assert "db.internal" not in str(body)


class _DeadCache:
    def set(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("Error 111 connecting to redis.internal:6379. Connection refused.")


def _hanging_cache_check() -> str:
    time.sleep(1)  # then it would answer, too late; the probe has long answered
    return "too late"


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_a_cache_that_fails_is_named(client: Client, monkeypatch: pytest.MonkeyPatch):
    _beat_all()
    monkeypatch.setattr(readiness, "cache", _DeadCache())
    status, body = _ready(client)
    assert (status, body["failed"]) == (503, ["cache"])
    assert body["checks"]["cache"]["detail"] == "De cache antwoordt niet."


@pytest.mark.django_db
def test_a_cache_that_hangs_fails_after_the_timeout_not_later(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings
):
    settings.READINESS_TIMEOUT_SECONDS = 0.3
    monkeypatch.setitem(readiness._RUN, "cache", _hanging_cache_check)
    started = time.monotonic()
    status, body = _ready(client)
    assert time.monotonic() - started < 2
    assert (status, body["failed"]) == (503, ["cache"])
    assert body["checks"]["cache"]["detail"] == "Geen antwoord binnen 0.3 s."
    assert body["checks"]["cache"]["code"] == "timeout"


@pytest.mark.django_db
def test_storage_that_does_not_answer_is_named(client: Client, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(readiness, "storage_answers", lambda storage: False)
    status, body = _ready(client)
    assert (status, body["failed"]) == (503, ["storage"])


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_no_heartbeat_or_an_old_one_means_no_worker(client: Client, settings):
    status, body = _ready(client)
    assert (status, body["failed"]) == (503, ["workers"])
    assert body["checks"]["workers"]["detail"] == (
        "Geen werker heeft recent taken uit de wachtrij default, urgent gehaald (langer dan 180 s)."
    )
    assert (body["checks"]["workers"]["code"], body["checks"]["workers"]["queues"]) == (
        "stale",
        ["default", "urgent"],
    )

    _beat_all(age_seconds=179)
    assert _ready(client)[0] == 200
    heartbeat_record(queue_name=URGENT_QUEUE, worker_id="w", at=timezone.now() - timedelta(seconds=181))
    status, body = _ready(client)
    assert (status, body["failed"]) == (503, ["workers"])
    assert "wachtrij urgent gehaald" in body["checks"]["workers"]["detail"]
    assert body["checks"]["workers"]["queues"] == ["urgent"]


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_a_task_waiting_too_long_fails_the_backlog_check(client: Client, settings):
    _beat_all()
    result = logging_task.enqueue()
    assert _ready(client)[0] == 200  # just queued
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(seconds=901))
    status, body = _ready(client)
    assert (status, body["failed"]) == (503, ["backlog"])
    assert body["checks"]["backlog"]["detail"].startswith("Taken wachten te lang: default (1, 90")
    assert (body["checks"]["backlog"]["code"], body["checks"]["backlog"]["queues"]) == (
        "too_old",
        ["default"],
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_the_details_follow_accept_language_and_nothing_else_does(client: Client):
    """/readyz is outside the language prefixes: Dutch unless the client asks for English; the
    keys, names and codes a monitor reads are the same in both."""
    _beat_all()
    dutch = client.get("/readyz")
    english = client.get("/readyz", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert (dutch["Content-Language"], english["Content-Language"]) == ("nl", "en")
    assert "Accept-Language" in english["Vary"]
    assert english.json()["checks"]["database"]["detail"] == "The database answers."
    assert dutch.json()["checks"]["database"]["detail"] == "De database antwoordt."

    def without_details(body: dict) -> dict:
        return {**body, "checks": {n: {**c, "detail": None} for n, c in body["checks"].items()}}

    assert without_details(english.json()) == without_details(dutch.json())
    french = client.get("/readyz", headers={"Accept-Language": "fr"})
    assert french["Content-Language"] == "nl"


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_the_heartbeat_task_records_the_worker_that_took_it(monkeypatch: pytest.MonkeyPatch):
    worker_heartbeat_task.using(queue_name=URGENT_QUEUE).enqueue()
    worker_run(monkeypatch, URGENT_QUEUE)
    beat = WorkerHeartbeat.objects.get()
    assert (beat.queue_name, beat.worker_id) == (URGENT_QUEUE, "test-worker")
    assert timezone.now() - beat.beat_at < timedelta(seconds=30)


def _broken_query() -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_for_readiness")
    return []


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_a_failing_database_check_does_not_fail_the_next_one(client: Client, monkeypatch: pytest.MonkeyPatch):
    """On PostgreSQL a failed statement aborts the transaction: each check has a savepoint."""
    _beat_all()
    monkeypatch.setattr(readiness, "worker_heartbeat_list", _broken_query)
    status, body = _ready(client)
    assert (status, body["failed"]) == (503, ["workers"])
    assert body["checks"]["workers"]["detail"] == "De hartslag van de werkers kon niet gelezen worden."
    assert body["checks"]["workers"]["code"] == "unreadable"
    assert body["checks"]["backlog"]["ok"] is True


def test_the_scheduler_queues_a_heartbeat_on_every_queue(settings):
    from studymarket.core.workers import periodic_schedule

    beats = [
        (task.queue_name, interval)
        for task, interval in periodic_schedule()
        if task.module_path == worker_heartbeat_task.module_path
    ]
    assert beats == [(queue, float(settings.WORKER_HEARTBEAT_INTERVAL_SECONDS)) for queue in QUEUES]
