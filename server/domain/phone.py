"""Phone numbers: parsed with region FI, stored as E.164, SMS only to Finnish mobile numbers."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from server.domain.errors import InvalidInput

_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
MAX_INPUT_LENGTH = 32


def parse_mobile(raw: str) -> str:
    """Return the E.164 form of a Finnish mobile number, or raise InvalidInput saying what is wrong."""
    number = _finnish(raw)
    if phonenumbers.number_type(number) not in _MOBILE:
        raise InvalidInput(
            "This looks like a landline. Text messages need a mobile number; you can also call the helpline.",
            code="phone_not_mobile",
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def parse_finnish(raw: str) -> str:
    """Return the E.164 form of a Finnish number, mobile or landline (a caller a coordinator books for: a landline
    gets its reminders as calls), or raise InvalidInput saying what is wrong."""
    return phonenumbers.format_number(_finnish(raw), PhoneNumberFormat.E164)


def _finnish(raw: str) -> phonenumbers.PhoneNumber:
    text = raw.strip()
    if not text or len(text) > MAX_INPUT_LENGTH:
        raise InvalidInput("Enter a mobile phone number, for example 040 123 4567.", code="phone_invalid")
    try:
        number = phonenumbers.parse(text, "FI")
    except NumberParseException:
        raise InvalidInput(
            "This is not a phone number. Enter a mobile number, for example 040 123 4567.", code="phone_invalid"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            "This phone number is not valid. Check the digits, for example 040 123 4567.", code="phone_invalid"
        )
    if phonenumbers.region_code_for_number(number) not in ("FI", "AX"):
        raise InvalidInput("Only Finnish numbers (+358) can get our messages and calls.", code="phone_not_fi")
    return number


def parse_any(raw: str | None) -> str | None:
    """An organisation's public phone may be a landline: only validity is checked. Empty means none."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.strip()[:MAX_INPUT_LENGTH], "FI")
    except NumberParseException:
        raise InvalidInput("The phone number is not valid.", code="phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("The phone number is not valid.", code="phone_invalid")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def display(e164: str) -> str:
    """The national format people recognise: 040 1234567. Empty for a number that is not one (an erased
    person's placeholder)."""
    if not e164.startswith("+"):
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "FI"), PhoneNumberFormat.NATIONAL)
    except NumberParseException:
        return ""


def callable_number(stored: str | None) -> str | None:
    """A stored number to show someone who may call it; None for an erased person's placeholder."""
    return stored if stored and stored.startswith("+") else None


def mask(e164: str) -> str:
    """For logs: keep the country and operator prefix and the last two digits only."""
    if len(e164) <= 7:
        return "*" * len(e164)
    return e164[:6] + "*" * (len(e164) - 8) + e164[-2:]


@lru_cache(maxsize=4096)
def is_mobile(e164: str) -> bool:
    """True for a number that can receive SMS; False for landlines (and anything unparseable). Kept per number:
    every message planned asks, and parsing is a tenth of planning a booking's messages."""
    try:
        number = phonenumbers.parse(e164, "FI")
    except NumberParseException:
        return False
    return phonenumbers.number_type(number) in _MOBILE
