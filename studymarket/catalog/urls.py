from django.urls import include, path

from studymarket.catalog import views

app_name = "catalog"
urlpatterns = [
    path("instelling/<slug:slug>/", views.institution_detail, name="institution"),
    path("vak/<slug:institution>/<slug:programme>/<slug:slug>/", views.course_detail, name="course"),
    path("verkoper/<slug:slug>/", views.seller_detail, name="seller"),
    path("verkopen/", include("studymarket.catalog.seller_urls")),
]
