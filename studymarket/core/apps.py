from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "studymarket.core"
    label = "core"
