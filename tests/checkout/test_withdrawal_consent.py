"""The two boxes before "Betalen" (Consumer Rights Directive art. 16(m)): consent to delivery at
once and the acknowledgement that the right of withdrawal then ends. No order and no payment
without both; the order keeps when they were given and the texts' version; the receipt and the
order page confirm them. And the art. 6a information: whether each seller is a trader."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from studymarket.accounts.models import SellerKind
from studymarket.checkout.models import CartItem
from studymarket.checkout.services import cart_item_add, checkout_start
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.orders.models import Order
from studymarket.orders.services import order_mark_paid
from studymarket.payments.models import Payment
from tests.checkout.carts import CONSENT, add
from tests.factories import ListingFactory, PaidOrderFactory, SellerFactory, UserFactory
from tests.logins import MODEL_BACKEND, login
from tests.smtp import message_parts

pytestmark = pytest.mark.django_db(transaction=True)

CHECKOUT = "/winkelwagen/afrekenen/"
REFUSED = (
    "Vink beide vakjes aan om te betalen: zonder je toestemming kunnen we de documenten niet "
    "direct leveren. Je winkelwagen blijft bewaard."
)
PRIVATE_SELLER = (
    "particulier: het Europese consumentenrecht is niet van toepassing, de tevredenheidsgarantie wel"
)
CONFIRMED = (
    "gaf je toestemming om de documenten direct na je betaling te leveren, en bevestigde je dat je "
    "daarmee je herroepingsrecht verliest zodra de levering begonnen is"
)


def _token(html: str) -> str:
    match = re.search(r'name="checkout_token" value="([^"]+)"', html)
    assert match, "no checkout token on the page"
    return match.group(1)


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def _checkout_page(client: Client) -> str:
    response = client.get(CHECKOUT)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_boxes_start_unticked_and_come_before_betalen(buyer_client):
    add(buyer_client, ListingFactory())

    html = _checkout_page(buyer_client)

    boxes = re.findall(r'<input type="checkbox" name="(\w+)"([^>]*)>', html)
    assert [name for name, _attrs in boxes] == ["consent_immediate_delivery", "acknowledge_withdrawal_ends"]
    for _name, attrs in boxes:
        assert "checked" not in attrs
        assert "required" not in attrs  # the server's message says what to do, not the browser's
    assert html.index('id="withdrawal-consent"') < html.index('<button type="submit">Betalen</button>')
    assert (
        "Ik stem ermee in dat de levering van de digitale documenten direct na mijn betaling begint" in html
    )
    assert "Ik begrijp dat ik daardoor mijn herroepingsrecht verlies" in html
    assert '<p id="pay-total">Te betalen: <strong>€ 9,49</strong> (incl. btw)</p>' in html


@pytest.mark.parametrize(
    "ticked",
    [{}, {"consent_immediate_delivery": "on"}, {"acknowledge_withdrawal_ends": "on"}],
    ids=["none", "consent only", "acknowledgement only"],
)
def test_no_order_and_no_payment_without_both_boxes(buyer_client, buyer, ticked):
    listing = ListingFactory()
    add(buyer_client, listing)
    token = _token(_checkout_page(buyer_client))

    response = buyer_client.post(CHECKOUT, {"checkout_token": token, "method": "ideal", **ticked})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p id="consent-error" class="notice notice-error" role="alert">{REFUSED}</p>' in html
    assert 'aria-describedby="consent-error" aria-invalid="true"' in html
    assert (Order.objects.count(), Payment.objects.count()) == (0, 0)
    # Nothing lost: the cart, the chosen method, the ticked box and the same checkout.
    in_cart = CartItem.objects.filter(cart__user=buyer).values_list("listing_id", flat=True)
    assert list(in_cart) == [listing.pk]
    assert re.search(r'<input type="radio" name="method" value="ideal"[^>]* checked', html)
    for name in ticked:
        assert re.search(rf'<input type="checkbox" name="{name}"[^>]* checked', html)
    assert _token(html) == token

    paid = buyer_client.post(CHECKOUT, {"checkout_token": token, "method": "ideal", **CONSENT})

    assert paid.status_code == 302
    assert (Order.objects.count(), Payment.objects.count()) == (1, 1)


def test_the_service_itself_refuses_without_consent(buyer):
    """Not only the form: any caller of checkout_start (a future API too) needs the consent."""
    cart_item_add(user=buyer, listing=ListingFactory())
    with pytest.raises(ApplicationError, match="Vink beide vakjes aan"):
        checkout_start(user=buyer, checkout_token="t" * 43, method="ideal", withdrawal_consent=False)
    assert (Order.objects.count(), Payment.objects.count()) == (0, 0)


def test_both_boxes_are_stored_on_the_order_with_the_texts_version(buyer_client, buyer, settings):
    settings.LEGAL_TEXTS_VERSION = "2027-01-15"
    add(buyer_client, ListingFactory())
    token = _token(_checkout_page(buyer_client))

    response = buyer_client.post(CHECKOUT, {"checkout_token": token, "method": "ideal", **CONSENT})

    order = Order.objects.get()
    payment = Payment.objects.get()
    assert response["Location"] == payment.checkout_url
    assert order.immediate_delivery_consent_at is not None
    assert order.withdrawal_waiver_acknowledged_at == order.immediate_delivery_consent_at
    assert order.immediate_delivery_consent_at <= payment.created_at
    assert order.legal_texts_version == "2027-01-15"
    event = AuditEvent.objects.get(action="order.withdrawal_consent")
    assert (event.object_type, event.object_id, event.actor_id) == ("orders.order", str(order.pk), buyer.pk)
    assert event.data == {
        "consent_at": order.immediate_delivery_consent_at.isoformat(),
        "acknowledged_at": order.withdrawal_waiver_acknowledged_at.isoformat(),
        "legal_texts_version": "2027-01-15",
    }


def test_a_double_submit_makes_one_order_one_payment_and_keeps_the_first_consent(buyer_client):
    add(buyer_client, ListingFactory())
    token = _token(_checkout_page(buyer_client))
    form = {"checkout_token": token, "method": "ideal", **CONSENT}

    first = buyer_client.post(CHECKOUT, form)
    given_at = Order.objects.get().immediate_delivery_consent_at
    second = buyer_client.post(CHECKOUT, form)

    assert first["Location"] == second["Location"]
    assert (Order.objects.count(), Payment.objects.count()) == (1, 1)
    assert Order.objects.get().immediate_delivery_consent_at == given_at
    assert AuditEvent.objects.filter(action="order.withdrawal_consent").count() == 1


def test_the_receipt_and_the_order_page_confirm_the_consent(buyer_client, smtp_inbox, settings):
    settings.LEGAL_TEXTS_VERSION = "2027-01-15"
    add(buyer_client, ListingFactory(title="Account Management Samenvatting", seller=SellerFactory()))
    token = _token(_checkout_page(buyer_client))
    buyer_client.post(CHECKOUT, {"checkout_token": token, "method": "ideal", **CONSENT})
    order = Order.objects.get()

    order_mark_paid(order_id=order.pk)  # sends the receipt (tasks run inline in tests)

    (receipt,) = smtp_inbox.messages
    text, html = message_parts(receipt)
    for body in (text, html):
        assert CONFIRMED in " ".join(body.split())
        assert "(algemene voorwaarden, versie 2027-01-15)" in " ".join(body.split())
        assert PRIVATE_SELLER in body
        assert "Niet tevreden? Vraag binnen 14 dagen je geld terug" in " ".join(body.split())
    page = buyer_client.get(reverse("checkout:done", kwargs={"order_number": order.number})).content.decode()
    section = _section(page, "consent-confirmation")
    assert CONFIRMED in " ".join(section.split())
    assert "versie 2027-01-15" in section


def test_an_order_without_consent_says_nothing_about_it(buyer_client, smtp_inbox):
    """Orders made before the boxes existed (and the demo data's) do not claim a consent."""
    order = PaidOrderFactory(send_receipt=True)
    (receipt,) = smtp_inbox.messages
    text, html = message_parts(receipt)
    assert "herroepingsrecht" not in text
    assert "herroepingsrecht" not in html
    buyer_client.force_login(order.buyer, backend=MODEL_BACKEND)
    page = buyer_client.get(reverse("checkout:done", kwargs={"order_number": order.number})).content.decode()
    assert 'id="consent-confirmation"' not in page


def test_each_seller_in_the_cart_is_shown_as_trader_or_private(buyer_client):
    private = SellerFactory(display_name="Lotte")
    trader = SellerFactory(
        display_name="Bijles BV",
        slug="bijles-bv",
        seller_kind=SellerKind.BUSINESS,
        trader_legal_name="Bijles Nederland B.V.",
        trader_registration_number="12345678",
    )
    for seller in (private, trader, private):
        add(buyer_client, ListingFactory(seller=seller))

    html = _checkout_page(buyer_client)

    section = _section(html, "seller-kinds")
    items = re.findall(r'<li data-seller-kind="(\w+)">(.*?)</li>', section, re.S)
    assert [kind for kind, _ in items] == ["private", "business"]  # each seller once, in cart order
    private_text, trader_text = (" ".join(text.split()) for _, text in items)
    assert private_text == (
        "<strong>Lotte</strong> verkoopt als particulier. Het Europese consumentenrecht is daarom niet "
        "van toepassing op wat je van deze verkoper koopt. De tevredenheidsgarantie van studymarket geldt "
        "wel: dat is een vrijwillige belofte van studymarket."
    )
    assert trader_text.startswith(
        "<strong>Bijles BV</strong> verkoopt als handelaar (zakelijke verkoper). Het Europese "
        "consumentenrecht is van toepassing op wat je van deze verkoper koopt."
    )
    assert "Handelsnaam: Bijles Nederland B.V. · KvK/KBO: 12345678" in trader_text
    assert 'href="/voorwaarden/#rangschikking"' in section
    assert html.index('id="seller-kinds"') < html.index('<button type="submit">Betalen</button>')


def test_the_back_office_timeline_shows_the_consent(buyer_client, settings):
    settings.LEGAL_TEXTS_VERSION = "2027-01-15"
    add(buyer_client, ListingFactory())
    token = _token(_checkout_page(buyer_client))
    buyer_client.post(CHECKOUT, {"checkout_token": token, "method": "ideal", **CONSENT})
    order = Order.objects.get()
    staff_client = Client()
    login(staff_client, UserFactory(is_staff=True))

    page = staff_client.get(reverse("support:order_detail", args=[order.number])).content.decode()

    timeline = page[page.index('<ol id="timeline"') : page.index("</ol>", page.index('<ol id="timeline"'))]
    entry = timeline[timeline.index('data-action="order.withdrawal_consent"') :]
    entry = entry[: entry.index("</li>")]
    assert "bram@example.nl" in entry  # the buyer gave it
    assert "legal_texts_version: 2027-01-15" in entry
    assert order.immediate_delivery_consent_at is not None
    assert f"consent_at: {order.immediate_delivery_consent_at.isoformat()}" in entry
