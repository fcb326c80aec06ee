import io
import uuid
from typing import TYPE_CHECKING

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studymarket.accounts.models import PayoutSchedule, SellerProfile, User
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError

if TYPE_CHECKING:
    # Pillow and schwifty (whose bank registry costs about 9 MB) are imported by the two services
    # that use them: every web process imports this module, few ever change an avatar or an IBAN.
    from schwifty.exceptions import SchwiftyException

DISPLAY_NAME_MIN_LENGTH = 3
DISPLAY_NAME_MAX_LENGTH = SellerProfile._meta.get_field("display_name").max_length or 60
BIO_MAX_LENGTH = SellerProfile._meta.get_field("bio").max_length or 2000
SLUG_MAX_LENGTH = SellerProfile._meta.get_field("slug").max_length or 70

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP"}
# A small file can still decode to a huge bitmap; refuse before decoding.
AVATAR_MAX_PIXELS = 25_000_000
AVATAR_SIZE_PX = 512

EMAIL_TAKEN = gettext_lazy("Er bestaat al een account met dit e-mailadres.")
ALREADY_SELLER = gettext_lazy("Je bent al verkoper.")
DISPLAY_NAME_TAKEN = gettext_lazy("Deze naam is al in gebruik. Kies een andere.")


def user_create(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create an account; the e-mail address is stored in lower case and unique regardless of case."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    errors: dict[str, list[ValidationError]] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [ValidationError(EMAIL_TAKEN)]
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = exc.error_list
    if errors:
        # All problems at once, so the sign-up form shows every field that needs fixing.
        raise ValidationError(errors)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
            audit_record(action="user.created", obj=user, actor=user)
    except IntegrityError as exc:
        # Two sign-ups with the same address at the same moment: the unique index decides.
        raise ValidationError({"email": EMAIL_TAKEN}) from exc
    return user


def seller_profile_create(
    *, user: User, display_name: str, bio: str = "", avatar: UploadedFile | None = None
) -> SellerProfile:
    """Make a user a seller, with a unique public name and an optional (re-encoded) avatar."""
    if SellerProfile.objects.filter(user=user).exists():
        raise ApplicationError(str(ALREADY_SELLER))
    display_name = " ".join(display_name.split())
    if not DISPLAY_NAME_MIN_LENGTH <= len(display_name) <= DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "display_name": _("Kies een naam van %(min)d tot %(max)d tekens.")
                % {"min": DISPLAY_NAME_MIN_LENGTH, "max": DISPLAY_NAME_MAX_LENGTH}
            }
        )
    if SellerProfile.objects.filter(display_name__iexact=display_name).exists():
        raise ValidationError({"display_name": DISPLAY_NAME_TAKEN})
    bio = bio.strip()
    if len(bio) > BIO_MAX_LENGTH:
        # A TextField's max_length is not checked by full_clean(); this is the only guard.
        raise ValidationError(
            {"bio": _("Houd het korter: maximaal %(max)d tekens.") % {"max": BIO_MAX_LENGTH}}
        )
    avatar_content = _avatar_reencode(avatar) if avatar else None

    profile = SellerProfile(user=user, display_name=display_name, slug=_unique_slug(display_name), bio=bio)
    profile.full_clean(exclude=["avatar"])
    try:
        with transaction.atomic():
            profile.save()
            if avatar_content is not None:
                # A generated name: never the uploader's file name, which may say more than it should.
                profile.avatar.save(f"{uuid.uuid4().hex}.webp", avatar_content, save=True)
            audit_record(action="seller_profile.created", obj=profile, actor=user)
    except IntegrityError as exc:
        if SellerProfile.objects.filter(user=user).exists():
            raise ApplicationError(str(ALREADY_SELLER)) from exc
        raise ValidationError({"display_name": DISPLAY_NAME_TAKEN}) from exc
    return profile


