"""Every log line of a request, and of the tasks it queued, carries the request's id
(core.request_id, core.logging); the id comes from the proxy when it is sane, is made otherwise,
and goes back in the response."""

import contextvars
import io
import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest
from django.test import Client

from studymarket.core.logging import JsonFormatter, PlainFormatter, RequestIdFilter
from studymarket.core.request_id import request_id_var
from tests.operations.observe_tasks import logging_task
from tests.operations.worker import worker_run

MADE = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """JSON lines of every logger, formatted as they are written (as production's handler does)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield out
    root.removeHandler(handler)


def _lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_a_sane_id_from_the_proxy_is_used_and_returned(client: Client):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.b:42_x"})
    assert response["X-Request-ID"] == "edge-7f3a.b:42_x"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "offered", ["", "a" * 65, "bad id", "id\nforged-line", 'quote"d', "é-accent", "<script>"]
)
def test_an_id_that_is_not_sane_is_replaced_by_one_we_make(client: Client, offered: str):
    headers = {"X-Request-ID": offered} if offered else {}
    response = client.get("/healthz", headers=headers)
    assert MADE.fullmatch(response["X-Request-ID"])
    assert response["X-Request-ID"] != offered


@pytest.mark.django_db
def test_each_request_gets_an_id_of_its_own(client: Client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


@pytest.mark.django_db
def test_the_log_lines_of_a_request_carry_its_id(client: Client, json_log: io.StringIO):
    response = client.get("/bestaat-niet/", headers={"X-Request-ID": "req-404-check"})

    assert response.status_code == 404
    lines = [line for line in _lines(json_log) if line["logger"] == "django.request"]
    assert [(line["level"], line["request_id"]) for line in lines] == [("WARNING", "req-404-check")]
    assert lines[0]["message"] == "Not Found: /bestaat-niet/"
    assert request_id_var.get() == ""  # nothing left behind for the next request


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_a_task_logs_with_the_id_of_the_request_that_queued_it(
    json_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
):
    def in_a_request() -> str:
        request_id_var.set("req-queued-it")
        return str(logging_task.enqueue().id)

    task_id = contextvars.copy_context().run(in_a_request)
    assert request_id_var.get() == ""  # the worker's context knows nothing of the request

    worker_run(monkeypatch)

    said = [line for line in _lines(json_log) if line["message"] == "the task says something"]
    assert [(line["request_id"], line["task_id"]) for line in said] == [("req-queued-it", task_id)]
    # django-tasks' own lines about the run (state RUNNING, then SUCCESSFUL) too.
    runs = [
        line for line in _lines(json_log) if line["logger"] == "django_tasks" and task_id in line["message"]
    ]
    assert [(line["message"].rsplit("=", 1)[-1], line.get("request_id")) for line in runs] == [
        ("RUNNING", "req-queued-it"),
        ("SUCCESSFUL", "req-queued-it"),
    ]
    assert request_id_var.get() == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("db_task_backend")
def test_a_task_queued_outside_a_request_logs_its_task_id_only(
    json_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
):
    task_id = str(logging_task.enqueue().id)
    worker_run(monkeypatch)
    said = [line for line in _lines(json_log) if line["message"] == "the task says something"]
    assert len(said) == 1
    assert said[0]["task_id"] == task_id
    assert "request_id" not in said[0]


def test_a_json_line_parses_and_keeps_extra_fields_and_the_traceback():
    logger = logging.getLogger("tests.operations.json")
    try:
        raise ValueError("kapot")
    except ValueError:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "order %s failed", ("SM-1",), sys.exc_info()
        )
    record.__dict__.update({"order_id": 7, "amount": object()})
    token = request_id_var.set("req-json")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "order SM-1 failed"
    assert (line["level"], line["logger"], line["request_id"]) == (
        "ERROR",
        "tests.operations.json",
        "req-json",
    )
    assert line["order_id"] == 7
    assert line["amount"].startswith("<object object")  # not JSON: written as text
    assert line["exception"].splitlines()[-1] == "ValueError: kapot"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", line["time"])
    assert "task_id" not in line


def test_the_readable_line_names_the_request_in_development():
    record = logging.LogRecord("studymarket.x", logging.INFO, __file__, 1, "hallo", None, None)
    record.request_id, record.task_id = "req-9", ""
    text = PlainFormatter().format(record)
    assert re.fullmatch(r"\S+ INFO studymarket\.x \[request_id=req-9\] hallo", text)
    record.request_id = ""
    assert PlainFormatter().format(record).endswith(" INFO studymarket.x hallo")
