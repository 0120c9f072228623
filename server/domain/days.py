"""Days that differ from a help point's weekly hours: closed (Christmas Day, a training day), open at other hours
(a shorter Christmas Eve), or explicitly open as every week (a library that keeps a holiday eve open).

Finnish public holidays come from the `holidays` package's Finland calendar, named in Finnish, Swedish and
English; they are filled in for every help point as closed days, each one a coordinator can review.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time

import holidays

from server.domain.errors import InvalidInput

# How far ahead holidays are filled in (and exceptions may be set): a year and a bit.
HORIZON_DAYS = 400
_CALENDAR_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


class DayState(enum.StrEnum):
    CLOSED = "closed"
    HOURS = "hours"  # open at other hours than the weekly ones
    OPEN = "open"  # as every week (a holiday kept open)


@dataclass(frozen=True, slots=True)
class DayException:
    help_point_id: uuid.UUID
    day: date
    state: DayState
    opens: time | None = None
    closes: time | None = None
    reason: Mapping[str, str] = field(default_factory=dict)
    source: str = "coordinator"  # holiday | coordinator

    def reason_in(self, language: str) -> str:
        return self.reason.get(language) or self.reason.get("fi") or ""


def validate(state: DayState, opens: time | None, closes: time | None, reason: Mapping[str, str]) -> None:
    """Hours only with `hours` and in order; a closure or other hours says why (in Finnish at least)."""
    if state is DayState.HOURS:
        if opens is None or closes is None or not opens < closes:
            raise InvalidInput("Other hours need an opening time before the closing time.", code="day_hours_invalid")
    elif opens is not None or closes is not None:
        raise InvalidInput("Only a day with other hours has opening times.", code="day_hours_invalid")
    if state is not DayState.OPEN and not reason.get("fi", "").strip():
        raise InvalidInput("Say why, at least in Finnish (e.g. Joulupäivä).", code="day_reason_required")


def finnish_holidays(first: date, last: date) -> list[tuple[date, dict[str, str]]]:
    """The Finnish public holidays from `first` to `last`, each named in fi / sv / en."""
    years = range(first.year, last.year + 1)
    names: dict[date, dict[str, str]] = {}
    for language, locale in _CALENDAR_LANGUAGES.items():
        for day, name in holidays.country_holidays("FI", years=years, language=locale).items():
            if first <= day <= last:
                names.setdefault(day, {})[language] = name
    return sorted(names.items())


def by_day(exceptions: Iterable[DayException]) -> dict[date, DayException]:
    return {e.day: e for e in exceptions}


def windows_of(
    day: date, weekly: Iterable[tuple[time, time]], exception: DayException | None
) -> list[tuple[time, time]]:
    """The opening hours of one date: the weekly ones, none on a closed day, the other hours on such a day."""
    if exception is None or exception.state is DayState.OPEN:
        return list(weekly)
    if exception.state is DayState.CLOSED:
        return []
    if exception.opens is None or exception.closes is None:
        return []  # validated on the way in; an incomplete row is read as closed rather than open
    return [(exception.opens, exception.closes)]
