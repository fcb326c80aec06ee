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

Monitoring reads the check's name and ``code`` (CODES: English identifiers that never change
with the language, and ``queues`` naming the queues a failed workers or backlog check is about);
``detail`` is for a person, in the language asked for.
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
OK = "ok"
NOT_APPLICABLE = "not_applicable"  # workers and backlog, when tasks do not go through the database queue
UNREACHABLE = "unreachable"  # the database, cache or storage raised (its text goes to the log)
TIMEOUT = "timeout"  # the cache or storage gave no answer within READINESS_TIMEOUT_SECONDS
UNREADABLE = "unreadable"  # the heartbeats or the queue could not be read
STALE = "stale"  # workers: no recent heartbeat on ``queues``
TOO_OLD = "too_old"  # backlog: the oldest waiting task of ``queues`` is too old
CODES = (OK, NOT_APPLICABLE, UNREACHABLE, TIMEOUT, UNREADABLE, STALE, TOO_OLD)


@dataclass(frozen=True)
class Finding:
    detail: str  # a sentence for a person, in the active language
    code: str = OK  # one of CODES
    queues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    name: str  # one of CHECKS
    ok: bool
    detail: str  # a sentence for a person, in the active language
    code: str  # one of CODES: what a program reads
    queues: tuple[str, ...] = ()  # the queues a failed workers or backlog check names


def _database() -> Finding:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations")
        cursor.fetchone()
    return Finding(gettext("De database antwoordt."))


def _cache() -> Finding:
    key = f"readiness:{uuid.uuid4().hex}"
    cache.set(key, "1", 30)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise RuntimeError("the cache did not give back what was just stored")
    return Finding(gettext("De cache bewaart en geeft terug."))


def _storage() -> Finding:
    if not storage_answers(storages["default"]):
        raise RuntimeError("the private storage does not answer")
    return Finding(gettext("De opslag van de bestanden antwoordt."))


def _database_queue() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


def _no_queue() -> Finding:
    return Finding(gettext("Taken draaien zonder werker (geen databasewachtrij)."), NOT_APPLICABLE)


def _workers() -> Finding:
    if not _database_queue():
        return _no_queue()
    limit = 3 * settings.WORKER_HEARTBEAT_INTERVAL_SECONDS
    beats = {beat.queue_name: beat for beat in worker_heartbeat_list()}
    now = timezone.now()
    stale = [q for q in QUEUES if q not in beats or heartbeat_age_seconds(beats[q], now=now) > limit]
    if stale:
        raise CheckFailed(
            Finding(
                gettext(
                    "Geen werker heeft recent taken uit de wachtrij %(queues)s gehaald (langer dan %(s)s s)."
                )
                % {"queues": ", ".join(stale), "s": limit},
                STALE,
                tuple(stale),
            )
        )
    return Finding(gettext("Elke wachtrij heeft een werker."))


def _backlog() -> Finding:
    if not _database_queue():
        return _no_queue()
    late: list[str] = []
    late_queues: list[str] = []
    for state in task_queue_states():
        limit = (
            settings.READINESS_URGENT_BACKLOG_MAX_AGE_SECONDS
            if state.queue_name == URGENT_QUEUE
            else settings.READINESS_BACKLOG_MAX_AGE_SECONDS
        )
        if state.oldest_waiting_seconds > limit:
            late.append(f"{state.queue_name} ({state.waiting}, {state.oldest_waiting_seconds:.0f} s)")
            late_queues.append(state.queue_name)
    if late:
        raise CheckFailed(
            Finding(
                gettext("Taken wachten te lang: %(queues)s.") % {"queues": "; ".join(late)},
                TOO_OLD,
                tuple(late_queues),
            )
        )
    return Finding(gettext("Geen taak wacht te lang."))


class CheckFailed(Exception):
    """A check's own finding, safe to show (not an outage's exception text)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.detail)
        self.finding = finding


_FAILED = {
    "database": lambda: Finding(gettext("De database antwoordt niet."), UNREACHABLE),
    "cache": lambda: Finding(gettext("De cache antwoordt niet."), UNREACHABLE),
    "storage": lambda: Finding(gettext("De opslag van de bestanden antwoordt niet."), UNREACHABLE),
    "workers": lambda: Finding(gettext("De hartslag van de werkers kon niet gelezen worden."), UNREADABLE),
    "backlog": lambda: Finding(gettext("De wachtrij kon niet gelezen worden."), UNREADABLE),
}
_RUN: dict[str, Callable[[], Finding]] = {
    "database": _database,
    "cache": _cache,
    "storage": _storage,
    "workers": _workers,
    "backlog": _backlog,
}
# Asked in a thread of their own, given READINESS_TIMEOUT_SECONDS.
_THREADED = ("cache", "storage")


def _check(name: str, ok: bool, finding: Finding) -> Check:
    return Check(name=name, ok=ok, detail=finding.detail, code=finding.code, queues=finding.queues)


def _run(name: str, check: Callable[[], Finding]) -> Check:
    try:
        return _check(name, True, check())
    except CheckFailed as failed:
        return _check(name, False, failed.finding)
    except Exception:
        logger.warning("Readiness check %s failed.", name, exc_info=True)
        return _check(name, False, _FAILED[name]())


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
        return {name: _check(name, False, _FAILED[name]()) for name in names}


def _savepoint(check: Callable[[], Finding]) -> Callable[[], Finding]:
    def run() -> Finding:
        with transaction.atomic():
            return check()

    return run


def _translated(check: Callable[[], Finding], language: str | None) -> Callable[[], Finding]:
    # A thread starts in the default language: give it the request's.
    from django.utils import translation

    def run() -> Finding:
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
                detail = gettext("Geen antwoord binnen %(s)s s.") % {"s": f"{timeout:g}"}
                results[name] = _check(name, False, Finding(detail, TIMEOUT))
    finally:
        # A check that hangs is left to finish on its own; the probe answers now.
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[name] for name in CHECKS]
