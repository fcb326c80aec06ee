import io

import pytest
from PIL import Image

from studymarket.accounts.models import User
from studymarket.accounts.services import user_create

PASSWORD = "correct horse battery staple"
# Several backends are configured and force_login() would pick axes' first, which cannot load users.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def anna(db: None) -> User:
    return user_create(email="anna@example.nl", password=PASSWORD, first_name="Anna")


def png_bytes(size: tuple[int, int] = (64, 48), colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()
