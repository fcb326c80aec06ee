"""The API speaks Dutch, or English when the client's Accept-Language asks for it (the API is
outside the language prefixes, where LocaleMiddleware would always pick Dutch): the problems'
title and detail, and the OpenAPI document's texts. Keys, codes and field names never change."""

from typing import Any

import pytest
from django.test import Client

from tests.api.tokens import bearer, call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en-GB,en;q=0.8,nl;q=0.5"}


def _texts(openapi: dict[str, Any]) -> list[str]:
    """Every sentence of the document meant for a person."""
    texts = [openapi["info"]["description"], openapi["components"]["schemas"]["Problem"]["description"]]
    for operations in openapi["paths"].values():
        for operation in operations.values():
            texts += [operation["summary"], operation.get("description", "")]
            texts += [entry["description"] for entry in operation["responses"].values()]
    return [text for text in texts if text]


def test_the_openapi_document_is_dutch_by_default_and_english_when_asked(client: Client):
    dutch = client.get("/api/openapi.json")
    english = client.get("/api/openapi.json", headers=ENGLISH)
    assert (dutch["Content-Language"], english["Content-Language"]) == ("nl", "en")
    assert "Accept-Language" in english["Vary"]
    nl, en = dutch.json(), english.json()
    assert nl["paths"]["/api/v1/me"]["get"]["summary"] == "Wie ben ik (elke token)"
    assert en["paths"]["/api/v1/me"]["get"]["summary"] == "Who am I (any token)"
    download = "/api/v1/library/{listing_id}/download"
    assert nl["paths"][download]["get"]["description"].startswith("Beëindigt de automatische terugbetaling")
    assert en["paths"][download]["get"]["description"].startswith("Ends the automatic refund")
    assert nl["paths"][download]["get"]["responses"]["200"]["description"] == "De PDF"
    assert en["paths"][download]["get"]["responses"]["200"]["description"] == "The PDF"
    assert nl["paths"]["/api/v1/me"]["get"]["responses"]["200"]["description"] == "Gelukt"
    assert en["paths"]["/api/v1/me"]["get"]["responses"]["429"]["description"] == "Too many requests"
    assert (nl["paths"]["/api/v1/me"]["get"]["tags"], en["paths"]["/api/v1/me"]["get"]["tags"]) == (
        ["bibliotheek"],
        ["library"],
    )
    # Every text differs between the two (none was left in one language), in the same places.
    assert len(_texts(nl)) == len(_texts(en))
    same = [text for text, other in zip(_texts(nl), _texts(en), strict=True) if text == other]
    assert same == []
    # Only the texts: the paths, operations, schemas and field names are the same.
    assert nl["paths"].keys() == en["paths"].keys()
    assert nl["components"]["schemas"] == {
        **en["components"]["schemas"],
        "Problem": {
            **en["components"]["schemas"]["Problem"],
            "description": nl["components"]["schemas"]["Problem"]["description"],
        },
    }
    # Asking in English once leaves the next Dutch document Dutch (nothing was translated in place).
    assert client.get("/api/openapi.json").json() == nl


def test_a_problem_follows_accept_language(client: Client):
    dutch = call(client, "GET", "/api/v1/seller/sales")
    english = call(client, "GET", "/api/v1/seller/sales", headers=ENGLISH)
    assert (dutch.status_code, english.status_code) == (401, 401)
    assert dutch.json()["detail"].startswith("Stuur een geldige persoonlijke toegangstoken mee")
    assert english.json()["detail"].startswith("Send a valid personal access token")
    assert dutch.json()["type"] == english.json()["type"] == "urn:studymarket:problem:unauthenticated"
    unknown = call(client, "GET", "/api/v1/listings/999999", headers={"Accept-Language": "de"})
    assert unknown["Content-Language"] == "nl"
    assert unknown.json()["title"] == "Niet gevonden"


def test_a_body_that_is_no_json_is_answered_in_our_words(client: Client):
    token = bearer(UserFactory(), "sell")  # the body is read before the endpoint asks for a seller
    for headers, detail in (
        ({}, "De inhoud van je verzoek is geen geldige JSON. Controleer de opmaak."),
        (ENGLISH, "The body of your request is not valid JSON. Check its syntax."),
    ):
        response = call(
            client,
            "PATCH",
            "/api/v1/seller/documents/1",
            token,
            data="{niet: json",
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 400
        assert response.json()["detail"] == detail
