from django.urls import path

from studymarket.library import views

app_name = "library"
urlpatterns = [
    path("", views.library_index, name="index"),
    path("<int:document_id>/lezen/", views.library_read, name="read"),
    path(
        "<int:document_id>/v<int:version_id>/<int:number>-<int:width>.webp", views.library_page, name="page"
    ),
    path("<int:document_id>/pdf/", views.library_download, name="download"),
    path("<int:document_id>/pdf/status/", views.library_copy_status, name="copy_status"),
]
