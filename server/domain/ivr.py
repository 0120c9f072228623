"""The voice menu on the helpline number: what the caller hears and what their keypresses mean. Pure: the service
hands in the call's state and the choices on offer, and turns the answer into TwiML.

Rules (the phone-channel issue): Finnish first, then Swedish and English; every prompt is repeated once on
silence or a wrong key, `*` goes back a step, and a second failed input hands the caller over to a coordinator
who calls back, so nobody is left in a loop. Times are spoken the way people say them ("tiistaina
24. marraskuuta kello 14").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_datetime

from server.domain.clocktime import HELSINKI

MAX_OPTIONS = 8  # one key each, 1-8, on one page of a list
MORE_KEY = 9  # a list longer than a page: 9 hears the next page (after the last, the first again)
MORE = {"fi": "Lisää vaihtoehtoja", "sv": "Fler alternativ", "en": "More choices"}
AGAIN_KEY = 9  # after booking: hear the confirmation again
BRING = {"fi": "Ota mukaan: {}.", "sv": "Ta med: {}.", "en": "Bring: {}."}


def bring_text(items: list[str], language: str) -> str:
    """What to bring, as one spoken sentence ("Ota mukaan: oma puhelin, pankkitunnukset."), or nothing."""
    return BRING.get(language, BRING["fi"]).format(", ".join(items)) if items else ""


MAX_FAILURES = 2
VOICES = {"fi": ("fi-FI", "Polly.Suvi"), "sv": ("sv-SE", "Polly.Astrid"), "en": ("en-GB", "Polly.Amy")}
LANGUAGE_KEYS = {"1": "fi", "2": "sv", "3": "en"}


class Step(enum.StrEnum):
    LANGUAGE = "language"
    MENU = "menu"
    TOPIC = "topic"
    HOW = "how"
    PLACE = "place"
    TIME = "time"
    CANCEL = "cancel"
    REMINDER = "reminder"  # an outbound reminder call
    BOOKED = "booked"  # the time is booked: 9 hears the confirmation again
    EVENT = "event"  # choosing a group session to sign up for
    DONE = "done"


# Where `*` takes the caller.
BACK = {
    Step.MENU: Step.LANGUAGE,
    Step.TOPIC: Step.MENU,
    Step.HOW: Step.TOPIC,
    Step.PLACE: Step.HOW,
    Step.TIME: Step.HOW,
    Step.CANCEL: Step.MENU,
    Step.EVENT: Step.MENU,
}


@dataclass(frozen=True, slots=True)
class Line:
    """One sentence to say, in one language."""

    text: str
    language: str


@dataclass(frozen=True, slots=True)
class Speech:
    """What the caller hears next: lines, then either a keypress to wait for, a transfer, or the end."""

    lines: tuple[Line, ...]
    gather: bool = True
    hang_up: bool = False
    dial: str = ""  # a number to connect the caller to
    language: str = "fi"


@dataclass(slots=True)
class CallState:
    step: Step = Step.LANGUAGE
    language: str = "fi"
    failures: int = 0
    data: dict[str, str] = field(default_factory=dict)


def spoken_time(instant: datetime, language: str) -> str:
    """A session time as people say it, in Helsinki time: "tiistaina 24. marraskuuta kello 14.30"."""
    local = instant.astimezone(HELSINKI)
    clock = f"{local.hour}" if local.minute == 0 else f"{local.hour}.{local.minute:02d}"
    if language == "sv":
        day = format_datetime(instant, "EEEE 'den' d MMMM", tzinfo=HELSINKI, locale="sv_FI")
        return f"{day} klockan {clock}"
    if language == "en":
        day = format_datetime(instant, "EEEE d MMMM", tzinfo=HELSINKI, locale="en_GB")
        return f"{day} at {clock}"
    day = format_datetime(instant, "EEEE d. MMMM", tzinfo=HELSINKI, locale="fi")
    return f"{day} kello {clock}"


class Key(enum.StrEnum):
    SILENCE = "silence"
    BACK = "back"
    DIGIT = "digit"
    OTHER = "other"


def key_of(digits: str | None) -> tuple[Key, int]:
    """What a Gather brought back: nothing (silence), `*` (back), one digit, or anything else."""
    if not digits:
        return Key.SILENCE, 0
    pressed = digits.strip()[:1]
    if pressed == "*":
        return Key.BACK, 0
    if pressed.isdigit():
        return Key.DIGIT, int(pressed)
    return Key.OTHER, 0


def pick(digit: int, options: list[str]) -> str | None:
    """The option a digit chose from a numbered list (1 = the first), or None."""
    return options[digit - 1] if 1 <= digit <= len(options) else None


def page_of(options: list[str], page: int) -> tuple[list[str], bool]:
    """The options on page `page` (from 0; past the last, the first again) and whether there are more pages."""
    pages = max(1, -(-len(options) // MAX_OPTIONS))
    start = (page % pages) * MAX_OPTIONS
    return options[start : start + MAX_OPTIONS], pages > 1


def failed(state: CallState) -> bool:
    """Count a silence or wrong key; True when the caller should be handed over to a person."""
    state.failures += 1
    return state.failures >= MAX_FAILURES
