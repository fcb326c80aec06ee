"""Mounted under volgen/ by catalog/urls.py; the names are in the catalog namespace."""

from django.urls import path

from studymarket.catalog import follow_views

urlpatterns = [
    path("verkoper/<slug:slug>/", follow_views.follow_seller_view, name="follow_seller"),
    path("vak/<int:course_id>/", follow_views.follow_course_view, name="follow_course"),
    path("afmelden/<str:token>/", follow_views.follow_optout_view, name="follow_optout"),
]
