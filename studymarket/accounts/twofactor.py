"""Two-factor authentication for staff (ASVS 6.3.3): a TOTP app (django-otp's TOTPDevice).

A staff member signs in with the password, then, before any back-office page, types the code
their app shows. Without a confirmed device they first set one up: the page shows a QR code and
the secret, and the first correct code confirms it. django-otp refuses a code of a time step at or
before the last one used (no replay) and doubles the wait after each wrong code (throttling);
verification locks the device row, so two requests cannot both use one code.

Buyers and sellers are not asked. An operator resets a lost device with
``manage.py twofactor_reset EMAIL`` (README)."""

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import django_otp
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from studymarket.accounts.models import User
from studymarket.core.security_log import security_event

DEVICE_NAME = "app"


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    # Set when the device refused to look at the code: too many wrong codes in a row.
    wait_until: datetime | None = None

    @property
    def wait_seconds(self) -> int:
        if self.wait_until is None:
            return 0
        return max(1, int((self.wait_until - timezone.now()).total_seconds() + 0.999))


def totp_device_get(*, user: User) -> TOTPDevice | None:
    """The user's confirmed device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The device being set up (not yet confirmed): the same one on every visit until confirmed,
    so the QR code the staff member scanned stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _token_check(*, user: User, device: TOTPDevice, token: str) -> TokenCheck:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return TokenCheck(ok=False, wait_until=(details or {}).get("locked_until"))
    token = "".join(token.split())
    # django_otp.verify_token locks the device row (select_for_update) in a transaction.
    return TokenCheck(ok=django_otp.verify_token(user, device.persistent_id, token) is not None)


def _session_verified(request: HttpRequest, device: TOTPDevice) -> None:
    django_otp.login(request, device)
    # A new session key for the raised privilege, as at login (ASVS 7.2.4).
    request.session.cycle_key()


def totp_device_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> TokenCheck:
    """Confirm a device being set up with its first code, and verify this session with it."""
    check = _token_check(user=user, device=device, token=token)
    if check.ok:
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.refresh_from_db()
        _session_verified(request, device)
    security_event("twofactor_setup" if check.ok else "twofactor_failed", request=request, user_id=user.pk)
    return check


def totp_session_verify(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> TokenCheck:
    """Check a code against the user's confirmed device; on success the session is verified."""
    check = _token_check(user=user, device=device, token=token)
    if check.ok:
        _session_verified(request, device)
    event = (
        "twofactor_ok" if check.ok else ("twofactor_throttled" if check.wait_until else "twofactor_failed")
    )
    security_event(event, request=request, user_id=user.pk)
    return check


@transaction.atomic
def totp_device_reset(*, user: User) -> int:
    """Remove every TOTP device of the user (lost phone): the next back-office visit asks them to
    set up a new one. Sessions verified with the old device lose that verification at once
    (OTPMiddleware finds no device). Returns how many devices were removed."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    security_event("twofactor_reset", user_id=user.pk, devices=removed)
    return int(removed)


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@dataclass(frozen=True)
class QrCode:
    size: int  # modules per side, quiet zone included
    path: str  # an SVG path of the dark modules: only digits, spaces and M, h, v, z


def totp_qr_code(device: TOTPDevice) -> QrCode:
    """The otpauth:// URL as a QR code for an inline SVG that the template draws: no image
    request, no third party, and no markup built here (so the template escapes as usual)."""
    import segno  # only staff setting up two-factor authentication draw a QR code

    qr = segno.make(device.config_url, error="m")
    parts = []
    for y, row in enumerate(qr.matrix_iter(border=4)):
        x = 0
        row = list(row)
        while x < len(row):
            if row[x]:
                run = next((i for i in range(x, len(row)) if not row[i]), len(row)) - x
                parts.append(f"M{x} {y}h{run}v1h-{run}z")
                x += run
            else:
                x += 1
    return QrCode(size=int(qr.symbol_size(border=4)[0]), path="".join(parts))


def twofactor_url(*, user: User, next_url: str) -> str:
    """Where a staff member without a verified session goes: set-up or the code page."""
    name = "accounts:twofactor" if totp_device_get(user=user) else "accounts:twofactor_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"
