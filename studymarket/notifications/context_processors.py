from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from studymarket.notifications.selectors import notification_unread_count


def notifications(request: HttpRequest) -> dict[str, object]:
    """The bell's unread count, counted (one indexed query) only when a page shows the bell:
    for signed-in people only, so never in a page the public page cache keeps (core.page_cache
    serves and stores pages only for visitors without a session)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_unread_count": 0}
    return {"notification_unread_count": SimpleLazyObject(lambda: notification_unread_count(user))}
