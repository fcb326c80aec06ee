"""Following sellers and courses, the e-mail about a new document, and opting out from it."""

import re
import threading
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import connection, connections
from django.db.models import Q
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog import follows as follows_module
from studymarket.catalog.follows import (
    follow_create,
    follow_delete,
    follow_notifications_reconcile,
    follow_notifications_send,
    follow_optout_token,
)
from studymarket.catalog.models import Course, Follow, FollowNotification, Listing, ListingStatus
from studymarket.catalog.services import listing_publish
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from tests.factories import CourseFactory, ListingFactory, SellerFactory, UserFactory
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db

OPTOUT_PATH = re.compile(r"https?://[^/\s]+(/(?:en/)?volgen/afmelden/[^/\s]+/)")


def _draft(*, seller: SellerProfile | None = None, course: Course | None = None) -> Listing:
    seller = seller or SellerFactory()
    listing: Listing = ListingFactory(
        seller=seller,
        course=course or CourseFactory(name="Account Management"),
        title="Account Management Samenvatting Odisee",
        price_cents=949,
        status=ListingStatus.DRAFT,
        published_at=None,
    )
    return listing


def _login(client: Client, user=None):
    user = user or UserFactory()
    client.force_login(user, backend=MODEL_BACKEND)
    return user


def _optout_path(message: EmailMessage) -> str:
    match = OPTOUT_PATH.search(str(message.body))
    assert match, message.body
    return match.group(1)


# --- Following through the pages ---------------------------------------------------------------


def test_anonymous_follow_is_sent_to_log_in_and_back(client):
    seller = SellerFactory()
    page = seller.get_absolute_url()

    response = client.post(reverse("catalog:follow_seller", args=[seller.slug]), {"next": page})

    assert response.status_code == 302
    login = reverse("accounts:login")
    assert response["Location"] == f"{login}?next={page}"
    assert not Follow.objects.exists()


def test_anonymous_follow_with_htmx_redirects_the_whole_window(client):
    course = CourseFactory()

    response = client.post(
        reverse("catalog:follow_course", args=[course.pk]),
        {"next": course.get_absolute_url()},
        HTTP_HX_REQUEST="true",
    )

    assert response["HX-Redirect"] == f"{reverse('accounts:login')}?next={course.get_absolute_url()}"


def test_follow_without_javascript_redirects_back_and_unfollow_too(client):
    user = _login(client)
    seller = SellerFactory()
    url = reverse("catalog:follow_seller", args=[seller.slug])
    page = seller.get_absolute_url()

    response = client.post(url, {"next": page, "action": "follow"})

    assert response.status_code == 302
    assert response["Location"] == page
    assert Follow.objects.filter(user=user, seller=seller, course=None).count() == 1

    client.post(url, {"next": page, "action": "follow"})  # a second click changes nothing
    assert Follow.objects.filter(user=user).count() == 1

    response = client.post(url, {"next": page, "action": "unfollow"})

    assert response["Location"] == page
    assert not Follow.objects.filter(user=user).exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="follow.")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["follow.created", "follow.deleted"]


