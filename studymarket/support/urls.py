from django.urls import path

from studymarket.support import views

app_name = "support"
urlpatterns = [
    path("uploads/", views.upload_queue, name="upload_queue"),
    path("uploads/<int:version_id>/", views.upload_review, name="upload_review"),
    path("uploads/<int:version_id>/besluit/", views.upload_decide, name="upload_decide"),
]
