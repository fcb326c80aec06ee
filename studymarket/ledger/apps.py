from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "studymarket.ledger"
    label = "ledger"
