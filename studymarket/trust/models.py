"""Notice and action (DSA arts 16, 17, 20, 23): what people report, what we decide, the
statements of reasons we owe for every restriction, appeals against them, and strikes that the
repeat-offender rules (trust/strikes.py) count.

State tables: trust/states.py (notices) and docs/state-machines.md.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from studymarket.catalog.models import Listing
from studymarket.core.models import TimeStampedModel


class NoticeKind(models.TextChoices):
    COPYRIGHT = "copyright", _("Auteursrecht")
    ILLEGAL = "illegal", _("Andere illegale inhoud")
    OTHER = "other", _("Iets anders")


class NoticeStatus(models.TextChoices):
    """received → awaiting_seller → seller_responded; any open one → upheld | restored |
    unfounded (trust/states.py). A takedown while the notice is open is an interim measure on
    the listing (Notice.taken_down_at), not a notice state."""

    RECEIVED = "received", _("Nieuw")
    AWAITING_SELLER = "awaiting_seller", _("Wacht op de verkoper")
    SELLER_RESPONDED = "seller_responded", _("Verkoper heeft gereageerd")
    UPHELD = "upheld", _("Gegrond: definitief offline")
    RESTORED = "restored", _("Niet gegrond: document hersteld")
    UNFOUNDED = "unfounded", _("Ongegrond")


NOTICE_OPEN = frozenset({NoticeStatus.RECEIVED, NoticeStatus.AWAITING_SELLER, NoticeStatus.SELLER_RESPONDED})


class Notice(TimeStampedModel):
    """A report about one listing (DSA art. 16), by anyone, with or without an account."""

    number = models.CharField(_("meldingsnummer"), max_length=20, unique=True)
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="+")
    location = models.URLField(_("exacte locatie"), max_length=500)
    kind = models.CharField(_("soort"), max_length=20, choices=NoticeKind.choices)
    explanation = models.TextField(_("toelichting"), max_length=5000)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_name = models.CharField(_("naam"), max_length=200)
    reporter_email = models.EmailField(_("e-mailadres"))
    good_faith = models.BooleanField(_("verklaring te goeder trouw"), default=False)
    status = models.CharField(max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.RECEIVED)
    # When staff should have decided (settings.TRUST_NOTICE_DEADLINE_HOURS by kind).
    deadline_at = models.DateTimeField(_("uiterlijk beslissen op"), db_index=True)
    # Interim measure while open: the listing was taken offline on this notice.
    taken_down_at = models.DateTimeField(null=True, blank=True)
    # The listing's status before that takedown: a restore puts it back there.
    listing_status_before = models.CharField(max_length=20, blank=True)
    # Asking the seller to respond, and their answer (given inside the site).
    seller_asked_at = models.DateTimeField(null=True, blank=True)
    seller_respond_by = models.DateTimeField(null=True, blank=True)
    seller_response = models.TextField(_("reactie van de verkoper"), max_length=5000, blank=True)
    seller_responded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(_("toelichting bij het besluit"), max_length=5000, blank=True)
    # The language the reporter used: their e-mails are written in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        indexes = [models.Index(fields=["status", "deadline_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in NOTICE_OPEN

    def get_staff_url(self) -> str:
        return reverse("trust_staff:notice_detail", kwargs={"number": self.number})


class Measure(models.TextChoices):
    """What was restricted (DSA art. 17(1), 17(3)(a))."""

    LISTING_TAKEDOWN = "listing_takedown", _("Document voorlopig offline gehaald")
    LISTING_REMOVAL = "listing_removal", _("Document definitief offline gehaald")
    ACCOUNT_SUSPENSION = "account_suspension", _("Account tijdelijk geschorst")


class StatementOfReasons(models.Model):
    """A statement of reasons (DSA art. 17), stored for every restriction and sent to the person
    it restricts. Its text is kept as sent: later changes to the notice do not rewrite it."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    measure = models.CharField(_("maatregel"), max_length=30, choices=Measure.choices)
    # 17(3)(a): scope and duration, in words; ends_at None: until a further decision / for good.
    scope = models.TextField(_("reikwijdte en duur"))
    ends_at = models.DateTimeField(null=True, blank=True)
    facts = models.TextField(_("feiten en omstandigheden"))  # 17(3)(b)
    automated = models.BooleanField(_("geautomatiseerd"), default=False)  # 17(3)(c)
    legal_ground = models.TextField(_("wettelijke grond"), blank=True)  # 17(3)(d)
    terms_clause = models.TextField(_("artikel van de voorwaarden"), blank=True)  # 17(3)(e)
    explanation = models.TextField(_("uitleg"))
    redress = models.TextField(_("mogelijkheden om bezwaar te maken"))  # 17(3)(f)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("motivering")
        verbose_name_plural = _("motiveringen")
        constraints = [
            # One statement per measure per notice: a double click never writes two.
            models.UniqueConstraint(
                fields=["notice", "measure"],
                condition=models.Q(notice__isnull=False),
                name="trust_statement_one_per_notice_measure",
            )
        ]

    def __str__(self) -> str:
        return f"statement {self.pk} {self.measure}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("In behandeling")
    GRANTED = "granted", _("Toegekend: besluit herzien")
    REJECTED = "rejected", _("Afgewezen: besluit blijft")


class Appeal(TimeStampedModel):
    """A complaint against a decision (DSA art. 20): by the seller against a statement of
    reasons, or by the reporter against the decision on their notice. Built on in trust/appeals.py."""

    statement = models.ForeignKey(
        StatementOfReasons, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appellant_email = models.EmailField(_("e-mailadres"))
    text = models.TextField(_("bezwaar"), max_length=5000)
    status = models.CharField(max_length=20, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("uitkomst"), max_length=5000, blank=True)
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("bezwaar")
        verbose_name_plural = _("bezwaren")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"appeal {self.pk} {self.status}"


class StrikeKind(models.TextChoices):
    INFRINGEMENT = "infringement", _("Illegale inhoud aangeboden")
    UNFOUNDED_NOTICE = "unfounded_notice", _("Kennelijk ongegronde melding")


class Strike(models.Model):
    """One count towards the repeat-offender rules (DSA art. 23, trust/strikes.py): an upheld
    notice against a seller, or a manifestly unfounded notice by a reporter (by e-mail address,
    since reporters need no account)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=20, choices=StrikeKind.choices)
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="strikes"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set when an appeal reverses the decision the strike came from: it no longer counts.
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("overtreding")
        verbose_name_plural = _("overtredingen")
        indexes = [models.Index(fields=["email", "kind"])]
        constraints = [
            # One strike per notice and kind: deciding twice never counts twice.
            models.UniqueConstraint(
                fields=["notice", "kind"],
                condition=models.Q(notice__isnull=False),
                name="trust_strike_one_per_notice_kind",
            )
        ]

    def __str__(self) -> str:
        return f"strike {self.kind} {self.email}"
