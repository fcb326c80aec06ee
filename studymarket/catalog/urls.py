from django.urls import include, path

from studymarket.catalog import views

app_name = "catalog"
urlpatterns = [
    path("instelling/<slug:slug>/", views.institution_detail, name="institution"),
    path("instelling/<slug:institution>/<slug:slug>/", views.programme_detail, name="programme"),
    path("vak/<slug:institution>/<slug:programme>/<slug:slug>/", views.course_detail, name="course"),
    path("verkoper/<slug:slug>/", views.seller_detail, name="seller"),
    # Any spelling of an ISBN (with dashes, ISBN-10) redirects to the page at its ISBN-13.
    path("boek/<str:isbn13>/", views.book_detail, name="book"),
    path("volgen/", include("studymarket.catalog.follow_urls")),
]
