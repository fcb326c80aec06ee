from django.urls import URLPattern

app_name = "ledger"
# "Mijn verdiensten" (the seller's earnings and payouts) lives here.
urlpatterns: list[URLPattern] = []
