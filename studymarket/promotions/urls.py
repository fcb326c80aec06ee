"""The seller's discount codes, under /verkopen/kortingscodes/ (config/urls.py)."""

from django.urls import path

from studymarket.promotions import views

app_name = "promotions"
urlpatterns = [
    path("", views.codes, name="codes"),
    path("nieuw/", views.code_new, name="code_new"),
    path("<int:pk>/", views.code, name="code"),
]
