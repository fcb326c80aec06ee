from django.http import HttpRequest, HttpResponse


def institution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def course_detail(request: HttpRequest, institution: str, programme: str, slug: str) -> HttpResponse:
    raise NotImplementedError


def seller_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError
