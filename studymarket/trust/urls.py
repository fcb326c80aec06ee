"""The public and seller side of notice and action: reporting a listing (DSA art. 16) and the
seller's answer to a notice."""

from django.urls import URLPattern, URLResolver, include, path

from studymarket.trust import views

app_name = "trust"
urlpatterns: list[URLPattern | URLResolver] = [
    path("melden/<int:listing_id>/", views.notice_create, name="notice_create"),
    path("melden/ontvangen/<str:number>/", views.notice_received, name="notice_received"),
    path("meldingen/<str:number>/reageren/", views.notice_respond, name="notice_respond"),
    # The appeal pages (DSA art. 20) and the transparency figures, in the same "trust" namespace.
    path("", include("studymarket.trust.appeal_urls")),
]
