"""The pages: "Meld dit document" on every listing page, the public form (no account needed,
prefilled when signed in, rate-limited), the thank-you page, the seller's answer page, the
page a taken-down listing shows, and the staff queue, notice page and decisions."""

import pytest
from django.core import mail

from studymarket.catalog.models import ListingStatus
from studymarket.trust.decisions import notice_ask_seller, notice_take_down
from studymarket.trust.models import Notice, NoticeStatus
from tests.factories import ListingFactory, OrderLineFactory, UserFactory
from tests.logins import login
from tests.trust.factories import NoticeFactory, StaffFactory, seller_user

pytestmark = pytest.mark.django_db


def _form_data(**fields):
    return {
        "kind": "copyright",
        "explanation": "Dit is mijn samenvatting, overgenomen zonder toestemming.",
        "location": "https://studymarket.test/document/1/x/",
        "reporter_name": "Rita Rechthebbende",
        "reporter_email": "rita@uitgever.test",
        "good_faith": "on",
        **fields,
    }


def test_every_listing_page_links_to_the_notice_form(client):
    listing = ListingFactory()
    page = client.get(listing.get_absolute_url()).content.decode()
    assert f'href="/melden/{listing.pk}/"' in page
    assert "Meld dit document" in page


def test_the_form_needs_no_account_and_prefills_the_location(client, settings):
    settings.SITE_URL = "https://studymarket.test"
    listing = ListingFactory()
    response = client.get(f"/melden/{listing.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="https://studymarket.test{listing.get_absolute_url()}"' in page
    assert "Ik verklaar te goeder trouw" in page


def test_the_form_is_prefilled_for_a_signed_in_user(client):
    user = UserFactory(first_name="Rita", last_name="Jansen", email="rita@example.test")
    login(client, user)
    page = client.get(f"/melden/{ListingFactory().pk}/").content.decode()
    assert 'value="Rita Jansen"' in page
    assert 'value="rita@example.test"' in page


def test_sending_the_form_takes_the_notice_and_shows_its_number(client, django_capture_on_commit_callbacks):
    listing = ListingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/melden/{listing.pk}/", _form_data())
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/melden/ontvangen/{notice.number}/"
    assert notice.reporter is None
    assert notice.listing == listing
    assert notice.good_faith
    assert len(mail.outbox) == 1

    thanks = client.get(response["Location"]).content.decode()
    assert notice.number in thanks
    assert "rita@uitgever.test" in thanks
    # Another browser does not see someone else's thank-you page (with their address).
    from django.test import Client

    other = Client().get(response["Location"])
    assert other.status_code == 200
    assert "onder nummer" not in other.content.decode()  # the number is only in its own address
    assert "rita@uitgever.test" not in other.content.decode()


def test_without_good_faith_the_form_says_what_is_missing(client):
    response = client.post(f"/melden/{ListingFactory().pk}/", _form_data(good_faith=""))
    assert response.status_code == 400
    assert "Bevestig dat je melding te goeder trouw is" in response.content.decode()
    assert not Notice.objects.exists()


def test_a_suspended_user_is_told_clearly(client):
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory(suspended_until=timezone.now() + timedelta(days=2))
    login(client, user)
    listing = ListingFactory()
    assert "Je kunt tijdelijk geen meldingen doen" in client.get(f"/melden/{listing.pk}/").content.decode()
    response = client.post(f"/melden/{listing.pk}/", _form_data(reporter_email=user.email))
    assert response.status_code == 400
    assert "Je kunt tijdelijk geen meldingen doen" in response.content.decode()
    assert not Notice.objects.exists()


def test_the_form_is_rate_limited_per_ip(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "notice_ip": "2/h"}
    listing = ListingFactory()
    for n in range(2):
        client.post(
            f"/melden/{listing.pk}/", _form_data(explanation=f"Melding {n}"), REMOTE_ADDR="198.51.100.7"
        )
    response = client.post(
        f"/melden/{listing.pk}/", _form_data(explanation="Nog een"), REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 429
    assert Notice.objects.count() == 2


def test_a_draft_listing_cannot_be_reported(client):
    assert client.get(f"/melden/{ListingFactory(status=ListingStatus.DRAFT).pk}/").status_code == 404


def test_a_taken_down_listing_shows_why_and_buyers_still_read_it(client):
    staff = StaffFactory()
    line = OrderLineFactory()
    listing = line.listing
    notice_take_down(notice_id=NoticeFactory(listing=listing).pk, actor=staff)

    response = client.get(listing.get_absolute_url())
    assert response.status_code == 410
    assert "Dit document is offline gehaald na een melding" in response.content.decode()
    assert client.get(f"/en{listing.get_absolute_url()}").status_code in (404, 410)
    assert client.get(f"/document/{listing.pk + 1000}/niets/").status_code == 404
    # Not in the cart: it cannot be bought.
    assert client.post(f"/winkelwagen/toevoegen/{listing.pk}/").status_code == 404
    # The buyer keeps reading it in their library.
    login(client, line.order.buyer)
    library = client.get("/mijn-documenten/")
    assert library.status_code == 200
    assert listing.title in library.content.decode()


def test_the_seller_answers_on_the_notice_page(client):
    staff = StaffFactory()
    notice = NoticeFactory()
    notice_ask_seller(notice_id=notice.pk, actor=staff)
    url = f"/meldingen/{notice.number}/reageren/"

    assert client.get(url).status_code == 302  # sign in first
    login(client, UserFactory())
    assert client.get(url).status_code == 404  # not theirs
    login(client, seller_user(notice.listing))
    page = client.get(url).content.decode()
    assert notice.explanation in page
    assert notice.reporter_email not in page
    response = client.post(url, {"text": "Ik heb dit zelf geschreven."})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SELLER_RESPONDED
    assert "Ik heb dit zelf geschreven." in client.get(url).content.decode()


def test_staff_see_the_queue_with_deadlines(client):
    staff = StaffFactory()
    notice = NoticeFactory()
    assert client.get("/beheer/meldingen/").status_code == 302
    login(client, UserFactory())
    assert client.get("/beheer/meldingen/").status_code == 403
    login(client, staff)
    page = client.get("/beheer/meldingen/").content.decode()
    assert notice.number in page
    assert notice.listing.title in page
    assert "Auteursrecht" in page


def test_staff_decide_in_one_click(client, django_capture_on_commit_callbacks):
    staff = StaffFactory()
    notice = NoticeFactory()
    login(client, staff)
    detail = client.get(f"/beheer/meldingen/{notice.number}/").content.decode()
    assert "Meteen offline halen" in detail
    assert "notice.received" in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/beheer/meldingen/{notice.number}/besluit/",
            {"decision": "offline", "note": "Zeker overgenomen."},
        )
        client.post(f"/beheer/meldingen/{notice.number}/besluit/", {"decision": "offline"})  # double click
    assert response.status_code == 302
    assert response["Location"] == notice.get_staff_url()
    notice.listing.refresh_from_db()
    assert notice.listing.status == ListingStatus.TAKEN_DOWN
    assert len([m for m in mail.outbox if m.to == [seller_user(notice.listing).email]]) == 1

    client.post(f"/beheer/meldingen/{notice.number}/besluit/", {"decision": "herstellen"})
    refused = client.post(f"/beheer/meldingen/{notice.number}/besluit/", {"decision": "ongegrond"})
    assert refused.status_code == 400
    assert "al beslist" in refused.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESTORED
