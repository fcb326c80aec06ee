from django.urls import path

from studymarket.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("downloaden/", views.export_request, name="export_request"),
    path("downloaden/<str:token>/", views.export_download, name="export_download"),
    path("account-verwijderen/", views.erase, name="erase"),
    path("account-verwijderen/bevestigen/<str:token>/", views.erase_confirm, name="erase_confirm"),
]
