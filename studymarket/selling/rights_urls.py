"""The rights holder's pages, under /rechthebbenden/ (config/urls.py)."""

from django.urls import path

from studymarket.selling import rights_views

app_name = "rights_holders"
urlpatterns = [
    path("", rights_views.works, name="works"),
    path("<int:work_id>/verwijderen/", rights_views.work_remove, name="work_remove"),
]
