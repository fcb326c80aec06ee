"""After a refund the reader's address says, in Dutch, that access ended, when and why, with
the way to the listing and to the guarantee page (a 403, not a bare 404); a visitor who is not
logged in is sent to log in and comes back to the link they opened (issue 16)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from studymarket.library.models import Entitlement
from studymarket.library.services import entitlement_revoke
from tests.factories import UserFactory
from tests.logins import PASSWORD, login
from tests.purchases import listing_with_pdf, purchase

pytestmark = pytest.mark.django_db

REVOKED_AT = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)


def _revoke(line, reason: str) -> Entitlement:
    entitlement_revoke(entitlement_id=line.entitlement_id, reason=reason)
    Entitlement.objects.filter(pk=line.entitlement_id).update(revoked_at=REVOKED_AT)
    return Entitlement.objects.get(pk=line.entitlement_id)


def _reader(client, document_id: int, prefix: str = ""):
    return client.get(prefix + reverse("library:read", args=[document_id]))


def test_the_reader_says_in_dutch_that_the_refund_ended_access(client, buyer, order_line, listing):
    _revoke(order_line, "refund")
    login(client, buyer)

    response = _reader(client, listing.document_id)

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Je hebt geen toegang meer tot dit document</h1>" in html
    assert (
        f"Je aankoop is op 9 maart 2026 terugbetaald (bestelling {order_line.order.number}). "
        "Daarmee is je toegang geëindigd: online lezen en de PDF downloaden kan niet meer."
    ) in html
    assert f'<a href="{listing.get_absolute_url()}">Naar de documentpagina</a>' in html
    guarantee = reverse("payments:guarantee", args=[order_line.pk])
    assert f'<a href="{guarantee}">Je terugbetaling en de tevredenheidsgarantie</a>' in html
    assert 'class="reader-page"' not in html
    assert "Download PDF" not in html


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("guarantee: quality", "Je aankoop is op 9 maart 2026 terugbetaald"),
        ("external", "Je aankoop is op 9 maart 2026 terugbetaald"),
        ("chargeback", "Je bank heeft de betaling op 9 maart 2026 teruggeboekt"),
        ("notice_upheld", "Dit document is op 9 maart 2026 offline gehaald na een gegronde melding."),
    ],
)
def test_each_way_access_ends_is_told(client, buyer, order_line, listing, reason, words):
    _revoke(order_line, reason)
    login(client, buyer)
    response = _reader(client, listing.document_id)
    assert response.status_code == 403
    assert words in response.content.decode()


def test_in_english_under_en(client, buyer, order_line, listing):
    _revoke(order_line, "refund")
    login(client, buyer)
    html = _reader(client, listing.document_id, prefix="/en").content.decode()
    assert '<html lang="en">' in html
    assert "Your purchase was refunded on 9 March 2026" in html


def test_bought_again_after_the_refund_it_reads_as_before(client, buyer, order_line, listing):
    _revoke(order_line, "refund")
    purchase(buyer=buyer, listing=listing)
    login(client, buyer)
    response = _reader(client, listing.document_id)
    assert response.status_code == 200
    assert 'class="reader-page"' in response.content.decode()


def test_someone_who_never_bought_it_still_gets_404(client, order_line, listing):
    login(client, UserFactory())
    assert _reader(client, listing.document_id).status_code == 404
    assert _reader(client, listing.document_id + 1000).status_code == 404


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_visitor_logs_in_and_comes_back_to_the_reader(client, buyer, order_line, listing, prefix):
    with translation.override("nl"):  # the Dutch paths; the prefix makes them English
        reader = prefix + reverse("library:read", args=[listing.document_id])
        login_path = prefix + reverse("accounts:login")

    response = client.get(reader)

    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url == f"{login_path}?next={reader}"
    form = client.get(login_url)
    assert form.status_code == 200
    logged_in = client.post(login_url, {"username": buyer.email, "password": PASSWORD})
    assert (logged_in.status_code, logged_in["Location"]) == (302, reader)
    assert client.get(reader).status_code == 200


def test_a_visitor_logs_in_and_comes_back_to_my_documents(client, buyer, order_line):
    index = reverse("library:index")
    login_url = client.get(index)["Location"]
    logged_in = client.post(login_url, {"username": buyer.email, "password": PASSWORD})
    assert (logged_in.status_code, logged_in["Location"]) == (302, index)
    assert "Account Management Samenvatting" in client.get(index).content.decode()


def test_another_documents_purchase_does_not_open_this_one(client, buyer, order_line):
    other = listing_with_pdf(title="Iets anders")
    login(client, buyer)
    assert _reader(client, other.document_id).status_code == 404
