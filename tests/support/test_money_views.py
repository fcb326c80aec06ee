"""The money back office under /beheer/: who may see it, and every page and action on real data
(sales posted by order_mark_paid, payouts by the payout services). Each change goes through a
service and leaves an audit record with the staff member; the ledger stays balanced."""

from datetime import timedelta
from pathlib import Path

import pytest
import sepaxml  # type: ignore[import-untyped]  # no type information shipped
from django.core.cache import cache
from django.urls import reverse
from lxml import etree  # type: ignore[import-untyped]

from studymarket.accounts.models import SellerProfile, User
from studymarket.accounts.services import seller_payout_details_update
from studymarket.catalog.models import Listing
from studymarket.core import clock
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import (
    Account,
    AccountKind,
    Journal,
    JournalSource,
    LedgerCheckRun,
    Payout,
    PayoutBatch,
    PayoutStatus,
)
from studymarket.ledger.payouts.services import payout_request
from studymarket.ledger.postings import earnings_release_due
from studymarket.orders.models import OrderLine
from studymarket.orders.services import order_create, order_mark_paid
from studymarket.payments.models import PaymentStatus, RefundReason, RefundRequest, RefundRequestStatus
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.services import payment_start, payment_sync
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db

IBAN = "NL20INGB0001234567"
PAIN_001 = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"

# Every page (GET) of the money back office, with the arguments it needs.
PAGES = [
    ("support:dashboard", []),
    ("support:order_list", []),
    ("support:order_detail", ["number"]),
    ("support:refund_queue", []),
    ("support:payout_queue", []),
    ("support:payout_failed", []),
    ("support:payout_batch_download", ["batch"]),
    ("support:ledger_status", []),
    ("support:adjustment", []),
    ("support:reports", []),
    ("support:report_vat", []),
    ("support:report_vat_csv", []),
    ("support:report_revenue", []),
    ("support:report_revenue_csv", []),
    ("support:report_payables", []),
    ("support:report_payables_csv", []),
]
# Every action (POST only).
ACTIONS = [
    ("support:refund_decide", ["request"]),
    ("support:payout_batch_create", []),
    ("support:payout_paid", ["payout"]),
    ("support:payout_fail", ["payout"]),
    ("support:ledger_check", []),
    ("support:adjustment", []),
]


# ---------------------------------------------------------------------------------------------
# The world: a seller with payout details, sales, a payout in a SEPA file, a refund request.


def sale(*, buyer: User, listing: Listing) -> OrderLine:
    order = order_create(buyer=buyer, listings=[listing])
    order_mark_paid(order_id=order.pk)
    line: OrderLine = order.lines.get()
    return line


def seller_with_details(name: str = "Jan Peeters") -> SellerProfile:
    seller: SellerProfile = SellerFactory(display_name=name.lower().replace(" ", "-"))
    return seller_payout_details_update(seller=seller, account_holder=name, iban=IBAN, schedule="request")


def released_sales(*, seller: SellerProfile, count: int) -> list[OrderLine]:
    """``count`` paid sales of the seller whose guarantee window is over and released."""
    listing = ListingFactory(seller=seller)
    lines = [sale(buyer=UserFactory(), listing=listing) for _ in range(count)]
    clock.advance(timedelta(days=15))
    earnings_release_due()
    return lines


def payout_created(seller: SellerProfile | None = None) -> Payout:
    """A payout of two released sales (2 × € 6,27 = € 12,54): above the € 10 minimum."""
    seller = seller or seller_with_details()
    released_sales(seller=seller, count=2)
    return payout_request(seller=seller)


@pytest.fixture
def staff() -> User:
    user: User = UserFactory(email="medewerker@studymarket.test", is_staff=True)
    return user


@pytest.fixture
def staff_client(client, staff):
    login(client, staff)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------------------------------------
# Who may see it


