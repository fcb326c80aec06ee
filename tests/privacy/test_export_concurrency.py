"""Two export requests of one person at the same moment (a double click, two tabs) make one
export: the user's row lock runs them one after the other, so the second finds the first's.
PostgreSQL only, with a control that shows the race without the lock (the partial unique
constraint then turns one of them into an error instead of a quiet answer)."""

import pytest
from django.db import IntegrityError

from studymarket.privacy import export
from studymarket.privacy.export import data_export_request
from studymarket.privacy.models import DataExport
from tests.factories import UserFactory
from tests.orders.race import postgresql_only, race

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]


def _outcome(call):
    try:
        return call()
    except IntegrityError as error:
        return error


def _two_requests(monkeypatch):
    user = UserFactory()
    return race(
        monkeypatch,
        # The first request found no pending export and is about to make one.
        meeting_point=(export, "_pending_export"),
        first=lambda: _outcome(lambda: data_export_request(user=user)),
        second=lambda: data_export_request(user=user),
    )


def test_two_requests_at_once_make_one_export_postgres(monkeypatch, db_task_backend):
    (first, made_first), (second, made_second) = _two_requests(monkeypatch)

    assert (made_first, made_second) == (True, False)
    assert second.pk == first.pk
    assert DataExport.objects.count() == 1


def test_control_without_the_lock_one_request_fails_postgres(monkeypatch, db_task_backend):
    monkeypatch.setattr(export, "_user_lock", lambda user_id: None)

    first, (second, made_second) = _two_requests(monkeypatch)

    # The second, unblocked, made its export while the first waited; the first then collides.
    assert made_second
    assert isinstance(first, IntegrityError)
    assert DataExport.objects.get().pk == second.pk
