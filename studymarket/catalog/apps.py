from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "studymarket.catalog"
    label = "catalog"
