"""Background tasks of the orders app (django_tasks): ids in, idempotent."""

from django_tasks import task

from studymarket.orders.services import order_receipt_send


@task()
def order_receipt_send_task(order_id: int) -> None:
    """Queued when an order becomes paid; sends its receipt once however often it runs."""
    order_receipt_send(order_id=order_id)
