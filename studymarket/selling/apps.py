from django.apps import AppConfig


class SellingConfig(AppConfig):
    name = "studymarket.selling"
    label = "selling"
