"""Is the site ready to do its work? The checks behind /readyz and the staff status page.

- database: a read through the site's own connection;
- cache: a write and a read of a key of its own;
- storage: the private store answers (core.storage.storage_answers; on S3 one HEAD);
- workers: every queue's heartbeat (operations.heartbeat) is recent;
- backlog: the oldest task waiting on each queue is not too old.

Each check is cheap and bounded: the cache and the store are asked in a thread each and count
as failed after READINESS_TIMEOUT_SECONDS (a hung Redis or object store must not hang the
probe); the database checks run in the request's thread, where PostgreSQL gets the same limit
as a statement timeout and SQLite reads, outside a transaction, never wait for a writer (WAL).
What a check reports is our own sentence, never the exception's text (it may name hosts or
users); that goes to the log. With a task backend other than the database queue the worker and
backlog checks have nothing to look at and pass.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from studymarket.core.storage import storage_answers
from studymarket.core.task_queues import QUEUES, URGENT_QUEUE
from studymarket.operations.selectors import heartbeat_age_seconds, task_queue_states, worker_heartbeat_list

logger = logging.getLogger(__name__)

CHECKS = ("database", "cache", "storage", "workers", "backlog")


@dataclass(frozen=True)
class Check:
    name: str  # one of CHECKS
    ok: bool
    detail: str  # a sentence for a person, in the active language


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations")
        cursor.fetchone()
    return gettext("De database antwoordt.")


def _cache() -> str:
    key = f"readiness:{uuid.uuid4().hex}"
    cache.set(key, "1", 30)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise RuntimeError("the cache did not give back what was just stored")
    return gettext("De cache bewaart en geeft terug.")


def _storage() -> str:
    if not storage_answers(storages["default"]):
        raise RuntimeError("the private storage does not answer")
    return gettext("De opslag van de bestanden antwoordt.")


def _database_queue() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


def _workers() -> str:
    if not _database_queue():
        return gettext("Taken draaien zonder werker (geen databasewachtrij).")
    limit = 3 * settings.WORKER_HEARTBEAT_INTERVAL_SECONDS
    beats = {beat.queue_name: beat for beat in worker_heartbeat_list()}
    now = timezone.now()
    stale = [q for q in QUEUES if q not in beats or heartbeat_age_seconds(beats[q], now=now) > limit]
    if stale:
        raise CheckFailed(
            gettext("Geen werker heeft recent taken uit de wachtrij %(queues)s gehaald (langer dan %(s)s s).")
            % {"queues": ", ".join(stale), "s": limit}
        )
    return gettext("Elke wachtrij heeft een werker.")


def _backlog() -> str:
    if not _database_queue():
        return gettext("Taken draaien zonder werker (geen databasewachtrij).")
    late = []
    for state in task_queue_states():
        limit = (
            settings.READINESS_URGENT_BACKLOG_MAX_AGE_SECONDS
            if state.queue_name == URGENT_QUEUE
            else settings.READINESS_BACKLOG_MAX_AGE_SECONDS
        )
        if state.oldest_waiting_seconds > limit:
            late.append(f"{state.queue_name} ({state.waiting}, {state.oldest_waiting_seconds:.0f} s)")
    if late:
        raise CheckFailed(gettext("Taken wachten te lang: %(queues)s.") % {"queues": "; ".join(late)})
    return gettext("Geen taak wacht te lang.")


class CheckFailed(Exception):
    """A check's own finding, safe to show (not an outage's exception text)."""


_FAILED = {
    "database": lambda: gettext("De database antwoordt niet."),
    "cache": lambda: gettext("De cache antwoordt niet."),
    "storage": lambda: gettext("De opslag van de bestanden antwoordt niet."),
    "workers": lambda: gettext("De hartslag van de werkers kon niet gelezen worden."),
    "backlog": lambda: gettext("De wachtrij kon niet gelezen worden."),
}
_RUN: dict[str, Callable[[], str]] = {
    "database": _database,
    "cache": _cache,
    "storage": _storage,
    "workers": _workers,
    "backlog": _backlog,
}
# Asked in a thread of their own, given READINESS_TIMEOUT_SECONDS.
_THREADED = ("cache", "storage")


def _run(name: str, check: Callable[[], str]) -> Check:
    try:
        return Check(name, True, check())
    except CheckFailed as finding:
        return Check(name, False, str(finding))
    except Exception:
        logger.warning("Readiness check %s failed.", name, exc_info=True)
        return Check(name, False, _FAILED[name]())


def _database_checks(names: tuple[str, ...]) -> dict[str, Check]:
    """The checks that read the database, in the request's thread. On PostgreSQL in one
    transaction with a statement timeout, each in a savepoint (a failed one does not abort the
    others). On SQLite plain reads: a transaction there would take the write lock (IMMEDIATE),
    and a read in WAL mode never waits for a writer."""
    if connection.vendor != "postgresql":
        return {name: _run(name, _RUN[name]) for name in names}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                timeout_ms = int(settings.READINESS_TIMEOUT_SECONDS * 1000)
                cursor.execute("SET LOCAL statement_timeout = %s", [timeout_ms])
            return {name: _run(name, _savepoint(_RUN[name])) for name in names}
    except Exception:
        logger.warning("The database checks could not start.", exc_info=True)
        return {name: Check(name, False, _FAILED[name]()) for name in names}


def _savepoint(check: Callable[[], str]) -> Callable[[], str]:
    def run() -> str:
        with transaction.atomic():
            return check()

    return run


def _translated(check: Callable[[], str], language: str | None) -> Callable[[], str]:
    # A thread starts in the default language: give it the request's.
    from django.utils import translation

    def run() -> str:
        with translation.override(language):
            return check()

    return run


def readiness_checks() -> list[Check]:
    """Every check, in CHECKS order."""
    from django.utils import translation

    timeout = settings.READINESS_TIMEOUT_SECONDS
    language = translation.get_language()
    results: dict[str, Check] = {}
    pool = ThreadPoolExecutor(max_workers=len(_THREADED), thread_name_prefix="readiness")
    try:
        futures = {name: pool.submit(_run, name, _translated(_RUN[name], language)) for name in _THREADED}
        results.update(_database_checks(tuple(name for name in CHECKS if name not in _THREADED)))
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=timeout)
            except FutureTimeout:
                logger.warning("Readiness check %s gave no answer within %s s.", name, timeout)
                results[name] = Check(
                    name, False, gettext("Geen antwoord binnen %(s)s s.") % {"s": f"{timeout:g}"}
                )
    finally:
        # A check that hangs is left to finish on its own; the probe answers now.
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[name] for name in CHECKS]
