from django.urls import path

from studymarket.storefront import bundle_views, legal_views, review_views, views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("document/<int:pk>/<slug:slug>/", views.listing_detail, name="listing"),
    # "Meer beoordelingen": the reviews past the newest the listing page shows (?pagina=2, ...).
    path(
        "document/<int:pk>/<slug:slug>/beoordelingen/", review_views.listing_reviews, name="listing_reviews"
    ),
    path("bundel/<int:pk>/<slug:slug>/", bundle_views.bundle_detail, name="bundle"),
    # The footer's legal pages (issue 13, slice "legal"); Dutch paths in both languages.
    path("voorwaarden/", legal_views.terms, name="terms"),
    path("privacy/", legal_views.privacy, name="privacy"),
    path("cookies/", legal_views.cookies, name="cookies"),
    path("contact/", legal_views.contact, name="contact"),
]
