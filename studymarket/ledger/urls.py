from django.urls import path

from studymarket.ledger import views

app_name = "ledger"
# "Mijn verdiensten" (the seller's earnings and payouts), mounted at /verkopen/verdiensten/.
urlpatterns = [
    path("", views.earnings, name="earnings"),
    path("uitbetalen/", views.payout_request_view, name="payout_request"),
    path("rekening/", views.payout_details, name="payout_details"),
]
