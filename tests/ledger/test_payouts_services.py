"""Payouts: request (idempotent, one open at a time, minimum, details), weekly, the SEPA batch
(valid pain.001.001.03), paid and failed (compensating entries, the seller e-mailed)."""

import os
from datetime import datetime, timedelta

import pytest
import sepaxml  # type: ignore[import-untyped]  # no type information shipped
from django.core import mail
from django.utils import timezone
from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

from studymarket.accounts.models import SellerProfile
from studymarket.accounts.services import seller_payout_details_update
from studymarket.core.models import AuditEvent
from studymarket.core.money import Money
from studymarket.ledger.models import AccountKind, Journal, JournalSource, Payout, PayoutStatus, PayoutTrigger
from studymarket.ledger.payouts import services
from studymarket.ledger.payouts.services import (
    PayoutRefused,
    payout_batch_create,
    payout_mark_failed,
    payout_mark_paid,
    payout_request,
    payouts_weekly_create,
)
from studymarket.ledger.postings import earnings_release_due
from studymarket.ledger.selectors import seller_balance
from tests.factories import SellerFactory, UserFactory
from tests.ledger.ledger_helpers import balance, now, paid_line, seller_cents

# 949 incl. 21 % VAT (165) less 20 % commission on 784 (157): the seller's share.
SHARE = 627
IBAN = "NL20INGB0001234567"
SCHEMA = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}

pytestmark = pytest.mark.usefixtures("ledger_balanced")


def seller_with_available(
    *, lines: int = 2, iban: str = IBAN, holder: str = "Jan Jansen", schedule: str = "request"
) -> SellerProfile:
    """A seller with payout details and ``lines`` sales released (SHARE each available)."""
    seller = SellerFactory()
    if iban:
        seller_payout_details_update(seller=seller, account_holder=holder, iban=iban, schedule=schedule)
    for _ in range(lines):
        paid_line(seller=seller)
    earnings_release_due(now=now() + timedelta(days=15))
    seller.refresh_from_db()
    return seller


def staff():
    return UserFactory(is_staff=True)


@pytest.mark.django_db
def test_a_request_pays_out_the_whole_available_balance():
    seller = seller_with_available()
    assert seller_cents(seller) == (0, 2 * SHARE, 0)

    payout = payout_request(seller=seller, actor=seller.user, request_key="a" * 32)

    assert (payout.amount_cents, payout.status, payout.provider, payout.trigger) == (
        1254,
        PayoutStatus.CREATED,
        "sepa",
        PayoutTrigger.REQUEST,
    )
    assert (payout.account_holder, payout.iban, payout.bic) == ("Jan Jansen", IBAN, "INGBNL2A")
    assert seller_cents(seller) == (0, 0, 0)
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == -1254
    journal = Journal.objects.get(source=JournalSource.PAYOUT, source_ref=str(payout.pk))
    assert sorted((e.account.kind, e.amount_cents) for e in journal.entries.select_related("account")) == [
        (AccountKind.PAYOUTS_IN_TRANSIT, -1254),
        (AccountKind.SELLER_AVAILABLE, 1254),
    ]
    event = AuditEvent.objects.get(action="payout.created", object_id=str(payout.pk))
    assert (event.actor, event.data["amount_cents"], event.data["iban_end"]) == (seller.user, 1254, "4567")
    shown = seller_balance(seller_id=seller.pk)
    assert (shown.available, shown.in_transit, shown.paid_out) == (Money(0), Money(1254), Money(0))


@pytest.mark.django_db
def test_the_same_request_twice_makes_one_payout():
    seller = seller_with_available()

    first = payout_request(seller=seller, request_key="b" * 32)
    second = payout_request(seller=seller, request_key="b" * 32)

    assert first.pk == second.pk
    assert Payout.objects.count() == 1
    assert Journal.objects.filter(source=JournalSource.PAYOUT).count() == 1


