"""One id per request, on every log line of that request and of the tasks it queued.

The middleware takes the reverse proxy's ``X-Request-ID`` when it looks like an id (1-64
characters of letters, digits and ``-_.:``; anything else could forge or break log lines) or
makes one, keeps it in a context variable for the log filter (core.logging), and returns it in
the response's ``X-Request-ID`` header, so a person reporting a problem can quote it.

Tasks run in other processes (the workers), so a context variable cannot follow them. Their
arguments stay as they are (ids in, ADR 0002): django-tasks' own ``task_enqueued`` signal
remembers the request id under the new task's id in the shared cache, and its ``task_started``
signal, in the worker, puts it back into the context for the task's run (``task_finished``
takes it out again). These are the task library's hooks for cross-cutting concerns, not domain
flow (ADR 0011). The cache entry lives a day; a task whose entry is gone (evicted, or the cache
was down) logs with its own task id only. Django's ``request_finished`` clears the request's
id. Connected in CoreConfig.ready().
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, Final

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

HEADER: Final = "X-Request-ID"
_META_KEY: Final = "HTTP_X_REQUEST_ID"
_SANE: Final = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# How long a queued task's request id is remembered (a task waits minutes, not days).
TASK_ID_SECONDS: Final = 24 * 3600

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
task_id_var: ContextVar[str] = ContextVar("task_id", default="")

logger = logging.getLogger(__name__)


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_sane(value: str) -> bool:
    return bool(_SANE.fullmatch(value))


def request_id_get() -> str:
    """The current request's id, or the id of the request that queued the running task; "" outside both."""
    return request_id_var.get()


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every later line of the request carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.META.get(_META_KEY, "")
        request_id = offered if request_id_sane(offered) else request_id_new()
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs a 4xx/5xx response ("Not Found: …") after the
        # middleware has returned. request_finished (the response closed) clears it.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def on_request_finished(sender: object, **kwargs: object) -> None:
    request_id_var.set("")


def _cache_key(task_result_id: object) -> str:
    return f"request-id:task:{task_result_id}"


# The tokens of the context set for each running task, to restore what was there before (an
# inline task run inside a request must give the request its own id back).
_running: dict[str, tuple[Token[str], Token[str]]] = {}


def on_task_enqueued(sender: object, task_result: Any, **kwargs: object) -> None:
    request_id = request_id_var.get()
    if not request_id:
        return
    try:
        cache.set(_cache_key(task_result.id), request_id, TASK_ID_SECONDS)
    except Exception:  # a log nicety must never stop a task from being queued
        logger.warning("Could not remember the request id of task %s.", task_result.id, exc_info=True)


def on_task_started(sender: object, task_result: Any, **kwargs: object) -> None:
    task_id = str(task_result.id)
    request_id = request_id_var.get()  # set when the task runs inline in its request
    if not request_id:
        try:
            request_id = cache.get(_cache_key(task_id)) or ""
        except Exception:
            request_id = ""
    _running[task_id] = (request_id_var.set(request_id), task_id_var.set(task_id))


def on_task_finished(sender: object, task_result: Any, **kwargs: object) -> None:
    tokens = _running.pop(str(task_result.id), None)
    if tokens is None:
        return
    request_token, task_token = tokens
    try:
        request_id_var.reset(request_token)
        task_id_var.reset(task_token)
    except ValueError:  # set in another context (cannot happen with db_worker): just clear
        request_id_var.set("")
        task_id_var.set("")


def signals_connect() -> None:
    from django.core.signals import request_finished
    from django_tasks.signals import log_task_started, task_enqueued, task_finished, task_started

    uid = "studymarket.core.request_id"
    request_finished.connect(on_request_finished, dispatch_uid=f"{uid}.request_finished")
    task_enqueued.connect(on_task_enqueued, dispatch_uid=f"{uid}.enqueued")
    # Before django-tasks' own "Task … state=RUNNING" line, so that line carries the ids too.
    task_started.disconnect(log_task_started)
    task_started.connect(on_task_started, dispatch_uid=f"{uid}.started")
    task_started.connect(log_task_started)
    task_finished.connect(on_task_finished, dispatch_uid=f"{uid}.finished")
