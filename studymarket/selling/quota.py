"""The upload quota (ASVS 5.2.4): how many uploads (new documents and new versions) a seller
may store per day, RATE_LIMITS["upload_seller"], counted by core.ratelimits per seller. Only
stored uploads count, so a refused file (not a PDF, too large) costs the seller nothing."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import ngettext

from studymarket.accounts.models import SellerProfile
from studymarket.core.ratelimits import Usage, quota_check, quota_use, retry_after_text

UPLOAD_QUOTA = "upload_seller"


def _key(seller: SellerProfile) -> str:
    return f"seller:{seller.pk}"


def _message(usage: Usage) -> str:
    back_at = timezone.localtime(timezone.now() + timedelta(seconds=usage.retry_after))
    return ngettext(
        "Je hebt vandaag al %(count)d document geüpload: meer kan niet op één dag. "
        "Je kunt weer uploaden %(when)s (om %(time)s).",
        "Je hebt vandaag al %(count)d documenten geüpload: meer kan niet op één dag. "
        "Je kunt weer uploaden %(when)s (om %(time)s).",
        usage.limit,
    ) % {"count": usage.limit, "when": retry_after_text(usage.retry_after), "time": f"{back_at:%H:%M}"}


def upload_quota_check(*, seller: SellerProfile) -> None:
    """Raise core.ratelimits.RateLimited (with the Dutch message) when today's uploads are used up."""
    quota_check(name=UPLOAD_QUOTA, key=_key(seller), message=_message)


def upload_quota_use(*, seller: SellerProfile) -> None:
    quota_use(name=UPLOAD_QUOTA, key=_key(seller))
