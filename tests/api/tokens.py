"""Tokens and the test client's requests with one (tests/api/)."""

from typing import Any

from django.test import Client

from studymarket.accounts.tokens import token_create


def bearer(user: Any, *scopes: str, name: str = "test") -> str:
    """A new token of ``user`` with ``scopes``: its secret."""
    return token_create(user=user, name=name, scopes=list(scopes)).secret


def call(client: Client, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return getattr(client, method.lower())(path, headers=headers, **kwargs)