@pytest.fixture
def url_args(staff):
    """Real objects for every URL's arguments."""
    buyer = UserFactory()
    line = sale(buyer=buyer, listing=ListingFactory())
    request = RefundRequest.objects.create(
        order_line=line, buyer=buyer, reason=RefundReason.POOR_QUALITY, within_window=True, downloaded=True
    )
    payout = payout_created()
    from studymarket.ledger.payouts.services import payout_batch_create

    batch = payout_batch_create(actor=staff)
    assert batch is not None
    return {"number": line.order.number, "request": request.pk, "payout": payout.pk, "batch": batch.pk}


def _url(name: str, args: list[str], url_args: dict[str, object]) -> str:
    return reverse(name, args=[url_args[a] for a in args])


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_ask_an_anonymous_visitor_to_log_in(client, url_args, name, args):
    url = _url(name, args, url_args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("role", ["buyer", "seller"])
@pytest.mark.parametrize(("name", "args"), PAGES + ACTIONS)
def test_the_back_office_does_not_exist_for_buyers_and_sellers(client, url_args, role, name, args):
    user = UserFactory() if role == "buyer" else SellerFactory().user
    login(client, user)
    method = client.post if (name, args) in ACTIONS else client.get
    response = method(_url(name, args, url_args), {"decision": "goedkeuren", "reason": "x"})
    assert response.status_code == 404
    assert b"SEPA" not in response.content


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_staff_see_every_page(staff_client, url_args, name, args):
    response = staff_client.get(_url(name, args, url_args))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "args"), [a for a in ACTIONS if a[0] != "support:adjustment"])
def test_actions_are_posts_only(staff_client, url_args, name, args):
    before = AuditEvent.objects.count()
    assert staff_client.get(_url(name, args, url_args)).status_code == 405
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("name", "args"), ACTIONS)
def test_actions_need_the_csrf_token(url_args, staff, name, args):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, staff)
    before = (AuditEvent.objects.count(), Journal.objects.count(), LedgerCheckRun.objects.count())
    response = client.post(
        _url(name, args, url_args), {"decision": "goedkeuren", "reason": "Rekening opgeheven"}
    )
    assert response.status_code == 403
    assert (AuditEvent.objects.count(), Journal.objects.count(), LedgerCheckRun.objects.count()) == before


def test_non_staff_superuser_flag_alone_is_not_enough(client):
    """is_staff decides; a user without it sees nothing, whatever else they are."""
    login(client, UserFactory(is_superuser=False, is_staff=False))
    assert client.get(reverse("support:dashboard")).status_code == 404


# ---------------------------------------------------------------------------------------------
# Dashboard


def test_dashboard_counts_each_queue_and_shows_the_last_check(staff_client, staff, ledger_balanced):
    buyer = UserFactory()
    line = sale(buyer=buyer, listing=ListingFactory())
    RefundRequest.objects.create(
        order_line=line, buyer=buyer, reason=RefundReason.OTHER, within_window=False, downloaded=False
    )
    payout_created()
    response = staff_client.get(reverse("support:dashboard"))
    counts = response.context["counts"]
    assert (counts.refund_requests, counts.payouts_to_send, counts.payouts_sent, counts.payouts_failed) == (
        1,
        1,
        0,
        0,
    )
    html = response.content.decode()
    assert '<td data-count="refund_requests">1</td>' in html
    assert '<td data-count="payouts_to_send">1</td>' in html
    assert "Het grootboek is nog niet gecontroleerd." in html

    staff_client.post(reverse("support:ledger_check"))
    html = staff_client.get(reverse("support:dashboard")).content.decode()
    assert "Het grootboek klopt (gecontroleerd op" in html
    # The admin's raw data is linked, read-only, for whoever may view it (Django's permissions).
    assert reverse("admin:ledger_journal_changelist") not in html
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    html = staff_client.get(reverse("support:dashboard")).content.decode()
    assert f'<a href="{reverse("admin:ledger_journal_changelist")}">' in html


# ---------------------------------------------------------------------------------------------
# Orders


