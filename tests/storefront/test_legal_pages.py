"""The footer's legal pages (issue 13): terms, privacy statement, cookies and contact, in Dutch and
English, on every kind of page; the operator's details from settings, required in production."""

import re

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from studymarket.accounts.services import user_create
from studymarket.storefront import legal_views
from tests.core.test_settings import PRODUCTION_SECRETS, run_in_production
from tests.factories import ListingFactory, SellerFactory
from tests.logins import MODEL_BACKEND, PASSWORD

pytestmark = pytest.mark.django_db

LEGAL_PATHS = ["/voorwaarden/", "/privacy/", "/cookies/", "/contact/"]
LINK_TEXTS = ["Algemene voorwaarden", "Privacyverklaring", "Cookies", "Contact"]
HEADINGS = {
    "nl": ["Algemene voorwaarden", "Privacyverklaring", "Cookies", "Contact"],
    "en": ["Terms and conditions", "Privacy statement", "Cookies", "Contact"],
}
PREFIX = {"nl": "", "en": "/en"}
OPERATOR = {
    "OPERATOR_LEGAL_NAME": "Studiemarkt Testbedrijf B.V.",
    "OPERATOR_ADDRESS": "Oudegracht 100, 3511 AV Utrecht, Nederland",
    "OPERATOR_EMAIL": "juridisch@studiemarkt-test.nl",
    "OPERATOR_PHONE": "+31 30 765 4321",
    "OPERATOR_KVK_NUMBER": "87654321",
    "OPERATOR_VAT_NUMBER": "NL876543210B01",
}


def footer_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of the links in the footer's legal navigation."""
    footer = html[html.index('<footer class="site-footer') : html.index("</footer>")]
    nav = footer[footer.index('id="legal-links"') : footer.index("</nav>")]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)


@pytest.fixture
def pages(client: Client) -> dict[str, str]:
    """A page of every kind, as a visitor (and, where it takes one, a signed-in user) sees it."""
    seller = SellerFactory(display_name="Lotte", slug="lotte")
    listing = ListingFactory(seller=seller)
    course = listing.course
    return {
        "home": "/",
        "listing": listing.get_absolute_url(),
        "search": "/zoeken/?q=samenvatting",
        "course": course.get_absolute_url(),
        "institution": course.programme.institution.get_absolute_url(),
        "seller": seller.get_absolute_url(),
        "cart": "/winkelwagen/",
        "checkout": "/winkelwagen/afrekenen/",
        "login": "/account/inloggen/",
        "terms": "/voorwaarden/",
        "contact": "/contact/",
    }


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_kind_of_page_links_the_four_legal_pages_and_each_answers(client, pages, language):
    for kind, path in pages.items():
        response = client.get(PREFIX[language] + path)
        assert response.status_code == 200, (kind, path)
        links = footer_links(response.content.decode())
        assert [href for href, _text in links] == [PREFIX[language] + p for p in LEGAL_PATHS], kind
        if language == "nl":
            assert [text for _href, text in links] == LINK_TEXTS, kind
    for path, heading in zip(LEGAL_PATHS, HEADINGS[language], strict=True):
        response = client.get(PREFIX[language] + path)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_signed_in_pages_link_the_legal_pages_too(client, language):
    user = user_create(email="bram@example.nl", password=PASSWORD, first_name="Bram", last_name="Peeters")
    client.force_login(user, backend=MODEL_BACKEND)
    for path in ["/", "/mijn-documenten/", "/winkelwagen/afrekenen/"]:
        response = client.get(PREFIX[language] + path)
        assert response.status_code == 200, path
        assert [href for href, _ in footer_links(response.content.decode())] == [
            PREFIX[language] + p for p in LEGAL_PATHS
        ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_operators_details_come_from_settings(client, settings, language):
    for name, value in OPERATOR.items():
        setattr(settings, name, value)

    contact = client.get(PREFIX[language] + "/contact/").content.decode()
    terms = client.get(PREFIX[language] + "/voorwaarden/").content.decode()
    privacy = client.get(PREFIX[language] + "/privacy/").content.decode()

    for value in OPERATOR.values():
        assert value in contact
    details = contact[contact.index('<dl id="operator-details">') : contact.index("</dl>")]
    assert "87654321" in details
    assert "NL876543210B01" in details
    assert '<a href="tel:+31307654321">+31 30 765 4321</a>' in contact
    for value in ("Studiemarkt Testbedrijf B.V.", "Oudegracht 100, 3511 AV Utrecht, Nederland", "87654321"):
        assert value in terms
        assert value in privacy
    assert "NL876543210B01" in terms


def test_the_texts_show_the_business_rules_from_settings(client, settings):
    settings.GUARANTEE_WINDOW_DAYS = 10
    settings.PLATFORM_COMMISSION_PERCENT = 15
    settings.PAYOUT_MINIMUM_CENTS = 2500
    settings.LEGAL_TEXTS_VERSION = "2027-02-01"

    html = client.get("/voorwaarden/").content.decode()

    assert "binnen 10 dagen na je aankoop je geld terug" in html
    assert "een vergoeding in van 15 % van de prijs zonder btw" in html
    assert "uitbetaling vragen vanaf € 25,00" in html
    assert "Versie van 1 februari 2027" in html
    assert 'id="rangschikking"' in html  # the ranking parameters (DSA art. 27, CRD art. 6a)


def test_the_cookie_page_lists_every_cookie_the_site_sets(client):
    """Sign up, switch the language, see a message: every cookie that lands in the browser is
    named on the cookie page (no other cookies, so no banner)."""
    client.post(
        "/account/aanmelden/",
        {
            "email": "sanne@example.nl",
            "first_name": "Sanne",
            "last_name": "de Vries",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    client.get("/")
    client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
    set_names = set(client.cookies.keys())
    assert {"sessionid", "csrftoken", "django_language"} <= set_names

    html = client.get("/en/cookies/").content.decode()

    listed = set(re.findall(r"<td><code>([^<]+)</code></td>", html))
    assert set_names <= listed
    assert listed == {"sessionid", "csrftoken", "django_language", "messages"}


def test_the_cookie_page_shows_the_production_names(client, settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.LANGUAGE_COOKIE_NAME = "__Host-django_language"

    html = client.get("/cookies/").content.decode()

    listed = re.findall(r"<td><code>([^<]+)</code></td>", html)
    assert listed == ["__Host-sessionid", "__Host-csrftoken", "__Host-django_language", "messages"]
    assert "14 dagen, of tot je uitlogt" in html
    assert "Tot je je browser sluit" in html


def test_a_language_without_its_own_text_gets_the_dutch_one():
    request = RequestFactory().get("/privacy/")
    with translation.override("de"):
        response = legal_views.privacy(request)
    assert "<h1>Privacyverklaring</h1>" in response.content.decode()


def test_legal_pages_answer_get_only(client):
    assert client.post("/voorwaarden/").status_code == 405


@pytest.mark.parametrize("missing", list(OPERATOR))
def test_production_refuses_to_start_without_the_operators_details(missing):
    given = {name: value for name, value in PRODUCTION_SECRETS.items() if name != missing}

    result = run_in_production(["-c", "import django; django.setup()"], **given)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {missing} must be set in production "
        "(the legal pages show them)."
    )


def test_production_starts_with_the_operators_details():
    assert set(OPERATOR) <= set(PRODUCTION_SECRETS)

    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.OPERATOR_KVK_NUMBER)"
    )
    result = run_in_production(["-c", code], **PRODUCTION_SECRETS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == PRODUCTION_SECRETS["OPERATOR_KVK_NUMBER"]
