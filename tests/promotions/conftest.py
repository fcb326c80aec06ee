import pytest

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Listing
from tests.factories import ListingFactory, SellerFactory, UserFactory


@pytest.fixture
def seller(db: None) -> SellerProfile:
    profile: SellerProfile = SellerFactory()
    return profile


@pytest.fixture
def listing(seller: SellerProfile) -> Listing:
    """€ 9,49, the reference listing's price."""
    made: Listing = ListingFactory(seller=seller, price_cents=949)
    return made


@pytest.fixture
def buyer(db: None) -> User:
    user: User = UserFactory()
    return user
