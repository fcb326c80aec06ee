"""Whether a seller is suspended (DSA art. 23: repeat infringers are suspended by rule for a
while), read from ``User.suspended_until``.

The rule that suspends lives in trust (trust/strikes.py); selling sits on the same layer as
trust and may not import it, so the check that stops a suspended seller from uploading or
publishing is here, below both, on the field they share.
"""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from studymarket.accounts.models import User
from studymarket.core import clock
from studymarket.core.errors import ApplicationError


class SellerSuspended(ApplicationError):
    """The seller may not upload or publish now; the message says until when and what to do."""


def suspended_until(user: User) -> datetime | None:
    """The end of the user's suspension if it is still running (by the application's clock), else None."""
    until = user.suspended_until
    if until is None or until <= clock.now():
        return None
    return until


def suspension_message(until: datetime) -> str:
    return _(
        "Je account is geschorst tot %(until)s, omdat er herhaaldelijk documenten van je offline "
        "zijn gehaald na een gegronde melding. Tot dan kun je geen documenten uploaden of "
        "publiceren. Ben je het er niet mee eens? Maak gratis bezwaar via de link in de e-mail "
        "over je schorsing."
    ) % {"until": formats.date_format(timezone.localtime(until), "j F Y H:i")}


def seller_suspension_check(*, user: User) -> None:
    """Raise SellerSuspended while the user's suspension runs."""
    until = suspended_until(user)
    if until is not None:
        raise SellerSuspended(suspension_message(until), extra={"suspended_until": until.isoformat()})
