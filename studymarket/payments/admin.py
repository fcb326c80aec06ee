from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.payments.models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "order",
        "provider",
        "provider_id",
        "method",
        "amount_cents",
        "status",
        "paid_at",
    )
    list_filter = ("status", "provider", "method")
    search_fields = ("provider_id", "order__number", "idempotency_key")
    list_select_related = ("order",)
