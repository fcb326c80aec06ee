"""Reading notifications: the bell's count (every signed-in page) and the list page."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from studymarket.accounts.models import User
from studymarket.notifications.models import Notification
from studymarket.notifications.texts import notification_text

PAGE_SIZE = 20


def notification_unread_count(user: User) -> int:
    """One indexed COUNT (recipient, read_at): the bell on every signed-in page."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationItem:
    notification: Notification
    text: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


@dataclass(frozen=True)
class NotificationPage:
    page: Page[Notification]  # for the links to the other pages
    items: list[NotificationItem]


def notification_list(user: User, page: int | str | None = 1) -> NotificationPage:
    """The user's notifications, newest first, ``PAGE_SIZE`` a page; each item with its sentence
    in the active language. A page past the end gives the last one."""
    notifications = Notification.objects.filter(recipient=user).only(
        "pk", "kind", "params", "created_at", "read_at"
    )
    current = Paginator(notifications, PAGE_SIZE).get_page(page)
    return NotificationPage(
        page=current, items=[NotificationItem(n, notification_text(n.kind, n.params)) for n in current]
    )


def notification_get(user: User, notification_id: int) -> Notification | None:
    """The user's own notification ``notification_id``, or None (someone else's, or gone)."""
    return Notification.objects.filter(recipient=user, pk=notification_id).first()
