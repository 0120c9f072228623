"""Phone numbers: region FI, stored as E.164, SMS only to Finnish mobiles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.errors import InvalidInput
from server.domain.phone import display, mask, parse_any, parse_mobile


@pytest.mark.parametrize("raw", ["040 123 4567", "0401234567", "+358 40 1234567", "00358401234567", " 040-123 4567 "])
def test_the_usual_ways_of_writing_a_mobile_number_give_one_e164_form(raw: str) -> None:
    assert parse_mobile(raw) == "+358401234567"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("09 1234567", "phone_not_mobile"),
        ("08 850 1234", "phone_not_mobile"),
        ("+46 70 123 45 67", "phone_not_fi"),
        ("123", "phone_invalid"),
        ("abc", "phone_invalid"),
        ("", "phone_invalid"),
        ("0" * 40, "phone_invalid"),
    ],
)
def test_landlines_foreign_and_invalid_numbers_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_mobile(raw)
    assert refused.value.code == code


@given(st.text(max_size=40))
def test_any_text_either_parses_to_a_finnish_e164_number_or_is_refused_cleanly(raw: str) -> None:
    try:
        number = parse_mobile(raw)
    except InvalidInput:
        return
    assert number.startswith("+358") and number[1:].isdigit()


def test_a_helpline_may_be_a_landline() -> None:
    assert parse_any("08 850 1234") == "+35888501234"
    assert parse_any("") is None


def test_logs_see_only_a_masked_number() -> None:
    assert mask("+358401234567") == "+35840*****67"
    assert display("+358401234567") == "040 1234567"
