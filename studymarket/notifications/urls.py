"""The notifications page, at /meldingen/ (/en/meldingen/ in English; config/urls.py)."""

from django.urls import path

from studymarket.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_index, name="index"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("alles-gelezen/", views.notifications_read_all, name="read_all"),
]
