"""The staff status page, mounted at beheer/status/ before the admin's catch-all (config/urls.py)."""

from django.urls import path

from studymarket.operations import views

app_name = "operations"
urlpatterns = [path("", views.status_page, name="status")]