@pytest.mark.django_db
def test_a_second_payout_waits_for_the_open_one():
    seller = seller_with_available(lines=4)
    payout_request(seller=seller, request_key="c" * 32)
    paid_line(seller=seller)
    earnings_release_due(now=now() + timedelta(days=15))

    with pytest.raises(PayoutRefused) as refused:
        payout_request(seller=seller, request_key="d" * 32)

    assert refused.value.message == (
        "Er is al een uitbetaling onderweg naar je bank. Zodra die is verwerkt, kun je een nieuwe aanvragen."
    )
    assert Payout.objects.count() == 1
    assert seller_cents(seller) == (0, SHARE, 0)


@pytest.mark.django_db
def test_no_payout_without_details():
    seller = seller_with_available(iban="")

    with pytest.raises(PayoutRefused) as refused:
        payout_request(seller=seller)

    assert refused.value.message == (
        "Vul eerst je rekeninggegevens in (naam rekeninghouder en IBAN); daarna kun je uitbetalen."
    )
    assert not Payout.objects.exists()


@pytest.mark.django_db
def test_no_payout_below_the_minimum():
    seller = seller_with_available(lines=1)

    with pytest.raises(PayoutRefused) as refused:
        payout_request(seller=seller)

    assert refused.value.message == (
        "Je beschikbare saldo is € 6,27. Uitbetalen kan vanaf € 10,00; verdiensten komen vrij zodra "
        "de garantietermijn van een verkoop voorbij is."
    )
    assert seller_cents(seller) == (0, SHARE, 0)


@pytest.mark.django_db
def test_the_minimum_is_a_setting(settings):
    settings.PAYOUT_MINIMUM_CENTS = 500
    seller = seller_with_available(lines=1)

    assert payout_request(seller=seller).amount_cents == SHARE


@pytest.mark.django_db
def test_held_earnings_are_not_paid_out():
    seller = seller_with_available(lines=2)
    paid_line(seller=seller)  # still in the guarantee window

    payout = payout_request(seller=seller)

    assert payout.amount_cents == 2 * SHARE
    assert seller_cents(seller) == (SHARE, 0, 0)


def _monday(hour: int = 10) -> datetime:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return timezone.make_aware(datetime.combine(monday, datetime.min.time())) + timedelta(hours=hour)


@pytest.mark.django_db
def test_weekly_payouts_once_a_week_for_weekly_sellers(settings):
    settings.PAYOUT_WEEKDAY = 2  # Wednesday
    weekly = seller_with_available(schedule="weekly")
    on_request = seller_with_available(schedule="request")
    too_little = seller_with_available(lines=1, schedule="weekly")
    monday = _monday()

    assert payouts_weekly_create(monday) == 0  # before this week's payout day
    assert payouts_weekly_create(monday + timedelta(days=2)) == 1
    assert payouts_weekly_create(monday + timedelta(days=3)) == 0  # once a week

    payout = Payout.objects.get()
    assert (payout.seller_id, payout.trigger, payout.amount_cents) == (weekly.pk, PayoutTrigger.WEEKLY, 1254)
    assert seller_cents(on_request) == (0, 1254, 0)
    assert seller_cents(too_little) == (0, SHARE, 0)


@pytest.mark.django_db
def test_weekly_payout_next_week_after_the_first_was_paid(settings):
    settings.PAYOUT_WEEKDAY = 0
    seller = seller_with_available(schedule="weekly")
    monday = _monday()
    payouts_weekly_create(monday)
    payout_batch_create(actor=staff())
    payout_mark_paid(payout_id=Payout.objects.get().pk, actor=staff())
    for _ in range(2):
        paid_line(seller=seller)
    earnings_release_due(now=now() + timedelta(days=15))

    assert payouts_weekly_create(monday + timedelta(days=7)) == 1

    assert sorted(Payout.objects.values_list("status", "amount_cents")) == [
        (PayoutStatus.CREATED, 1254),
        (PayoutStatus.PAID, 1254),
    ]


def _validated(document: str) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(SCHEMA))
    root = etree.fromstring(document.encode("utf-8"))
    schema.assertValid(root)
    return root


