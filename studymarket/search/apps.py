from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "studymarket.search"
    label = "search"
