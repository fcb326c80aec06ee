"""The refund queue groups a bundle's guarantee requests (issue 17, ADR 0028): a request for one
document of a bundle makes one request per document, and one staff decision decides them all,
so staff see ONE entry per bundle complaint with ONE form. A document bought on its own looks as
it did. Deciding goes through the same service (payments.refunds.requests); a second click, or a
colleague's late decision, changes nothing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Journal, JournalSource
from studymarket.orders.models import Order, OrderLine
from studymarket.orders.services import order_create
from studymarket.orders.specs import LineSpec
from studymarket.payments.models import Refund, RefundRequest, RefundRequestStatus
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.refunds import refund_request_create
from studymarket.payments.services import payment_start, payment_sync
from studymarket.support.money import selectors
from tests.bundle_purchases import bundle_make, bundle_specs
from tests.factories import ListingFactory, UserFactory
from tests.logins import login
from tests.payments.refunding import assert_not_refunded, assert_refunded_once, downloaded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]

FORM = re.compile(r'<form method="post" action="/[^"]*/(\d+)/[^"]*"')


@pytest.fixture
def staff():
    return UserFactory(email="medewerker@studymarket.test", is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    login(client, staff)
    return client


def _paid(lines: list[LineSpec], *, email: str) -> list[OrderLine]:
    """Paid the way a buyer pays (simulated provider, payment_sync): a refund has a payment to
    go back through. The order's lines, in id order."""
    order: Order = order_create(buyer=UserFactory(email=email), lines=lines)
    payment = payment_start(order=order, method="ideal")
    assert payment.provider_id is not None
    simulated_payment_decide(simulated_id=payment.provider_id, status="paid")
    payment_sync(payment_id=payment.pk)
    return list(OrderLine.objects.select_related("order").filter(order=order).order_by("pk"))


def _bundle_request(email: str = "bundelkoper@example.nl") -> tuple[RefundRequest, list[OrderLine]]:
    """A bundle of three documents (€ 4,99 + € 7,99 + € 3,49 at € 12,99: € 3,94 + € 6,30 +
    € 2,75), the first one downloaded, so the buyer's request waits for staff."""
    bundle = bundle_make(prices=(499, 799, 349), price_cents=1299, title="Tentamenbundel Marketing")
    lines = _paid(bundle_specs(bundle), email=email)
    downloaded(lines[0])
    request = refund_request_create(
        buyer=lines[0].order.buyer, order_line=lines[1], reason="poor_quality", explanation="Slechte scans."
    )
    assert request.status == RefundRequestStatus.REQUESTED
    return request, lines


def _single_request() -> RefundRequest:
    (line,) = _paid(
        [
            LineSpec(
                listing=ListingFactory(title="Marketing Samenvatting", price_cents=949),
                bundle_id=None,
                list_price_cents=949,
            )
        ],
        email="koper@example.nl",
    )
    downloaded(line)
    return refund_request_create(
        buyer=line.order.buyer, order_line=line, reason="poor_quality", explanation=""
    )


def _queue_html(staff_client: Client) -> str:
    html: str = staff_client.get(reverse("support:refund_queue")).content.decode()
    return html


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_bundle_of_three_is_one_entry_with_one_form(staff_client):
    request, lines = _bundle_request()
    assert RefundRequest.objects.filter(status=RefundRequestStatus.REQUESTED).count() == 3
    first = RefundRequest.objects.get(order_line=lines[0])

    html = _queue_html(staff_client)

    assert html.count('class="refund-request"') == 1
    assert FORM.findall(html) == [str(first.pk)]  # one form, naming the bundle's first request
    assert f'id="request-{first.pk}"' in html
    assert "Bundel „Tentamenbundel Marketing”" in html
    assert "3 documenten" in html
    assert lines[0].order.number in html
    assert "bundelkoper@example.nl" in html
    assert "De kwaliteit valt tegen: “Slechte scans.”" in html
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"amount\">(.*?)</td><td>(.*?)</td></tr>", html)
    assert rows == [
        (lines[0].title, "€ 3,94", "pdf gedownload"),
        (lines[1].title, "€ 6,30", "niet gedownload"),
        (lines[2].title, "€ 2,75", "niet gedownload"),
    ]
    assert '<th scope="row">Totaal terug te betalen</th><td class="amount">€ 12,99</td>' in html
    assert "Hele bundel goedkeuren en € 12,99 terugbetalen" in html
    assert '<p id="refund-queue-count">1 verzoek (3 documenten)</p>' in html


def test_approving_the_bundle_once_refunds_all_three_lines(staff_client, staff):
    request, lines = _bundle_request()
    first = RefundRequest.objects.get(order_line=lines[0])
    url = reverse("support:refund_decide", args=[first.pk])

    response = staff_client.post(url, {"decision": "goedkeuren"}, follow=True)

    assert _messages(response) == [
        "Goedgekeurd: alle documenten van de bundel worden terugbetaald, de toegang is ingetrokken."
    ]
    refunds = [assert_refunded_once(line) for line in lines]
    assert sum(refund.amount_cents for refund in refunds) == 1299
    assert set(RefundRequest.objects.values_list("status", "decided_by")) == {
        (RefundRequestStatus.APPROVED, staff.pk)
    }
    html = response.content.decode()
    assert 'id="refund-queue-empty"' in html
    # Recent decisions: the bundle once, not once per document.
    (decided,) = re.findall(r'<table id="refund-decided">.*?</table>', html, flags=re.S)
    assert decided.count("<tr><td>") == 1
    assert "Bundel „Tentamenbundel Marketing”" in decided


