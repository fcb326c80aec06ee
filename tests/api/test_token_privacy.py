"""The person's API tokens in their data export (as the settings page lists them, never the
hash) and gone with the account when it is erased (slice "api", privacy)."""

import pytest
from django.test import Client

from studymarket.accounts.tokens import PersonalAccessToken, token_revoke
from studymarket.privacy.erasure import account_erase
from studymarket.privacy.export_data import person_data
from tests.api.tokens import bearer, call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_export_lists_the_tokens_without_their_hash():
    user = UserFactory()
    secret = bearer(user, "read", "sell", name="laptop")
    token = PersonalAccessToken.objects.get(user=user)
    token_revoke(user=user, token_id=token.pk)
    (row,) = person_data(user)["api_tokens.json"]
    assert (row["name"], row["prefix"], row["scopes"]) == ("laptop", secret[6:14], "read sell")
    assert row["revoked_at"] is not None
    assert token.token_hash not in str(row)
    assert secret not in str(row)


def test_erasure_deletes_the_tokens_and_they_stop_working(client: Client):
    user, someone_else = UserFactory(), UserFactory()
    secret, other = bearer(user, "read"), bearer(someone_else, "read")
    assert account_erase(user_id=user.pk)
    assert not PersonalAccessToken.objects.filter(user=user).exists()
    assert call(client, "GET", "/api/v1/me", secret).status_code == 401
    assert call(client, "GET", "/api/v1/me", other).status_code == 200
