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

# Words for a secret, in Finnish, Swedish and English. A note is read as words (punctuation trimmed, hyphens
# dropped, two or three neighbouring words also read together, so "PIN koodi", "tunnus luku" and "P I N" are
# the words they spell), and a value is looked for in the few words after the secret word.
_PASSWORD_WORD = re.compile(r"(?:salasan|tunnussan|password|passwd|pwd|passphrase|lösen|losen|kertakäyttösalasan)\w*")
_CODE_WORD = re.compile(
    r"(?:pin|pinkoodi|pinkod|pincode|tunnuslu|tunnusluku|avainlu|avainlukulist|nyckeltal|nyckelkod|"
    r"turvakoodi|turvaluku|säkerhetskod|securitycode|cvc|cvv|cvv2|kortinnumero|kortnummer|cardnumber|"
    r"pankkitunnu|verkkopankkitunnu|nettipankkitunnu|bankkod|bankid|vahvistuskoodi|tekstiviestikoodi|"
    r"kertakäyttökoodi|engångskod|verifieringskod|passcode|otp|tunnistuskoodi|sovelluskoodi|luku)\w*"
)
# "luku" (number) alone is no secret word; it counts only right after one ("avainlukulistan luku 0042").
_ONLY_AFTER_ANOTHER = ("luku",)
_SEPARATORS = frozenset({"on", "oli", "ovat", "är", "var", "is", "was", "are", ":", "=", "->", "—", "-"})
_WINDOW = 4  # words after the secret word that may hold its value
_DATE_OR_TIME = re.compile(r"^(?:\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?|\d{1,2}[:.]\d{2}|\d{1,2}\.)$")
_TRIM = ".,;!?\"'()[]{}«»”“"


_DIGITS = re.compile(r"\d")
# Finnish personal identity code: DDMMYY, century sign, three digits, check character.
_HETU = re.compile(r"(?i)\b(\d{6})([-+A-FU-Y])(\d{3})([0-9A-Y])\b")
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Card numbers: 13 to 19 digits, optionally in groups separated by spaces or dashes.
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
# A bank's key code list (avainlukulista) written out: several 4-digit numbers in a row.
_CODE_LIST = re.compile(r"\b\d{4}(?:[ ,;/]+\d{4}){3,}\b")


def _words(note: str) -> list[str]:
    found = []
    for raw in note.split():
        word = raw.strip(_TRIM)
        if word.endswith(":") and len(word) > 1:
            found.extend([word[:-1], ":"])
        elif word:
            found.append(word)
    return found


def _spelled(words: list[str], i: int) -> list[tuple[str, int]]:
    """The word at i alone, and read together with the next one or two, lower-cased, hyphens dropped; each with
    how many words it took."""
    joined, readings = "", []
    for n in range(3):
        if i + n >= len(words):
            break
        joined += words[i + n].lower().replace("-", "")
        readings.append((joined, n + 1))
    return readings


def _digits(text: str) -> int:
    return len(_DIGITS.findall(text))


def _code_value(after: list[str]) -> bool:
    """Three or more digits in the words after a code word: one word, or single digits spaced out."""
    run = ""
    for word in after:
        if _DATE_OR_TIME.match(word):
            run = ""
            continue
        if word.isdigit() and len(word) <= 2:
            run += word
            if len(run) >= 3:
                return True
            continue
        run = ""
        if _digits(word) >= 3 and not _DATE_OR_TIME.match(word):
            return True
    return False


def _password_value(after: list[str]) -> bool:
    """'salasana: kissa123', 'password is sunflower': a value after a separator, or one with digits or symbols."""
    separated = False
    for word in after:
        lowered = word.lower()
        if lowered in _SEPARATORS:
            separated = True
            continue
        if _ORDINARY.match(word) or _DATE_OR_TIME.match(word) or len(word) < 4:
            if separated:
                return False
            continue
        if separated or not word.isalpha():
            return True
    return False


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
    words = _words(note)
    for i in range(len(words)):
        for spelled, took in _spelled(words, i):
            after = words[i + took : i + took + _WINDOW]
            if _PASSWORD_WORD.fullmatch(spelled) and _password_value(after):
                return Finding("password", "a password")
            if _CODE_WORD.fullmatch(spelled) and _code_value(after):
                if spelled.startswith(_ONLY_AFTER_ANOTHER) and not _follows_secret_word(words, i):
                    continue
                return Finding("pin_or_code", "a PIN or code")
    return None


def _follows_secret_word(words: list[str], i: int) -> bool:
    before = [w.lower().replace("-", "") for w in words[max(0, i - 2) : i]]
    return any(_CODE_WORD.fullmatch(w) and not w.startswith(_ONLY_AFTER_ANOTHER) for w in before)


# Ordinary words that often follow "password" in a note without being one.
_ORDINARY = re.compile(
    r"(?i)^(?:vaihdettu\w*|vaihdet\w*|vaihtaminen|unohtu\w*|unohdet\w*|nollat\w*|uusit\w*|tallenne\w*|"
    r"ändrat|ändrades|bytt|glömt|återställ\w*|changed|reset\w*|forgotten|saved|managers?|manager|hallint\w*|"
    r"kanssa|with|med|and|ja|och|asetettu|set|created|luotu|skapat|toimii|works|working|fungerar|"
    r"now|nyt|nu|still|yhä|fine|ok|okay|kunnossa|selvä|clear|muistissa|remembered|known|tiedossa)$"
)
