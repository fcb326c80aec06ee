"""Provider webhooks: outside i18n_patterns (a provider posts to one fixed URL, in no language).
The name is `payments_webhook_<provider identifier>`; services.py builds the URL from it."""

from django.urls import path

from studymarket.payments import views

urlpatterns = [
    path("", views.mollie_webhook_view, name="payments_webhook_mollie"),
]
