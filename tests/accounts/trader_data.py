"""A business seller's trader information, as the form takes it (tests of seller identity)."""

from studymarket.accounts.models import SellerProfile
from studymarket.accounts.trader import TraderDetails, seller_identity_update

# Real-format numbers with valid check digits (a Belgian enterprise and its VAT number; a
# Dutch VAT number from the Belastingdienst's examples).
KBO = "0403.170.701"
BE_VAT = "BE0403170701"
NL_VAT = "NL004495445B01"


def trader_form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "seller_kind": "business",
        "legal_name": "Samenvattingen Janssens BV",
        "address": "Kerkstraat 12\n9000 Gent\nBelgië",
        "email": "Info@Janssens.example",
        "phone": "+32 9 123 45 67",
        "registration_number": KBO,
        "vat_number": BE_VAT,
        "self_certified": "on",
    }
    data.update(overrides)
    return data


def make_business(seller: SellerProfile) -> SellerProfile:
    """Turn ``seller`` into a business seller with complete trader information."""
    return seller_identity_update(
        seller=seller,
        actor=seller.user,
        seller_kind="business",
        details=TraderDetails(
            legal_name="Samenvattingen Janssens BV",
            address="Kerkstraat 12\n9000 Gent\nBelgië",
            email="info@janssens.example",
            phone="+32 9 123 45 67",
            registration_number=KBO,
            vat_number=BE_VAT,
            self_certified=True,
        ),
    )
