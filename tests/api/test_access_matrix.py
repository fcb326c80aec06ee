"""Every route of the API object × every kind of caller gets the status the site's rules say
(tests/api/matrix.py): public routes for everyone, a token for the rest, the right scope, a
seller profile, and only the seller's own documents. A new route without an entry fails here."""

import pytest
from django.test import Client

from studymarket.api.api import api
from tests.api.matrix import ROLES, ROUTES, request_kwargs, route_path, world_make
from tests.api.tokens import call

pytestmark = pytest.mark.django_db


def _routes_of_the_api() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    return {(method.upper(), path) for path, operations in schema["paths"].items() for method in operations}


def test_every_route_of_the_api_is_in_the_matrix():
    assert _routes_of_the_api() == set(ROUTES)


def test_every_route_answers_every_caller_as_the_rules_say(client: Client):
    world = world_make()
    got: dict[tuple[str, str, str], int] = {}
    wanted: dict[tuple[str, str, str], int] = {}
    for (method, template), route in ROUTES.items():
        for role in ROLES:
            response = call(
                client,
                method,
                route_path(template, route, world),
                world.tokens[role],
                **request_kwargs(route),
            )
            got[(method, template, role)] = response.status_code
            wanted[(method, template, role)] = route.expected[role]
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/problem+json", (method, template, role)
    assert got == wanted


def test_the_refusals_say_what_to_do(client: Client):
    world = world_make()
    read_only = call(client, "GET", "/api/v1/seller/sales", world.tokens["read"]).json()
    assert read_only["status"] == 403
    assert "“sell”" in read_only["detail"]
    no_profile = call(client, "GET", "/api/v1/seller/sales", world.tokens["sell_no_profile"]).json()
    assert (
        no_profile["detail"]
        == "Maak eerst je verkopersprofiel aan op http://testserver/account/verkopen/start/"
    )
    revoked = call(client, "GET", "/api/v1/me", world.tokens["revoked"])
    assert revoked["WWW-Authenticate"] == 'Bearer realm="studymarket"'
    assert revoked.json()["title"] == "Niet aangemeld"
    english = call(client, "GET", "/api/v1/me", headers={"Accept-Language": "en"})
    assert english.json()["title"] == "Not signed in"
    assert english["Content-Language"] == "en"
