"""Mollie's delayed routing: when a sale's guarantee window closes, the seller's share is routed
to their Mollie organisation, through the real client library and the local Mollie stand-in.
payments.routing hands the ledger's routing the lines' Mollie payment ids (ledger.payouts.services.
routes never reads payments)."""

from datetime import timedelta

import pytest
from pytest_django import Settings

from studymarket.core.models import AuditEvent
from studymarket.ledger.models import AccountKind, Journal, JournalSource, Payout, PayoutStatus, PayoutTrigger
from studymarket.ledger.payouts.services import payout_routes_run
from studymarket.ledger.postings import earnings_release_due
from studymarket.orders.models import OrderLine
from studymarket.payments.models import Payment, PaymentStatus
from studymarket.payments.routing import mollie_routes_run
from tests.factories import SellerFactory
from tests.fakes.mollie import MollieStandIn, mollie_standin  # noqa: F401
from tests.ledger.ledger_helpers import balance, now, paid_line, refund_line, seller_cents

SHARE = 627
ORG = "org_1234567"

pytestmark = pytest.mark.usefixtures("ledger_balanced")


@pytest.fixture
def routes(settings: Settings, mollie_standin: MollieStandIn) -> MollieStandIn:  # noqa: F811
    settings.PAYOUT_PROVIDER = "mollie_route"
    settings.MOLLIE_API_KEY = mollie_standin.api_key
    settings.MOLLIE_API_ENDPOINT = mollie_standin.url
    settings.MOLLIE_TIMEOUT_SECONDS = 2.0
    return mollie_standin


def mollie_paid_line(standin: MollieStandIn, *, seller=None, org: str = ORG) -> OrderLine:
    """A sale paid through Mollie: the payment exists (paid) at the stand-in and here."""
    seller = seller or SellerFactory(mollie_organization_id=org)
    line = paid_line(seller=seller)
    status, remote, _ = standin.handle_api(
        "POST",
        "/v2/payments",
        {"Authorization": f"Bearer {standin.api_key}"},
        {
            "amount": {"currency": "EUR", "value": "9.49"},
            "description": line.order.number,
            "redirectUrl": "https://studymarket.test/terug",
        },
    )
    assert status == 201
    standin.set_status(remote["id"], "paid", webhook=False)
    Payment.objects.create(
        order=line.order,
        provider="mollie",
        method="ideal",
        amount_cents=line.order.total_cents,
        status=PaymentStatus.PAID,
        idempotency_key=f"pay-{line.order_id}",
        provider_id=remote["id"],
        paid_at=line.order.paid_at,
    )
    return line


def release() -> None:
    earnings_release_due(now=now() + timedelta(days=15))


