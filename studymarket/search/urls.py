from django.urls import path

from studymarket.search import views

app_name = "search"
urlpatterns = [
    path("zoeken/", views.search, name="search"),
    path("zoeken/suggesties/", views.autocomplete, name="autocomplete"),
]
