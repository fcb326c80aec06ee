"""The cart as the checkout tests drive it: a listing or bundle added through the view, or one
bought already; the cart page and the messages a response left."""

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from studymarket.accounts.models import User
from studymarket.catalog.models import Bundle, Listing
from studymarket.orders.models import Order
from tests.factories import PaidOrderFactory

# The checkout form's two boxes (consent to delivery at once, the right of withdrawal ending),
# ticked: "Betalen" refuses without them (tests/checkout/test_withdrawal_consent.py).
CONSENT = {"consent_immediate_delivery": "on", "acknowledge_withdrawal_ends": "on"}


def bought(*, buyer: User, listing: Listing) -> Order:
    """A paid order for one listing, as a finished checkout leaves it."""
    order: Order = PaidOrderFactory(buyer=buyer, listings=[listing])
    return order


def add(client: Client, listing: Listing, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("checkout:add", kwargs={"listing_id": listing.pk}), headers=headers)


def add_bundle(client: Client, bundle: Bundle):
    return client.post(reverse("checkout:bundle_add", kwargs={"bundle_id": bundle.pk}))


def cart_html(client: Client) -> str:
    response = client.get(reverse("checkout:cart"))
    assert response.status_code == 200
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
