from datetime import timedelta

from django.utils import timezone

from studymarket.orders.models import OrderLine, OrderStatus


def sales_count_since(*, days: int) -> int:
    """Documents sold platform-wide in the last ``days`` days (paid order lines)."""
    since = timezone.now() - timedelta(days=days)
    return OrderLine.objects.filter(order__status=OrderStatus.PAID, order__paid_at__gte=since).count()
