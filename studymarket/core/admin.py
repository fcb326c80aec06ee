from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from studymarket.core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Raw data for staff to look at; every change goes through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "object_type", "object_id", "actor")
    list_filter = ("action", "object_type")
