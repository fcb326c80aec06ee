from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "studymarket.operations"
    label = "operations"
    verbose_name = _("Beheer van de draaiende site")
