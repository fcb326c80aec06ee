from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "studymarket.accounts"
    label = "accounts"

    def ready(self) -> None:
        from studymarket.accounts.security_log import security_log_connect

        security_log_connect()
