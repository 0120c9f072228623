"""Drop-in hours (päivystys): a help point's weekly hour when residents come without booking, first come first
served, with the longest time per visitor ("digituki keskiviikkoisin klo 12–14 ilman ajanvarausta, enintään 30 min
asiakasta kohden"), and the volunteers who take shifts on them. Pure: hours and days in, dated occurrences out.

Closures apply: a closed day has no drop-in hour; on a day with other opening hours the drop-in hour is cut to
them (or dropped, if nothing is left of it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from server.domain.clocktime import HELSINKI, local_start
from server.domain.days import DayException, DayState
from server.domain.errors import InvalidInput
from server.domain.ivr import spoken_time
from server.domain.messages import when_text
from server.domain.network import Translations, place_in

MINUTES_PER_VISITOR = (5, 120)
VOLUNTEERS_NEEDED = (0, 10)  # 0: staff of the help point run it, no volunteer shifts
MAX_HOURS_PER_POINT = 20  # a help point's drop-in hours (a list bounded by nature)
COMING_DAYS = (1, 28)  # how far ahead the public list looks; default two weeks
DEFAULT_COMING_DAYS = 14
SHIFT_DAYS = 28  # how far ahead volunteers see and take shifts
UNSTAFFED_DAYS = 3  # an unstaffed shift this close shows in the coordinators' at-risk list
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True, slots=True)
class DropInHour:
    id: uuid.UUID
    help_point_id: uuid.UUID
    weekday: int  # 0 = Monday
    starts: time
    ends: time
    topics: tuple[str, ...]  # () = any topic
    languages: tuple[str, ...]
    minutes_per_visitor: int
    volunteers_needed: int


@dataclass(frozen=True, slots=True)
class Place:
    """Where a drop-in hour is, as residents are told."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    street_address: str
    postal_code: str
    municipality: str
    accessibility_notes: str
    translations: Translations = field(default_factory=dict)  # the help point's own words in Swedish and English

    def shown(self, language: str) -> tuple[str, str, str, str, list[str]]:
        """(name, street address, municipality, accessibility notes) in `language`, and which are in Finnish."""
        return place_in(
            self.name, self.street_address, self.accessibility_notes, self.municipality, self.translations, language
        )


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A drop-in hour on one date, its local times resolved to instants."""

    hour: DropInHour
    place: Place
    day: date
    starts_at: datetime
    ends_at: datetime
    shortened: bool  # a day with other opening hours cut it
    staffed: int = 0  # volunteers on shift (still active volunteers)
    gone: int = 0  # shifts held by volunteers since deactivated or gone
    mine: bool = False  # the asking volunteer is on shift

    def open_at(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    @property
    def key(self) -> tuple[datetime, uuid.UUID]:
        return self.starts_at, self.hour.id


@dataclass(frozen=True, slots=True)
class ShiftNotice:
    """A volunteer's drop-in shift, for telling them about it: taken (a reminder the day before), moved by other
    hours that day, or gone (the hour stopped, the day closed)."""

    shift_id: uuid.UUID
    volunteer_id: uuid.UUID
    starts_at: datetime
    place_name: str


def validate(
    weekday: int, starts: time, ends: time, minutes_per_visitor: int, volunteers_needed: int, languages: Sequence[str]
) -> None:
    if not 0 <= weekday <= 6:
        raise InvalidInput("The weekday is 0 (Monday) to 6 (Sunday).", code="weekday_invalid")
    if not starts < ends:
        raise InvalidInput("A drop-in hour starts before it ends.", code="drop_in_times_invalid")
    shortest, longest = MINUTES_PER_VISITOR
    if not shortest <= minutes_per_visitor <= longest:
        raise InvalidInput(f"Time per visitor is {shortest} to {longest} minutes.", code="minutes_out_of_range")
    fewest, most = VOLUNTEERS_NEEDED
    if not fewest <= volunteers_needed <= most:
        raise InvalidInput(f"A drop-in hour needs {fewest} to {most} volunteers.", code="volunteers_needed_invalid")
    if not languages:
        raise InvalidInput("Say in which language help is given.", code="language_required")


def on_day(hour: DropInHour, day: date, exception: DayException | None) -> tuple[time, time, bool] | None:
    """The hour's local start and end on `day` (and whether other opening hours cut it), or None: not on that
    weekday, the help point is closed, or its other hours leave nothing of the drop-in hour."""
    if day.weekday() != hour.weekday:
        return None
    if exception is None or exception.state is DayState.OPEN:
        return hour.starts, hour.ends, False
    if exception.state is DayState.CLOSED or exception.opens is None or exception.closes is None:
        return None
    starts, ends = max(hour.starts, exception.opens), min(hour.ends, exception.closes)
    if not starts < ends:
        return None
    return starts, ends, (starts, ends) != (hour.starts, hour.ends)


def occurrences(
    hours: Iterable[tuple[DropInHour, Place]],
    first: date,
    last: date,
    days_off: Mapping[uuid.UUID, Mapping[date, DayException]],
) -> list[Occurrence]:
    """Every drop-in hour on every date from `first` to `last`, earliest first, closures applied."""
    found: list[Occurrence] = []
    span = (last - first).days + 1
    for hour, place in hours:
        exceptions = days_off.get(hour.help_point_id, {})
        offset = (hour.weekday - first.weekday()) % 7
        for n in range(offset, span, 7):
            day = first + timedelta(days=n)
            times = on_day(hour, day, exceptions.get(day))
            if times is None:
                continue
            starts, ends, shortened = times
            found.append(Occurrence(hour, place, day, local_start(day, starts), local_start(day, ends), shortened))
    found.sort(key=lambda o: o.key)
    return found


# ---- telling residents (SMS and the voice menu) -----------------------------------------------------------------

# How many drop-in hours an SMS answer or the voice menu tells.
TOLD = 3
_UNTIL = {"fi": "{when}-{end}", "sv": "{when}-{end}", "en": "{when}-{end}"}
_SPOKEN_UNTIL = {"fi": "{when}, kello {end} asti", "sv": "{when}, till klockan {end}", "en": "{when}, until {end}"}
_AT_MOST = {
    "fi": "enintään {minutes} min / asiakas",
    "sv": "högst {minutes} min / besökare",
    "en": "up to {minutes} min each",
}


def _clock(instant: datetime) -> str:
    local = instant.astimezone(HELSINKI)
    return f"{local.hour}" if local.minute == 0 else f"{local.hour}.{local.minute:02d}"


def _where(o: Occurrence, language: str) -> str:
    name, street, town, _, _ = o.place.shown(language)
    return ", ".join(part for part in (name, street, town) if part)


def sms_line(o: Occurrence, language: str) -> str:
    """One drop-in hour as a line of an SMS: "ke 25.11. klo 12.00-14, Kirjasto, Tie 1, Kuusamo (enintään 30 min /
    asiakas)". GSM-7 only: a plain hyphen, no dashes."""
    language = language if language in _UNTIL else "fi"
    when = _UNTIL[language].format(when=when_text(o.starts_at, language), end=_clock(o.ends_at))
    at_most = _AT_MOST[language].format(minutes=o.hour.minutes_per_visitor)
    return f"{when}, {_where(o, language)} ({at_most})"


