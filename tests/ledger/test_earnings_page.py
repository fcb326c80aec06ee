""" "Mijn verdiensten": what the seller sees (pending with release dates, available, in transit,
paid out, debt, the chart, the history), the payout details form and the payout button."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from studymarket.accounts.models import SellerProfile
from studymarket.ledger.models import Payout, PayoutStatus
from studymarket.ledger.payouts.chart import earnings_chart
from studymarket.ledger.payouts.services import payout_batch_create, payout_mark_failed, payout_request
from studymarket.ledger.postings import earnings_release_due
from studymarket.ledger.selectors import seller_earnings_by_week
from tests.factories import SellerFactory, UserFactory
from tests.ledger.ledger_helpers import now, paid_line, refund_line, seller_cents
from tests.ledger.test_payouts_services import IBAN, seller_with_available

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
URL = "/verkopen/verdiensten/"

pytestmark = pytest.mark.usefixtures("ledger_balanced")


def login(client, seller: SellerProfile) -> None:
    client.force_login(seller.user, backend=MODEL_BACKEND)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _key(html: str) -> str:
    match = re.search(r'name="request_key" value="([0-9a-f]{32})"', html)
    assert match, "no request key on the page"
    return match.group(1)


@pytest.mark.django_db
def test_the_url_and_who_may_see_it(client):
    assert reverse("ledger:earnings") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/")

    client.force_login(UserFactory(), backend=MODEL_BACKEND)  # not a seller
    response = client.get(URL)
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:become_seller"))


@pytest.mark.django_db
def test_pending_sale_with_its_release_date(client):
    seller = SellerFactory()
    line = paid_line(seller=seller)
    login(client, seller)

    response = client.get(URL)

    assert response.status_code == 200
    page = text(response.content.decode())
    paid_at = line.order.paid_at
    assert paid_at is not None
    release = timezone.localtime(paid_at + timedelta(days=14))
    assert "€ 6,27 in de garantietermijn" in page
    assert "€ 0,00 beschikbaar" in page
    assert "€ 0,00 onderweg naar je bank" in page
    assert "€ 0,00 uitbetaald" in page
    assert "te verrekenen" not in page
    assert f"{line.title} {date_format(timezone.localtime(paid_at), 'j F Y')} € 6,27 " in page
    assert f"€ 6,27 {date_format(release, 'j F Y')}" in page
    assert "Vul hieronder je rekeninggegevens in" in page
    assert 'id="earnings-chart"' in response.content.decode()
    assert 'data-cents="627"' in response.content.decode()


@pytest.mark.django_db
def test_the_button_pays_out_once_even_when_clicked_twice(client):
    seller = seller_with_available()
    login(client, seller)
    page = client.get(URL).content.decode()
    assert "Uitbetaling aanvragen" in page
    key = _key(page)

    first = client.post(reverse("ledger:payout_request"), {"request_key": key}, follow=True)
    second = client.post(reverse("ledger:payout_request"), {"request_key": key}, follow=True)

    assert Payout.objects.count() == 1
    for response in (first, second):
        assert (
            "Je uitbetaling van € 12,54 is aangevraagd. Het geld staat meestal binnen een paar werkdagen "
            "op je rekening eindigend op 4567." in text(response.content.decode())
        )
    page = text(second.content.decode())
    assert "€ 0,00 beschikbaar" in page
    assert "€ 12,54 onderweg naar je bank" in page
    assert "Uitbetaling aanvragen" not in page
    today = date_format(timezone.localdate(), "j F Y")
    assert f"{today} € 12,54 rekening eindigend op 4567 Aangemaakt" in page


@pytest.mark.django_db
def test_a_refused_request_says_what_to_do(client):
    seller = seller_with_available(lines=1)
    login(client, seller)
    page = client.get(URL).content.decode()
    assert "Uitbetalen kan vanaf € 10,00 beschikbaar saldo." in text(page)

    response = client.post(reverse("ledger:payout_request"), {"request_key": "f" * 32}, follow=True)

    assert "Je beschikbare saldo is € 6,27. Uitbetalen kan vanaf € 10,00" in text(response.content.decode())
    assert not Payout.objects.exists()
    assert client.get(reverse("ledger:payout_request")).status_code == 405


@pytest.mark.django_db
def test_history_shows_each_payout_with_its_status(client):
    seller = seller_with_available()
    failed = payout_request(seller=seller)
    payout_batch_create(actor=UserFactory(is_staff=True))
    staff = UserFactory(is_staff=True)
    payout_mark_failed(payout_id=failed.pk, actor=staff, reason="AC04 rekening opgeheven")
    again = payout_request(seller=seller)
    login(client, seller)

    page = text(client.get(URL).content.decode())

    today = date_format(timezone.localdate(), "j F Y")
    history = page[page.index("Uitbetalingen Datum") :]
    assert history.startswith(
        f"Uitbetalingen Datum Bedrag Naar Status {today} € 12,54 rekening eindigend op 4567 Aangemaakt "
        f"{today} € 12,54 rekening eindigend op 4567 Mislukt AC04 rekening opgeheven"
    )
    assert again.status == PayoutStatus.CREATED
    assert "Je uitbetaling van € 12,54, aangevraagd op " in page


@pytest.mark.django_db
def test_debt_is_shown_with_an_explanation(client):
    seller = seller_with_available()
    sold = paid_line(seller=seller)
    earnings_release_due(now=now() + timedelta(days=15))
    payout_request(seller=seller)  # 3 × € 6,27 leaves
    refund_line(sold)  # after the payout: € 6,27 becomes debt
    login(client, seller)

    page = text(client.get(URL).content.decode())

    assert seller_cents(seller) == (0, 0, 627)
    assert "€ 6,27 te verrekenen" in page
    assert "Er is € 6,27 terugbetaald aan kopers nadat het al was uitbetaald." in page


@pytest.mark.django_db
def test_payout_details_are_saved_and_shown_grouped(client):
    seller = SellerFactory()
    login(client, seller)

    response = client.post(
        reverse("ledger:payout_details"),
        {"account_holder": " Jan  Jansen ", "iban": "nl20 ingb 0001 2345 67", "schedule": "weekly"},
        follow=True,
    )

    assert "Je rekeninggegevens zijn opgeslagen." in text(response.content.decode())
    seller.refresh_from_db()
    assert (seller.payout_account_holder, seller.payout_iban, seller.payout_bic, seller.payout_schedule) == (
        "Jan Jansen",
        IBAN,
        "INGBNL2A",
        "weekly",
    )
    assert 'value="NL20 INGB 0001 2345 67"' in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_iban_is_explained_at_the_field(client):
    seller = SellerFactory()
    login(client, seller)

    response = client.post(
        reverse("ledger:payout_details"),
        {"account_holder": "Jan Jansen", "iban": "NL21INGB0001234567", "schedule": "request"},
    )

    assert response.status_code == 400
    assert (
        "Dit IBAN klopt niet: er zit waarschijnlijk een typefout in. Controleer de cijfers en letters."
        in text(response.content.decode())
    )
    seller.refresh_from_db()
    assert seller.payout_iban == ""


@pytest.mark.django_db
def test_the_seller_dashboard_links_here(client):
    seller = SellerFactory()
    login(client, seller)

    page = client.get(reverse("selling:sell_dashboard")).content.decode()

    assert f'<a href="{URL}" role="button" class="secondary">Mijn verdiensten</a>' in page


@pytest.mark.django_db
def test_the_chart_scales_to_the_best_week():
    seller = SellerFactory()
    paid_line(seller=seller)
    paid_line(seller=seller)
    paid_line(seller=seller, paid_at=timezone.now() - timedelta(weeks=1))

    chart = earnings_chart(seller_earnings_by_week(seller_id=seller.pk))

    assert len(chart.bars) == 12
    assert [bar.amount.cents for bar in chart.bars[-2:]] == [627, 1254]
    assert [bar.height for bar in chart.bars[-2:]] == [82, 164]
    assert all(bar.height == 0 for bar in chart.bars[:-2])
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert chart.total.cents == 1881


@pytest.mark.django_db
def test_an_empty_chart_says_there_were_no_sales(client):
    seller = SellerFactory()
    login(client, seller)

    assert "Geen verkopen in de laatste 12 weken." in text(client.get(URL).content.decode())

    paid_line(seller=seller)
    assert "Geen verkopen" not in text(client.get(URL).content.decode())


@pytest.mark.django_db
def test_weekly_sellers_are_told_when(client, settings):
    settings.PAYOUT_WEEKDAY = 4
    seller = seller_with_available(lines=1, schedule="weekly")
    login(client, seller)

    page = text(client.get(URL).content.decode())

    assert (
        "Je krijgt elke week op vrijdag automatisch je beschikbare saldo uitbetaald, als dat minstens "
        "€ 10,00 is." in page
    )
