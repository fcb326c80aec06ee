from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "studymarket.reviews"
    label = "reviews"
