import pytest
from django.test import Client
from django.urls import reverse

from studymarket.accounts.models import User
from studymarket.accounts.services import user_create
from studymarket.catalog.models import Listing
from studymarket.orders.models import Order
from tests.factories import PaidOrderFactory

PASSWORD = "correct horse battery staple"
# Several backends are configured and force_login() would pick axes' first, which cannot load users.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def buyer(db: None) -> User:
    return user_create(email="bram@example.nl", password=PASSWORD, first_name="Bram", last_name="Peeters")


@pytest.fixture
def buyer_client(client: Client, buyer: User) -> Client:
    client.force_login(buyer, backend=MODEL_BACKEND)
    return client


def bought(*, buyer: User, listing: Listing) -> Order:
    """A paid order for one listing, as a finished checkout leaves it."""
    order: Order = PaidOrderFactory(buyer=buyer, listings=[listing])
    return order


def add(client: Client, listing: Listing, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("checkout:add", kwargs={"listing_id": listing.pk}), headers=headers)
