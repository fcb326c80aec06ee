from studymarket.payments.models import Payment, SimulatedPayment


def payment_id_by_provider_id(*, provider: str, provider_id: str) -> int | None:
    return (
        Payment.objects.filter(provider=provider, provider_id=provider_id)
        .values_list("pk", flat=True)
        .first()
    )


def payment_order_number(*, payment_id: int) -> str:
    return Payment.objects.values_list("order__number", flat=True).get(pk=payment_id)


def simulated_payment_get(*, simulated_id: str) -> SimulatedPayment | None:
    return SimulatedPayment.objects.filter(pk=simulated_id).first()
