"""Probes for machines, outside the language prefixes (config/urls.py), like /healthz."""

from django.urls import path

from studymarket.operations import views

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
