from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "studymarket.payments"
    label = "payments"
