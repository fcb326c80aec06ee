"""Read-only admin pages for notice and action: the records are written by the services
(trust/services.py) only, so every change is audited; the admin is for looking things up."""

from django.contrib import admin
from django.http import HttpRequest

from studymarket.trust.models import Appeal, Notice, StatementOfReasons, Strike


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "listing", "kind", "status", "created_at", "deadline_at", "decided_at")
    list_filter = ("status", "kind")
    search_fields = ("number", "reporter_email", "listing__title")
    raw_id_fields = ("listing", "reporter", "decided_by")


@admin.register(StatementOfReasons)
class StatementOfReasonsAdmin(ReadOnlyAdmin):
    list_display = ("pk", "measure", "listing", "seller", "created_at", "sent_at")
    list_filter = ("measure", "automated")
    raw_id_fields = ("seller", "listing", "notice")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("pk", "statement", "notice", "appellant_email", "status", "created_at", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("statement", "notice", "appellant", "decided_by")


@admin.register(Strike)
class StrikeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "email", "user", "notice", "created_at", "voided_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "notice")
