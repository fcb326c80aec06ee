"""The receipt e-mail, sent through a real SMTP server on loopback (aiosmtpd) once the order is
paid and committed: HTML and text, in the buyer's language, at most once."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from studymarket.orders.models import Order
from studymarket.orders.services import order_create, order_mark_paid, order_receipt_send
from studymarket.orders.tasks import order_receipt_send_task
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.smtp import Inbox, free_port, message_parts

pytestmark = pytest.mark.django_db(transaction=True)

SITE_URL = "https://studymarket.example"


@pytest.fixture
def order(settings) -> Order:
    settings.SITE_URL = SITE_URL
    buyer = UserFactory(email="bram@example.nl", first_name="Bram")
    listings = [
        ListingFactory(
            title="Account Management Samenvatting",
            price_cents=949,
            seller=SellerFactory(display_name="Lotte"),
        ),
        ListingFactory(
            title="Marketing & Sales", price_cents=500, seller=SellerFactory(display_name="Jonas")
        ),
    ]
    return order_create(buyer=buyer, listings=listings)


def test_paying_sends_one_receipt_after_commit(smtp_inbox: Inbox, order):
    with transaction.atomic():
        order_mark_paid(order_id=order.pk)
        assert smtp_inbox.envelopes == []  # not before the payment is committed

    assert len(smtp_inbox.envelopes) == 1
    envelope = smtp_inbox.envelopes[0]
    assert envelope.rcpt_tos == ["bram@example.nl"]
    (message,) = smtp_inbox.messages
    assert message["Subject"] == f"Je bestelling {order.number} bij studymarket"
    assert message["To"] == "bram@example.nl"
    assert message["From"] == "studymarket <noreply@studymarket.localhost>"
    text, html = message_parts(message)
    library_url = SITE_URL + reverse("library:index")
    assert "Hallo Bram," in text
    assert f"Bestelling {order.number}" in text
    assert "- Account Management Samenvatting (van Lotte): € 9,49" in text
    assert "- Marketing & Sales (van Jonas): € 5,00" in text
    assert "Totaal (incl. btw): € 14,49" in text
    assert "Waarvan btw: € 2,52" in text
    assert f"Mijn documenten: {library_url}" in text
    assert "Niet tevreden? Vraag binnen 14 dagen je geld terug" in text
    assert '<html lang="nl">' in html
    assert "Marketing &amp; Sales" in html
    assert "<strong>€ 14,49</strong>" in html
    assert f'<a href="{library_url}" style=' in html
    assert ">Mijn documenten</a>" in html
    order.refresh_from_db()
    assert order.receipt_sent_at is not None


def test_receipt_in_english_for_a_buyer_who_checked_out_in_english(smtp_inbox: Inbox, order):
    Order.objects.filter(pk=order.pk).update(language="en")

    order_mark_paid(order_id=order.pk)

    (message,) = smtp_inbox.messages
    text, html = message_parts(message)
    with translation.override("en"):
        library_url = SITE_URL + reverse("library:index")
    assert library_url.startswith(SITE_URL + "/en/")
    assert '<html lang="en">' in html
    assert f'<a href="{library_url}"' in html
    assert library_url in text
    assert "€14.49" in text  # English money
    assert translation.get_language() == "nl"  # the override ended with the message


def test_receipt_is_sent_once_however_often_the_task_runs(smtp_inbox: Inbox, order):
    order_mark_paid(order_id=order.pk)
    order_mark_paid(order_id=order.pk)  # a second webhook: already paid, nothing queued

    order_receipt_send_task.enqueue(order.pk)  # a task run twice
    assert order_receipt_send(order_id=order.pk) is False

    assert len(smtp_inbox.envelopes) == 1


def test_no_receipt_for_an_unpaid_order(smtp_inbox: Inbox, order):
    assert order_receipt_send(order_id=order.pk) is False
    assert smtp_inbox.envelopes == []


def test_no_receipt_for_loaded_history(smtp_inbox: Inbox, order):
    order_mark_paid(order_id=order.pk, send_receipt=False)
    assert smtp_inbox.envelopes == []


def test_a_failed_send_gives_the_claim_back_so_a_retry_sends_it(settings, smtp_inbox: Inbox, order):
    order_mark_paid(order_id=order.pk, send_receipt=False)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there

    with pytest.raises(ConnectionRefusedError):
        order_receipt_send(order_id=order.pk)
    order.refresh_from_db()
    assert order.receipt_sent_at is None

    settings.EMAIL_PORT = port
    assert order_receipt_send(order_id=order.pk) is True
    assert len(smtp_inbox.envelopes) == 1
