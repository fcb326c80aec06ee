"""factory_boy factories shared by all tests: one place builds each model."""

import factory
from django.utils import timezone

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Course, Institution, Listing, ListingStatus, Programme
from studymarket.documents.models import Document, DocumentPage, DocumentVersion


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.django.Password("correct horse battery staple")


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"verkoper-{n}")
    slug = factory.LazyAttribute(lambda o: o.display_name)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Hogeschool {n}")
    slug = factory.Sequence(lambda n: f"hogeschool-{n}")
    country = "BE"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Bachelor {n}")
    slug = factory.Sequence(lambda n: f"bachelor-{n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Vak {n}")
    slug = factory.Sequence(lambda n: f"vak-{n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    seller = factory.SubFactory(SellerFactory)


class DocumentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentVersion

    document = factory.SubFactory(DocumentFactory)
    number = 1
    file = "documents/test.pdf"
    original_name = "test.pdf"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    size_bytes = 1000
    page_count = 12


def document_with_pages(*, seller: SellerProfile, page_count: int = 12) -> Document:
    """A document whose current version has ``page_count`` pages of text (no images)."""
    document = DocumentFactory(seller=seller)
    version = DocumentVersionFactory(document=document, page_count=page_count)
    DocumentPage.objects.bulk_create(
        DocumentPage(version=version, number=n, text=f"Tekst van pagina {n}", word_count=4)
        for n in range(1, page_count + 1)
    )
    document.current_version = version
    document.save(update_fields=["current_version"])
    return document


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    seller = factory.SubFactory(SellerFactory)
    document = factory.LazyAttribute(lambda o: document_with_pages(seller=o.seller))
    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Samenvatting {n}")
    slug = factory.Sequence(lambda n: f"samenvatting-{n}")
    description = "Een samenvatting."
    document_type = "summary"
    academic_year = "2020/2021"
    price_cents = 949
    preview_page_count = 2
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
