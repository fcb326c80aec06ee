from collections.abc import Callable

import pytest

from studymarket.orders.models import Order
from tests.factories import OrderFactory
from tests.fakes.mollie import mollie, mollie_standin  # noqa: F401  (fixtures)


@pytest.fixture
def make_order(db: None) -> Callable[..., Order]:
    """OrderFactory for the tests that take it as a fixture: a pending order for a new buyer,
    one new listing (€ 9,49) per ``lines``."""
    return OrderFactory
