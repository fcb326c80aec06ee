"""Background tasks of the orders app (django_tasks): ids in, idempotent."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_SOON, URGENT_QUEUE
from studymarket.orders.services import order_receipt_send


@task(queue_name=URGENT_QUEUE, priority=TASK_PRIORITY_SOON)
def order_receipt_send_task(order_id: int) -> None:
    """Queued when an order becomes paid; sends its receipt once however often it runs."""
    order_receipt_send(order_id=order_id)