def test_a_double_click_and_a_colleagues_late_decision_change_nothing(staff_client, staff):
    request, lines = _bundle_request()
    first = RefundRequest.objects.get(order_line=lines[0])
    url = reverse("support:refund_decide", args=[first.pk])
    staff_client.post(url, {"decision": "goedkeuren"})

    # The same click again, and a stale page that names another request of the bundle.
    staff_client.post(url, {"decision": "goedkeuren"})
    staff_client.post(reverse("support:refund_decide", args=[request.pk]), {"decision": "goedkeuren"})
    # A colleague, with the page still open, rejects it.
    colleague = UserFactory(email="collega@studymarket.test", is_staff=True)
    colleague_client = Client()
    login(colleague_client, colleague)
    response = colleague_client.post(
        reverse("support:refund_decide", args=[lines[2].refund_request.pk]),
        {"decision": "weigeren", "note": "Te laat."},
        follow=True,
    )

    assert _messages(response) == ["Dit verzoek is al goedgekeurd; de terugbetaling is gestart."]
    assert Refund.objects.count() == 3
    for line in lines:
        assert_refunded_once(line)
    assert set(RefundRequest.objects.values_list("status", "decided_by")) == {
        (RefundRequestStatus.APPROVED, staff.pk)
    }
    assert AuditEvent.objects.filter(action="refund_request.approved").count() == 3


def test_rejecting_the_bundle_rejects_every_request_and_keeps_the_access(staff_client, staff):
    request, lines = _bundle_request()

    response = staff_client.post(
        reverse("support:refund_decide", args=[request.pk]),
        {"decision": "weigeren", "note": "Je hebt al een document gedownload."},
        follow=True,
    )

    assert _messages(response) == ["Afgewezen voor de hele bundel: de koper krijgt je uitleg per e-mail."]
    assert list(RefundRequest.objects.values_list("status", flat=True)) == [RefundRequestStatus.REJECTED] * 3
    for line in lines:
        assert_not_refunded(line)
    assert not Journal.objects.filter(source=JournalSource.REFUND).exists()


def test_a_rejection_without_a_note_comes_back_in_the_bundles_one_form(staff_client):
    """Whichever of the bundle's requests the form named, its error shows in the one entry."""
    request, lines = _bundle_request()

    response = staff_client.post(
        reverse("support:refund_decide", args=[request.pk]), {"decision": "weigeren", "note": " "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="refund-request"') == 1
    assert html.count("Schrijf op waarom je dit verzoek afwijst; de koper leest het.") == 1
    assert set(RefundRequest.objects.values_list("status", flat=True)) == {RefundRequestStatus.REQUESTED}


def test_a_single_request_looks_as_before_beside_a_bundle(staff_client, staff):
    _bundle_request()
    single = _single_request()

    html = _queue_html(staff_client)

    assert html.count('class="refund-request"') == 2
    assert len(FORM.findall(html)) == 2
    assert str(single.pk) in FORM.findall(html)
    (entry,) = re.findall(rf'<article id="request-{single.pk}".*?</article>', html, flags=re.S)
    assert "<strong>Marketing Samenvatting</strong> · € 9,49" in entry
    assert "pdf gedownload" in entry
    assert "Bundel" not in entry
    assert "Goedkeuren en terugbetalen" in entry
    assert '<p id="refund-queue-count">2 verzoeken (4 documenten)</p>' in html
    assert selectors.dashboard_counts().refund_requests == 2

    response = staff_client.post(
        reverse("support:refund_decide", args=[single.pk]), {"decision": "goedkeuren"}, follow=True
    )
    assert _messages(response) == ["Goedgekeurd: de terugbetaling is gestart en de toegang ingetrokken."]
    assert_refunded_once(single.order_line)
    assert RefundRequest.objects.filter(status=RefundRequestStatus.REQUESTED).count() == 3  # the bundle's


def test_the_queue_reads_in_two_queries_however_many_bundles(django_assert_num_queries):
    for n in range(2):
        _bundle_request(email=f"koper{n}@example.nl")
    _single_request()

    with django_assert_num_queries(2):
        groups = selectors.refund_queue()
        entries = [
            (g.bundle_title, g.total, [(d.line.title, d.downloaded) for d in g.documents]) for g in groups
        ]

    assert [len(group.requests) for group in groups] == [3, 3, 1]
    assert [(title, total.cents) for title, total, _docs in entries] == [
        ("Tentamenbundel Marketing", 1299),
        ("Tentamenbundel Marketing", 1299),
        ("", 949),
    ]
    assert [downloaded for _title, _total, docs in entries for _doc, downloaded in docs] == [
        *([True, False, False] * 2),
        True,
    ]
