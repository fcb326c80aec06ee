from django.urls import path

from studymarket.storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
    path("document/<int:pk>/<slug:slug>/", views.listing_detail, name="listing"),
]
