"""'Start met verkopen' for visitors (selling.info_views): what a seller earns per sale at a few
prices, the commission, payouts, the guarantee and what may not be sold, before anyone signs
in; a calculator anyone can use (rate-limited); the way in for visitors, buyers and sellers."""

import pytest
from django.urls import reverse

from tests.factories import SellerFactory, UserFactory
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db

INFO = "/verkopen/zo-werkt-het/"
PRICE = "/verkopen/zo-werkt-het/prijs/"
HTMX = {"HX-Request": "true"}


def _html(response) -> str:
    # The money filter may join "€" and the amount with a no-break space (issue 16, defect 9).
    content: bytes = response.content
    return content.decode().replace("\xa0", " ")


def test_urls():
    assert reverse("selling:sell_info") == INFO
    assert reverse("selling:sell_info_price") == PRICE


def test_a_visitor_reads_what_selling_means_without_signing_in(client):
    response = client.get(INFO)

    assert response.status_code == 200
    html = _html(response)
    assert "<h1>Verdien aan je samenvattingen</h1>" in html
    # € 4,99: btw 0,87, net 4,12, commission 20 % of it 0,82, the seller 3,30 (core.pricing).
    assert (
        '<td class="amount">€ 4,99</td>\n        <td class="amount">€ 0,87</td>\n'
        '        <td class="amount">€ 0,82</td>\n        <td class="amount"><strong>€ 3,30</strong></td>'
    ) in html
    assert "<strong>€ 5,28</strong>" in html  # € 7,99
    assert "<strong>€ 8,59</strong>" in html  # € 12,99
    assert "commissie in van 20 % van de prijs zonder btw" in html
    assert "14 dagen vast" in html
    assert "Vanaf € 10,00 beschikbaar saldo" in html
    assert "SEPA-overboeking" in html
    assert "Tentamens en toetsen" in html
    assert "Persoonsgegevens van anderen" in html
    assert f'href="/account/aanmelden/?next={reverse("accounts:become_seller")}"' in html
    assert 'data-hx-get="/verkopen/zo-werkt-het/prijs/"' in html
    assert "Koper betaalt € 7,99 — jij ontvangt € 5,28" in html  # the calculator's first line


@pytest.mark.parametrize(
    ("price", "line"),
    [
        ("9,49", "Koper betaalt € 9,49 — jij ontvangt € 6,27"),
        ("12.99", "Koper betaalt € 12,99 — jij ontvangt € 8,59"),
        ("abc", "Vul een bedrag in euro's in, bijvoorbeeld 9,49."),
        ("", "Vul een prijs in om te zien wat je per verkoop ontvangt."),
    ],
)
def test_the_calculator_answers_anyone(client, price, line):
    response = client.get(PRICE, {"price": price}, headers=HTMX)

    assert response.status_code == 200
    assert line in _html(response).replace("&#x27;", "'")
    assert "<html" not in response.content.decode()


def test_without_javascript_the_calculator_answers_with_the_whole_page(client):
    html = _html(client.get(PRICE, {"price": "9,49"}))

    assert "<h1>Verdien aan je samenvattingen</h1>" in html
    assert 'value="9,49"' in html
    assert "Koper betaalt € 9,49 — jij ontvangt € 6,27" in html


def test_the_calculator_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sell_price_ip": "2/m"}
    from django.core.cache import cache

    cache.clear()
    answers = [client.get(PRICE, {"price": "9,49"}, headers=HTMX).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_a_signed_in_buyer_goes_straight_to_becoming_a_seller(client):
    client.force_login(UserFactory(), backend=MODEL_BACKEND)
    html = client.get(INFO).content.decode()

    assert f'<a href="{reverse("accounts:become_seller")}" role="button">Begin met verkopen</a>' in html


def test_a_seller_is_sent_to_their_sales(client):
    client.force_login(SellerFactory().user, backend=MODEL_BACKEND)
    html = client.get(INFO).content.decode()

    assert f'<a href="{reverse("selling:sell_dashboard")}" role="button">Naar mijn verkopen</a>' in html


def test_the_header_sends_visitors_to_the_page(client):
    html = client.get("/").content.decode()

    assert f'<a href="{INFO}">Start met verkopen</a>' in html
