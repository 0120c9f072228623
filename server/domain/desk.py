"""The desk's day: the sessions of a help point (or of an organisation's people) over a day or a week, and the
visitors helped at the desk without a booking (walk-ins). Pure: dates and `today` in, an interval out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from server.domain.clocktime import local_start
from server.domain.errors import InvalidInput

MAX_DAYS = 7  # a day or a week at a time
# How far back and ahead the desk can look (the statistics reach further back: they are the history).
LOOK_BACK_DAYS = 366
LOOK_AHEAD_DAYS = 400
WALK_IN_MINUTES = (5, 240)  # the shortest and longest visit recorded
WALK_IN_UNDO_DAYS = 7  # a mistaken tap can be taken back within a week


@dataclass(frozen=True, slots=True)
class Visit:
    """One session on the desk's list: what the desk needs to greet the resident and find their volunteer. The
    resident's first name only (no number, no address)."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    state: str
    modality: str
    help_point_id: uuid.UUID | None
    help_point_name: str | None
    topic: str
    language: str
    needs: tuple[str, ...]
    resident_first_name: str
    volunteer_first_name: str | None
    confirmed: bool  # the resident confirmed by SMS reply


@dataclass(frozen=True, slots=True)
class WalkInRow:
    id: uuid.UUID
    help_point_id: uuid.UUID
    topic: str
    language: str
    minutes: int
    outcomes: tuple[str, ...]
    recorded_at: datetime


def span(first: date | None, days: int, *, today: date) -> tuple[date, datetime, datetime]:
    """The local days [first, first + days) as a UTC interval (a daylight-saving day is 23 or 25 hours long);
    `first` defaults to today."""
    first = today if first is None else first
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"Show 1 to {MAX_DAYS} days at a time.", code="days_out_of_range")
    if first < today - timedelta(days=LOOK_BACK_DAYS) or first > today + timedelta(days=LOOK_AHEAD_DAYS):
        raise InvalidInput(
            f"The desk shows days from {LOOK_BACK_DAYS} days back to {LOOK_AHEAD_DAYS} ahead.",
            code="desk_day_out_of_range",
        )
    return first, local_start(first, time(0)), local_start(first + timedelta(days=days), time(0))
