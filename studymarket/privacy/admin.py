"""The data-rights records for staff, read-only: exports are made and deleted by their services,
and a retained trader record is read only on a legal request (DSA art. 30(3))."""

from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.privacy.models import DataExport, RetainedTraderRecord


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ("requested_at", "user", "status", "size_bytes", "expires_at", "downloaded_at")
    list_filter = ("status",)
    # The token is the download link's key: staff have no need of it.
    exclude = ("token",)
    list_select_related = ("user",)


@admin.register(RetainedTraderRecord)
class RetainedTraderRecordAdmin(ReadOnlyAdmin):
    list_display = ("seller_profile_id", "created_at", "retained_until")
