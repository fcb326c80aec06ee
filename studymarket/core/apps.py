from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "studymarket.core"
    label = "core"
    verbose_name = _("Systeem")

    def ready(self) -> None:
        # Log lines carry the request's id, a task's those of the request that queued it (core.request_id).
        from studymarket.core.request_id import signals_connect

        signals_connect()
