"""Personal access tokens (accounts.tokens, the page /account/tokens/): made with a name and
scopes, shown once, stored only as a SHA-256 hash, revoked by their owner only; a revoked,
expired or unknown token gets 401; a token and an IP address each have a rate limit."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from studymarket.accounts.tokens import PersonalAccessToken, token_create
from tests.api.tokens import bearer, call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(r"smpat_[A-Za-z0-9_-]{43}")


def test_a_token_made_on_the_page_is_shown_once_and_stored_hashed(client: Client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/account/tokens/", {"name": "laptop", "scopes": ["read", "sell"]})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    (secret,) = _TOKEN.findall(response.content.decode())
    token = PersonalAccessToken.objects.get(user=user)
    assert (token.name, token.scopes, token.prefix) == ("laptop", "read sell", secret[6:14])
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.token_hash, token.prefix, token.name}
    # Shown once: the page lists it by its first characters only from now on.
    again = client.get("/account/tokens/").content.decode()
    assert secret not in again
    assert f"smpat_{secret[6:14]}…" in again
    me = call(client, "GET", "/api/v1/me", secret).json()
    assert me == {
        "id": user.pk,
        "name": user.email.split("@")[0],
        "email": user.email,
        "scopes": ["read", "sell"],
        "seller": False,
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_scope(client: Client):
    client.force_login(UserFactory())
    response = client.post("/account/tokens/", {"name": "laptop"})
    assert "Kies minstens één recht: lezen of verkopen." in response.content.decode()
    assert not PersonalAccessToken.objects.exists()


def test_the_owner_revokes_a_token_and_it_stops_working(client: Client):
    user = UserFactory()
    secret = bearer(user, "read")
    assert call(client, "GET", "/api/v1/library", secret).status_code == 200
    client.force_login(user)
    token = PersonalAccessToken.objects.get(user=user)
    response = client.post(f"/account/tokens/{token.pk}/intrekken/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = call(client, "GET", "/api/v1/library", secret)
    assert (answer.status_code, answer["Content-Type"]) == (401, "application/problem+json")


def test_nobody_revokes_another_users_token(client: Client):
    secret = bearer(UserFactory(), "read")
    token = PersonalAccessToken.objects.get()
    client.force_login(UserFactory())
    assert client.post(f"/account/tokens/{token.pk}/intrekken/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert call(client, "GET", "/api/v1/me", secret).status_code == 200


def test_revoking_takes_a_post(client: Client):
    user = UserFactory()
    bearer(user, "read")
    client.force_login(user)
    token = PersonalAccessToken.objects.get()
    assert client.get(f"/account/tokens/{token.pk}/intrekken/").status_code == 405


def test_an_expired_an_unknown_and_a_malformed_token_get_401(client: Client):
    user = UserFactory()
    expired = token_create(
        user=user, name="oud", scopes=["read"], expires_at=timezone.now() - timedelta(seconds=1)
    ).secret
    unknown = "smpat_" + "A" * 43
    for secret in (expired, unknown, "geheim"):
        response = call(client, "GET", "/api/v1/me", secret)
        assert response.status_code == 401, secret
        assert response.json()["type"] == "urn:studymarket:problem:unauthenticated"


def test_the_token_of_a_deactivated_user_stops_working(client: Client):
    user = UserFactory()
    secret = bearer(user, "read")
    user.is_active = False
    user.save()
    assert call(client, "GET", "/api/v1/me", secret).status_code == 401


def test_a_token_has_a_rate_limit(client: Client, settings: Settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": "2/m"}
    secret = bearer(UserFactory(), "read")
    assert [call(client, "GET", "/api/v1/me", secret).status_code for _ in range(2)] == [200, 200]
    over = call(client, "GET", "/api/v1/me", secret)
    assert over.status_code == 429
    assert over["Content-Type"] == "application/problem+json"
    assert 1 <= int(over["Retry-After"]) <= 60
    # Another token of the same address goes on.
    assert call(client, "GET", "/api/v1/me", bearer(UserFactory(), "read")).status_code == 200


def test_an_address_has_a_rate_limit_without_a_token_too(client: Client, settings: Settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_ip": "1/m"}
    assert client.get("/api/v1/courses").status_code == 200
    over = client.get("/api/v1/courses")
    assert over.status_code == 429
    assert over.json()["status"] == 429
    assert "Retry-After" in over