def _unique_slug(display_name: str) -> str:
    base = slugify(display_name)[: SLUG_MAX_LENGTH - 6].strip("-") or "verkoper"
    slug, n = base, 1
    while SellerProfile.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _avatar_reencode(avatar: UploadedFile) -> ContentFile[bytes]:
    """Check the upload is a real JPEG/PNG/WebP and re-encode it.

    Re-encoding drops metadata (a phone photo's EXIF holds where it was taken) and anything
    hidden after the image data.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    not_an_image = ValidationError(
        {
            "avatar": _(
                "Dit bestand is geen afbeelding die we kunnen lezen. Kies een JPEG-, PNG- of WebP-bestand."
            )
        }
    )
    if (avatar.size or 0) > AVATAR_MAX_BYTES:
        raise ValidationError(
            {
                "avatar": _("Deze afbeelding is groter dan %(size)s. Kies een kleiner bestand.")
                % {"size": filesizeformat(AVATAR_MAX_BYTES)}
            }
        )
    data = avatar.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in AVATAR_FORMATS:
                raise ValidationError(
                    {"avatar": _("Alleen JPEG-, PNG- of WebP-afbeeldingen zijn toegestaan.")}
                )
            if probe.width * probe.height > AVATAR_MAX_PIXELS:
                raise ValidationError(
                    {"avatar": _("Deze afbeelding heeft te veel pixels. Kies een kleinere.")}
                )
            probe.verify()
        # verify() leaves the image unusable; decode again from the start.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc
    side = min(AVATAR_SIZE_PX, picture.width, picture.height)
    picture = ImageOps.fit(picture.convert("RGBA"), (side, side))
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=85)
    return ContentFile(out.getvalue())


# --- Payout details (ledger payouts) ------------------------------------------------------

PAYOUT_HOLDER_MAX_LENGTH = SellerProfile._meta.get_field("payout_account_holder").max_length or 70


def _iban_problem(error: "SchwiftyException") -> str:
    """What is wrong with the IBAN, in words the seller can act on (schwifty says it in English)."""
    from schwifty.exceptions import InvalidChecksumDigits, InvalidCountryCode, InvalidLength

    if isinstance(error, InvalidCountryCode):
        return _(
            "Dit IBAN begint niet met een bestaande landcode. "
            "Een IBAN begint met twee letters, zoals NL of BE."
        )
    if isinstance(error, InvalidLength):
        return _(
            "Dit IBAN heeft niet het juiste aantal tekens. Neem het over van je bankpas of uit je bankapp."
        )
    if isinstance(error, InvalidChecksumDigits):
        return _(
            "Dit IBAN klopt niet: er zit waarschijnlijk een typefout in. Controleer de cijfers en letters."
        )
    return _("Dit IBAN klopt niet. Neem het precies over van je bankpas of uit je bankapp.")


@transaction.atomic
def seller_payout_details_update(
    *, seller: SellerProfile, account_holder: str, iban: str, schedule: str
) -> SellerProfile:
    """Where the seller's earnings go: account holder and IBAN (checked by schwifty, stored
    compact), the BIC where schwifty knows the bank, and on request or weekly.

    Only IBANs in the SEPA zone: payouts are SEPA credit transfers. Raises ValidationError per
    field (``account_holder``, ``iban``, ``schedule``).
    """
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    errors: dict[str, str] = {}
    holder = " ".join(account_holder.split())
    if not holder:
        errors["account_holder"] = _("Vul de naam in die bij je bank op de rekening staat.")
    elif len(holder) > PAYOUT_HOLDER_MAX_LENGTH:
        errors["account_holder"] = _("Houd de naam korter: maximaal %(max)d tekens.") % {
            "max": PAYOUT_HOLDER_MAX_LENGTH
        }
    parsed: IBAN | None = None
    if not iban.strip():
        errors["iban"] = _("Vul je IBAN in, bijvoorbeeld NL20 INGB 0001 2345 67.")
    else:
        try:
            parsed = IBAN(iban, validate_bban=True)
        except SchwiftyException as error:
            errors["iban"] = _iban_problem(error)
        else:
            if not parsed.in_sepa_zone:
                errors["iban"] = _(
                    "We kunnen alleen uitbetalen naar een rekening in een SEPA-land (zoals Nederland of "
                    "België). Kies een andere rekening."
                )
    if schedule not in PayoutSchedule.values:
        errors["schedule"] = _("Kies wanneer we uitbetalen: op aanvraag of wekelijks.")
    if errors:
        raise ValidationError(errors)
    assert parsed is not None
    profile = SellerProfile.objects.select_for_update().get(pk=seller.pk)
    bic = parsed.bic
    profile.payout_account_holder = holder
    profile.payout_iban = parsed.compact
    profile.payout_bic = str(bic.compact) if bic is not None else ""
    profile.payout_schedule = schedule
    profile.save(
        update_fields=[
            "payout_account_holder",
            "payout_iban",
            "payout_bic",
            "payout_schedule",
            "updated_at",
        ]
    )
    # The audit keeps no full account number: the last four characters are enough to recognise it.
    audit_record(
        action="seller_profile.payout_details_updated",
        obj=profile,
        actor=profile.user,
        iban_end=profile.payout_iban[-4:],
        schedule=schedule,
    )
    for field in ("payout_account_holder", "payout_iban", "payout_bic", "payout_schedule"):
        setattr(seller, field, getattr(profile, field))
    return profile