def test_follow_with_htmx_answers_with_the_button(client):
    user = _login(client)
    course = CourseFactory()
    others = User.objects.bulk_create(User(email=f"volger{n}@example.test") for n in range(1233))
    Follow.objects.bulk_create(Follow(user=other, course=course) for other in others)

    response = client.post(
        reverse("catalog:follow_course", args=[course.pk]),
        {"next": course.get_absolute_url(), "action": "follow"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<div id="follow-course-{course.pk}" class="follow-button">')
    assert "<html" not in html
    assert "Je volgt dit vak." in html
    assert "1.234 volgers" in html
    assert 'value="unfollow"' in html
    assert Follow.objects.get(user=user, course=course).language == "nl"


def test_follow_in_english_remembers_the_language(client):
    user = _login(client)
    seller = SellerFactory()

    client.post("/en" + reverse("catalog:follow_seller", args=[seller.slug]), {"action": "follow"})

    assert Follow.objects.get(user=user, seller=seller).language == "en"


def test_follow_goes_back_only_to_our_own_pages(client):
    _login(client)
    seller = SellerFactory()

    response = client.post(
        reverse("catalog:follow_seller", args=[seller.slug]),
        {"next": "https://evil.example/", "action": "follow"},
    )

    assert response["Location"] == seller.get_absolute_url()


def test_a_seller_cannot_follow_themself(client):
    seller = SellerFactory()
    _login(client, seller.user)

    response = client.post(
        reverse("catalog:follow_seller", args=[seller.slug]), {"action": "follow"}, HTTP_HX_REQUEST="true"
    )

    assert "Je kunt jezelf niet volgen." in response.content.decode()
    assert not Follow.objects.exists()


def test_follow_is_post_only_and_404_for_unknown_targets(client):
    _login(client)
    seller = SellerFactory()

    assert client.get(reverse("catalog:follow_seller", args=[seller.slug])).status_code == 405
    assert client.post(reverse("catalog:follow_seller", args=["niemand"])).status_code == 404
    assert client.post(reverse("catalog:follow_course", args=[987654])).status_code == 404


def test_follow_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    _login(client)
    seller = SellerFactory()

    response = client.post(reverse("catalog:follow_seller", args=[seller.slug]), {"action": "follow"})

    assert response.status_code == 403
    assert not Follow.objects.exists()


def _button(user, **target) -> str:
    request = RequestFactory().get("/verkoper/x/?pagina=2")
    request.user = user
    request.htmx = False  # type: ignore[attr-defined]
    template = Template("{% load follows %}{% follow_button " + " ".join(f"{k}={k}" for k in target) + " %}")
    return template.render(Context({"request": request, "user": user, **target}))


def test_button_for_an_anonymous_visitor_is_a_link_to_log_in(rf):
    from django.contrib.auth.models import AnonymousUser

    html = _button(AnonymousUser(), seller=SellerFactory())

    assert '/account/inloggen/?next=/verkoper/x/%3Fpagina%3D2"' in html
    assert "Volg deze verkoper" in html
    assert "<form" not in html


def test_button_shows_state_and_is_absent_on_the_own_seller_page():
    seller = SellerFactory()
    user = UserFactory()
    follow_create(user=user, seller=seller)

    assert "Je volgt deze verkoper." in _button(user, seller=seller)
    assert "1 volger" in _button(user, seller=seller)
    own = _button(seller.user, seller=seller)
    assert "<form" not in own
    assert "Volg deze verkoper" not in own


def test_follow_services_validate_the_target():
    user = UserFactory()
    with pytest.raises(ValueError, match="exactly one"):
        follow_create(user=user)
    with pytest.raises(ValueError, match="exactly one"):
        follow_create(user=user, seller=SellerFactory(), course=CourseFactory())
    seller = SellerFactory()
    with pytest.raises(ApplicationError):
        follow_create(user=seller.user, seller=seller)
    assert follow_delete(user=user, seller=SellerFactory()) is False


# --- The e-mail about a new document ----------------------------------------------------------


def test_first_publication_mails_each_follower_once(django_capture_on_commit_callbacks, monkeypatch):
    # The search index is another part's business (and its task another test's).
    monkeypatch.setattr(
        "studymarket.search.tasks.search_index_listing_task",
        SimpleNamespace(enqueue=lambda listing_id: None),
    )
    seller = SellerFactory(display_name="demo-seller")
    course = CourseFactory(name="Account Management")
    listing = _draft(seller=seller, course=course)
    both = UserFactory(email="both@example.test")
    follow_create(user=both, seller=seller)
    follow_create(user=both, course=course)
    only_course = UserFactory(email="course@example.test")
    follow_create(user=only_course, course=course)
    only_seller = UserFactory(email="seller@example.test")
    follow_create(user=only_seller, seller=seller)
    follow_create(user=seller.user, course=course)  # the seller follows the course of their own document
    gone = UserFactory(email="gone@example.test", is_active=False)
    follow_create(user=gone, course=course)
    follow_create(user=UserFactory(email="other@example.test"), course=CourseFactory())

    with django_capture_on_commit_callbacks(execute=True):
        listing_publish(listing=listing)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "both@example.test",
        "course@example.test",
        "seller@example.test",
    ]
    assert FollowNotification.objects.filter(listing=listing, sent_at__isnull=False).count() == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to["seller@example.test"].subject == (
        "Nieuw document van demo-seller: Account Management Samenvatting Odisee"
    )
    assert by_to["course@example.test"].subject == (
        "Nieuw document voor Account Management: Account Management Samenvatting Odisee"
    )
    body = str(by_to["both@example.test"].body)
    assert body.startswith("Hallo both,")
    assert "demo-seller, die je volgt, heeft een nieuw document online gezet voor Account Management" in body
    assert "€ 9,49" in body
    assert "12 pagina's" in body
    assert f"{settings.SITE_URL}{listing.get_absolute_url()}" in body

    # Publishing again (already published; or after being taken offline) sends nothing new.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        listing_publish(listing=listing)
        Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.UNPUBLISHED)
        listing_publish(listing=listing)
    assert mail.outbox == []


