"""An upload refused as an exact copy of the seller's OWN other document is told apart from a
copy of someone else's work (documents.originality.own_original_document_id): the seller is
offered a new version of their document instead of "Je kunt alleen eigen werk verkopen"."""

import pytest

from studymarket.documents.originality import Verdict, originality_check, own_original_document_id
from tests.documents.test_originality import make_version, page_texts, stored
from tests.factories import DocumentFactory, SellerFactory

pytestmark = pytest.mark.django_db


def test_an_exact_copy_of_ones_own_document_names_that_document():
    seller = SellerFactory()
    texts = page_texts(1)
    original = stored(texts, document=DocumentFactory(seller=seller))
    again = make_version(texts, document=DocumentFactory(seller=seller))

    assert originality_check(version=again).verdict == Verdict.EXACT
    assert own_original_document_id(version=again) == original.document_id


def test_an_exact_copy_of_someone_elses_document_names_none():
    texts = page_texts(2)
    stored(texts, document=DocumentFactory())
    copy = make_version(texts, document=DocumentFactory(seller=SellerFactory()))

    assert originality_check(version=copy).verdict == Verdict.EXACT
    assert own_original_document_id(version=copy) is None


def test_a_copy_of_ones_own_and_of_someone_elses_names_none():
    seller = SellerFactory()
    texts = page_texts(3)
    stored(texts, document=DocumentFactory())
    stored(texts, document=DocumentFactory(seller=seller))
    again = make_version(texts, document=DocumentFactory(seller=seller))

    assert originality_check(version=again).verdict == Verdict.EXACT
    assert own_original_document_id(version=again) is None


def test_a_unique_upload_names_none():
    version = make_version(page_texts(4))
    assert originality_check(version=version).verdict == Verdict.UNIQUE
    assert own_original_document_id(version=version) is None
