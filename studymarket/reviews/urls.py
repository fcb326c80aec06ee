from django.urls import path

from studymarket.reviews import views

app_name = "reviews"
urlpatterns = [
    path("<int:order_line_id>/", views.review_create_view, name="create"),
]
