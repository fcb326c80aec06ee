from django.contrib import admin

from studymarket.core.admin import ReadOnlyAdmin
from studymarket.reviews.models import Review


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    # A refunded purchase's review: its order line's refunded_at is set.
    list_display = ("listing", "author", "rating", "created_at", "order_line__refunded_at")
    list_filter = ("rating", ("order_line__refunded_at", admin.EmptyFieldListFilter))
