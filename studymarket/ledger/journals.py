"""Posting a journal: the one way entries get into the ledger.

Every posting service (sales, releases, refunds, payouts, adjustments) ends here, inside the
transaction of the state change that causes it. Exactly once: a journal is unique per source
(Journal constraint), and posting a source that already has its journal returns that journal.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from studymarket.accounts.models import SellerProfile
from studymarket.core.money import Money
from studymarket.ledger.models import SELLER_KINDS, Account, AccountKind, Entry, Journal


class UnbalancedJournal(ValueError):
    pass


class JournalExists(Exception):
    """The source has its journal already (journal_post with ``existing_ok=False``)."""

    def __init__(self, journal: Journal) -> None:
        super().__init__(f"{journal.source}:{journal.source_ref} is posted already (journal {journal.pk})")
        self.journal = journal


@dataclass(frozen=True)
class Line:
    """One entry to post: debit when the amount is positive, credit when negative."""

    kind: AccountKind
    amount: Money
    key: str = ""  # country code (VAT) or seller id (seller accounts)


def account_for(*, kind: AccountKind, key: str = "", currency: str | None = None) -> Account:
    """The account, made on first use. Seller accounts are keyed by the seller's id."""
    currency = currency or settings.CURRENCY
    seller_id = int(key) if kind in SELLER_KINDS else None
    account, _ = Account.objects.get_or_create(
        kind=kind, key=key, currency=currency, defaults={"seller_id": seller_id}
    )
    return account


def seller_key(seller: SellerProfile | int) -> str:
    return str(seller if isinstance(seller, int) else seller.pk)


def accounts_lock(accounts: Sequence[Account]) -> dict[int, Account]:
    """Lock the accounts' rows, always in id order, so two postings never deadlock."""
    ids = sorted({account.pk for account in accounts})
    return {
        account.pk: account
        for account in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }


def journal_get(*, source: str, source_ref: str | int) -> Journal | None:
    return Journal.objects.filter(source=source, source_ref=str(source_ref)).first()


@transaction.atomic
def journal_post(
    *,
    source: str,
    source_ref: str | int,
    booked_at: datetime,
    lines: Sequence[Line],
    seller: SellerProfile | int | None = None,
    hold_until: datetime | None = None,
    description: str = "",
    actor_id: int | None = None,
    reason: str = "",
    order_line_id: int | None = None,
    existing_ok: bool = True,
    discount_cents: int = 0,
    discount_funder: str = "",
    bundle_title: str = "",
) -> Journal:
    """Post ``lines`` as one journal for ``source``; the existing journal if already posted, or
    with ``existing_ok=False`` JournalExists (for a caller that must tell a second post apart:
    a staff correction sent twice), also when a concurrent post won the race.

    Lines of zero are left out (a 0 % fee, say); the rest must sum to zero in one currency.
    Account balances are updated in the same transaction, under row locks; a balance the
    database refuses (an available balance below zero) raises IntegrityError and nothing is
    written.
    """
    existing = journal_get(source=source, source_ref=source_ref)
    if existing is not None:
        if not existing_ok:
            raise JournalExists(existing)
        return existing
    lines = [line for line in lines if line.amount.cents != 0]
    currencies = {line.amount.currency for line in lines}
    if not lines or len(currencies) != 1 or sum(line.amount.cents for line in lines) != 0:
        raise UnbalancedJournal(f"Journal {source}:{source_ref} does not balance: {lines}")
    accounts = [account_for(kind=line.kind, key=line.key, currency=line.amount.currency) for line in lines]
    accounts_lock(accounts)
    try:
        with transaction.atomic():
            journal = Journal.objects.create(
                source=source,
                source_ref=str(source_ref),
                booked_at=booked_at,
                hold_until=hold_until,
                seller_id=seller if isinstance(seller, int) else (seller.pk if seller else None),
                description=description[:200],
                actor_id=actor_id,
                reason=reason,
                order_line_id=order_line_id,
                discount_cents=discount_cents,
                discount_funder=discount_funder,
                bundle_title=bundle_title[:200],
            )
    except IntegrityError:
        # Posted by someone else between our look and our write (no lock covers a row that
        # does not exist yet): theirs is the one.
        found = journal_get(source=source, source_ref=source_ref)
        if found is None:
            raise
        if not existing_ok:
            raise JournalExists(found) from None
        return found
    Entry.objects.bulk_create(
        Entry(journal=journal, account=account, amount_cents=line.amount.cents, currency=line.amount.currency)
        for account, line in zip(accounts, lines, strict=True)
    )
    for account, line in zip(accounts, lines, strict=True):
        Account.objects.filter(pk=account.pk).update(balance_cents=F("balance_cents") + line.amount.cents)
    return journal
