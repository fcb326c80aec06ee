from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "studymarket.operations"
    label = "operations"
    verbose_name = _("Beheer van de draaiende site")

    def ready(self) -> None:
        # The error tracker, only when SENTRY_DSN is set (issue 18).
        from studymarket.operations import checks  # noqa: F401  (registers the backup check)
        from studymarket.operations.sentry import sentry_init

        sentry_init()
