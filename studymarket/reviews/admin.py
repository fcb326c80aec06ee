from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.reviews.models import Review


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("listing", "author", "rating", "created_at", "is_refunded")
    list_filter = ("rating", "is_refunded")
