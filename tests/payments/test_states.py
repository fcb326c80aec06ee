import pytest

from studymarket.payments.states import TRANSITIONS, transition_allowed

ALL = ["open", "pending", "paid", "failed", "canceled", "expired"]
FORWARD = {
    ("open", "pending"),
    ("open", "paid"),
    ("open", "failed"),
    ("open", "canceled"),
    ("open", "expired"),
    ("pending", "paid"),
    ("pending", "failed"),
    ("pending", "canceled"),
    ("pending", "expired"),
}


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("new", [*ALL, "authorized", "", "PAID"])
def test_only_the_forward_transitions_are_allowed(current, new):
    assert transition_allowed(current, new) is ((current, new) in FORWARD)


def test_the_table_names_every_status():
    assert sorted(TRANSITIONS) == sorted(ALL)


def test_an_unknown_current_status_goes_nowhere():
    assert transition_allowed("authorized", "paid") is False
