from django.urls import path

from studymarket.checkout import views

app_name = "checkout"
urlpatterns = [
    path("", views.cart_view, name="cart"),
    path("toevoegen/<int:listing_id>/", views.cart_add_view, name="add"),
    path("verwijderen/<int:listing_id>/", views.cart_remove_view, name="remove"),
    path("bundel-toevoegen/<int:bundle_id>/", views.bundle_add_view, name="bundle_add"),
    path("bundel-verwijderen/<int:bundle_id>/", views.bundle_remove_view, name="bundle_remove"),
    path("kortingscode/", views.code_apply_view, name="code_apply"),
    path("kortingscode/verwijderen/", views.code_remove_view, name="code_remove"),
    path("afrekenen/", views.checkout_view, name="checkout"),
    path("bestelling/<str:order_number>/", views.done_view, name="done"),
    path("bestelling/<str:order_number>/status/", views.done_status_view, name="done_status"),
    path("bestelling/<str:order_number>/opnieuw/", views.retry_view, name="retry"),
]
