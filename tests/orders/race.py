"""Two calls that race, made to meet at one point (after pretix's concurrency tests and saleor's
tests/race_condition.py): while the first call is inside its critical section, the second runs
in another thread, and is given a moment to get through before the first goes on.

With a lock, the second blocks and the first finishes first; without one, the second passes the
same check the first just passed, which is the race the lock exists to prevent.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

# Long enough for an unblocked second call to finish its work; a blocked one just waits it out.
SECOND_CALL_GRACE_SECONDS = 1.5


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Start ``call`` in a thread with its own database connection; results or exceptions land
    in the returned list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def race(
    monkeypatch: pytest.MonkeyPatch,
    *,
    meeting_point: tuple[object, str],
    first: Callable[[], Any],
    second: Callable[[], Any],
) -> tuple[Any, Any]:
    """Run ``first``; when it calls the function at ``meeting_point`` (module, name), that
    function returns, then ``second`` starts in a thread and gets a moment before ``first``
    goes on. Returns both results (an exception counts as a result)."""
    module, name = meeting_point
    original = getattr(module, name)
    started: list[tuple[threading.Thread, list[Any]]] = []

    def meet(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not started and threading.current_thread() is threading.main_thread():
            started.append(in_thread(second))
            started[0][0].join(timeout=SECOND_CALL_GRACE_SECONDS)
        return result

    monkeypatch.setattr(module, name, meet)
    first_result = first()
    assert started, f"{name} was never called"
    thread, outcome = started[0]
    thread.join(timeout=30)
    assert not thread.is_alive()
    return first_result, outcome[0]


def postgresql_only() -> pytest.MarkDecorator:
    """SQLite serialises every writing transaction (BEGIN IMMEDIATE), so the race a lock prevents
    cannot happen there, and the control that shows it would fail."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
