from django.urls import path

from studymarket.payments import views

app_name = "payments"
urlpatterns = [
    path("terug/<str:token>/", views.payment_return_view, name="return"),
    # The simulated provider's hosted page (embedded default; no money moves).
    path("demo/<str:simulated_id>/", views.simulated_checkout_view, name="simulated_checkout"),
    # "Tevredenheidsgarantie": money back for one purchase (linked from "Mijn documenten").
    path("geld-terug/<int:order_line_id>/", views.guarantee_view, name="guarantee"),
]
