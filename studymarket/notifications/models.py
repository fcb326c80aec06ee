"""A notification inside the site (the header's bell): one event told to one person.

It stores what happened (``kind``), the few values its sentence needs (``params``) and where it
leads (``url``, a path without language prefix); the sentence itself is written when it is
shown, in the reader's language (``notifications.texts``). This app knows nothing of the apps
that make notifications: each of them (catalog, orders, reviews, payments, trust, ledger) sits
above it and calls ``notification_create`` with plain values (ADR 0027).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    # To a follower: a new document from a seller or in a course they follow.
    NEW_LISTING_FROM_FOLLOWED = "new_listing_from_followed", _("Nieuw document van wie je volgt")
    # To a seller: one of their documents was sold / reviewed.
    SALE = "sale", _("Verkocht")
    REVIEW = "review", _("Nieuwe review")
    # A refund: the buyer has their money back; the seller's sale was refunded.
    REFUND_BUYER = "refund_buyer", _("Geld terug")
    REFUND_SELLER = "refund_seller", _("Verkoop terugbetaald")
    # To the buyer: staff turned down their request for money back.
    REFUND_REJECTED = "refund_rejected", _("Verzoek om geld terug afgewezen")
    # To a seller: a notice about their document, with the request to answer it.
    REPORT = "report", _("Melding over je document")
    # To a reporter with an account: the listing is offline while we decide / our decision.
    REPORT_TAKEN_DOWN = "report_taken_down", _("Gemeld document offline gehaald")
    REPORT_DECIDED = "report_decided", _("Besluit over je melding")
    # To a seller: the statement of reasons of a measure on their document or account (DSA
    # art. 17), and their document back online after a notice.
    STATEMENT = "statement", _("Motivering van een besluit")
    LISTING_RESTORED = "listing_restored", _("Document weer online")
    # To a seller: a payout reached their bank, or came back.
    PAYOUT_PAID = "payout_paid", _("Uitbetaling verstuurd")
    PAYOUT_FAILED = "payout_failed", _("Uitbetaling mislukt")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("ontvanger"),
    )
    kind = models.CharField(_("soort"), max_length=40, choices=NotificationKind.choices)
    # The values the sentence needs (a title, an amount in cents, a rating), JSON-ready.
    params = models.JSONField(_("gegevens"), default=dict, blank=True)
    # Where the notification leads: a path in the default language ("/verkopen/verdiensten/").
    url = models.CharField(_("adres"), max_length=500, blank=True)
    # What the event was ("order_line:12"): the same event is told once, however often its
    # producer runs (a task taken up again, a second click). "" for no such guard.
    key = models.CharField(_("sleutel"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)

    class Meta:
        verbose_name = _("melding in de site")
        verbose_name_plural = _("meldingen in de site")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell's count (recipient, unread) and the page (recipient, newest first).
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], condition=~Q(key=""), name="notification_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
