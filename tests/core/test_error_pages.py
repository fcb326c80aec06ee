"""The error pages in the site's design and the visitor's language (issue 16): 404 and 403 on
base.html with a search box and the way back; 500 on its own (no request context, no query),
still with the site's stylesheet, brand and search; /favicon.ico answers."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


def _search_box(html: str) -> None:
    assert 'action="/zoeken/"' in html or 'action="/en/search/"' in html
    assert 'type="search"' in html
    assert 'name="q"' in html


def test_a_missing_page_answers_404_in_dutch_with_the_sites_header(client):
    response = client.get("/bestaat-niet/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert '<header class="site-header">' in html
    assert 'class="brand"' in html
    assert "<h1>Deze pagina bestaat niet (meer)</h1>" in html
    assert "<title>Pagina niet gevonden · studymarket</title>" in html
    assert f'<a href="{reverse("storefront:home")}">← Terug naar de startpagina</a>' in html
    _search_box(html)
    assert 'id="legal-links"' in html  # the footer too
    # One search box: the page's own, not the header's as well.
    assert html.count('type="search"') == 1


def test_a_missing_page_under_en_is_english(client):
    response = client.get("/en/does-not-exist/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>This page does not exist (any more)</h1>" in html
    assert "Back to the home page" in html


def test_a_missing_listing_answers_the_same_page(client):
    response = client.get("/document/999999/bestaat-niet/")
    assert response.status_code == 404
    assert "<h1>Deze pagina bestaat niet (meer)</h1>" in response.content.decode()


def test_a_buyer_on_a_staff_page_gets_the_403_page(client):
    buyer = UserFactory(email="lotte@example.nl")
    login(client, buyer)

    response = client.get(reverse("support:upload_queue"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Je hebt geen toegang tot deze pagina</h1>" in html
    assert "Je bent ingelogd als lotte@example.nl" in html
    assert "Terug naar de startpagina" in html
    _search_box(html)
    assert "Uitloggen" in html  # the site's header, signed in


def test_the_500_page_stands_alone_without_a_query(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "<h1>Er ging iets mis</h1>" in html
    assert "/static/css/studymarket.css" in html
    assert "/static/vendor/pico/pico.min.css" in html
    assert 'class="brand"' in html
    assert f'<a href="{reverse("storefront:home")}">← Terug naar de startpagina</a>' in html
    _search_box(html)
    assert "<script" not in html


def test_the_500_page_in_english():
    with translation.override("en"):
        html = server_error(RequestFactory().get("/en/")).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Something went wrong</h1>" in html
    assert 'href="/en/"' in html


def test_the_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")
