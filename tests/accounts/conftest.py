import pytest

from studymarket.accounts.models import User
from studymarket.accounts.services import user_create
from tests.logins import PASSWORD


@pytest.fixture
def anna(db: None) -> User:
    return user_create(email="anna@example.nl", password=PASSWORD, first_name="Anna")
