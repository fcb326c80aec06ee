"""Issue 12, finding 3: 50 password-reset requests sent 50 e-mails in 3.2 s. Now at most
RATE_LIMITS["password_reset_email"] e-mails per address and ["password_reset_ip"] requests per
IP, and the answer never tells a limited request from one that sent mail (accounts/password_reset.py)."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from studymarket.accounts.password_reset import password_reset_mail_send
from studymarket.accounts.services import user_create
from tests.logins import PASSWORD
from tests.smtp import Inbox

pytestmark = pytest.mark.django_db

RESET_URL = "/account/wachtwoord-vergeten/"
DONE_URL = "/account/wachtwoord-vergeten/verstuurd/"


def ask(client, email: str, ip: str = "198.51.100.7"):
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=ip)


def test_20_requests_for_one_account_send_at_most_5_emails(client, anna):
    responses = [ask(client, "anna@example.nl") for _ in range(20)]

    assert len(mail.outbox) == 5
    assert {message.to[0] for message in mail.outbox} == {"anna@example.nl"}
    # Every answer is the same one, the first as the twentieth.
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, DONE_URL)}


def test_the_address_limit_holds_across_ips_and_spellings(client, anna):
    for n in range(8):
        ask(client, "Anna@Example.NL " if n % 2 else "anna@example.nl", ip=f"203.0.113.{n}")

    assert len(mail.outbox) == 5


def test_a_limited_answer_looks_exactly_like_success(client, anna, db):
    for _ in range(5):
        ask(client, "anna@example.nl")
    sent = ask(client, "niemand@example.nl", ip="192.0.2.1")  # another address, unlimited
    limited = ask(client, "anna@example.nl")  # over the address limit

    assert len(mail.outbox) == 5
    for response in (sent, limited):
        assert response.status_code == 302
        assert response["Location"] == DONE_URL
        assert response.content == b""
    page = client.get(DONE_URL).content.decode()
    assert "Als er een account bij dit e-mailadres hoort, hebben we je een link gestuurd" in page
    assert "te vaak" not in page


def test_another_account_is_not_affected(client, anna):
    user_create(email="bram@example.nl", password=PASSWORD)
    for _ in range(10):
        ask(client, "anna@example.nl")

    ask(client, "bram@example.nl")

    assert [message.to for message in mail.outbox].count(["bram@example.nl"]) == 1


def test_the_ip_limit_stops_requests_for_many_addresses(client, settings, anna):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_ip": "3/h"}
    for n in range(3):
        ask(client, f"onbekend{n}@example.nl")

    response = ask(client, "anna@example.nl")  # the fourth request from this IP

    assert (response.status_code, response["Location"]) == (302, DONE_URL)
    assert mail.outbox == []
    # From another IP the same address is answered with an e-mail.
    ask(client, "anna@example.nl", ip="192.0.2.44")
    assert [message.to for message in mail.outbox] == [["anna@example.nl"]]


def test_the_ip_limit_counts_the_proxys_client_only_when_told_to_trust_it(client, settings, anna):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_ip": "2/h"}
    # Without a trusted proxy, X-Forwarded-For is the client's own word: REMOTE_ADDR counts.
    for n in range(3):
        client.post(
            RESET_URL,
            {"email": f"x{n}@example.nl"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    client.post(
        RESET_URL, {"email": "anna@example.nl"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert mail.outbox == []

    # Behind one trusted proxy (PROXY_COUNT=1) each forwarded client counts on its own.
    settings.RATE_LIMIT_PROXY_COUNT = 1
    client.post(
        RESET_URL, {"email": "anna@example.nl"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert len(mail.outbox) == 1


def test_an_exempt_ip_is_not_limited_by_ip_but_still_by_address(client, settings, anna):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_ip": "1/h"}
    settings.RATE_LIMIT_EXEMPT_IPS = ["192.0.2.200"]
    for n in range(3):
        ask(client, f"onbekend{n}@example.nl", ip="192.0.2.200")
    for _ in range(7):
        ask(client, "anna@example.nl", ip="192.0.2.200")

    assert len(mail.outbox) == 5


def test_known_and_unknown_addresses_queue_the_same_work(client, anna, db_task_backend):
    ask(client, "anna@example.nl")
    ask(client, "niemand@example.nl")

    # The request looks nothing up: one queued task each, the task decides.
    assert DBTaskResult.objects.count() == 2
    assert mail.outbox == []


def test_the_task_sends_nothing_for_an_unknown_address(db):
    password_reset_mail_send(email="niemand@example.nl", domain="testserver", use_https=False)

    assert mail.outbox == []


def test_the_mail_follows_the_visitors_language(client, anna):
    client.post("/en" + RESET_URL, {"email": "anna@example.nl"})

    [message] = mail.outbox
    assert message.subject == "New password for studymarket"


def test_the_limit_holds_with_the_real_smtp_server(client, anna, smtp_inbox: Inbox):
    for _ in range(20):
        ask(client, "anna@example.nl")

    assert len(smtp_inbox.messages) == 5
    assert {message["To"] for message in smtp_inbox.messages} == {"anna@example.nl"}
