"""The appeal pages (DSA art. 20) and the transparency figures (arts 15, 24). Mounted by
trust/urls.py inside the "trust" namespace at the site's root, which config/urls.py places
before support's beheer/ and the admin's catch-all: so the staff pages under beheer/ answer here.
"""

from django.urls import path, register_converter

from studymarket.trust import appeal_views, transparency_views
from studymarket.trust.appeals import notice_appeal_number, notice_appeal_token


class SignedNoticeNumber:
    """A notice number with its signature in the path: reverse() signs the number it is given
    (so every link to the reporter's appeal page carries the signature, trust.emails included)
    and a path whose signature does not hold matches nothing (404)."""

    regex = r"[A-Za-z0-9-]+:[A-Za-z0-9_-]+"

    def to_python(self, value: str) -> str:
        return notice_appeal_number(value)

    def to_url(self, value: str) -> str:
        return notice_appeal_token(value)


register_converter(SignedNoticeNumber, "signed_notice")

urlpatterns = [
    path("meldingen/bezwaar/besluit/<int:statement_id>/", appeal_views.appeal_create, name="appeal_create"),
    path(
        "meldingen/bezwaar/melding/<signed_notice:number>/",
        appeal_views.notice_appeal_create,
        name="notice_appeal_create",
    ),
    path("beheer/bezwaren/", appeal_views.appeal_queue, name="appeal_queue"),
    path("beheer/bezwaren/<int:appeal_id>/", appeal_views.appeal_review, name="appeal_review"),
    path("beheer/bezwaren/<int:appeal_id>/besluit/", appeal_views.appeal_decide_view, name="appeal_decide"),
    path("beheer/transparantie/", transparency_views.transparency, name="transparency"),
    path("beheer/transparantie.csv", transparency_views.transparency_csv, name="transparency_csv"),
]
