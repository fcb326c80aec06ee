"""The staff side of notice and action, under /beheer/meldingen/ (config/urls.py mounts it
before support's beheer/ and the admin's catch-all)."""

from django.urls import path

from studymarket.trust import staff_views

app_name = "trust_staff"
urlpatterns = [
    path("", staff_views.notice_queue, name="notice_queue"),
    path("<str:number>/", staff_views.notice_detail, name="notice_detail"),
    path("<str:number>/besluit/", staff_views.notice_decide, name="notice_decide"),
]
