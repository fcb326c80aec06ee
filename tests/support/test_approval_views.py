"""Two staff approvals in the money back office (ledger.approvals, ASVS 5.0 2.3.5): a correction
or a payout above STAFF_SECOND_APPROVAL_ABOVE_CENTS is proposed by one staff member and waits in
/beheer/goedkeuringen/ for a different one; the proposer cannot approve it, a second approval
books nothing more."""

import pytest
from django.test import Client
from django.urls import reverse

from studymarket.accounts.models import User
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import AccountKind, ApprovalStatus, Journal, JournalSource, StaffApproval
from tests.factories import UserFactory
from tests.logins import login
from tests.support.test_money_views import messages_of, payout_created, seller_with_details

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_balanced")]


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS = 50000


def _client(email: str) -> tuple[Client, User]:
    user: User = UserFactory(email=email, is_staff=True)
    client = Client()
    login(client, user)
    return client, user


@pytest.fixture
def anna() -> tuple[Client, User]:
    return _client("anna@studymarket.test")


@pytest.fixture
def bram() -> tuple[Client, User]:
    return _client("bram@studymarket.test")


def _propose_correction(client: Client, amount: str = "750,00") -> tuple[dict[str, str], list[str]]:
    token = client.get(reverse("support:adjustment")).context["form"].initial["token"]
    seller = seller_with_details()
    data = {
        "token": token,
        "kind": AccountKind.SELLER_AVAILABLE,
        "seller": seller.display_name,
        "direction": "credit",
        "amount": amount,
        "counter_kind": AccountKind.ADJUSTMENTS,
        "reason": "Uitbetaling van de vorige maand gemist",
    }
    response = client.post(reverse("support:adjustment"), data, follow=True)
    return data, messages_of(response)


def _decide(client: Client, approval: StaffApproval, decision: str, note: str = "") -> list[str]:
    response = client.post(
        reverse("support:approval_decide", args=[approval.pk]),
        {"decision": decision, "note": note},
        follow=True,
    )
    return messages_of(response)


def _adjustments() -> int:
    return Journal.objects.filter(source=JournalSource.ADJUSTMENT).count()


def test_a_large_correction_is_proposed_then_booked_by_a_colleague(anna, bram):
    (anna_client, anna_user), (bram_client, bram_user) = anna, bram

    data, said = _propose_correction(anna_client)

    assert said == [
        "Voorgesteld: een correctie van meer dan € 500,00 boekt pas als een andere medewerker haar goedkeurt."
    ]
    approval = StaffApproval.objects.get()
    assert (approval.token, approval.proposed_by, approval.amount_cents) == (data["token"], anna_user, 75000)
    assert _adjustments() == 0
    # The same form again proposes nothing new.
    anna_client.post(reverse("support:adjustment"), data)
    assert StaffApproval.objects.count() == 1

    own = anna_client.get(reverse("support:approval_queue")).content.decode()
    assert f'id="approval-{approval.pk}"' in own
    assert "Goedkeuren en boeken" not in own  # not for the proposer
    assert "Intrekken" in own
    theirs = bram_client.get(reverse("support:approval_queue")).content.decode()
    assert "Goedkeuren en boeken" in theirs
    assert "voorgesteld door anna@studymarket.test" in theirs

    assert _decide(anna_client, approval, "goedkeuren") == [
        "Je kunt je eigen voorstel niet goedkeuren: een andere medewerker moet het goedkeuren."
    ]
    assert _adjustments() == 0

    said = _decide(bram_client, approval, "goedkeuren")

    journal = Journal.objects.get(source=JournalSource.ADJUSTMENT)
    assert said == [f"Goedgekeurd: de correctie is geboekt (journaal {journal.pk})."]
    assert (journal.source_ref, journal.actor) == (data["token"], anna_user)
    assert _decide(bram_client, approval, "goedkeuren") == ["Dit voorstel was al goedgekeurd."]
    assert _adjustments() == 1
    assert AuditEvent.objects.filter(action="approval.approved", actor=bram_user).count() == 1
    page = bram_client.get(reverse("support:approval_queue")).content.decode()
    assert "Er wachten geen voorstellen op een tweede goedkeuring." in page
    assert f"journaal {journal.pk}" in page


def test_a_small_correction_is_booked_by_one(anna):
    anna_client, _ = anna
    _, said = _propose_correction(anna_client, amount="500,00")
    journal = Journal.objects.get(source=JournalSource.ADJUSTMENT)
    assert said == [f"Correctie geboekt (journaal {journal.pk}): € 500,00."]
    assert not StaffApproval.objects.exists()


def test_rejecting_needs_a_note_and_books_nothing(anna, bram):
    (anna_client, _), (bram_client, _) = anna, bram
    _propose_correction(anna_client)
    approval = StaffApproval.objects.get()

    response = bram_client.post(
        reverse("support:approval_decide", args=[approval.pk]), {"decision": "weigeren"}
    )
    assert response.status_code == 400
    assert "Schrijf op waarom je dit voorstel afwijst." in response.content.decode()

    assert _decide(bram_client, approval, "weigeren", "Al verrekend") == ["Afgewezen: er is niets geboekt."]
    approval.refresh_from_db()
    assert (approval.status, approval.note) == (ApprovalStatus.REJECTED, "Al verrekend")
    assert _adjustments() == 0
    assert _decide(anna_client, approval, "goedkeuren") == [
        "Dit voorstel is al afgewezen door een collega; er is niets meer aan te doen."
    ]


def test_a_large_payout_waits_for_two_staff_before_the_sepa_file(anna, bram, settings):
    settings.STAFF_SECOND_APPROVAL_ABOVE_CENTS = 1000
    (anna_client, _), (bram_client, _) = anna, bram
    payout = payout_created()  # € 12,54

    page = anna_client.get(reverse("support:payout_queue")).content.decode()
    assert 'id="payouts-awaiting-approval"' in page
    assert "Er staan geen uitbetalingen klaar." in page
    response = anna_client.post(reverse("support:payout_propose", args=[payout.pk]), follow=True)
    assert messages_of(response) == [
        f"Voorgesteld: een andere medewerker moet uitbetaling {payout.pk} goedkeuren voordat ze naar de "
        "bank gaat."
    ]
    assert "voorgesteld door anna@studymarket.test" in response.content.decode()
    approval = StaffApproval.objects.get(payout=payout)

    assert _decide(bram_client, approval, "goedkeuren") == [
        "Goedgekeurd: de uitbetaling gaat mee in het volgende SEPA-bestand."
    ]
    page = anna_client.get(reverse("support:payout_queue")).content.decode()
    assert 'id="payouts-to-send"' in page
    assert 'id="payouts-awaiting-approval"' not in page


@pytest.mark.parametrize(
    ("name", "args"),
    [("support:approval_queue", []), ("support:approval_decide", [1]), ("support:payout_propose", [1])],
)
def test_the_approval_pages_are_for_staff_only(client, name, args):
    url = reverse(name, args=args)
    assert client.post(url).status_code == 302  # to the login page
    login(client, UserFactory())
    assert client.post(url).status_code == 404
