"""/api/openapi.json describes every endpoint, and every answer of the access matrix
(tests/api/matrix.py) fits the schema its route declares for its status and content type."""

from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from tests.api.matrix import ROLES, ROUTES, request_kwargs, route_path, world_make
from tests.api.tokens import call

pytestmark = pytest.mark.django_db


def _validate(openapi: dict[str, Any], schema: dict[str, Any], body: Any) -> list[str]:
    # The response's schema, with the document's components beside it for its $refs.
    root = {**schema, "components": openapi["components"]}
    return [error.message for error in Draft202012Validator(root).iter_errors(body)]


def test_the_openapi_document_describes_every_route(client: Client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    openapi = response.json()
    assert openapi["info"]["version"] == "1"
    described = {(m.upper(), p) for p, ops in openapi["paths"].items() for m in ops}
    assert described == set(ROUTES)


def test_every_answer_fits_its_schema(client: Client):
    openapi = client.get("/api/openapi.json").json()
    world = world_make()
    checked = 0
    for (method, template), route in ROUTES.items():
        operation = openapi["paths"][template][method.lower()]
        for role in ROLES:
            response = call(
                client,
                method,
                route_path(template, route, world),
                world.tokens[role],
                **request_kwargs(route),
            )
            declared = operation["responses"].get(str(response.status_code))
            assert declared is not None, (method, template, role, response.status_code)
            content_type = response["Content-Type"].split(";")[0]
            assert content_type in declared["content"], (method, template, role, content_type)
            if content_type == "application/pdf":
                continue
            errors = _validate(openapi, declared["content"][content_type]["schema"], response.json())
            assert errors == [], (method, template, role, errors)
            checked += 1
    assert checked >= len(ROUTES) * len(ROLES) - 1
