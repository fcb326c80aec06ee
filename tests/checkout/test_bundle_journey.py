"""The done-when test of issue 17, through the site's views: a seller bundles two listings at a
discount and makes a code; a buyer puts the bundle in the cart, applies the code and pays at the
simulated provider; both documents are in "Mijn documenten"; the code cannot be used twice; the
buyer asks for the money back before downloading and gets the whole paid bundle price back; the
ledger balances. And a buyer who owns one of the two pays only the other's share."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from studymarket.accounts.services import user_create
from studymarket.catalog.bundles import bundle_create, bundle_publish
from studymarket.orders.models import Order, OrderLine, OrderStatus
from studymarket.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from studymarket.promotions.models import DiscountRedemption
from studymarket.promotions.services import discount_code_create, today
from tests.bundles import listings_of_one_course
from tests.checkout.carts import CONSENT, add, add_bundle, bought, cart_html, shown_messages
from tests.factories import ListingFactory, SellerFactory
from tests.logins import MODEL_BACKEND, PASSWORD

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("checkout:checkout")


@pytest.fixture
def seller():
    return SellerFactory(display_name="Lotte")


@pytest.fixture
def listings(seller):
    return listings_of_one_course(seller=seller, prices=(949, 749))


@pytest.fixture
def bundle(seller, listings):
    """€ 9,49 + € 7,49 together for € 13,49 (shares € 7,54 and € 5,95), made as a seller makes it."""
    draft = bundle_create(
        seller=seller,
        title="Alles voor Account Management",
        description="Samenvatting en oefenvragen.",
        price_cents=1349,
        listing_ids=[listing.pk for listing in listings],
    )
    return bundle_publish(bundle_id=draft.pk, seller=seller)


@pytest.fixture
def code(seller):
    """The seller's own code: 10 % off their documents, paid from their share."""
    return discount_code_create(
        seller=seller,
        created_by=seller.user,
        code="TENTAMEN10",
        kind="percent",
        percent=10,
        valid_from=today(),
    )


def _buyer_client(client, email: str):
    buyer = user_create(email=email, password=PASSWORD, first_name="Bram", last_name="Peeters")
    client.force_login(buyer, backend=MODEL_BACKEND)
    return buyer


def _checkout_and_pay(client) -> Order:
    """ "Afrekenen" → "Betalen" → the simulated provider's "Betaald" → the return page."""
    page = client.get(CHECKOUT).content.decode()
    token = page.split('name="checkout_token" value="')[1].split('"')[0]
    to_provider = client.post(CHECKOUT, {"checkout_token": token, "method": "ideal", **CONSENT})
    payment = Payment.objects.get(checkout_url=to_provider["Location"])
    back = client.post(payment.checkout_url, {"outcome": "paid"})
    done = client.get(back["Location"])
    order = Order.objects.get(pk=payment.order_id)
    assert done["Location"] == reverse("checkout:done", kwargs={"order_number": order.number})
    assert "Betaling gelukt" in client.get(done["Location"]).content.decode()
    order.refresh_from_db()
    return order


def test_bundle_with_a_code_paid_then_refunded_whole(
    client, seller, listings, bundle, code, django_capture_on_commit_callbacks
):
    buyer = _buyer_client(client, "bram@example.nl")
    assert add_bundle(client, bundle)["Location"] == reverse("checkout:cart")
    applied = client.post(reverse("checkout:code_apply"), {"code": "tentamen10"})
    assert shown_messages(applied)[-1] == "Kortingscode TENTAMEN10 is toegepast."
    # 10 % of each share: € 0,75 + € 0,60 off € 13,49.
    assert '<td id="cart-total"><strong>€ 12,14</strong></td>' in cart_html(client)

    with django_capture_on_commit_callbacks(execute=True):
        order = _checkout_and_pay(client)

    assert (order.status, order.total_cents, order.discount_code, order.discount_cents) == (
        OrderStatus.PAID,
        1214,
        "TENTAMEN10",
        135,
    )
    lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
    assert [
        (
            line.listing_id,
            line.bundle_id,
            line.list_price_cents,
            line.discount_cents,
            line.price_cents,
            line.discount_funder,
        )
        for line in lines
    ] == [
        (listings[0].pk, bundle.pk, 754, 75, 679, "seller"),
        (listings[1].pk, bundle.pk, 595, 60, 535, "seller"),
    ]
    assert DiscountRedemption.objects.get().order == order
    library = client.get(reverse("library:index")).content.decode()
    for listing in listings:
        assert listing.title in library

    # The same buyer, the same code, another of the seller's documents: refused.
    add(client, ListingFactory(seller=seller, price_cents=500))
    refused = client.post(reverse("checkout:code_apply"), {"code": "TENTAMEN10"}).content.decode()
    assert "Je hebt deze kortingscode al gebruikt. Elke koper kan hem één keer gebruiken." in refused

    # Money back, asked on one document before any download: the whole bundle comes back.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payments:guarantee", args=[lines[1].pk]), {"reason": "poor_quality", "explanation": ""}
        )
    assert response.status_code == 302
    refunds = Refund.objects.filter(order_line__order=order)
    assert sorted((r.order_line_id, r.amount_cents, r.status) for r in refunds) == [
        (lines[0].pk, 679, RefundStatus.REFUNDED),
        (lines[1].pk, 535, RefundStatus.REFUNDED),
    ]
    assert sum(r.amount_cents for r in refunds) == order.total_cents
    library = client.get(reverse("library:index")).content.decode()
    assert all(f'href="{reverse("payments:guarantee", args=[line.pk])}"' not in library for line in lines)
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "ledger balanced" in out.getvalue()
    assert buyer.pk == order.buyer_id


def test_a_buyer_who_owns_one_of_the_two_pays_only_the_others_share(
    client, listings, bundle, django_capture_on_commit_callbacks
):
    buyer = _buyer_client(client, "sanne@example.nl")
    bought(buyer=buyer, listing=listings[0])
    add_bundle(client, bundle)
    assert "Je hebt 1 van de 2 documenten al; je betaalt alleen voor het andere: € 5,95" in cart_html(client)

    with django_capture_on_commit_callbacks(execute=True):
        order = _checkout_and_pay(client)

    assert order.total_cents == 595
    assert list(
        OrderLine.objects.filter(order=order).values_list("listing_id", "bundle_id", "price_cents")
    ) == [(listings[1].pk, bundle.pk, 595)]
    assert Payment.objects.get(order=order).status == PaymentStatus.PAID
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "ledger balanced" in out.getvalue()