@pytest.mark.django_db
def test_a_released_sale_is_routed_to_the_sellers_organisation(routes):
    line = mollie_paid_line(routes)
    held_back = mollie_paid_line(routes, seller=line.seller)  # not released yet: not routed
    mollie_routes_run()
    assert not Payout.objects.exists()

    Journal.objects.filter(source=JournalSource.SALE, order_line_id=held_back.pk).update(
        hold_until=now() + timedelta(days=30)
    )
    release()
    result = mollie_routes_run()

    assert (result.created, result.paid, result.failed, result.waiting) == (1, 1, 0, 0)
    payout = Payout.objects.get()
    payment_id = Payment.objects.get(order=line.order).provider_id
    [route] = routes.routes[payment_id]
    assert route["amount"] == {"value": "6.27", "currency": "EUR"}
    assert route["destination"] == {"type": "organization", "organizationId": ORG}
    assert route["description"] == f"studymarket uitbetaling {payout.pk}"
    assert routes.idempotency_keys(f"/v2/payments/{payment_id}/routes") == [f"route:{line.pk}"]
    assert (payout.status, payout.provider, payout.trigger, payout.order_line_id, payout.destination) == (
        PayoutStatus.PAID,
        "mollie_route",
        PayoutTrigger.RELEASE,
        line.pk,
        ORG,
    )
    assert payout.provider_reference == route["id"]
    assert seller_cents(line.seller) == (SHARE, 0, 0)  # the second sale is still held
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == 0
    assert list(
        AuditEvent.objects.filter(object_type="ledger.payout", object_id=str(payout.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["payout.created", "payout.sent", "payout.paid"]

    again = mollie_routes_run()  # nothing new: no second route
    assert (again.created, again.paid) == (0, 0)
    assert len(routes.routes[payment_id]) == 1


@pytest.mark.django_db
def test_no_answer_is_asked_again_with_the_same_key(routes):
    line = mollie_paid_line(routes)
    release()
    routes.fail_next(1, "500")

    first = mollie_routes_run()

    assert (first.created, first.waiting) == (1, 1)
    payout = Payout.objects.get()
    assert payout.status == PayoutStatus.CREATED
    assert seller_cents(line.seller) == (0, 0, 0)  # in transit while we wait for Mollie
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == -SHARE

    second = mollie_routes_run()

    assert (second.created, second.paid) == (0, 1)
    payment_id = Payment.objects.get(order=line.order).provider_id
    assert routes.idempotency_keys(f"/v2/payments/{payment_id}/routes") == [f"route:{line.pk}"] * 2
    assert len(routes.routes[payment_id]) == 1
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID


@pytest.mark.django_db
def test_a_refused_route_gives_the_money_back(routes):
    line = mollie_paid_line(routes, org="org_gone")
    Payment.objects.filter(order=line.order).update(provider_id="tr_unknown1")  # Mollie answers 404
    release()

    result = mollie_routes_run()

    assert (result.created, result.failed) == (1, 1)
    payout = Payout.objects.get()
    assert payout.status == PayoutStatus.FAILED
    assert payout.failure_reason.startswith("404: ")
    assert seller_cents(line.seller) == (0, SHARE, 0)  # available again (a SEPA payout can take it)
    assert mollie_routes_run().created == 0  # a refused route is not tried again


@pytest.mark.django_db
def test_a_refunded_sale_is_not_routed_and_a_seller_without_organisation_neither(routes):
    refunded = mollie_paid_line(routes)
    without = mollie_paid_line(routes, org="")
    Journal.objects.filter(source=JournalSource.SALE, order_line_id=refunded.pk).update(
        hold_until=now() + timedelta(days=30)
    )
    refund_line(refunded)
    release()

    result = mollie_routes_run()

    assert result.created == 0
    assert not Payout.objects.exists()
    assert seller_cents(without.seller) == (0, SHARE, 0)


@pytest.mark.django_db
def test_nothing_is_routed_with_the_sepa_provider(settings, mollie_standin):  # noqa: F811
    settings.PAYOUT_PROVIDER = "sepa"
    mollie_paid_line(mollie_standin)
    release()

    assert mollie_routes_run().created == 0
    assert not Payout.objects.exists()


@pytest.mark.django_db
def test_the_stand_in_lists_routes_and_refuses_more_than_the_payment(routes):
    from mollie.api.client import Client
    from mollie.api.error import UnprocessableEntityError

    line = mollie_paid_line(routes)
    payment_id = Payment.objects.get(order=line.order).provider_id
    client = Client(api_endpoint=routes.url)
    client.set_api_key(routes.api_key)
    body = {
        "amount": {"currency": "EUR", "value": "9.00"},
        "description": "deel",
        "destination": {"type": "organization", "organizationId": ORG},
    }
    client.payments.perform_api_call("POST", f"payments/{payment_id}/routes", body)

    with pytest.raises(UnprocessableEntityError):
        client.payments.perform_api_call("POST", f"payments/{payment_id}/routes", body)
    listed = client.payments.perform_api_call("GET", f"payments/{payment_id}/routes")
    assert listed["count"] == 1
    assert listed["_embedded"]["routes"][0]["amount"] == {"value": "9.00", "currency": "EUR"}


@pytest.mark.django_db
def test_the_ledger_routes_only_lines_whose_payment_it_was_given(routes):
    line = mollie_paid_line(routes)
    release()

    waiting = payout_routes_run(payment_ids={})  # released after the caller looked: next run

    assert (waiting.created, waiting.paid) == (0, 0)
    assert not Payout.objects.exists()

    payment_id = str(Payment.objects.get(order=line.order).provider_id)
    done = payout_routes_run(payment_ids={line.pk: payment_id})

    assert (done.created, done.paid) == (1, 1)
    assert len(routes.routes[payment_id]) == 1


@pytest.mark.django_db
def test_a_sale_not_paid_through_mollie_is_refused_and_stays_available(routes):
    line = paid_line(seller=SellerFactory(mollie_organization_id=ORG))  # no Mollie payment
    release()

    result = mollie_routes_run()

    assert (result.created, result.failed) == (1, 1)
    payout = Payout.objects.get()
    assert payout.failure_reason == "Not a Mollie payment id: ''"
    assert seller_cents(line.seller) == (0, SHARE, 0)
