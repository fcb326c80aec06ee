"""What staff read for each step of a notice's or an appeal's timeline (the audit actions trust and
catalog record); the action's code stays beside it, as the audit log and the tests know it."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "notice.received": _("Melding ontvangen"),
    "notice.seller_asked": _("Verkoper gevraagd te reageren"),
    "notice.seller_responded": _("Verkoper heeft gereageerd"),
    "notice.listing_taken_down": _("Document meteen offline gehaald"),
    "notice.listing_kept_down": _("Document blijft offline (andere melding)"),
    "notice.upheld": _("Melding gegrond: document definitief offline"),
    "notice.restored": _("Melding niet gegrond: document hersteld"),
    "notice.unfounded": _("Melding kennelijk ongegrond"),
    "notice.refund_by_hand": _("Terugbetaling met de hand nodig"),
    "statement.created": _("Motivering opgesteld"),
    "statement.sent": _("Motivering verstuurd"),
    "statement.send_failed": _("Motivering niet verstuurd"),
    "appeal.received": _("Bezwaar ontvangen"),
    "appeal.granted": _("Bezwaar toegekend"),
    "appeal.rejected": _("Bezwaar afgewezen"),
    "appeal.listing_kept_down": _("Bezwaar toegekend, document blijft offline (andere melding)"),
    "appeal.notice_reopened": _("Melding opnieuw in behandeling"),
    "strike.recorded": _("Overtreding geteld"),
    "strike.voided": _("Overtreding vervallen"),
    "strike.warning_sent": _("Waarschuwing verstuurd"),
    "seller.suspended": _("Verkoper geschorst"),
    "seller.suspension_lifted": _("Schorsing verkoper opgeheven"),
    "reporter.suspended": _("Melder geschorst"),
    "reporter.suspension_lifted": _("Schorsing melder opgeheven"),
    "listing.taken_down": _("Document offline gehaald"),
    "listing.restored": _("Document hersteld"),
    "listing.published": _("Document online gezet"),
    "listing.unpublished": _("Document offline gezet door de verkoper"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
