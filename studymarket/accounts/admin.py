from django.contrib import admin

from studymarket.accounts.models import SellerProfile, User
from studymarket.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["-date_joined"]
    # The password hash stays out of view, even read-only.
    exclude = ["password"]


@admin.register(SellerProfile)
class SellerProfileAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "slug", "user", "created_at"]
    search_fields = ["display_name", "slug", "user__email"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
