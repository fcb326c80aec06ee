"""The security log (issue 12; ASVS 16.3.1-16.3.3, 16.2.5): one key=value line per authentication
event, access denial and staff action on "studymarket.security", and never a secret in it."""

import logging

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from studymarket.accounts.models import User
from studymarket.accounts.services import user_create
from studymarket.core.audit import audit_record
from studymarket.core.security_log import security_event
from studymarket.ledger.models import PayoutBatch
from tests.factories import UserFactory
from tests.logins import MODEL_BACKEND, PASSWORD, login, totp_code
from tests.support.test_money_views import payout_created

pytestmark = pytest.mark.django_db

LOGIN = "/account/inloggen/"
NEW_PASSWORD = "Een geheel nieuwe zin van vandaag!"
WRONG_PASSWORD = "geheim-fout-wachtwoord-42"


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="studymarket.security")

    def security_lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "studymarket.security"]

    return security_lines


@pytest.fixture
def anna() -> User:
    return user_create(email="anna@example.nl", password=PASSWORD, first_name="Anna")


def no_secret_in(lines: list[str], *secrets: str) -> bool:
    return not [line for line in lines for secret in secrets if secret and secret in line]


def test_login_failed_login_and_logout(client, anna, lines):
    client.post(LOGIN, {"username": "anna@example.nl", "password": WRONG_PASSWORD})
    client.post(LOGIN, {"username": "niemand@example.nl", "password": WRONG_PASSWORD})
    client.post(LOGIN, {"username": "anna@example.nl", "password": PASSWORD})
    session_key = client.cookies["sessionid"].value
    client.post("/account/uitloggen/")

    assert lines() == [
        f"event=login_failed user={anna.pk} ip=127.0.0.1 method=POST path=/account/inloggen/",
        "event=login_failed user=- ip=127.0.0.1 method=POST path=/account/inloggen/",
        f"event=login_ok user={anna.pk} ip=127.0.0.1 method=POST path=/account/inloggen/ staff=False",
        f"event=logout user={anna.pk} ip=127.0.0.1 method=POST path=/account/uitloggen/",
    ]
    assert no_secret_in(lines(), PASSWORD, WRONG_PASSWORD, "anna@example.nl", "niemand", session_key)


def test_lockout(client, anna, lines):
    for _ in range(5):
        client.post(LOGIN, {"username": "anna@example.nl", "password": WRONG_PASSWORD})

    where = f"user={anna.pk} ip=127.0.0.1 method=POST path=/account/inloggen/"
    assert lines().count(f"event=login_failed {where}") == 5
    # axes announces the lock-out while it handles the fifth failure.
    assert lines()[4:] == [f"event=lockout {where}", f"event=login_failed {where}"]


def test_access_denials_403_and_404(client, lines):
    buyer = UserFactory()
    login(client, buyer)

    assert client.get("/beheer/uploads/").status_code == 403
    assert client.get("/beheer/bestellingen/").status_code == 404

    assert lines()[-2:] == [
        f"event=access_denied user={buyer.pk} ip=127.0.0.1 method=GET path=/beheer/uploads/ status=403",
        f"event=access_denied user={buyer.pk} ip=127.0.0.1 method=GET path=/beheer/bestellingen/ status=404",
    ]


def test_two_factor_set_up_failure_and_success_without_the_codes(client, lines):
    staff = UserFactory(is_staff=True)
    client.force_login(staff, backend=MODEL_BACKEND)
    client.get("/account/tweestapsverificatie/instellen/")
    pending = TOTPDevice.objects.get(user=staff)
    setup_code = totp_code(pending)
    client.post("/account/tweestapsverificatie/instellen/", {"token": setup_code})

    other = Client()
    other.force_login(staff, backend=MODEL_BACKEND)
    other.post("/account/tweestapsverificatie/", {"token": "12345x"})
    pending.refresh_from_db()
    pending.throttle_reset()
    good = totp_code(pending, steps_ahead=1)
    other.post("/account/tweestapsverificatie/", {"token": good})

    events = [line for line in lines() if "twofactor" in line]
    where = f"user={staff.pk} ip=127.0.0.1 method=POST path=/account/tweestapsverificatie/"
    assert events == [
        f"event=twofactor_setup {where}instellen/",
        f"event=twofactor_failed {where}",
        f"event=twofactor_ok {where}",
    ]
    assert no_secret_in(lines(), setup_code, good, "12345x", pending.key, client.cookies["sessionid"].value)


def test_password_change_and_reset_without_the_passwords_or_the_link(client, anna, lines):
    login(client, anna)
    client.post(
        "/account/wachtwoord-wijzigen/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    anna.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(anna.pk))
    token = default_token_generator.make_token(anna)
    reset = Client()
    page = reset.get(f"/account/wachtwoord-herstellen/{uid}/{token}/", follow=True)
    reset.post(page.redirect_chain[-1][0], {"new_password1": PASSWORD + "!", "new_password2": PASSWORD + "!"})

    assert (
        f"event=password_changed user={anna.pk} ip=127.0.0.1 method=POST path=/account/wachtwoord-wijzigen/"
        in (lines())
    )
    assert (
        f"event=password_reset user={anna.pk} ip=127.0.0.1 method=POST "
        f"path=/account/wachtwoord-herstellen/{uid}/redacted/"
    ) in lines()
    assert no_secret_in(lines(), PASSWORD, NEW_PASSWORD, token)


def test_a_staff_action_gets_one_line_once_committed(lines, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    seller = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        audit_record(action="payout.paid", obj=seller, actor=staff)
        audit_record(action="seller.did_something", obj=seller, actor=seller)

    assert lines() == [
        f"event=staff_action user={staff.pk} action=payout.paid object=accounts.user:{seller.pk}"
    ]


def test_a_rolled_back_staff_action_is_not_logged(lines, django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_record(action="payout.paid", obj=staff, actor=staff)
        transaction.set_rollback(True)

    assert lines() == []


def test_a_staff_action_through_the_back_office_carries_the_request(
    client, lines, django_capture_on_commit_callbacks
):
    payout = payout_created()
    staff = UserFactory(is_staff=True)
    login(client, staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/beheer/uitbetalingen/bestand/")

    assert response.status_code == 302
    batch = PayoutBatch.objects.get()
    where = f"event=staff_action user={staff.pk} ip=127.0.0.1 method=POST path=/beheer/uitbetalingen/bestand/"
    assert [line for line in lines() if line.startswith("event=staff_action")] == [
        f"{where} action=payout.sent object=ledger.payout:{payout.pk}",
        f"{where} action=payout_batch.created object=ledger.payoutbatch:{batch.pk}",
    ]


def test_a_hostile_value_cannot_forge_a_line(lines):
    security_event("login_failed", reason="x\nevent=login_ok user=1")

    assert lines() == ['event=login_failed user=- reason="x\\nevent=login_ok user=1"']
