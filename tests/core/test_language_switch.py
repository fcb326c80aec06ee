"""The header's language switch lands on the same page in the other language, whatever language
the visitor's cookie says (the switch posts outside the language prefixes)."""

import re

import pytest
from django.conf import settings

from studymarket.storefront.demo.listings import reference_facts


@pytest.fixture
def listing_path(db):
    from tests.factories import ListingFactory

    listing = ListingFactory(title=reference_facts()["listing"]["title"])
    return listing.get_absolute_url()


def _switch(client, page: str, language: str) -> str:
    html = client.get(page).content.decode()
    (next_path,) = re.findall(r'name="next" type="hidden" value="([^"]*)"', html)
    response = client.post("/i18n/setlang/", {"language": language, "next": next_path})
    assert response.status_code == 302
    return str(response["Location"])


@pytest.mark.parametrize("cookie", [None, "nl", "en"])
def test_from_english_back_to_dutch(client, listing_path, cookie):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    assert _switch(client, "/en" + listing_path, "nl") == listing_path


@pytest.mark.parametrize("cookie", [None, "nl", "en"])
def test_from_dutch_to_english(client, listing_path, cookie):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    assert _switch(client, listing_path, "en") == "/en" + listing_path
