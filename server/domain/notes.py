"""Volunteers' free-text notes must never hold a resident's secrets.

A note is refused when it looks like it contains a password, a PIN, a bank's key codes, a card number or a
Finnish personal identity code. The check errs on the side of refusing: the volunteer can always rephrase
("helped her change her PIN" is fine, "PIN 4812" is not). It is a safety net, not a guarantee, which is why the
screens also say plainly never to write such things down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NOTE_LENGTH = 2000

# Words for a secret, in Finnish, Swedish and English, followed (within a few characters) by a value.
_SECRET_WORD = (
    r"salasan\w*|tunnussan\w*|password\w*|passwd|pwd|lösen\w*|losen\w*|"  # noqa: S105 - names a secret
    r"pin(?:-?koodi\w*|-?kod\w*|-?code\w*)?|tunnuslu\w*|avainlu\w*|nyckeltal\w*|"
    r"turvakoodi\w*|säkerhetskod\w*|security\s+code|cvc|cvv|kortin\s+numero|card\s+number"
)
_WORD_THEN_VALUE = re.compile(
    rf"(?i)\b(?P<word>{_SECRET_WORD})\b\s*(?P<sep>\b(?:on|är|is|was|oli|var)\b|[:=])?\s*(?P<value>\S+)"
)
_DIGITS = re.compile(r"\d")
# Finnish personal identity code: DDMMYY, century sign, three digits, check character.
_HETU = re.compile(r"(?i)\b(\d{6})([-+A-FU-Y])(\d{3})([0-9A-Y])\b")
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Card numbers: 13 to 19 digits, optionally in groups separated by spaces or dashes.
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
# A bank's key code list (avainlukulista) written out: several 4-digit numbers in a row.
_CODE_LIST = re.compile(r"\b\d{4}(?:[ ,;/]+\d{4}){3,}\b")


_CODE_WORDS = (
    "pin",
    "tunnuslu",
    "avainlu",
    "nyckeltal",
    "turvakoodi",
    "säkerhetskod",
    "security",
    "cvc",
    "cvv",
    "kortin",
    "card",
)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # password | pin_or_code | identity_code | card_number | code_list
    text: str


def _valid_hetu(match: re.Match[str]) -> bool:
    birth, _, serial, check = match.groups()
    day, month = int(birth[:2]), int(birth[2:4])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    return _HETU_CHECK[int(birth + serial) % 31] == check.upper()


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def secret_in(note: str) -> Finding | None:
    """The first thing in `note` that looks like a secret, or None."""
    for match in _HETU.finditer(note):
        if _valid_hetu(match):
            return Finding("identity_code", "a personal identity code")
    for match in _CARD.finditer(note):
        digits = re.sub(r"\D", "", match.group())
        if _luhn(digits):
            return Finding("card_number", "a card number")
    if _CODE_LIST.search(note):
        return Finding("code_list", "a list of bank codes")
    for match in _WORD_THEN_VALUE.finditer(note):
        word = match["word"].lower()
        value = match["value"].strip(".,;!?\"'()")
        if word.startswith(_CODE_WORDS):
            if len(_DIGITS.findall(value)) >= 3:
                return Finding("pin_or_code", "a PIN or code")
        elif len(value) >= 4 and not _ORDINARY.match(value) and (match["sep"] or not value.isalpha()):
            # "salasana: kissa123" or "password is sunflower" is a password; "changed her password yesterday"
            # is not: without ":" or "is", only a value with digits or symbols counts.
            return Finding("password", "a password")
    return None


# Ordinary words that often follow "password" in a note without being one.
_ORDINARY = re.compile(
    r"(?i)^(?:vaihdettu\w*|vaihdet\w*|vaihtaminen|unohtu\w*|unohdet\w*|nollat\w*|uusit\w*|tallenne\w*|"
    r"ändrat|ändrades|bytt|glömt|återställ\w*|changed|reset\w*|forgotten|saved|managers?|manager|hallint\w*|"
    r"kanssa|with|med|and|ja|och|asetettu|set|created|luotu|skapat|toimii|works|working|fungerar|"
    r"now|nyt|nu|still|yhä|fine|ok|okay|kunnossa|selvä|clear|muistissa|remembered|known|tiedossa)$"
)