def test_sending_again_sends_nothing_twice():
    listing = _draft()
    follow_create(user=UserFactory(), seller=listing.seller)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)

    assert follow_notifications_send(listing_id=listing.pk) == 1
    assert follow_notifications_send(listing_id=listing.pk) == 0
    assert len(mail.outbox) == 1


def test_a_listing_taken_offline_before_the_task_runs_is_not_announced():
    listing = _draft()
    follow_create(user=UserFactory(), seller=listing.seller)

    assert follow_notifications_send(listing_id=listing.pk) == 0  # still a draft
    assert mail.outbox == []
    assert not FollowNotification.objects.exists()


def test_the_mail_has_html_and_list_unsubscribe_headers():
    listing = _draft(seller=SellerFactory(display_name="Jan & <Piet>"))
    follow_create(user=UserFactory(), seller=listing.seller)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)

    follow_notifications_send(listing_id=listing.pk)

    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    optout_url = settings.SITE_URL + _optout_path(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{optout_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{optout_url}"' in str(html)
    assert "Account Management Samenvatting Odisee</strong>" in str(html)
    assert '<html lang="nl">' in str(html)
    # Escaped in the HTML, as it is in the text and the subject.
    assert "Jan &amp; &lt;Piet&gt;, die je volgt" in str(html)
    assert "Jan & <Piet>, die je volgt" in str(message.body)
    assert message.subject.startswith("Nieuw document van Jan & <Piet>: ")


def test_the_mail_is_in_the_language_the_user_followed_in():
    listing = _draft()
    english = UserFactory(email="english@example.test")
    follow_create(user=english, seller=listing.seller, language="en-gb")
    dutch = UserFactory(email="dutch@example.test")
    follow_create(user=dutch, seller=listing.seller, language="nl")
    unknown = UserFactory(email="unknown@example.test")
    follow_create(user=unknown, seller=listing.seller, language="fr")
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)

    follow_notifications_send(listing_id=listing.pk)

    by_to = {m.to[0]: m for m in mail.outbox if isinstance(m, EmailMultiAlternatives)}
    english_body = str(by_to["english@example.test"].body)
    assert english_body.startswith("Hello english,")
    assert "Summary · Account Management" in english_body
    assert "€9.49" in english_body
    assert f"{settings.SITE_URL}/en{listing.get_absolute_url()}" in english_body
    assert _optout_path(by_to["english@example.test"]).startswith("/en/volgen/afmelden/")
    assert '<html lang="en">' in str(by_to["english@example.test"].alternatives[0][0])
    for dutch_address in ("dutch@example.test", "unknown@example.test"):  # French is not offered
        body = str(by_to[dutch_address].body)
        assert body.startswith("Hallo ")
        assert "Samenvatting · Account Management" in body
        assert "€ 9,49" in body
        assert _optout_path(by_to[dutch_address]).startswith("/volgen/afmelden/")


def test_a_failed_send_is_given_back_and_sent_by_the_next_run(monkeypatch):
    listing = _draft()
    for address in ("a@example.test", "b@example.test"):
        follow_create(user=UserFactory(email=address), seller=listing.seller)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)
    real_send = EmailMultiAlternatives.send

    def flaky(message, fail_silently=False):
        if message.to == ["a@example.test"]:
            raise OSError("mail server down")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with pytest.raises(RuntimeError, match="1 follow notification"):
        follow_notifications_send(listing_id=listing.pk)
    assert [m.to for m in mail.outbox] == [["b@example.test"]]
    assert FollowNotification.objects.filter(sent_at__isnull=True).count() == 1

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert follow_notifications_send(listing_id=listing.pk) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_two_runs_at_once_send_each_mail_once(monkeypatch):
    listing = _draft()
    for _n in range(6):
        follow_create(user=UserFactory(), course=listing.course)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)
    real_send = EmailMultiAlternatives.send
    both_claimed = threading.Barrier(2, timeout=10)
    waited = threading.local()

    def slow_send(message, fail_silently=False):
        if not getattr(waited, "once", False):
            waited.once = True
            both_claimed.wait()  # both runs have listed the pending mails and claimed one
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)
    sent: list[int] = []

    def run() -> None:
        try:
            sent.append(follow_notifications_send(listing_id=listing.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sent) == 6
    assert len(mail.outbox) == 6
    assert len({m.to[0] for m in mail.outbox}) == 6


def test_the_task_sends_them(db_task_backend):
    from django_tasks_db.models import DBTaskResult

    from studymarket.catalog.tasks import follow_notifications_task

    listing = _draft()
    follow_create(user=UserFactory(), seller=listing.seller)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)

    result = follow_notifications_task.enqueue(listing.pk)
    assert DBTaskResult.objects.filter(id=result.id, task_path__endswith="follow_notifications_task").exists()
    follow_notifications_task.call(listing.pk)
    follow_notifications_task.call(listing.pk)

    assert len(mail.outbox) == 1


