from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "studymarket.accounts"
    label = "accounts"
