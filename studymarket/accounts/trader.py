"""Whether a seller sells as a private person or as a business (a "trader": DSA art. 3(f)), and a
business seller's trader information (DSA art. 30(1): name, address, e-mail, phone, trade
register number, self-certification; we also ask the VAT number).

A business seller may only put listings on sale with complete trader information
(``trader_details_complete``; selling.services checks it), and buyers see it on the listing and
on the seller's page (art. 30(7)). A private seller's purchases fall outside EU consumer law
(Consumer Rights Directive art. 6a), which the listing and the checkout say.

Switching back to private keeps what was given (hidden, unused): the platform keeps trader data
for the relationship and six months after (art. 30(3)); erasure (privacy) removes it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from studymarket.accounts.models import TRADER_FIELDS, SellerKind, SellerProfile, User
from studymarket.accounts.trader_numbers import phone_parse, registration_number_parse, vat_number_parse
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.page_cache import public_pages_changed

LEGAL_NAME_MAX_LENGTH = SellerProfile._meta.get_field("trader_legal_name").max_length or 200
ADDRESS_MAX_LENGTH = SellerProfile._meta.get_field("trader_address").max_length or 500


@dataclass(frozen=True)
class TraderDetails:
    """What the seller typed in the form; the service checks and normalises it."""

    legal_name: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    registration_number: str = ""
    vat_number: str = ""
    self_certified: bool = False


def trader_details_complete(profile: SellerProfile) -> bool:
    """True for a private seller, and for a business seller who gave every piece of trader
    information and certified that they offer only products that comply with EU law."""
    if profile.seller_kind != SellerKind.BUSINESS:
        return True
    return all(getattr(profile, field) for field in TRADER_FIELDS) and bool(profile.trader_self_certified_at)


class TraderDetailsIncomplete(ApplicationError):
    """A business seller without complete trader information tried to put a listing on sale."""


def trader_details_require(profile: SellerProfile) -> None:
    """Raise TraderDetailsIncomplete unless ``profile`` may put listings on sale (see above)."""
    if not trader_details_complete(profile):
        raise TraderDetailsIncomplete(
            _(
                "Je verkoopt zakelijk, maar je bedrijfsgegevens zijn nog niet compleet. Vul ze eerst in "
                "onder “Particulier of zakelijk” en sla daarna deze beschrijving opnieuw op."
            )
        )


def _checked(details: TraderDetails) -> dict[str, str]:
    """The trader fields to store, or ValidationError keyed by form field (every problem at once)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    legal_name = " ".join(details.legal_name.split())
    if not legal_name:
        errors["legal_name"] = _("Vul de naam in waaronder je onderneming ingeschreven staat.")
    elif len(legal_name) > LEGAL_NAME_MAX_LENGTH:
        errors["legal_name"] = _("Houd de naam korter: maximaal %(max)d tekens.") % {
            "max": LEGAL_NAME_MAX_LENGTH
        }
    values["trader_legal_name"] = legal_name
    address = "\n".join(
        " ".join(line.split()) for line in details.address.strip().splitlines() if line.strip()
    )
    if not address:
        errors["address"] = _(
            "Vul het adres van je onderneming in: straat en huisnummer, postcode en plaats."
        )
    elif len(address) > ADDRESS_MAX_LENGTH:
        errors["address"] = _("Houd het adres korter: maximaal %(max)d tekens.") % {"max": ADDRESS_MAX_LENGTH}
    values["trader_address"] = address
    email = details.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Vul een e-mailadres in waarop kopers je onderneming kunnen bereiken.")
    values["trader_email"] = email
    for field, parse, key in (
        ("phone", phone_parse, "trader_phone"),
        ("registration_number", registration_number_parse, "trader_registration_number"),
        ("vat_number", vat_number_parse, "trader_vat_number"),
    ):
        raw = getattr(details, field)
        try:
            values[key] = parse(raw)
        except ValidationError as error:
            errors[field] = error.messages[0]
    kbo, vat = values.get("trader_registration_number", ""), values.get("trader_vat_number", "")
    if len(kbo) == 10 and vat.startswith("BE") and vat[2:] != kbo:
        # In Belgium the VAT number is the enterprise number with BE before it.
        errors["vat_number"] = _("Je Belgische btw-nummer is BE met je ondernemingsnummer: BE%(number)s.") % {
            "number": kbo
        }
    if not details.self_certified:
        errors["self_certified"] = _(
            "Verklaar dat je alleen producten aanbiedt die voldoen aan het EU-recht; zonder die "
            "verklaring kun je niet zakelijk verkopen."
        )
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def seller_identity_update(
    *, seller: SellerProfile, actor: User, seller_kind: str, details: TraderDetails | None = None
) -> SellerProfile:
    """Set how the seller sells. As a business every piece of trader information is required
    and checked (ValidationError keyed by form field), and saving it is the self-certification
    (its moment is stored). A change of kind is audited, as is every change of trader details
    (which fields, not their values: the audit log outlives the data). Saving the same thing
    again changes nothing and records nothing."""
    if seller_kind not in SellerKind.values:
        raise ValidationError({"seller_kind": _("Kies of je verkoopt als particulier of als onderneming.")})
    values = _checked(details or TraderDetails()) if seller_kind == SellerKind.BUSINESS else {}
    profile = SellerProfile.objects.select_for_update().get(pk=seller.pk)
    before = profile.seller_kind
    changed = [field for field, value in values.items() if getattr(profile, field) != value]
    for field, value in values.items():
        setattr(profile, field, value)
    update_fields = ["seller_kind", "updated_at", *changed]
    profile.seller_kind = seller_kind
    if seller_kind == SellerKind.BUSINESS and (
        changed or before != seller_kind or not profile.trader_self_certified_at
    ):
        profile.trader_self_certified_at = clock.now()
        update_fields.append("trader_self_certified_at")
    if before == seller_kind and not changed and "trader_self_certified_at" not in update_fields:
        return profile
    profile.save(update_fields=update_fields)
    public_pages_changed()  # the listing pages name a trader and their details
    if before != seller_kind:
        audit_record(
            action="seller_profile.seller_kind_changed",
            obj=profile,
            actor=actor,
            before=before,
            after=seller_kind,
        )
    if changed:
        audit_record(
            action="seller_profile.trader_details_updated",
            obj=profile,
            actor=actor,
            fields=changed,
            self_certified_at=profile.trader_self_certified_at.isoformat()
            if profile.trader_self_certified_at
            else None,
        )
    for field in update_fields:
        setattr(seller, field, getattr(profile, field))
    return profile