def _published_ago(listing: Listing, age: timedelta) -> None:
    """As if the listing was first published ``age`` ago, its followers following from before."""
    published_at = timezone.now() - age
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED, published_at=published_at)
    Follow.objects.filter(Q(seller_id=listing.seller_id) | Q(course_id=listing.course_id)).update(
        created_at=published_at - timedelta(hours=1)
    )


def test_reconcile_sends_what_a_lost_task_or_a_failed_send_left(monkeypatch):
    lost = _draft()  # published, but its task never ran
    follow_create(user=UserFactory(email="lost@example.test"), seller=lost.seller)
    failed = _draft()
    follow_create(user=UserFactory(email="failed@example.test"), course=failed.course)
    follow_create(user=UserFactory(email="sent@example.test"), course=failed.course)
    _published_ago(lost, timedelta(minutes=30))
    _published_ago(failed, timedelta(minutes=30))
    real_send = EmailMultiAlternatives.send

    def flaky(message, fail_silently=False):
        if message.to == ["failed@example.test"]:
            raise OSError("mail server down")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with pytest.raises(RuntimeError):
        follow_notifications_send(listing_id=failed.pk)
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert [m.to for m in mail.outbox] == [["sent@example.test"]]

    assert follow_notifications_reconcile() == [lost.pk, failed.pk]  # tasks run inline in tests

    assert sorted(m.to[0] for m in mail.outbox) == [
        "failed@example.test",
        "lost@example.test",
        "sent@example.test",
    ]
    assert follow_notifications_reconcile() == []


def test_reconcile_leaves_alone_what_is_too_new_too_old_or_nobodys():
    fresh = _draft()  # its task has had no time yet
    follow_create(user=UserFactory(), seller=fresh.seller)
    old = _draft()  # old news
    follow_create(user=UserFactory(), seller=old.seller)
    own = _draft()  # only the seller follows the course
    follow_create(user=own.seller.user, course=own.course)
    _published_ago(fresh, timedelta(minutes=5))
    _published_ago(old, timedelta(days=3))
    _published_ago(own, timedelta(hours=1))
    late = _draft()
    _published_ago(late, timedelta(hours=1))
    follow_create(user=UserFactory(), seller=late.seller)  # followed after the publication

    assert follow_notifications_reconcile() == []
    assert mail.outbox == []


# --- Opting out ----------------------------------------------------------------------------------


def _mail_for(user, listing: Listing) -> EmailMultiAlternatives:
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)
    follow_notifications_send(listing_id=listing.pk)
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    assert isinstance(message, EmailMultiAlternatives)
    return message


