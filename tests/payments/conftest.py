from collections.abc import Callable

import pytest

from studymarket.orders.models import Order
from studymarket.orders.services import order_create
from tests.factories import ListingFactory, UserFactory
from tests.fakes.mollie import mollie, mollie_standin  # noqa: F401  (fixtures)


@pytest.fixture
def make_order(db: None) -> Callable[..., Order]:
    """A pending order for a new buyer: one line per listing, € 9,49 each by default."""

    def make(*, lines: int = 1, buyer_country: str = "NL") -> Order:
        listings = [ListingFactory() for _ in range(lines)]
        return order_create(buyer=UserFactory(), listings=listings, buyer_country=buyer_country)

    return make
