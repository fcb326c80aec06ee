from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from studymarket.catalog.models import Book, Bundle, BundleItem, Course, Institution, Listing, Programme
from studymarket.core.admin import ReadOnlyAdmin


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    list_display = ("name", "country", "city")
    search_fields = ("name",)


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("name", "institution")
    list_select_related = ("institution",)


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "programme")
    search_fields = ("name", "code")
    list_select_related = ("programme",)


@admin.register(Book)
class BookAdmin(ReadOnlyAdmin):
    list_display = ("title", "authors", "isbn13")
    search_fields = ("title", "isbn13")


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ("title", "seller", "price_cents", "status", "published_at", "view_count", "sold_count")
    list_filter = ("status", "document_type", "language")
    search_fields = ("title",)
    list_select_related = ("seller",)


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    fields = ("position", "listing")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ("title", "seller", "course", "price_cents", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("seller", "course")
    inlines = (BundleItemInline,)
