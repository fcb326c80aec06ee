from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "studymarket.orders"
    label = "orders"
