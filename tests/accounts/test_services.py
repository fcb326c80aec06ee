import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from studymarket.accounts.models import SellerProfile
from studymarket.accounts.services import AVATAR_MAX_BYTES, seller_profile_create, user_create
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from tests.factories import SellerFactory, UserFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db

ARGON2 = "studymarket.accounts.hashers.Argon2idPasswordHasher"


def test_argon2_is_configured():
    assert ARGON2 in settings.PASSWORD_HASHERS


@override_settings(PASSWORD_HASHERS=[ARGON2])
def test_user_create_hashes_with_argon2():
    user = user_create(email="c@example.nl", password="lange zin als wachtwoord")

    assert user.password.startswith("argon2$")


def test_user_create_normalises_email_and_records_audit():
    user = user_create(email="  Cor@Example.NL ", password="lange zin als wachtwoord", first_name=" Cor ")

    assert (user.email, user.first_name) == ("cor@example.nl", "Cor")
    assert AuditEvent.objects.get().action == "user.created"


def test_user_create_errors_are_per_field():
    UserFactory(email="cor@example.nl")

    with pytest.raises(ValidationError) as taken:
        user_create(email="COR@example.nl", password="lange zin als wachtwoord")
    with pytest.raises(ValidationError) as weak:
        user_create(email="nieuw@example.nl", password="123456789012")

    assert taken.value.message_dict == {"email": ["Er bestaat al een account met dit e-mailadres."]}
    assert weak.value.message_dict == {"password": ["Dit wachtwoord bevat alleen cijfers."]}


def test_slugs_stay_unique():
    first = seller_profile_create(user=UserFactory(), display_name="Anna B")
    second = seller_profile_create(user=UserFactory(), display_name="Anna-B")
    third = seller_profile_create(user=UserFactory(), display_name="!!!")

    assert (first.slug, second.slug, third.slug) == ("anna-b", "anna-b-2", "verkoper")


def test_a_seller_cannot_become_one_again():
    seller = SellerFactory()

    with pytest.raises(ApplicationError, match="^Je bent al verkoper.$"):
        seller_profile_create(user=seller.user, display_name="Tweede naam")


def upload(data: bytes, name: str = "a.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def avatar_error(data: bytes) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        seller_profile_create(user=UserFactory(), display_name="Anna", avatar=upload(data))
    assert not SellerProfile.objects.exists()
    return exc.value.message_dict["avatar"]


def test_avatar_over_2_mb_is_rejected():
    assert avatar_error(b"\x89PNG" + b"\0" * AVATAR_MAX_BYTES) == [
        "Deze afbeelding is groter dan 2,0\xa0MB. Kies een kleiner bestand."
    ]


def test_avatar_gif_is_rejected():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")

    assert avatar_error(out.getvalue()) == ["Alleen JPEG-, PNG- of WebP-afbeeldingen zijn toegestaan."]


def test_avatar_truncated_png_is_rejected():
    assert avatar_error(png_bytes()[:60]) == [
        "Dit bestand is geen afbeelding die we kunnen lezen. Kies een JPEG-, PNG- of WebP-bestand."
    ]


def test_avatar_with_too_many_pixels_is_rejected():
    # 6000 x 6000 of one colour compresses to a few kB but decodes to 144 MB.
    assert avatar_error(png_bytes(size=(6000, 6000))) == [
        "Deze afbeelding heeft te veel pixels. Kies een kleinere."
    ]


def test_avatar_is_cropped_square_and_stripped_of_metadata():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "geheime beschrijving"  # ImageDescription
    Image.new("RGB", (1600, 900), "orange").save(out, format="JPEG", exif=exif)

    profile = seller_profile_create(
        user=UserFactory(), display_name="Anna", avatar=upload(out.getvalue(), "x.jpg")
    )

    with profile.avatar.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (512, 512))
        assert dict(image.getexif()) == {}


def test_bio_longer_than_the_limit_is_rejected():
    with pytest.raises(ValidationError) as exc:
        seller_profile_create(user=UserFactory(), display_name="Anna", bio="x" * 2001)

    assert exc.value.message_dict == {"bio": ["Houd het korter: maximaal 2000 tekens."]}
