from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "studymarket.accounts"
    label = "accounts"
    verbose_name = _("Accounts en verkopers")

    def ready(self) -> None:
        from studymarket.accounts.security_log import security_log_connect
        from studymarket.accounts.session_idle import session_idle_connect

        security_log_connect()
        session_idle_connect()
