"""How much an SMS costs, and how to keep a template cheap.

Operators bill per segment. A message written only in the GSM 03.38 alphabet fits 160 characters in one segment
(153 per segment once it has to be split). A single character outside that alphabet, such as a curly apostrophe
pasted from a word processor, makes the whole message go as UCS-2, where one segment holds only 70 characters
(67 when split): a 150-character reminder then costs three segments instead of one. Across a whole municipality's
reminders that is real money. It is also about residents' trust: a reminder that arrives in three pieces, or with
a character their phone shows as a box, looks like spam, and they learn to ignore our messages.

`sms_size` says what a text will cost and which characters are to blame; `to_gsm` swaps the usual typographic
look-alikes for plain GSM characters so a template can stay in GSM-7.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

# GSM 03.38 basic character set, in table order (0x00-0x7F); 0x1B is the escape to the extension table, not a
# character, and is left out.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as escape + character, so it costs two septets.
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM_SINGLE, _GSM_PART = 160, 153  # septets in a lone segment / in each part of a concatenated message
_UCS2_SINGLE, _UCS2_PART = 70, 67  # UTF-16 code units, likewise

_LOOKALIKES = {
    "\u2019": "'",  # right single quotation mark, the usual "smart" apostrophe
    "\u2018": "'",  # left single quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark, common in Finnish and German text
    "\u2033": '"',  # double prime
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # horizontal ellipsis
}


@dataclass(frozen=True, slots=True)
class SmsSize:
    encoding: Literal["GSM-7", "UCS-2"]
    units: int  # GSM-7: septets (an extension character counts 2); UCS-2: UTF-16 code units
    segments: int  # 0 for the empty text
    non_gsm: tuple[str, ...]  # the distinct characters that forced UCS-2, in order of first appearance


def sms_size(text: str) -> SmsSize:
    """The encoding, length and number of billed segments of `text` sent as one SMS."""
    non_gsm = tuple(dict.fromkeys(ch for ch in text if ch not in _GSM_BASIC and ch not in _GSM_EXTENSION))
    if non_gsm:
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]  # outside the BMP: a surrogate pair
        return SmsSize("UCS-2", sum(costs), _segments(costs, _UCS2_SINGLE, _UCS2_PART), non_gsm)
    costs = [2 if ch in _GSM_EXTENSION else 1 for ch in text]
    return SmsSize("GSM-7", sum(costs), _segments(costs, _GSM_SINGLE, _GSM_PART), ())


def to_gsm(text: str) -> str:
    """`text` with typographic quotes, dashes, the ellipsis and Unicode spaces replaced by GSM characters."""
    return "".join(_LOOKALIKES.get(ch) or (" " if unicodedata.category(ch) == "Zs" else ch) for ch in text)


def _segments(costs: Sequence[int], single: int, part: int) -> int:
    # Greedy, as handsets and gateways split: a character (an escape sequence or a surrogate pair) that does not
    # fit in what is left of a part starts the next one, so a part may end a unit short.
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments
