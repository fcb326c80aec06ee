"""Writing notifications: made by the apps above (a plain call, never a signal), read by their
recipient. See models.py and ADR 0027."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from studymarket.accounts.models import User
from studymarket.notifications.models import Notification, NotificationKind

# Read notifications older than this are deleted by the periodic cleanup (unread ones stay).
READ_NOTIFICATION_DAYS = 180


def url_path(url: str) -> str:
    """``url`` as stored: a path in the default language (the language prefix a reverse() in
    another language adds is taken off; the page adds the reader's own when it is opened)."""
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and (url == f"/{code}" or url.startswith(f"/{code}/")):
            return url[len(code) + 1 :] or "/"
    return url


def notification_create(
    *, recipient_id: int, kind: NotificationKind, params: Mapping[str, Any], url: str, key: str = ""
) -> None:
    """Tell ``recipient_id`` of an event: one cheap insert, in the caller's transaction if it
    has one. ``params`` are the JSON-ready values of the sentence (notifications.texts); ``url``
    a path. With ``key`` (the event, e.g. "order_line:12") a second call for the same recipient,
    kind and key does nothing, so a producer that runs again tells no one twice."""
    notifications_create(recipient_ids=[recipient_id], kind=kind, params=params, url=url, key=key)


def notifications_create(
    *,
    recipient_ids: Iterable[int],
    kind: NotificationKind,
    params: Mapping[str, Any],
    url: str,
    key: str = "",
) -> None:
    """The same notification for several people (a new document, to its followers) in one insert."""
    path = url_path(url)
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, kind=kind, params=dict(params), url=path, key=key[:100])
            for pk in recipient_ids
        ],
        # The unique (recipient, kind, key) constraint: told already.
        ignore_conflicts=bool(key),
    )


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or those of ``ids`` (another
    person's ids are ignored). Returns how many changed; repeating it changes nothing."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notifications_cleanup(*, now: datetime | None = None) -> int:
    """Delete read notifications older than READ_NOTIFICATION_DAYS; how many."""
    cutoff = (now or timezone.now()) - timedelta(days=READ_NOTIFICATION_DAYS)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted


def notifications_seller_forget(*, seller_id: int, name: str) -> int:
    """An erased seller's public name, in the notifications that named them to their followers
    (params "seller_id" and "source"), replaced by ``name`` (their pseudonym); how many."""
    rows = list(
        Notification.objects.filter(
            kind=NotificationKind.NEW_LISTING_FROM_FOLLOWED, params__seller_id=seller_id
        )
    )
    for row in rows:
        row.params = {**row.params, "source": name}
    Notification.objects.bulk_update(rows, ["params"], batch_size=500)
    return len(rows)


def notifications_delete_all(*, user_id: int) -> int:
    """Delete every notification of a person (their account is being erased)."""
    deleted, _ = Notification.objects.filter(recipient_id=user_id).delete()
    return deleted
