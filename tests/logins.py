"""Signing test users in: the password the tests sign up and sign in with, and the backend
force_login() must be told to use. Staff are signed in with a TOTP-verified session, as the back
office and the admin require (accounts/twofactor.py)."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from studymarket.accounts.models import User

PASSWORD = "correct horse battery staple"
# Several backends are configured and force_login() would pick axes' first, which cannot load users.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# A fixed TOTP secret (hex) for test staff, so a browser test can compute the codes too.
TOTP_KEY = "3132333435363738393031323334353637383930"


def login(client: Client, user: User) -> None:
    client.force_login(user, backend=MODEL_BACKEND)
    if user.is_staff:
        otp_verify(client, user)


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device (made once, with TOTP_KEY)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "test", "key": TOTP_KEY}
    )
    return device


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the staff member's app shows now (or ``steps_ahead`` periods of 30 s later)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)
    return f"{code:0{device.digits}d}"


def otp_verify(client: Client, user: User) -> None:
    """Mark the client's session as verified with the user's device, as django_otp.login does
    after a correct code."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
