from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.isbn import validate_isbn
from studymarket.catalog.ratings import Rating
from studymarket.core.models import TimeStampedModel
from studymarket.core.money import Money
from studymarket.documents.models import Document


class Country(models.TextChoices):
    NL = "NL", _("Nederland")
    BE = "BE", _("België")


class Institution(models.Model):
    name = models.CharField(_("naam"), max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True)
    country = models.CharField(_("land"), max_length=2, choices=Country.choices)
    city = models.CharField(_("plaats"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("onderwijsinstelling")
        verbose_name_plural = _("onderwijsinstellingen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:institution", kwargs={"slug": self.slug})


class Programme(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(max_length=220)

    class Meta:
        verbose_name = _("opleiding")
        verbose_name_plural = _("opleidingen")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["institution", "slug"], name="programme_slug_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:programme", kwargs={"institution": self.institution.slug, "slug": self.slug})


class Course(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="courses")
    name = models.CharField(_("naam"), max_length=200)
    code = models.CharField(_("vakcode"), max_length=30, blank=True)
    slug = models.SlugField(max_length=220)

    class Meta:
        verbose_name = _("vak")
        verbose_name_plural = _("vakken")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["programme", "slug"], name="course_slug_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def institution(self) -> Institution:
        return self.programme.institution

    def get_absolute_url(self) -> str:
        return reverse(
            "catalog:course",
            kwargs={
                "institution": self.programme.institution.slug,
                "programme": self.programme.slug,
                "slug": self.slug,
            },
        )


class Book(models.Model):
    title = models.CharField(_("titel"), max_length=300)
    authors = models.CharField(_("auteurs"), max_length=300, blank=True)
    edition = models.CharField(_("editie"), max_length=50, blank=True)
    isbn13 = models.CharField(
        "ISBN", max_length=13, unique=True, null=True, blank=True, validators=[validate_isbn]
    )

    class Meta:
        verbose_name = _("boek")
        verbose_name_plural = _("boeken")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Book pages are by ISBN: a book without one has no page ("")."""
        return reverse("catalog:book", kwargs={"isbn13": self.isbn13}) if self.isbn13 else ""


class DocumentType(models.TextChoices):
    SUMMARY = "summary", _("Samenvatting")
    LECTURE_NOTES = "lecture_notes", _("College-aantekeningen")
    EXAM = "exam", _("Tentamen (uitwerkingen)")
    EXAM_PREP = "exam_prep", _("Examenvoorbereiding")
    ASSIGNMENT = "assignment", _("Opdracht")
    OTHER = "other", _("Overig")


class Language(models.TextChoices):
    NL = "nl", _("Nederlands")
    EN = "en", _("Engels")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Concept")
    PUBLISHED = "published", _("Gepubliceerd")
    UNPUBLISHED = "unpublished", _("Offline gehaald")
    # Taken offline by staff after a notice (trust): only staff bring it back; buyers keep reading.
    TAKEN_DOWN = "taken_down", _("Offline gehaald na een melding")


# The lowest price a listing may have; a bundle costs at least that much too.
LISTING_MIN_PRICE_CENTS = 100

academic_year_validator = RegexValidator(r"^(20\d\d)/(20\d\d)$", _("Gebruik de vorm 2020/2021."))


class Listing(TimeStampedModel):
    """The public face of a document: what buyers see, search and pay for."""

    seller = models.ForeignKey(SellerProfile, on_delete=models.PROTECT, related_name="listings")
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="listing")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="listings")
    book = models.ForeignKey(Book, on_delete=models.SET_NULL, null=True, blank=True, related_name="listings")
    title = models.CharField(_("titel"), max_length=200)
    slug = models.SlugField(max_length=220)
    description = models.TextField(_("beschrijving"), max_length=5000)
    document_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    language = models.CharField(_("taal"), max_length=2, choices=Language.choices, default=Language.NL)
    academic_year = models.CharField(_("academisch jaar"), max_length=9, validators=[academic_year_validator])
    whole_book_summarized = models.BooleanField(_("hele boek samengevat"), default=False)
    price_cents = models.PositiveIntegerField(
        _("prijs (centen, incl. btw)"),
        validators=[MinValueValidator(LISTING_MIN_PRICE_CENTS), MaxValueValidator(100_00)],
    )
    preview_page_count = models.PositiveSmallIntegerField(_("voorbeeldpagina's"), default=1)
    status = models.CharField(max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT)
    published_at = models.DateTimeField(_("geüpload op"), null=True, blank=True, db_index=True)
    # Counters, denormalised so the listing page reads one row (see counters.py).
    view_count = models.PositiveIntegerField(default=0)
    sold_count = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("aanbieding")
        verbose_name_plural = _("aanbiedingen")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(preview_page_count__gte=1), name="listing_preview_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def price(self) -> Money:
        return Money(self.price_cents, settings.CURRENCY)

    @property
    def rating(self) -> Rating:
        return Rating(total=self.rating_sum, count=self.review_count)

    def get_absolute_url(self) -> str:
        return reverse("storefront:listing", kwargs={"pk": self.pk, "slug": self.slug})


class Follow(models.Model):
    """A user follows a seller or a course, and hears by e-mail of each new document there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    seller = models.ForeignKey(
        SellerProfile, on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    # The language of the page on which the user followed: the e-mails about it are written in it
    # ("" for unknown: the default language).
    language = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volgrelatie")
        verbose_name_plural = _("volgrelaties")
        constraints = [
            models.CheckConstraint(
                condition=Q(seller__isnull=False, course__isnull=True)
                | Q(seller__isnull=True, course__isnull=False),
                name="follow_seller_xor_course",
            ),
            models.UniqueConstraint(fields=["user", "seller"], name="follow_seller_once"),
            models.UniqueConstraint(fields=["user", "course"], name="follow_course_once"),
        ]


class FollowNotification(models.Model):
    """One e-mail per user per new listing, whatever number of follows led to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail aan een volger")
        verbose_name_plural = _("e-mails aan volgers")
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="follow_notification_once")]


# --- Bundles (issue 17, ADR 0028) ---------------------------------------------------------------


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("Concept")
    PUBLISHED = "published", _("Gepubliceerd")
    WITHDRAWN = "withdrawn", _("Offline gehaald")


class Bundle(TimeStampedModel):
    """Two or more of one seller's listings of one course, sold together below their summed price.

    The rules (own published listings, one course, the price) are kept by catalog.bundles; the
    price a buyer pays for each document is the bundle price split by core.pricing.split_cents."""

    seller = models.ForeignKey(SellerProfile, on_delete=models.PROTECT, related_name="bundles")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="bundles")
    title = models.CharField(_("titel"), max_length=200)
    slug = models.SlugField(max_length=220)
    description = models.TextField(_("beschrijving"), max_length=5000, blank=True)
    price_cents = models.PositiveIntegerField(
        _("prijs (centen, incl. btw)"), validators=[MinValueValidator(LISTING_MIN_PRICE_CENTS)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BundleStatus.choices, default=BundleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("bundel")
        verbose_name_plural = _("bundels")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "course"]), models.Index(fields=["status", "seller"])]

    def __str__(self) -> str:
        return self.title

    @property
    def price(self) -> Money:
        return Money(self.price_cents, settings.CURRENCY)

    def get_absolute_url(self) -> str:
        return reverse("storefront:bundle", kwargs={"pk": self.pk, "slug": self.slug})


class BundleItem(models.Model):
    """One listing in a bundle, at its place in the bundle's order."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bundle_items")
    position = models.PositiveSmallIntegerField(_("positie"), default=0)

    class Meta:
        verbose_name = _("document in een bundel")
        verbose_name_plural = _("documenten in bundels")
        ordering = ["bundle", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "listing"], name="bundle_item_listing_once"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.listing_id}"