def test_order_search_by_number_goes_straight_to_the_order(staff_client, ledger_balanced):
    line = sale(buyer=UserFactory(email="koper@example.nl"), listing=ListingFactory())
    number = line.order.number
    response = staff_client.get(reverse("support:order_list"), {"q": number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("support:order_detail", args=[number])


def test_order_search_by_email_lists_the_buyers_orders(staff_client, ledger_balanced):
    buyer = UserFactory(email="koper@example.nl")
    first = sale(buyer=buyer, listing=ListingFactory())
    second = sale(buyer=buyer, listing=ListingFactory())
    sale(buyer=UserFactory(email="iemand@example.be"), listing=ListingFactory())
    response = staff_client.get(reverse("support:order_list"), {"q": "KOPER@example"})
    assert [o.number for o in response.context["orders"]] == [second.order.number, first.order.number]
    assert "2 bestellingen gevonden" in response.content.decode()


def test_order_search_without_a_match_says_how_to_search(staff_client):
    response = staff_client.get(reverse("support:order_list"), {"q": "SM-NIETS"})
    assert response.status_code == 200
    assert 'Geen bestelling gevonden voor "SM-NIETS".' in response.content.decode()


def test_order_detail_has_the_lines_journals_and_full_timeline(staff_client, staff, ledger_balanced):
    seller = seller_with_details()
    line = released_sales(seller=seller, count=1)[0]
    number = line.order.number
    response = staff_client.get(reverse("support:order_detail", args=[number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Bestelling {number}" in html
    assert "btw € 1,65 (21 %), commissie € 1,57" in html

    (item,) = response.context["lines"]
    assert [view.journal.source for view in item.journals] == [JournalSource.SALE, JournalSource.RELEASE]
    sale_rows = {(row.account, row.debit, row.credit) for row in item.journals[0].entries}
    assert {(a, d.cents if d else None, c.cents if c else None) for a, d, c in sale_rows} == {
        ("Betaaldienst", 949, None),
        ("Af te dragen btw NL", None, 165),
        ("Omzet platform (commissie)", None, 157),
        (f"Verkoper: in de garantietermijn · {seller.display_name}", None, 627),
    }
    assert "<td>Betaaldienst</td><td>€ 9,49</td><td></td>" in html

    actions = [item.action for item in response.context["timeline"]]
    for action in ["order.created", "order.paid", "entitlement.granted", "journal.sale", "journal.release"]:
        assert action in actions
    assert actions.index("order.created") < actions.index("order.paid")
    assert "Bestelling aangemaakt" in html
    assert "Geboekt: Vrijgegeven na garantietermijn" in html


def test_order_detail_shows_who_decided(staff_client, staff, ledger_balanced):
    """A staff action on the order (here: a refund request decided by staff) names the staff member."""
    buyer = UserFactory()
    line = sale(buyer=buyer, listing=ListingFactory())
    request = RefundRequest.objects.create(
        order_line=line, buyer=buyer, reason=RefundReason.OTHER, within_window=False, downloaded=True
    )
    from studymarket.core.audit import audit_record

    audit_record(action="refund_request.rejected", obj=request, actor=staff, reason="Te laat")
    response = staff_client.get(reverse("support:order_detail", args=[line.order.number]))
    (rejected,) = [i for i in response.context["timeline"] if i.action == "refund_request.rejected"]
    assert (rejected.actor, rejected.label, rejected.details) == (
        "medewerker@studymarket.test",
        "Terugbetalingsverzoek afgewezen",
        {"reason": "Te laat"},
    )


def test_an_unknown_order_is_404(staff_client):
    assert staff_client.get(reverse("support:order_detail", args=["SM-0000"])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Refund requests


def paid_through_the_provider(*, buyer: User, listing: Listing) -> OrderLine:
    """A sale paid the way a buyer pays (simulated provider, payment_sync), so that a refund
    has a payment to go back through."""
    order = order_create(buyer=buyer, listings=[listing])
    payment = payment_start(order=order, method="ideal")
    assert payment.provider_id is not None
    simulated_payment_decide(simulated_id=payment.provider_id, status="paid")
    assert payment_sync(payment_id=payment.pk).status == PaymentStatus.PAID
    line: OrderLine = order.lines.get()
    return line


@pytest.fixture
def refund_request():
    buyer = UserFactory(email="koper@example.nl")
    line = paid_through_the_provider(buyer=buyer, listing=ListingFactory(title="Marketing Samenvatting"))
    return RefundRequest.objects.create(
        order_line=line,
        buyer=buyer,
        reason=RefundReason.POOR_QUALITY,
        explanation="Onleesbare scans.",
        within_window=True,
        downloaded=True,
    )


def test_the_refund_queue_lists_waiting_requests(staff_client, refund_request, ledger_balanced):
    response = staff_client.get(reverse("support:refund_queue"))
    html = response.content.decode()
    assert f'id="request-{refund_request.pk}"' in html
    assert "Marketing Samenvatting" in html
    assert "De kwaliteit valt tegen: “Onleesbare scans.”" in html
    assert "binnen de garantietermijn" in html
    assert "pdf gedownload" in html


def test_rejecting_needs_a_note_for_the_buyer(staff_client, refund_request, ledger_balanced):
    response = staff_client.post(
        reverse("support:refund_decide", args=[refund_request.pk]), {"decision": "weigeren", "note": " "}
    )
    assert response.status_code == 400
    assert "Schrijf op waarom je dit verzoek afwijst; de koper leest het." in response.content.decode()
    refund_request.refresh_from_db()
    assert refund_request.status == RefundRequestStatus.REQUESTED


def test_an_unknown_refund_request_is_404(staff_client):
    url = reverse("support:refund_decide", args=[999999])
    assert staff_client.post(url, {"decision": "goedkeuren"}).status_code == 404


def test_staff_approve_a_refund(staff_client, staff, refund_request, ledger_balanced):
    pytest.importorskip("studymarket.payments.refunds")  # H3's services
    url = reverse("support:refund_decide", args=[refund_request.pk])
    response = staff_client.post(url, {"decision": "goedkeuren"}, follow=True)
    assert response.status_code == 200, response.context["queue"][0][1].errors
    assert "Goedgekeurd: de terugbetaling is gestart en de toegang ingetrokken." in messages_of(response)
    refund_request.refresh_from_db()
    assert (refund_request.status, refund_request.decided_by) == (RefundRequestStatus.APPROVED, staff)
    line = refund_request.order_line
    line.refresh_from_db()
    assert line.refunded_at is not None
    assert line.entitlement.revoked_at is not None
    assert Journal.objects.filter(source=JournalSource.REFUND, order_line_id=line.pk).count() == 1
    assert AuditEvent.objects.filter(action="refund_request.approved", actor=staff).count() == 1
    # A second click: no second refund.
    staff_client.post(url, {"decision": "goedkeuren"})
    assert Journal.objects.filter(source=JournalSource.REFUND, order_line_id=line.pk).count() == 1


def test_staff_reject_a_refund(staff_client, staff, refund_request, ledger_balanced):
    pytest.importorskip("studymarket.payments.refunds")  # H3's services
    url = reverse("support:refund_decide", args=[refund_request.pk])
    response = staff_client.post(
        url, {"decision": "weigeren", "note": "Na 14 dagen gedownload."}, follow=True
    )
    assert "Afgewezen: de koper krijgt je uitleg per e-mail." in messages_of(response)
    refund_request.refresh_from_db()
    assert (refund_request.status, refund_request.decided_by) == (RefundRequestStatus.REJECTED, staff)
    assert refund_request.order_line.entitlement.revoked_at is None
    assert not Journal.objects.filter(source=JournalSource.REFUND).exists()
    # A colleague's late "approve" on the same request: refused with the service's reason.
    response = staff_client.post(url, {"decision": "goedkeuren"}, follow=True)
    assert messages_of(response) == ["Dit verzoek is al afgewezen; een afwijzing wordt niet teruggedraaid."]
    assert not Journal.objects.filter(source=JournalSource.REFUND).exists()


# ---------------------------------------------------------------------------------------------
# Payouts


def test_the_payout_queue_lists_payouts_to_send(staff_client, ledger_balanced):
    payout = payout_created()
    response = staff_client.get(reverse("support:payout_queue"))
    html = response.content.decode()
    assert "1 uitbetaling, samen € 12,54" in html
    assert IBAN in html
    assert "SEPA-bestand maken" in html
    assert [p.pk for p in response.context["to_send"]] == [payout.pk]


def test_making_the_sepa_file_sends_the_payouts_once(staff_client, staff, ledger_balanced):
    payouts = [
        payout_created(seller_with_details("Jan Peeters")),
        payout_created(seller_with_details("An Jacobs")),
    ]
    response = staff_client.post(reverse("support:payout_batch_create"), follow=True)
    batch = PayoutBatch.objects.get()
    assert messages_of(response) == [
        f"SEPA-bestand {batch.message_id} gemaakt: € 25,08. Download het en lever het aan bij de bank."
    ]
    assert batch.created_by == staff
    for payout in payouts:
        payout.refresh_from_db()
        assert (payout.status, payout.batch_id) == (PayoutStatus.SENT, batch.pk)
    assert AuditEvent.objects.filter(action="payout.sent", actor=staff).count() == 2
    # A double click: the second finds nothing left to send, and says so.
    response = staff_client.post(reverse("support:payout_batch_create"), follow=True)
    assert messages_of(response) == ["Er staan geen uitbetalingen klaar; er is geen bestand gemaakt."]
    assert PayoutBatch.objects.count() == 1


def test_the_sepa_file_downloads_as_valid_pain_001(staff_client, staff, ledger_balanced):
    payout_created()
    staff_client.post(reverse("support:payout_batch_create"))
    batch = PayoutBatch.objects.get()
    response = staff_client.get(reverse("support:payout_batch_download", args=[batch.pk]))
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{batch.message_id}.xml"'
    assert response.content == batch.document.encode("utf-8")
    schema = etree.XMLSchema(etree.parse(str(PAIN_001)))
    document = etree.fromstring(response.content)
    schema.assertValid(document)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert document.findtext(".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN", namespaces=ns) == IBAN
    assert document.findtext(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", namespaces=ns) == "12.54"
    assert staff_client.get(reverse("support:payout_batch_download", args=[999999])).status_code == 404


def test_mark_a_payout_paid(staff_client, staff, ledger_balanced):
    payout = payout_created()
    staff_client.post(reverse("support:payout_batch_create"))
    url = reverse("support:payout_paid", args=[payout.pk])
    response = staff_client.post(url, follow=True)
    assert (
        f"Uitbetaling {payout.pk} aan {payout.seller.display_name} is gemarkeerd als betaald."
        in messages_of(response)
    )
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert AuditEvent.objects.filter(action="payout.paid", actor=staff, object_id=str(payout.pk)).count() == 1
    # Twice: quietly the same.
    staff_client.post(url)
    assert Journal.objects.filter(source=JournalSource.PAYOUT_PAID, source_ref=str(payout.pk)).count() == 1
    assert AuditEvent.objects.filter(action="payout.paid").count() == 1


def test_a_payout_not_sent_yet_cannot_be_marked_paid(staff_client, ledger_balanced):
    payout = payout_created()
    response = staff_client.post(reverse("support:payout_paid", args=[payout.pk]), follow=True)
    (message,) = messages_of(response)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CREATED
    assert message  # the service's own explanation of what to do
    assert staff_client.post(reverse("support:payout_paid", args=[999999])).status_code == 404


def test_mark_a_payout_failed_returns_the_money(staff_client, staff, ledger_balanced):
    payout = payout_created()
    staff_client.post(reverse("support:payout_batch_create"), follow=True)
    url = reverse("support:payout_fail", args=[payout.pk])

    response = staff_client.post(url, {"reason": "  "}, follow=True)
    assert messages_of(response) == ["Vul de reden in die de bank gaf."]
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SENT

    response = staff_client.post(url, {"reason": "Rekening opgeheven"}, follow=True)
    assert messages_of(response) == [
        f"Uitbetaling {payout.pk} is mislukt geboekt; € 12,54 staat weer op het saldo van "
        f"{payout.seller.display_name}."
    ]
    payout.refresh_from_db()
    assert (payout.status, payout.failure_reason) == (PayoutStatus.FAILED, "Rekening opgeheven")
    available = Account.objects.get(kind=AccountKind.SELLER_AVAILABLE, seller=payout.seller)
    assert available.balance_cents == -1254
    assert AuditEvent.objects.filter(action="payout.failed", actor=staff).count() == 1

    html = staff_client.get(reverse("support:payout_failed")).content.decode()
    assert "Rekening opgeheven" in html
    assert "€ 12,54" in html


# ---------------------------------------------------------------------------------------------
# Ledger status and corrections


def test_check_now_records_a_run_and_says_balanced(staff_client, ledger_balanced):
    sale(buyer=UserFactory(), listing=ListingFactory())
    response = staff_client.get(reverse("support:ledger_status"))
    assert "Het grootboek is nog niet gecontroleerd." in response.content.decode()
    response = staff_client.post(reverse("support:ledger_check"), follow=True)
    assert messages_of(response) == ["Het grootboek klopt."]
    run = LedgerCheckRun.objects.get()
    assert (run.ok, run.violations) == (True, [])
    assert "Het grootboek klopt (gecontroleerd op" in response.content.decode()


def test_check_now_lists_what_is_wrong(staff_client):
    sale(buyer=UserFactory(), listing=ListingFactory())
    account = Account.objects.get(kind=AccountKind.PLATFORM_REVENUE)
    Account.objects.filter(pk=account.pk).update(balance_cents=account.balance_cents + 1)  # corrupt it
    response = staff_client.post(reverse("support:ledger_check"), follow=True)
    assert messages_of(response) == ["Het grootboek klopt niet: 1 afwijking. Zie hieronder wat er mis is."]
    run = LedgerCheckRun.objects.get()
    assert run.ok is False
    (violation,) = run.violations
    html = response.content.decode()
    assert "Het grootboek klopt niet: 1 afwijking" in html
    assert f"<li>{violation}</li>" in html


def _adjustment_form(staff_client) -> dict[str, str]:
    response = staff_client.get(reverse("support:adjustment"))
    token = response.context["form"].initial["token"]
    assert len(token) == 32
    return {"token": token}


def test_an_adjustment_is_booked_with_actor_and_reason_once(staff_client, staff, ledger_balanced):
    seller = seller_with_details()
    data = _adjustment_form(staff_client) | {
        "kind": AccountKind.SELLER_AVAILABLE,
        "seller": seller.display_name,
        "direction": "credit",
        "amount": "12,50",
        "counter_kind": AccountKind.ADJUSTMENTS,
        "reason": "Compensatie voor een dubbel verkochte samenvatting",
    }
    response = staff_client.post(reverse("support:adjustment"), data, follow=True)
    journal = Journal.objects.get(source=JournalSource.ADJUSTMENT)
    assert messages_of(response) == [f"Correctie geboekt (journaal {journal.pk}): € 12,50."]
    assert (journal.actor, journal.reason) == (staff, "Compensatie voor een dubbel verkochte samenvatting")
    amounts = sorted(journal.entries.values_list("account__kind", "amount_cents"))
    assert amounts == [(AccountKind.ADJUSTMENTS, 1250), (AccountKind.SELLER_AVAILABLE, -1250)]
    assert AuditEvent.objects.filter(action="ledger.adjustment_posted", actor=staff).count() == 1

    assert journal.source_ref == data["token"]  # the ledger keeps the form's token: one journal per token

    # The same form again (a double click, a reload): booked once, by the ledger's constraint
    # (no cache involved: emptying it changes nothing).
    cache.clear()
    response = staff_client.post(reverse("support:adjustment"), data, follow=True)
    assert messages_of(response) == ["Deze correctie was al geboekt; ze is niet nog eens geboekt."]
    assert Journal.objects.filter(source=JournalSource.ADJUSTMENT).count() == 1


def test_an_adjustment_needs_a_reason_and_a_seller(staff_client, ledger_balanced):
    data = _adjustment_form(staff_client) | {
        "kind": AccountKind.SELLER_AVAILABLE,
        "seller": "",
        "direction": "credit",
        "amount": "5",
        "counter_kind": AccountKind.ADJUSTMENTS,
        "reason": "   ",
    }
    response = staff_client.post(reverse("support:adjustment"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Schrijf op waarom je deze correctie boekt." in html
    assert "Kies bij een rekening van een verkoper ook de verkoper." in html
    assert not Journal.objects.exists()


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("12,505", "Vul een bedrag in hele centen in, bijvoorbeeld 12,50."),
        ("twaalf", "Vul een bedrag in euro in, bijvoorbeeld 12,50."),
        ("0", "Vul een bedrag groter dan nul in; kies de richting hieronder."),
        ("10.000,01", "Een correctie is hoogstens € 10.000,00."),
    ],
)
def test_an_adjustment_amount_is_exact(staff_client, amount, error):
    data = _adjustment_form(staff_client) | {
        "kind": AccountKind.PLATFORM_REVENUE,
        "direction": "debet",
        "amount": amount,
        "counter_kind": AccountKind.ADJUSTMENTS,
        "reason": "Test",
    }
    response = staff_client.post(reverse("support:adjustment"), data)
    assert response.status_code == 400
    assert error in response.content.decode()


def test_an_adjustment_the_service_refuses_can_be_corrected_and_sent_again(staff_client, ledger_balanced):
    """Taking more from a seller's available balance than there is: the service refuses (the
    balance never goes below zero); the same form, corrected, books then."""
    seller = seller_with_details()
    data = _adjustment_form(staff_client) | {
        "kind": AccountKind.SELLER_AVAILABLE,
        "seller": seller.user.email,
        "direction": "debet",
        "amount": "5,00",
        "counter_kind": AccountKind.ADJUSTMENTS,
        "reason": "Terugvordering",
    }
    response = staff_client.post(reverse("support:adjustment"), data)
    assert response.status_code == 400
    assert "onder nul brengen" in response.content.decode()
    assert not Journal.objects.filter(source=JournalSource.ADJUSTMENT).exists()

    data |= {"direction": "credit"}
    response = staff_client.post(reverse("support:adjustment"), data)
    assert response.status_code == 302
    assert Journal.objects.filter(source=JournalSource.ADJUSTMENT).count() == 1


def test_an_adjustment_form_without_its_token_books_nothing(staff_client):
    data = {
        "kind": AccountKind.PLATFORM_REVENUE,
        "direction": "debet",
        "amount": "1",
        "counter_kind": AccountKind.ADJUSTMENTS,
        "reason": "Test",
    }
    response = staff_client.post(reverse("support:adjustment"), data)
    assert response.status_code == 400
    assert "Laad de pagina opnieuw en vul de correctie nog eens in." in response.content.decode()
    assert not Journal.objects.exists()


# ---------------------------------------------------------------------------------------------
# Django's admin: raw data, read-only


@pytest.mark.parametrize(
    "model",
    [
        "ledger/account",
        "ledger/journal",
        "ledger/entry",
        "ledger/payout",
        "ledger/payoutbatch",
        "ledger/ledgercheckrun",
        "payments/payment",
        "payments/refund",
        "payments/refundrequest",
    ],
)
def test_the_admin_shows_money_data_read_only(client, model, ledger_balanced):
    payout_created()
    login(client, UserFactory(is_staff=True, is_superuser=True))
    assert client.get(f"/beheer/{model}/").status_code == 200
    assert client.get(f"/beheer/{model}/add/").status_code == 403
    journal = Journal.objects.first()
    assert journal is not None
    response = client.post(f"/beheer/ledger/journal/{journal.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Journal.objects.filter(pk=journal.pk).exists()
