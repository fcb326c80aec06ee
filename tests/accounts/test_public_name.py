"""The name strangers see next to a review: first name and initial, never the full name
(issue 16, defect 10). Sellers keep their chosen public name (SellerProfile.display_name)."""

import pytest

from studymarket.accounts.models import User


@pytest.mark.parametrize(
    ("first", "last", "email", "shown"),
    [
        ("Sanne", "de Vries", "sanne@example.test", "Sanne V."),
        ("Noah", "Janssens", "n@example.test", "Noah J."),
        ("Daan", "van der Berg", "d@example.test", "Daan B."),
        ("Anne-Marie", "van 't Hof", "a@example.test", "Anne-Marie H."),
        ("Lotte", "V.", "l@example.test", "Lotte V."),
        ("emre", "yilmaz", "e@example.test", "emre Y."),
        ("Mila", "", "m@example.test", "Mila"),
        ("Joris", "de", "j@example.test", "Joris D."),
        # No name: the e-mail's local part, read as a name when it looks like one.
        ("", "", "sanne.devries@example.test", "sanne D."),
        ("", "", "sanne_de_vries@example.test", "sanne V."),
        ("", "", "demo-reviewer@studymarket.localhost", "demo-reviewer"),
    ],
)
def test_public_name_is_first_name_and_initial(first, last, email, shown):
    user = User(first_name=first, last_name=last, email=email)

    assert user.public_name == shown
    if last and first:
        assert last not in user.public_name or len(last) <= 2  # the surname itself never shows


def test_display_name_is_unchanged():
    assert (
        User(first_name="Sanne", last_name="de Vries", email="s@example.test").display_name
        == "Sanne de Vries"
    )
