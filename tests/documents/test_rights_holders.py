"""Rights holders register their material as fingerprints; uploads repeating it are held."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from studymarket.core.errors import ApplicationError
from studymarket.documents.models import (
    RightsHolderBand,
    RightsHolderMatch,
    RightsHolderPage,
    RightsHolderWork,
    VersionStatus,
)
from studymarket.documents.originality import normalised_words, shingles
from studymarket.documents.processing import document_version_process
from studymarket.documents.rights_holders import (
    hashes_pack,
    hashes_unpack,
    rights_holder_work_register,
    rights_holder_work_remove,
    shingle_hash,
)
from studymarket.documents.rights_mail import rights_holder_decision_notify, rights_holder_held_notify_quietly
from studymarket.documents.rights_matching import rights_holder_check
from studymarket.documents.services import UploadRejected, document_upload
from tests.data_files import stored_files, workspaces
from tests.documents.test_originality import make_version, page_texts
from tests.factories import DocumentFactory, SellerFactory, UserFactory
from tests.smtp import free_port
from tests.support.test_upload_review_pipeline import text_pdf

pytestmark = pytest.mark.django_db

LECTURER_PAGES = page_texts(41, pages=6, words=120)


def register(owner=None, texts=LECTURER_PAGES, title="Hoorcolleges Marketing") -> RightsHolderWork:
    owner = owner or UserFactory(email="docent@hogeschool.example")
    return rights_holder_work_register(
        owner=owner, title=title, file=SimpleUploadedFile("slides.pdf", text_pdf(texts))
    )


def test_registering_keeps_fingerprints_and_nothing_else():
    work = register()

    assert (work.title, work.page_count) == ("Hoorcolleges Marketing", 6)
    assert work.signature is not None
    # Every page's shingle hashes, exactly as made from its words; no text, no file.
    page = RightsHolderPage.objects.get(work=work, number=2)
    expected = {shingle_hash(s) for s in shingles(normalised_words(LECTURER_PAGES[1]))}
    assert hashes_unpack(page.shingle_hashes) == expected
    assert len(bytes(page.shingle_hashes)) == 8 * len(expected)
    assert work.shingle_count == len(
        set().union(*(hashes_unpack(p.shingle_hashes) for p in RightsHolderPage.objects.filter(work=work)))
    )
    # Bands for the whole work (page 0) and for each page with enough text.
    assert set(RightsHolderBand.objects.filter(work=work).values_list("page", flat=True)) == {
        0,
        1,
        2,
        3,
        4,
        5,
        6,
    }
    assert stored_files("private") == []
    assert workspaces() == []


def test_pack_and_unpack_are_sorted_little_endian():
    assert hashes_pack({2, 1}) == b"\x01" + b"\x00" * 7 + b"\x02" + b"\x00" * 7
    assert hashes_unpack(hashes_pack({5, 2**64 - 1})) == {5, 2**64 - 1}


def test_the_same_file_registered_twice_is_one_work():
    owner = UserFactory()
    first = register(owner)
    second = register(owner, title="Nog eens")

    assert second.pk == first.pk
    assert RightsHolderWork.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "Dit is geen PDF-bestand (het lijkt een PNG-bestand)."),
        (b"%PDF-1.7\n broken", "Het bestand is niet compleet"),
    ],
)
def test_what_the_upload_pipeline_refuses_is_refused(data, message):
    with pytest.raises(UploadRejected) as refused:
        rights_holder_work_register(
            owner=UserFactory(), title="Tentamen", file=SimpleUploadedFile("x.pdf", data)
        )

    assert refused.value.message.startswith(message)
    assert not RightsHolderWork.objects.exists()
    assert workspaces() == []


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024

    with pytest.raises(UploadRejected) as refused:
        register()

    assert refused.value.code == "too_large"


def test_a_pdf_without_text_is_refused_with_a_reason():
    with pytest.raises(ApplicationError) as refused:
        register(texts=["", ""])

    assert "geen tekst" in refused.value.message
    assert not RightsHolderWork.objects.exists()


def test_removing_deletes_the_fingerprints_and_keeps_the_row():
    work = register()

    removed = rights_holder_work_remove(owner=work.owner, work_id=work.pk)
    again = rights_holder_work_remove(owner=work.owner, work_id=work.pk)

    assert removed.removed_at is not None
    assert again.removed_at == removed.removed_at
    assert not RightsHolderPage.objects.filter(work=work).exists()
    assert not RightsHolderBand.objects.filter(work=work).exists()
    with pytest.raises(RightsHolderWork.DoesNotExist):
        rights_holder_work_remove(owner=UserFactory(), work_id=work.pk)


def test_an_upload_repeating_registered_pages_is_matched_with_those_pages():
    work = register()
    # Pages 2, 3 and 5 of the slides between pages of the seller's own.
    own = page_texts(42, pages=4, words=120)
    version = make_version(
        [own[0], LECTURER_PAGES[1], own[1], LECTURER_PAGES[2], own[2], LECTURER_PAGES[4], own[3]]
    )

    check = rights_holder_check(version=version)

    assert check.held
    [match] = check.matches
    assert match.work == work
    assert match.work_pages == [2, 3, 5]
    assert match.upload_pages == [2, 4, 6]
    # Three of the work's six pages: the smaller text is the work, half of it repeated.
    assert 0.45 < match.similarity < 0.55


def test_an_unrelated_upload_and_the_owners_own_upload_are_not_matched():
    work = register()
    other = make_version(page_texts(43, pages=6, words=120))
    own = make_version(LECTURER_PAGES, document=DocumentFactory(seller=SellerFactory(user=work.owner)))

    assert not rights_holder_check(version=other).held
    assert not rights_holder_check(version=own).held


def test_a_single_repeated_page_stays_below_the_thresholds(settings):
    register()
    own = page_texts(44, pages=9, words=120)
    version = make_version([*own, LECTURER_PAGES[0]])

    assert not rights_holder_check(version=version).held

    settings.RIGHTS_HOLDER_MATCH_MIN_PAGES = 1
    assert rights_holder_check(version=version).held


def test_a_removed_work_holds_nothing():
    work = register()
    rights_holder_work_remove(owner=work.owner, work_id=work.pk)

    assert not rights_holder_check(version=make_version(LECTURER_PAGES)).held


def test_checking_again_keeps_the_match_and_its_notification():
    register()
    version = make_version(LECTURER_PAGES[:4])
    [match] = rights_holder_check(version=version).matches
    RightsHolderMatch.objects.filter(pk=match.pk).update(held_notified_at="2026-01-01T00:00:00Z")

    [again] = rights_holder_check(version=version).matches

    assert again.pk == match.pk
    assert again.held_notified_at is not None


def test_the_pipeline_holds_a_copy_of_registered_slides_and_mails_the_rights_holder(mailoutbox):
    work = register()
    seller = SellerFactory()
    version = document_upload(
        seller=seller, file=ContentFile(text_pdf(LECTURER_PAGES[:5])), original_name="samenvatting.pdf"
    )

    processed = document_version_process(version_id=version.pk)

    assert processed.status == VersionStatus.HELD_FOR_REVIEW
    match = RightsHolderMatch.objects.get(version=version)
    assert (match.work, match.work_pages) == (work, [1, 2, 3, 4, 5])
    assert match.held_notified_at is not None
    [mail] = mailoutbox
    assert mail.to == ["docent@hogeschool.example"]
    assert mail.subject == 'Een upload die lijkt op "Hoorcolleges Marketing" is tegengehouden'
    assert "Pagina's van je werk die in de upload terugkomen: 1, 2, 3, 4, 5." in mail.body
    assert seller.display_name not in mail.body

    # Processing again (a retry) neither moves it nor mails again.
    document_version_process(version_id=version.pk)
    assert len(mailoutbox) == 1


def test_the_pipeline_publishes_an_upload_that_repeats_no_registered_work(mailoutbox):
    register()
    version = document_upload(
        seller=SellerFactory(),
        file=ContentFile(text_pdf(page_texts(45, pages=3, words=120))),
        original_name="a.pdf",
    )

    assert document_version_process(version_id=version.pk).status == VersionStatus.ACCEPTED
    assert not RightsHolderMatch.objects.exists()
    assert mailoutbox == []


def test_the_work_sharing_most_bands_is_compared_first(monkeypatch):
    # Work A (registered first, so the lower id) shares one page with the upload, work B four.
    other_pages = page_texts(46, pages=6, words=120)
    register(UserFactory(), texts=[LECTURER_PAGES[0], *other_pages[:5]], title="A")
    work_b = register(UserFactory(), texts=LECTURER_PAGES[1:6], title="B")
    monkeypatch.setattr("studymarket.documents.rights_matching.MAX_CANDIDATES", 1)

    check = rights_holder_check(version=make_version(LECTURER_PAGES))

    assert [match.work for match in check.matches] == [work_b]


def test_a_work_fingerprinted_another_way_holds_nothing_until_registered_again(settings):
    work = register()
    copy = make_version(LECTURER_PAGES)
    # originality.py's bands change with the threshold: the stored ones no longer compare.
    settings.NEAR_DUPLICATE_THRESHOLD = settings.NEAR_DUPLICATE_THRESHOLD / 2

    assert not rights_holder_check(version=copy).held

    again = register(work.owner)
    assert again.pk == work.pk
    assert again.scheme != work.scheme
    assert RightsHolderWork.objects.count() == 1
    assert [match.work for match in rights_holder_check(version=copy).matches] == [work]


def test_a_failed_mail_gives_the_claim_back_and_the_decision_still_goes(settings, mailoutbox):
    register()
    version = make_version(LECTURER_PAGES[:4], status=VersionStatus.HELD_FOR_REVIEW)
    [match] = rights_holder_check(version=version).matches
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2

    rights_holder_held_notify_quietly(version_id=version.pk)  # logged, not raised

    match.refresh_from_db()
    assert match.held_notified_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    type(version).objects.filter(pk=version.pk).update(status=VersionStatus.REJECTED)
    assert rights_holder_decision_notify(version_id=version.pk) == 1
    assert rights_holder_decision_notify(version_id=version.pk) == 0
    assert [mail.subject for mail in mailoutbox] == [
        'Besluit over een upload die lijkt op "Hoorcolleges Marketing": geweigerd'
    ]
