"""The sentence of each kind of notification, written when it is shown: in the reader's
language (the language switch changes it), with amounts as the ``money`` filter writes them.

Each sentence is a format with named placeholders filled from the notification's ``params``;
``amount`` (cents) becomes "€ 9,49". A parameter a producer did not give shows as "" rather than
breaking the page (an old notification outlives a change of its sentence).
"""

from collections import defaultdict
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from studymarket.core.formatting import money_display
from studymarket.core.money import Money
from studymarket.notifications.models import NotificationKind

TEXTS: dict[str, Promise] = {
    NotificationKind.NEW_LISTING_FROM_FOLLOWED: _("Nieuw document van %(source)s: %(title)s"),
    NotificationKind.SALE: _("Verkocht: %(title)s (%(amount)s)"),
    NotificationKind.REVIEW: _("Nieuwe review (%(rating)s van 5 sterren) op %(title)s"),
    NotificationKind.REFUND_BUYER: _("Je krijgt %(amount)s terug voor %(title)s"),
    NotificationKind.REFUND_SELLER: _("Verkoop terugbetaald aan de koper: %(title)s (%(amount)s)"),
    NotificationKind.REFUND_REJECTED: _("Je verzoek om geld terug voor %(title)s is afgewezen"),
    NotificationKind.REPORT: _("Melding %(number)s over %(title)s: geef je reactie"),
    NotificationKind.REPORT_TAKEN_DOWN: _(
        "%(title)s is offline gehaald terwijl we je melding %(number)s beoordelen"
    ),
    NotificationKind.REPORT_DECIDED: _("We hebben besloten over je melding %(number)s (%(title)s)"),
    NotificationKind.STATEMENT: _(
        "We hebben een besluit genomen over %(subject)s: lees waarom en hoe je bezwaar maakt"
    ),
    NotificationKind.LISTING_RESTORED: _("%(title)s staat weer online"),
    NotificationKind.PAYOUT_PAID: _("Uitbetaling van %(amount)s is verstuurd naar je bank"),
    NotificationKind.PAYOUT_FAILED: _(
        "Uitbetaling van %(amount)s is mislukt; het geld staat weer op je saldo"
    ),
}


def notification_text(kind: str, params: dict[str, Any]) -> str:
    """The sentence of a notification, in the active language."""
    template = TEXTS.get(kind)
    if template is None:
        return str(NotificationKind(kind).label) if kind in NotificationKind.values else ""
    values: defaultdict[str, Any] = defaultdict(str, params)
    if kind == NotificationKind.STATEMENT:
        values["subject"] = _("je document %(title)s") % values if params.get("title") else _("je account")
    if "amount" in params:
        values["amount"] = money_display(Money(int(params["amount"]), str(params.get("currency", "EUR"))))
    return str(template) % values
