"""What the ledger's concurrency tests share."""

from collections.abc import Sequence

from studymarket.ledger.models import Account


def unlocked(accounts: Sequence[Account]) -> dict[int, Account]:
    """A control's accounts_lock: the same read, without its row locks (SELECT … FOR UPDATE)."""
    ids = sorted({account.pk for account in accounts})
    return {account.pk: account for account in Account.objects.filter(pk__in=ids).order_by("pk")}
