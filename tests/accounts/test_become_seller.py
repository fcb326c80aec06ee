import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from studymarket.accounts.models import SellerProfile
from tests.factories import SellerFactory
from tests.images import png_bytes
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db

URL = "/account/verkopen/start/"


def test_become_seller_url():
    assert reverse("accounts:become_seller") == URL


def test_anonymous_is_sent_to_login_and_back(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/account/inloggen/?next=/account/verkopen/start/"


def test_form_page(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Start met verkopen</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert '<label for="id_display_name">Verkopersnaam</label>' in html
    assert 'aria-describedby="id_display_name_helptext"' in html
    assert (
        '<small id="id_avatar_helptext" class="muted">JPEG, PNG of WebP, maximaal 2,0\xa0MB.</small>' in html
    )


def test_become_seller_with_avatar(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)
    avatar = SimpleUploadedFile("IMG_0042 mijn gezicht.png", png_bytes(), content_type="image/png")

    response = client.post(
        URL, {"display_name": "  Anna   Samenvat ", "bio": "Rechten, 2e jaar.", "avatar": avatar}
    )

    profile = SellerProfile.objects.get(user=anna)
    assert response.status_code == 302
    assert response["Location"] == "/verkoper/anna-samenvat/"
    assert (profile.display_name, profile.slug, profile.bio) == (
        "Anna Samenvat",
        "anna-samenvat",
        "Rechten, 2e jaar.",
    )
    assert re.fullmatch(rf"avatars/{anna.pk}/[0-9a-f]{{32}}\.webp", profile.avatar.name)
    with profile.avatar.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (48, 48))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Je bent nu verkoper, Anna Samenvat! Dit is je verkoperspagina."
    ]


def test_become_seller_without_avatar(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.post(URL, {"display_name": "Anna"})

    assert response.status_code == 302
    assert SellerProfile.objects.get(user=anna).avatar.name == ""


def test_non_image_named_png_is_rejected(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)
    fake = SimpleUploadedFile("foto.png", b"%PDF-1.7 not a picture at all", content_type="image/png")

    response = client.post(URL, {"display_name": "Anna", "avatar": fake})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "avatar": [
            "Dit bestand is geen afbeelding die we kunnen lezen. Kies een JPEG-, PNG- of WebP-bestand."
        ]
    }
    assert 'aria-describedby="id_avatar_helptext id_avatar_error"' in response.content.decode()
    assert not SellerProfile.objects.exists()


def test_display_name_taken_in_other_case_is_rejected(client, anna):
    SellerFactory(display_name="Anna Samenvat", slug="anna-samenvat")
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.post(URL, {"display_name": "anna samenvat"})

    assert response.context["form"].errors == {
        "display_name": ["Deze naam is al in gebruik. Kies een andere."]
    }
    assert not SellerProfile.objects.filter(user=anna).exists()


def test_display_name_too_short(client, anna):
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.post(URL, {"display_name": "An"})

    assert response.context["form"].errors == {
        "display_name": ["Zorg dat deze waarde ten minste 3 tekens bevat (het zijn er nu 2)."]
    }


def test_existing_seller_sees_link_to_own_page(client, anna):
    SellerFactory(user=anna, display_name="Anna Samenvat", slug="anna-samenvat")
    client.force_login(anna, backend=MODEL_BACKEND)

    response = client.get(URL)
    posted = client.post(URL, {"display_name": "Nog een naam"})

    html = response.content.decode()
    assert "<h1>Je bent al verkoper</h1>" in html
    assert "Kopers zien je als <strong>Anna Samenvat</strong>." in html
    assert 'href="/verkoper/anna-samenvat/"' in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert posted.status_code == 200
    assert SellerProfile.objects.count() == 1
