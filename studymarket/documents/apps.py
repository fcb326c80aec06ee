from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "studymarket.documents"
    label = "documents"
