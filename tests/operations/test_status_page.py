"""The staff status page (/beheer/status/): the readiness checks, queues, heartbeats and the
last ledger check, for staff only."""

import pytest
from django.test import Client

from studymarket.core.task_queues import DEFAULT_QUEUE
from studymarket.operations.heartbeat import heartbeat_record
from studymarket.payments.ledger_facts import ledger_check
from tests.factories import UserFactory
from tests.logins import login

URL = "/beheer/status/"


@pytest.mark.django_db
def test_staff_see_the_checks_the_workers_and_the_ledger(client: Client):
    login(client, UserFactory(is_staff=True))
    heartbeat_record(queue_name=DEFAULT_QUEUE, worker_id="serve:host:12:abcd")
    ledger_check(record=True)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Alles werkt: de site is klaar voor bezoekers." in page
    assert 'data-check="database"' in page
    assert 'data-check="backlog"' in page
    assert "serve:host:12:abcd" in page
    assert "Het grootboek klopt (gecontroleerd op" in page


@pytest.mark.django_db
def test_a_failing_check_is_shown(client: Client, monkeypatch: pytest.MonkeyPatch):
    from studymarket.operations import readiness

    monkeypatch.setattr(readiness, "storage_answers", lambda storage: False)
    login(client, UserFactory(is_staff=True))
    page = client.get(URL).content.decode()
    assert "Niet alles werkt." in page
    assert "De opslag van de bestanden antwoordt niet." in page


@pytest.mark.django_db
def test_another_user_gets_404_and_a_visitor_the_login(client: Client):
    assert client.get(URL).status_code == 302
    assert "/account/" in client.get(URL)["Location"]
    login(client, UserFactory())
    assert client.get(URL).status_code == 404
