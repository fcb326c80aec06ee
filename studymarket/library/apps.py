from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "studymarket.library"
    label = "library"
