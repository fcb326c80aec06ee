"""The satisfaction guarantee as a buyer meets it: "Mijn documenten" → "Geld terug aanvragen" →
the form, which says beforehand whether it will be automatic, and afterwards where it stands."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from studymarket.core import clock
from studymarket.payments.models import RefundRequest, RefundRequestStatus, RefundStatus
from tests.payments.refunding import (
    assert_not_refunded,
    assert_refunded_once,
    downloaded,
    first_line,
    paid_order,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]


@pytest.fixture
def line():
    return first_line(paid_order(with_pdf=True))


@pytest.fixture
def buyer_client(client, line):
    client.force_login(line.order.buyer)
    return client


def _url(line) -> str:
    return reverse("payments:guarantee", args=[line.pk])


def test_my_documents_links_each_purchase_to_the_guarantee(buyer_client, line):
    html = buyer_client.get(reverse("library:index")).content.decode()

    assert f'href="{_url(line)}"' in html
    assert "Geld terug aanvragen" in html


def test_the_form_says_it_will_be_automatic(buyer_client, line):
    response = buyer_client.get(_url(line))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Je krijgt je geld meteen terug" in html
    # The page shows the date in the site's time zone (Europe/Amsterdam): late in the UTC evening
    # that is already the next day.
    deadline = timezone.localtime(line.order.paid_at + timedelta(days=14))
    assert f"tot en met {deadline.day} " in html
    assert "Geld terug en toegang stoppen" in html
    assert "€ 9,49" in html


def test_auto_approved_through_the_page_access_gone_at_once(
    buyer_client, line, django_capture_on_commit_callbacks
):
    document_id = line.listing.document_id
    assert buyer_client.get(reverse("library:read", args=[document_id])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(_url(line), {"reason": "poor_quality", "explanation": "Te kort."})

    assert response.status_code == 302
    assert response["Location"] == _url(line)
    request = RefundRequest.objects.get(order_line=line)
    assert (request.status, request.automatic, request.within_window, request.downloaded) == (
        RefundRequestStatus.APPROVED,
        True,
        True,
        False,
    )
    refund = assert_refunded_once(line)
    assert refund.request == request
    page = buyer_client.get(_url(line)).content.decode()
    assert "Je verzoek is goedgekeurd: je krijgt je geld terug." in page
    assert page.count("Je hebt geen toegang meer tot dit document.") == 1
    # The reader says why access ended (library/access_ended.html), with a 403.
    assert buyer_client.get(reverse("library:read", args=[document_id])).status_code == 403
    assert "We hebben € 9,49 terugbetaald." in page
    assert f'href="{_url(line)}"' not in buyer_client.get(reverse("library:index")).content.decode()
    assert sorted(
        m.to[0] for m in mail.outbox if "terug" in m.subject or "terugbetaald" in m.subject
    ) == sorted([line.order.buyer.email, line.seller.user.email])


def test_a_downloaded_pdf_goes_to_staff(buyer_client, line):
    downloaded(line)

    page = buyer_client.get(_url(line)).content.decode()
    assert "je de pdf al hebt gedownload (online lezen telt niet mee)." in page
    response = buyer_client.post(_url(line), {"reason": "not_as_described", "explanation": ""})

    assert response.status_code == 302
    request = RefundRequest.objects.get(order_line=line)
    assert (request.status, request.automatic, request.downloaded) == (
        RefundRequestStatus.REQUESTED,
        False,
        True,
    )
    assert_not_refunded(line)
    page = buyer_client.get(_url(line)).content.decode()
    assert "In behandeling" in page
    assert "Tot dan kun je het document gewoon gebruiken." in page


def test_after_fourteen_days_it_goes_to_staff(buyer_client, line):
    clock.advance(timedelta(days=14, minutes=1))

    page = buyer_client.get(_url(line)).content.decode()
    assert "de termijn van 14 dagen voorbij is" in page
    buyer_client.post(_url(line), {"reason": "wrong_course", "explanation": ""})

    request = RefundRequest.objects.get(order_line=line)
    assert (request.status, request.within_window, request.downloaded) == (
        RefundRequestStatus.REQUESTED,
        False,
        False,
    )
    assert_not_refunded(line)


def test_on_the_last_day_it_is_still_automatic(buyer_client, line):
    clock.advance(timedelta(days=13, hours=23))

    buyer_client.post(_url(line), {"reason": "duplicate", "explanation": ""})

    assert RefundRequest.objects.get(order_line=line).status == RefundRequestStatus.APPROVED
    assert_refunded_once(line)


def test_reading_online_does_not_count_as_a_download(buyer_client, line):
    buyer_client.get(reverse("library:read", args=[line.listing.document_id]))

    buyer_client.post(_url(line), {"reason": "poor_quality", "explanation": ""})

    assert RefundRequest.objects.get(order_line=line).automatic is True


def test_other_needs_an_explanation(buyer_client, line):
    response = buyer_client.post(_url(line), {"reason": "other", "explanation": "  "})

    assert response.status_code == 422
    assert "Vertel kort wat er mis is, dan kunnen we je verzoek beoordelen." in response.content.decode()
    assert not RefundRequest.objects.exists()


def test_a_reason_is_required(buyer_client, line):
    response = buyer_client.post(_url(line), {"explanation": "x"})

    assert response.status_code == 422
    assert not RefundRequest.objects.exists()


def test_a_second_post_changes_nothing(buyer_client, line):
    buyer_client.post(_url(line), {"reason": "poor_quality", "explanation": ""})
    response = buyer_client.post(_url(line), {"reason": "other", "explanation": "nog eens"})

    assert response.status_code == 302
    assert RefundRequest.objects.count() == 1
    assert_refunded_once(line)


def test_another_buyers_purchase_is_not_found(client, line):
    client.force_login(paid_order().buyer)

    assert client.get(_url(line)).status_code == 404
    assert client.post(_url(line), {"reason": "poor_quality"}).status_code == 404
    assert not RefundRequest.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, line):
    response = client.get(_url(line))

    assert response.status_code == 302
    assert "/account/" in response["Location"]


def test_after_a_chargeback_the_page_says_it_was_refunded(buyer_client, line):
    from studymarket.payments.providers.simulated import simulated_chargeback
    from studymarket.payments.services import payment_sync
    from tests.payments.refunding import the_payment

    payment = the_payment(line.order)
    simulated_chargeback(simulated_id=str(payment.provider_id), amount_cents=949)
    payment_sync(payment_id=payment.pk)

    page = buyer_client.get(_url(line)).content.decode()
    assert "Het geld voor deze aankoop is al teruggegaan." in page
    assert "<form" not in page.split('id="guarantee"')[1]
    assert assert_refunded_once(line, source="chargeback").status == RefundStatus.REFUNDED
