"""The ledger's raw data for staff, read-only: every change goes through the services
(postings, payouts), which lock, check and audit. The back office (/beheer/) is where staff act."""

from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.ledger.models import (
    Account,
    Entry,
    Journal,
    LedgerCheckRun,
    Payout,
    PayoutBatch,
    StaffApproval,
)


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ("account", "amount_cents", "currency")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("kind", "key", "currency", "seller", "balance_cents")
    list_filter = ("kind", "currency")
    search_fields = ("key", "seller__display_name")
    list_select_related = ("seller",)


@admin.register(Journal)
class JournalAdmin(ReadOnlyAdmin):
    list_display = ("booked_at", "source", "source_ref", "order_line_id", "seller", "actor", "description")
    list_filter = ("source",)
    search_fields = ("source_ref", "description", "reason")
    list_select_related = ("seller", "actor")
    date_hierarchy = "booked_at"
    inlines = [EntryInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("journal", "account", "amount_cents", "currency")
    list_filter = ("account__kind",)
    list_select_related = ("journal", "account")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("pk", "created_at", "seller", "amount_cents", "status", "provider", "trigger", "batch")
    list_filter = ("status", "provider", "trigger")
    search_fields = ("seller__display_name", "iban", "provider_reference", "idempotency_key")
    list_select_related = ("seller", "batch")


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ("message_id", "created_at", "created_by", "total_cents", "downloaded_at")
    search_fields = ("message_id",)
    exclude = ("document",)  # the file itself: downloaded from the back office, never edited


@admin.register(LedgerCheckRun)
class LedgerCheckRunAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "ok")
    list_filter = ("ok",)


@admin.register(StaffApproval)
class StaffApprovalAdmin(ReadOnlyAdmin):
    list_display = ("pk", "created_at", "kind", "amount_cents", "status", "proposed_by", "decided_by")
    list_filter = ("status", "kind")
