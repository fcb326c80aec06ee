"""factory_boy factories shared by all tests: one place builds each model."""

from typing import Any

import factory
from django.utils import timezone

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Course, Institution, Listing, ListingStatus, Programme
from studymarket.documents.models import Document, DocumentPage, DocumentVersion
from studymarket.library.models import Entitlement
from studymarket.orders.models import Order, OrderLine
from studymarket.orders.services import order_create, order_mark_paid
from studymarket.payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundOrigin,
    RefundStatus,
)


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


# --- Orders, payments, entitlements, refunds ---------------------------------------------------
# Orders are made by the services (snapshot lines, totals; "paid" grants access, posts the sales
# and counts them), so a factory-made order is one the application could have made.


class OrderFactory(factory.django.DjangoModelFactory):
    """A pending order (orders.services.order_create) for a new buyer: one new listing at
    € 9,49 per line (``lines``, default 1), or the ``listings`` given."""

    class Meta:
        model = Order

    class Params:
        lines = 1

    buyer = factory.SubFactory(UserFactory)
    listings = factory.LazyAttribute(lambda o: [ListingFactory() for _ in range(o.lines)])
    buyer_country = "NL"

    @classmethod
    def _create(cls, model_class: type[Order], *args: object, **kwargs: Any) -> Order:
        return order_create(**kwargs)


class PaidOrderFactory(OrderFactory):
    """An order paid through orders.services.order_mark_paid (entitlements, sale journals, sales
    counted), at ``paid_at`` (default now); no receipt unless ``send_receipt``."""

    paid_at = None
    send_receipt = False

    @classmethod
    def _create(cls, model_class: type[Order], *args: object, **kwargs: Any) -> Order:
        paid_at, send_receipt = kwargs.pop("paid_at"), kwargs.pop("send_receipt")
        order = order_create(**kwargs)
        return order_mark_paid(order_id=order.pk, paid_at=paid_at, send_receipt=send_receipt)


class OrderLineFactory(factory.django.DjangoModelFactory):
    """The one line of a new order for ``listing`` by ``buyer``: paid (a purchase, with its
    entitlement) unless ``paid=False``. Any other field given is written onto the line as it
    is (``refunded_at=…`` for a query's sake: no reversal is booked)."""

    class Meta:
        model = OrderLine

    buyer = factory.SubFactory(UserFactory)
    listing = factory.SubFactory(ListingFactory)
    paid = True

    @classmethod
    def _create(cls, model_class: type[OrderLine], *args: object, **kwargs: Any) -> OrderLine:
        buyer, listing, paid = kwargs.pop("buyer"), kwargs.pop("listing"), kwargs.pop("paid")
        order = (PaidOrderFactory if paid else OrderFactory)(buyer=buyer, listings=[listing])
        if kwargs:
            OrderLine.objects.filter(order=order).update(**kwargs)
        return OrderLine.objects.select_related("order", "listing", "seller", "entitlement").get(order=order)


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment row for ``order`` (default a new pending order), open at the simulated
    provider's side of our books only: nothing is registered at the provider. ``paid=True``:
    paid, with a provider id (the order itself is not touched: pass a PaidOrderFactory order)."""

    class Meta:
        model = Payment

    class Params:
        paid = factory.Trait(
            status=PaymentStatus.PAID,
            provider_id=factory.Sequence(lambda n: f"sim_test{n}"),
            paid_at=factory.LazyFunction(timezone.now),
        )

    order = factory.SubFactory(OrderFactory)
    provider = "simulated"
    method = "ideal"
    amount_cents = factory.LazyAttribute(lambda o: o.order.total_cents)
    currency = factory.LazyAttribute(lambda o: o.order.currency)
    idempotency_key = factory.Sequence(lambda n: f"test:pay:{n}")


class EntitlementFactory(factory.django.DjangoModelFactory):
    """An entitlement on its own (library's view of it: no order line), active."""

    class Meta:
        model = Entitlement

    buyer = factory.SubFactory(UserFactory)
    document = factory.LazyAttribute(lambda o: ListingFactory().document)
    granted_at = factory.LazyFunction(timezone.now)
    order_number = factory.Sequence(lambda n: f"SM-E{n:07d}")  # the snapshot orders would pass


class RefundFactory(factory.django.DjangoModelFactory):
    """A refund of ours (origin "request", with its idempotency key), pending, for the first line
    of a paid order with a paid payment; ``refunded=True`` / ``failed=True`` as booked. Rows
    only: nothing is sent to the provider or reversed (refund_book does that)."""

    class Meta:
        model = Refund

    class Params:
        refunded = factory.Trait(
            status=RefundStatus.REFUNDED,
            provider_id=factory.Sequence(lambda n: f"sre_test{n}"),
            completed_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(status=RefundStatus.FAILED, failure_reason="provider status failed")

    payment = factory.SubFactory(PaymentFactory, paid=True, order=factory.SubFactory(PaidOrderFactory))
    order_line = factory.LazyAttribute(lambda o: o.payment.order.lines.order_by("pk").first())
    origin = RefundOrigin.REQUEST
    amount_cents = factory.LazyAttribute(lambda o: o.order_line.price_cents)
    currency = factory.LazyAttribute(lambda o: o.payment.currency)
    idempotency_key = factory.Sequence(lambda n: f"test:refund:{n}")
