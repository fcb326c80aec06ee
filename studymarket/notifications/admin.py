from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "url", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("recipient__email",)
    date_hierarchy = "created_at"