def spoken_line(o: Occurrence, language: str) -> str:
    """One drop-in hour as the voice menu says it: "keskiviikkona 25. marraskuuta kello 12, kello 14 asti, Kirjasto,
    Tie 1, Kuusamo"."""
    language = language if language in _SPOKEN_UNTIL else "fi"
    when = _SPOKEN_UNTIL[language].format(when=spoken_time(o.starts_at, language), end=_clock(o.ends_at))
    return f"{when}, {_where(o, language)}."


def _fold(text: str) -> str:
    return text.casefold().replace("ä", "a").replace("ö", "o").replace("å", "a")


def municipality_in(text: str, names: Iterable[str]) -> str | None:
    """The municipality a resident's words name, forgiving inflection and missing ä/ö ("Kuusamossa", "espoo",
    "Helsingissä"): the one whose name shares the longest beginning with a word, at least all but its last two
    letters (and three). None when no word names one, or two fit as well."""
    words = [w for w in (_fold(w.strip(".,!?;:()\"'")) for w in text.split()) if len(w) >= 3]
    best: list[str] = []
    best_length = 0
    for name in names:
        folded = _fold(name)
        needed = max(3, len(folded) - 2)
        for word in words:
            common = 0
            for a, b in zip(word, folded, strict=False):
                if a != b:
                    break
                common += 1
            if common >= needed and common >= best_length:
                if common > best_length:
                    best, best_length = [], common
                if name not in best:
                    best.append(name)
    return best[0] if len(best) == 1 else None
