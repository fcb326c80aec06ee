"""The signed link in the "Account verwijderen" e-mail.

Signed with the site's key and a timestamp (django.core.signing), valid for
PRIVACY_ERASURE_LINK_HOURS, and bound to the account as it is: a hash of its id, e-mail
address and password hash. A password change or a finished erasure therefore ends every link
sent before it, and a forged or edited link fails the signature. Nothing is stored.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from studymarket.accounts.models import User

_SALT = "studymarket.privacy.erasure"


def _fingerprint(user: User) -> str:
    value = f"{user.pk}:{user.email}:{user.password}:{user.erased_at}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:32]


def erasure_token_make(*, user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=_SALT, compress=False)


def erasure_token_user(*, token: str) -> User | None:
    """The account the link is for, if the link is genuine, in time and still fits the account;
    None otherwise (whatever the reason: the page says to ask for a new link)."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=settings.PRIVACY_ERASURE_LINK_HOURS * 3600)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    user_id = payload.get("u")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, erased_at__isnull=True).first()
    if user is None or not constant_time_compare(_fingerprint(user), str(payload.get("f", ""))):
        return None
    return user
