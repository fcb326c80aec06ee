"""The demo's staff account: a back-office member who can sign in at once, second step included.

The back office and the admin ask staff for a TOTP code (accounts/twofactor.py). The demo staff
account gets a confirmed device with a published secret (people.DEMO_STAFF_TOTP_SECRET), so a
developer adds that secret to any authenticator app (or computes the code with
``oathtool --totp -b SECRET``) instead of setting a device up first. Production never gets it:
the account is made only outside production (settings.PRODUCTION false), also when a public
demonstration (DEMO_MODE) loads the rest of the demo.
"""

from base64 import b32decode

from django.conf import settings
from django.contrib.auth.models import Permission
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from studymarket.accounts.models import User
from studymarket.accounts.twofactor import DEVICE_NAME
from studymarket.storefront.demo.people import DEMO_STAFF_TOTP_SECRET


def demo_staff_wanted() -> bool:
    """Whether this installation gets the demo staff account: never in production."""
    return not settings.PRODUCTION


def demo_staff_key_hex() -> str:
    return b32decode(DEMO_STAFF_TOTP_SECRET).hex()


def demo_staff_ensure(*, user: User) -> None:
    """Staff, allowed to look at every model in the admin (changes go through the back office's
    pages), with a confirmed TOTP device on the published secret."""
    if not demo_staff_wanted():
        raise RuntimeError("The demo staff account is never made in production.")
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=demo_staff_key_hex(), confirmed=True)


def demo_staff_code(*, at: float | None = None) -> str:
    """The code an authenticator app shows now for the demo staff account (at ``at``, a Unix
    time, when given): printed by the load command, used by tests."""
    totp = TOTP(b32decode(DEMO_STAFF_TOTP_SECRET))
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"