def test_opt_out_get_asks_and_post_unfollows_what_the_mail_was_about():
    client = Client(enforce_csrf_checks=True)  # no login, no CSRF token: the signed link is enough
    listing = _draft()
    user = UserFactory()
    follow_create(user=user, seller=listing.seller)
    follow_create(user=user, course=listing.course)
    follow_create(user=user, course=CourseFactory())
    path = _optout_path(_mail_for(user, listing))

    page = client.get(path)

    assert page.status_code == 200
    html = page.content.decode()
    assert f"verkoper {listing.seller.display_name}" in html
    assert "vak Account Management" in html
    assert "Je volgt daarnaast nog 1 verkoper of vak." in html
    assert '<meta name="robots" content="noindex">' in html
    assert Follow.objects.filter(user=user).count() == 3  # a GET (a mail scanner) changes nothing

    done = client.post(path, {"action": "these"})

    assert done.status_code == 200
    assert "Gelukt: je krijgt hierover geen e-mails meer." in done.content.decode()
    other_course = Course.objects.exclude(pk=listing.course_id).get()
    assert list(Follow.objects.filter(user=user).values_list("course", flat=True)) == [other_course.pk]
    again = client.get(path)
    assert "Je volgt dit al niet meer" in again.content.decode()


def test_opt_out_of_everything():
    listing = _draft()
    user = UserFactory()
    follow_create(user=user, seller=listing.seller)
    follow_create(user=user, course=CourseFactory())
    follow_create(user=user, seller=SellerFactory())
    path = _optout_path(_mail_for(user, listing))

    Client().post(path, {"action": "all"})

    assert not Follow.objects.filter(user=user).exists()


def test_one_click_unsubscribe_from_the_mail_program():
    """RFC 8058: the mail program POSTs List-Unsubscribe=One-Click to the List-Unsubscribe URL."""
    client = Client(enforce_csrf_checks=True)
    listing = _draft()
    user = UserFactory()
    follow_create(user=user, seller=listing.seller)
    message = _mail_for(user, listing)
    url = message.extra_headers["List-Unsubscribe"].strip("<>")

    response = client.post(
        urlsplit(url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not Follow.objects.filter(user=user).exists()


def test_opt_out_link_names_only_the_follows_that_led_to_the_mail():
    listing = _draft()
    user = UserFactory()
    follow_create(user=user, course=listing.course)
    follow_create(user=user, seller=SellerFactory())  # another seller: not about this mail
    path = _optout_path(_mail_for(user, listing))
    token = path.rstrip("/").rsplit("/", 1)[1]

    assert signing.loads(token, salt="studymarket.catalog.follow-optout") == {
        "u": user.pk,
        "s": [],
        "c": [listing.course_id],
    }
    Client().post(path)
    assert list(Follow.objects.filter(user=user).values_list("course", flat=True)) == [None]


def test_opt_out_link_is_tamper_proof():
    listing = _draft()
    victim = UserFactory()
    follow_create(user=victim, seller=listing.seller)
    attacker = UserFactory()
    token = follow_optout_token(user_id=attacker.pk, seller_ids=[listing.seller_id], course_ids=[])
    payload, signature = token.rsplit(":", 1)
    # The same follows with the victim's id instead: the signature no longer fits.
    forged_payload = signing.dumps(
        {"u": victim.pk, "s": [listing.seller_id], "c": []}, salt="x", compress=True
    ).rsplit(":", 1)[0]
    unsalted = signing.dumps({"u": victim.pk, "s": [listing.seller_id], "c": []}, compress=True)
    for bad in (f"{forged_payload}:{signature}", unsalted, token[:-2] + "xx", "niets"):
        path = reverse("catalog:follow_optout", kwargs={"token": bad})
        page = Client().get(path)
        assert page.status_code == 404
        assert "Deze afmeldlink klopt niet." in page.content.decode()
        assert Client().post(path, {"action": "all"}).status_code == 404
    assert Follow.objects.filter(user=victim).count() == 1


def test_opt_out_link_of_a_deleted_user_is_refused():
    listing = _draft()
    user = UserFactory()
    token = follow_optout_token(user_id=user.pk, seller_ids=[listing.seller_id], course_ids=[])
    user.delete()

    response = Client().get(reverse("catalog:follow_optout", kwargs={"token": token}))

    assert response.status_code == 404


def test_recipients_module_excludes_the_seller(monkeypatch):
    """The seller's own follows never lead to a mail about their own document."""
    listing = _draft()
    follow_create(user=listing.seller.user, course=listing.course)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)
    listing.refresh_from_db()

    assert follows_module._recipients(listing) == {}
    assert follow_notifications_send(listing_id=listing.pk) == 0
