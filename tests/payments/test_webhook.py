"""Mollie's webhook: a hint, checked against Mollie itself, applied once however often it comes."""

import pytest
import requests
from django.urls import reverse

from studymarket.core.models import AuditEvent
from studymarket.orders.models import OrderStatus
from studymarket.payments.models import Payment
from studymarket.payments.services import payment_start
from tests.payments.delivery import assert_delivered_once

WEBHOOK = "/webhooks/mollie/"


def test_the_webhook_url_is_outside_the_language_prefix():
    assert reverse("payments_webhook_mollie") == WEBHOOK


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("id=tr_Unknown1234", "application/x-www-form-urlencoded"),  # well-formed, not ours
        ("id=re_Unknown1234", "application/x-www-form-urlencoded"),
        ("id=tr_", "application/x-www-form-urlencoded"),
        ("id=" + "tr_" + "A" * 5000, "application/x-www-form-urlencoded"),
        ("id=%FF%FE%00", "application/x-www-form-urlencoded"),
        ("id=tr_a&id=tr_b", "application/x-www-form-urlencoded"),
        ("", "application/x-www-form-urlencoded"),
        ('{"id": "tr_Unknown1234"}', "application/json"),
        ("--x\r\nContent-Disposition: form-data; name=id\r\n\r\ntr_", "multipart/form-data"),  # no boundary
        ("--zz\r\ngarbage", "multipart/form-data; boundary=zz"),
        ("\x00\x01\x02" * 100, "application/octet-stream"),
        ("&".join(f"f{n}=1" for n in range(5000)), "application/x-www-form-urlencoded"),  # too many fields
    ],
)
def test_garbage_and_unknown_ids_get_an_empty_200_and_cost_no_provider_call(
    client, mollie, body, content_type
):
    response = client.post(WEBHOOK, data=body, content_type=content_type)

    assert response.status_code == 200
    assert response.content == b""
    assert mollie.requests == []


@pytest.mark.django_db
def test_a_huge_body_is_not_a_500(client, mollie, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(
        WEBHOOK, data="id=tr_" + "a" * 5000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_only_post(client):
    assert client.get(WEBHOOK).status_code == 405


@pytest.mark.django_db
def test_a_known_id_is_synced_from_mollie_not_from_the_body(client, make_order, mollie):
    payment = payment_start(order=make_order(), method="ideal")

    # Nothing happened at Mollie yet: the claim alone changes nothing.
    assert client.post(WEBHOOK, {"id": payment.provider_id, "status": "paid"}).status_code == 200
    assert Payment.objects.get().status == "open"

    mollie.set_status(payment.provider_id, "paid", webhook=False)
    assert client.post(WEBHOOK, {"id": payment.provider_id}).status_code == 200
    assert Payment.objects.get().status == "paid"


@pytest.mark.django_db
def test_mollie_down_answers_503_so_that_mollie_tries_again(client, make_order, mollie):
    payment = payment_start(order=make_order(), method="ideal")
    mollie.set_status(payment.provider_id, "paid", webhook=False)
    mollie.fail_next(1, "500")

    assert client.post(WEBHOOK, {"id": payment.provider_id}).status_code == 503
    assert client.post(WEBHOOK, {"id": payment.provider_id}).status_code == 200
    assert Payment.objects.get().status == "paid"


@pytest.mark.django_db
def test_a_simulated_payment_id_is_not_a_mollie_hint(client, make_order, settings):
    payment = payment_start(order=make_order(), method="ideal")  # simulated: sim_…

    assert client.post(WEBHOOK, {"id": payment.provider_id}).status_code == 200
    assert AuditEvent.objects.filter(action="payment.paid").count() == 0


# --- Over real sockets: the stand-in posts to the live server -------------------------------


@pytest.fixture
def mollie_live(mollie, live_server, settings):
    settings.SITE_URL = live_server.url
    return mollie


def test_the_paid_webhook_from_the_control_endpoint_marks_the_order_paid(make_order, mollie_live):
    order = make_order(lines=2)
    payment = payment_start(order=order, method="ideal")

    answer = requests.post(
        f"{mollie_live.url}/__control__/payments/{payment.provider_id}/status",
        json={"status": "paid"},
        timeout=30,
    ).json()

    assert answer == {"id": payment.provider_id, "status": "paid", "webhookStatus": 200}
    assert_delivered_once(order)


def test_the_same_webhook_100_times_in_a_row_is_one_transition(make_order, mollie_live):
    order = make_order(lines=2)
    payment = payment_start(order=order, method="ideal")
    mollie_live.set_status(payment.provider_id, "paid")

    answers = [mollie_live.deliver_webhook(payment.provider_id) for _ in range(99)]

    assert answers == [200] * 99
    assert [status for _, status in mollie_live.webhooks] == [200] * 100
    assert_delivered_once(order)
    # Once paid, a webhook may be about a refund or a chargeback: each costs one look at the
    # payment, and only a change in its refunded or charged-back amount a look at those lists.
    gets = [r.path for r in mollie_live.requests if r.method == "GET"]
    assert gets == [f"/v2/payments/{payment.provider_id}"] * 100


def test_an_expired_payment_webhook(make_order, mollie_live):
    order = make_order()
    payment = payment_start(order=order, method="ideal")

    assert mollie_live.set_status(payment.provider_id, "expired") == 200

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, order.status) == ("expired", OrderStatus.PENDING)


def test_the_buyer_back_before_the_webhook_then_the_webhook(make_order, mollie_live, live_server):
    order = make_order()
    payment = payment_start(order=order, method="ideal")
    mollie_live.set_status(payment.provider_id, "paid", webhook=False)
    return_url = mollie_live.payments[payment.provider_id]["redirectUrl"]

    back = requests.get(return_url, allow_redirects=False, timeout=30)
    late_webhook = mollie_live.deliver_webhook(payment.provider_id)

    assert back.status_code == 302
    assert back.headers["Location"] == reverse("checkout:done", kwargs={"order_number": order.number})
    assert late_webhook == 200
    assert_delivered_once(order)
