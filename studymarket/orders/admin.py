from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.orders.models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = (
        "listing",
        "seller",
        "title",
        "bundle",
        "list_price_cents",
        "discount_cents",
        "discount_funder",
        "price_cents",
        "vat_cents",
        "vat_rate_percent",
    )

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "buyer", "status", "total_cents", "created_at", "paid_at")
    list_filter = ("status",)
    search_fields = ("number", "buyer__email")
    inlines = [OrderLineInline]
