from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.library.models import Download, Entitlement, StampedCopy


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ("buyer", "document", "order_number", "granted_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("buyer__email", "order_number")


@admin.register(StampedCopy)
class StampedCopyAdmin(ReadOnlyAdmin):
    list_display = ("entitlement", "version", "status", "size_bytes", "created_at", "built_at")
    list_filter = ("status",)
    # Staff who found a mark in a leaked file (stamped_copy_find) look the copy up by it.
    search_fields = ("mark", "entitlement__order_number")


@admin.register(Download)
class DownloadAdmin(ReadOnlyAdmin):
    list_display = ("entitlement", "stamped_copy", "downloaded_at")