@pytest.mark.django_db
def test_the_batch_is_a_valid_pain_001_file_of_every_created_payout():
    first = payout_request(seller=seller_with_available())
    second = payout_request(
        seller=seller_with_available(lines=3, iban="BE68539007547034", holder="Marie Peeters")
    )
    actor = staff()

    batch = payout_batch_create(actor=actor)

    assert batch is not None
    root = _validated(batch.document)
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == batch.message_id
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "31.35"
    assert root.findtext(".//p:Dbtr/p:Nm", namespaces=NS) == "studymarket B.V."
    assert root.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "NL91ABNA0417164300"
    transfers = [
        (
            tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
            tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
        )
        for tx in root.iterfind(".//p:CdtTrfTxInf", namespaces=NS)
    ]
    assert transfers == [
        (f"SM-PAYOUT-{first.pk}", "12.54", "Jan Jansen", IBAN),
        (f"SM-PAYOUT-{second.pk}", "18.81", "Marie Peeters", "BE68539007547034"),
    ]
    assert batch.total_cents == 3135
    assert list(Payout.objects.order_by("pk").values_list("status", "batch_id", "provider_reference")) == [
        (PayoutStatus.SENT, batch.pk, f"SM-PAYOUT-{first.pk}"),
        (PayoutStatus.SENT, batch.pk, f"SM-PAYOUT-{second.pk}"),
    ]
    assert AuditEvent.objects.filter(action="payout.sent", actor=actor).count() == 2
    assert payout_batch_create(actor=actor) is None  # nothing left to send: no second file


@pytest.mark.django_db
def test_a_file_sepaxml_refuses_is_no_batch():
    payout = payout_request(seller=seller_with_available())
    Payout.objects.filter(pk=payout.pk).update(iban="NOT AN IBAN")

    with pytest.raises(PayoutRefused) as refused:
        payout_batch_create(actor=staff())

    assert refused.value.message.startswith("Het SEPA-bestand kon niet worden gemaakt: ")
    payout.refresh_from_db()
    assert (payout.status, payout.batch_id) == (PayoutStatus.CREATED, None)


@pytest.mark.django_db
def test_marked_paid_leaves_transit_and_counts_as_paid_out():
    seller = seller_with_available()
    payout = payout_request(seller=seller)
    payout_batch_create(actor=staff())
    actor = staff()

    paid = payout_mark_paid(payout_id=payout.pk, actor=actor)
    again = payout_mark_paid(payout_id=payout.pk, actor=actor)

    assert (paid.status, again.status) == (PayoutStatus.PAID, PayoutStatus.PAID)
    assert paid.paid_at is not None
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == 0
    assert Journal.objects.filter(source=JournalSource.PAYOUT_PAID, source_ref=str(payout.pk)).count() == 1
    assert AuditEvent.objects.filter(action="payout.paid", object_id=str(payout.pk), actor=actor).count() == 1
    shown = seller_balance(seller_id=seller.pk)
    assert (shown.available, shown.in_transit, shown.paid_out) == (Money(0), Money(0), Money(1254))


@pytest.mark.django_db
def test_only_a_sent_payout_can_be_marked():
    payout = payout_request(seller=seller_with_available())

    with pytest.raises(PayoutRefused) as refused:
        payout_mark_paid(payout_id=payout.pk, actor=staff())

    assert refused.value.message == (
        f"Uitbetaling {payout.pk} staat nog in de wachtrij: maak eerst het SEPA-bestand en lever het "
        "aan bij de bank."
    )
    payout_batch_create(actor=staff())
    payout_mark_paid(payout_id=payout.pk, actor=staff())
    with pytest.raises(PayoutRefused) as refused:
        payout_mark_failed(payout_id=payout.pk, actor=staff(), reason="AC04 rekening opgeheven")
    assert refused.value.message == f"Uitbetaling {payout.pk} is al uitbetaald; dat kan niet meer veranderen."
    with pytest.raises(Payout.DoesNotExist):
        payout_mark_paid(payout_id=payout.pk + 1000, actor=staff())


