from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "studymarket.checkout"
    label = "checkout"
