"""Personal access tokens for the JSON API (ADR 0029): made and revoked on the account's
settings page, shown once, stored as a hash.

A token is ``smpat_`` and 43 URL-safe characters (32 bytes from ``secrets``). Only its SHA-256
is kept: a token holds 256 bits of chance, so nobody can guess it from the hash however fast
they hash, and a slow password hash (PBKDF2, Argon2) would only cost every API request time
while protecting nothing more. The first 8 characters after the prefix are kept in the clear
to tell tokens apart on the settings page.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError

if TYPE_CHECKING:
    from studymarket.accounts.models import User

TOKEN_PREFIX = "smpat_"
_TOKEN_BYTES = 32  # 43 characters of URL-safe base64
PREFIX_SHOWN = 8
SCOPE_READ = "read"
SCOPE_SELL = "sell"
SCOPES = (SCOPE_READ, SCOPE_SELL)
# last_used_at is written at most this often per token: not a write on every request.
_LAST_USED_PRECISION = timedelta(minutes=5)
TOKENS_PER_USER_MAX = 20


class TokenScope(models.TextChoices):
    READ = SCOPE_READ, gettext_lazy("Lezen: je bibliotheek en downloads")
    SELL = SCOPE_SELL, gettext_lazy("Verkopen: je documenten, verkopen en verdiensten")


class PersonalAccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(gettext_lazy("naam"), max_length=60)
    prefix = models.CharField(gettext_lazy("begin van de token"), max_length=PREFIX_SHOWN)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(gettext_lazy("rechten"), max_length=20)  # "read", "sell" or "read sell"
    created_at = models.DateTimeField(gettext_lazy("aangemaakt"), auto_now_add=True)
    last_used_at = models.DateTimeField(gettext_lazy("laatst gebruikt"), null=True, blank=True)
    expires_at = models.DateTimeField(gettext_lazy("verloopt op"), null=True, blank=True)
    revoked_at = models.DateTimeField(gettext_lazy("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("persoonlijke toegangstoken")
        verbose_name_plural = gettext_lazy("persoonlijke toegangstokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return [scope for scope in SCOPES if scope in self.scopes.split()]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: PersonalAccessToken
    secret: str  # the full token: shown once, never stored


def token_create(
    *, user: "User", name: str, scopes: list[str], expires_at: datetime | None = None
) -> NewToken:
    """A new token for ``user``; the returned secret is the only copy of it."""
    chosen = [scope for scope in SCOPES if scope in scopes]
    if not chosen:
        raise ApplicationError(_("Kies minstens één recht voor je token: lezen of verkopen."))
    name = name.strip()
    if not name:
        raise ApplicationError(_("Geef je token een naam, zodat je later weet waarvoor hij is."))
    active = PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= TOKENS_PER_USER_MAX:
        raise ApplicationError(
            _("Je hebt al %(max)d tokens. Trek er eerst een in die je niet meer gebruikt.")
            % {"max": TOKENS_PER_USER_MAX}
        )
    body = secrets.token_urlsafe(_TOKEN_BYTES)
    secret = f"{TOKEN_PREFIX}{body}"
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name[:60],
        prefix=body[:PREFIX_SHOWN],
        token_hash=token_hash(secret),
        scopes=" ".join(chosen),
        expires_at=expires_at,
    )
    audit_record(action="token.created", obj=token, actor=user, scopes=token.scopes)
    return NewToken(token=token, secret=secret)


def token_revoke(*, user: "User", token_id: int) -> PersonalAccessToken:
    """Revoke one of ``user``'s own tokens; PersonalAccessToken.DoesNotExist for anyone
    else's. Already revoked returns quietly."""
    with transaction.atomic():
        token = PersonalAccessToken.objects.select_for_update().get(pk=token_id, user=user)
        if token.revoked_at is not None:
            return token
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="token.revoked", obj=token, actor=user)
    return token


def token_authenticate(secret: str) -> PersonalAccessToken | None:
    """The active token this secret is, with its user; None for an unknown, revoked or
    expired token, or for a user who cannot sign in any more (deactivated or erased)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = token.user
    if not user.is_active or getattr(user, "erased_at", None) is not None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_PRECISION:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_list(*, user: "User") -> models.QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=user)


def tokens_delete_all(*, user: "User") -> int:
    """Delete every token of ``user`` (account erasure: their names may say something about
    the person); how many there were."""
    deleted, _by_model = PersonalAccessToken.objects.filter(user=user).delete()
    return deleted