@pytest.mark.django_db
def test_a_failed_payout_puts_the_money_back_and_tells_the_seller(django_capture_on_commit_callbacks):
    seller = seller_with_available()
    payout = payout_request(seller=seller)
    payout_batch_create(actor=staff())
    actor = staff()

    with django_capture_on_commit_callbacks(execute=True):
        failed = payout_mark_failed(payout_id=payout.pk, actor=actor, reason="  AC04  rekening opgeheven ")
    with django_capture_on_commit_callbacks(execute=True):
        again = payout_mark_failed(payout_id=payout.pk, actor=actor, reason="nog eens")

    assert (failed.status, failed.failure_reason, again.failure_reason) == (
        PayoutStatus.FAILED,
        "AC04 rekening opgeheven",
        "AC04 rekening opgeheven",
    )
    assert seller_cents(seller) == (0, 1254, 0)
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == 0
    journal = Journal.objects.get(source=JournalSource.PAYOUT_FAILURE, source_ref=str(payout.pk))
    assert sorted((e.account.kind, e.amount_cents) for e in journal.entries.select_related("account")) == [
        (AccountKind.PAYOUTS_IN_TRANSIT, 1254),
        (AccountKind.SELLER_AVAILABLE, -1254),
    ]
    event = AuditEvent.objects.get(action="payout.failed", object_id=str(payout.pk))
    assert (event.actor, event.data) == (actor, {"reason": "AC04 rekening opgeheven"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == ([seller.user.email], "Je uitbetaling van € 12,54 is niet gelukt")
    assert "rekening eindigend op 4567 is niet gelukt" in message.body
    assert "Reden van de bank: AC04 rekening opgeheven" in message.body
    assert "/verkopen/verdiensten/" in message.body
    # The money is the seller's again: a new request pays it out.
    assert payout_request(seller=seller).amount_cents == 1254


@pytest.mark.django_db
def test_a_failure_needs_a_reason():
    payout = payout_request(seller=seller_with_available())
    payout_batch_create(actor=staff())

    with pytest.raises(PayoutRefused) as refused:
        payout_mark_failed(payout_id=payout.pk, actor=staff(), reason="   ")

    assert refused.value.message == "Geef de reden op die de bank noemt, zodat de verkoper weet wat te doen."
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SENT


@pytest.mark.django_db
def test_weekly_task_path_runs(settings):
    from studymarket.ledger.payouts.tasks import payouts_weekly_task

    settings.PAYOUT_WEEKDAY = timezone.localtime(now()).weekday()
    seller_with_available(schedule="weekly")

    result = payouts_weekly_task.enqueue()

    assert result.return_value == 1
    assert Payout.objects.get().trigger == PayoutTrigger.WEEKLY


def test_reference_fits_sepa():
    payout = Payout(pk=123456789)
    assert services.payout_reference(payout) == "SM-PAYOUT-123456789"
    assert len(services.payout_reference(payout)) <= 35


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("iban", "field", "message"),
    [
        ("", "iban", "Vul je IBAN in, bijvoorbeeld NL20 INGB 0001 2345 67."),
        (
            "XX20INGB0001234567",
            "iban",
            "Dit IBAN begint niet met een bestaande landcode. "
            "Een IBAN begint met twee letters, zoals NL of BE.",
        ),
        (
            "NL20INGB000123456",
            "iban",
            "Dit IBAN heeft niet het juiste aantal tekens. Neem het over van je bankpas of uit je bankapp.",
        ),
        (
            "BR1800360305000010009795493C1",
            "iban",
            "We kunnen alleen uitbetalen naar een rekening in een SEPA-land (zoals Nederland of België). "
            "Kies een andere rekening.",
        ),
    ],
)
def test_payout_details_refuse_what_we_cannot_pay_to(iban, field, message):
    from django.core.exceptions import ValidationError

    seller = SellerFactory()

    with pytest.raises(ValidationError) as refused:
        seller_payout_details_update(seller=seller, account_holder="Jan", iban=iban, schedule="request")

    assert refused.value.message_dict == {field: [message]}
    seller.refresh_from_db()
    assert seller.payout_iban == ""


@pytest.mark.django_db
def test_payout_details_are_audited_without_the_whole_iban():
    seller = SellerFactory()

    seller_payout_details_update(
        seller=seller, account_holder="Jan", iban="BE68 5390 0754 7034", schedule="weekly"
    )

    event = AuditEvent.objects.get(action="seller_profile.payout_details_updated")
    assert (event.actor, event.data) == (seller.user, {"iban_end": "7034", "schedule": "weekly"})
    # schwifty knows no bank for this code: no BIC, which a SEPA transfer does without.
    assert (seller.payout_iban, seller.payout_bic) == ("BE68539007547034", "")
