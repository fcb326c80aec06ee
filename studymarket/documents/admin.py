from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.documents.models import DocumentVersion


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "document",
        "number",
        "status",
        "reason_code",
        "page_count",
        "attempts",
        "size_bytes",
        "created_at",
    )
    list_filter = ("status", "reason_code", "source_format")
