from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from studymarket.core.models import TimeStampedModel
from studymarket.core.storage import public_storage

# Dutch and Flemish surname prefixes ("tussenvoegsels"): "Sanne de Vries" is "Sanne V.".
_SURNAME_PREFIXES = frozenset("d' de den der des di du het in la le op 't te ten ter van von".split())


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person with an account; logs in with the e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mailadres"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Trust and compliance (issue 13). Suspended by rule (DSA art. 23: repeat infringers and
    # repeat unfounded reporters) until this moment; None is not suspended.
    suspended_until = models.DateTimeField(_("geschorst tot"), null=True, blank=True)
    # Set when the person had their account erased (GDPR art. 17): the row stays for the
    # orders, invoices and ledger entries fiscal law keeps, without anything that names them.
    erased_at = models.DateTimeField(_("verwijderd op"), null=True, blank=True)

    objects = UserManager()  # type: ignore[misc,assignment]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]

    @property
    def public_name(self) -> str:
        """The name strangers see next to a review: the first name and the initial of the
        surname ("Sanne de Vries" → "Sanne V."), never the full name (issue 16, defect 10).
        Without a name, the e-mail's local part read the same way ("sanne.devries" → "sanne
        D."; a handle without a dot, "demo-reviewer", as it is)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if not first:
            first, _dot, last = self.email.split("@")[0].replace("_", ".").partition(".")
        surname = [word for word in last.replace(".", " ").split() if word.lower() not in _SURNAME_PREFIXES]
        if not surname and last.strip(". "):
            surname = last.replace(".", " ").split()[-1:]  # only a prefix ("de"): its initial
        return f"{first} {surname[0][0].upper()}." if surname else first


def avatar_path(instance: "SellerProfile", filename: str) -> str:
    return f"avatars/{instance.user_id}/{filename}"


class PayoutSchedule(models.TextChoices):
    ON_REQUEST = "request", _("Op aanvraag")
    WEEKLY = "weekly", _("Wekelijks automatisch")


class SellerKind(models.TextChoices):
    PRIVATE = "private", _("Particulier")
    BUSINESS = "business", _("Zakelijk (handelaar)")


# The trader information a business seller gives (DSA art. 30), besides the moment of their
# self-certification; one list for the form's completeness check, the data export and erasure.
TRADER_FIELDS = (
    "trader_legal_name",
    "trader_address",
    "trader_email",
    "trader_phone",
    "trader_registration_number",
    "trader_vat_number",
)


class SellerProfile(TimeStampedModel):
    """What makes a user a seller: a public name and face, and where their earnings go."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="seller_profile")
    display_name = models.CharField(_("weergavenaam"), max_length=60, unique=True)
    slug = models.SlugField(max_length=70, unique=True)
    bio = models.TextField(_("over mij"), blank=True, max_length=2000)
    avatar = models.ImageField(_("profielfoto"), storage=public_storage, upload_to=avatar_path, blank=True)
    # Payout details (ledger payouts). The IBAN is stored in its electronic form (no spaces,
    # upper case) after schwifty validated it; the BIC is derived from it where schwifty can.
    payout_account_holder = models.CharField(_("naam rekeninghouder"), max_length=70, blank=True)
    payout_iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    payout_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    payout_schedule = models.CharField(
        _("uitbetalen"), max_length=10, choices=PayoutSchedule.choices, default=PayoutSchedule.ON_REQUEST
    )
    # Mollie Connect organisation id ("org_…"), for PAYOUT_PROVIDER=mollie_route.
    mollie_organization_id = models.CharField(max_length=40, blank=True)
    # A seller who sells as a business is a trader (DSA art. 30, consumer law): the platform
    # asks for and shows the trader information below. A private seller leaves them empty.
    seller_kind = models.CharField(
        _("ik verkoop als"), max_length=10, choices=SellerKind.choices, default=SellerKind.PRIVATE
    )
    trader_legal_name = models.CharField(_("juridische naam"), max_length=200, blank=True)
    trader_address = models.TextField(_("adres"), max_length=500, blank=True)
    trader_email = models.EmailField(_("zakelijk e-mailadres"), blank=True)
    trader_phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    trader_registration_number = models.CharField(_("KvK- of KBO-nummer"), max_length=20, blank=True)
    trader_vat_number = models.CharField(_("btw-nummer"), max_length=20, blank=True)
    trader_self_certified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verkopersprofiel")
        verbose_name_plural = _("verkopersprofielen")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("catalog:seller", kwargs={"slug": self.slug})


# The API's personal access tokens live in their own module (slice "api", ADR 0029).
from studymarket.accounts.tokens import PersonalAccessToken  # noqa: E402, F401
