from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.payments.models import Payment, Refund, RefundRequest


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


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "order_line",
        "buyer",
        "reason",
        "status",
        "within_window",
        "downloaded",
        "automatic",
        "decided_by",
    )
    list_filter = ("status", "reason", "automatic")
    search_fields = ("buyer__email", "order_line__order__number")
    list_select_related = ("order_line", "buyer", "decided_by")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "payment", "order_line", "origin", "amount_cents", "status", "provider_id")
    list_filter = ("status", "origin")
    search_fields = ("provider_id", "payment__order__number", "idempotency_key")
    list_select_related = ("payment", "order_line")
