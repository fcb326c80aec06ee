from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "studymarket.storefront"
    label = "storefront"
