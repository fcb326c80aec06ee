from django.urls import path

from studymarket.storefront import search_views, views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("document/<int:pk>/<slug:slug>/", views.listing_detail, name="listing"),
    path("zoeken/", search_views.search, name="search"),
    path("zoeken/suggesties/", search_views.autocomplete, name="autocomplete"),
]
