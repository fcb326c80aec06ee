from django.urls import path

from studymarket.checkout import views

app_name = "checkout"
urlpatterns = [
    path("", views.cart_view, name="cart"),
    path("toevoegen/<int:listing_id>/", views.cart_add_view, name="add"),
    path("verwijderen/<int:listing_id>/", views.cart_remove_view, name="remove"),
]
