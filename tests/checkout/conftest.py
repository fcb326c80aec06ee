import pytest
from django.test import Client

from studymarket.accounts.models import User
from studymarket.accounts.services import user_create
from tests.logins import MODEL_BACKEND, PASSWORD


@pytest.fixture
def buyer(db: None) -> User:
    """Not tests/conftest.py's buyer: one who signs in with a password."""
    return user_create(email="bram@example.nl", password=PASSWORD, first_name="Bram", last_name="Peeters")


@pytest.fixture
def buyer_client(client: Client, buyer: User) -> Client:
    client.force_login(buyer, backend=MODEL_BACKEND)
    return client
