"""Free slots: when a resident can book.

At a help point a slot is a fixed-length period inside its opening hours during which at least one eligible
volunteer is available, not booked (with a buffer around their other sessions) and under their weekly cap.
Remote slots (phone, video) come from remote availability alone. Slots start on a grid from the start of each
opening period (or availability window): length + buffer apart, 45 + 15 minutes by default.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from server.domain.clocktime import Interval, days, local_date, local_interval, week_of
from server.domain.network import OpeningPeriod

DEFAULT_LENGTH = timedelta(minutes=45)
DEFAULT_BUFFER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class VolunteerTime:
    """What slot search needs to know of one eligible volunteer."""

    id: uuid.UUID
    available: list[Interval]
    busy: list[Interval] = field(default_factory=list)
    weekly_cap: int = 5
    # Sessions already booked, per ISO (year, week) in Helsinki time.
    booked_per_week: Mapping[tuple[int, int], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    volunteer_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class SlotRules:
    length: timedelta = DEFAULT_LENGTH
    buffer: timedelta = DEFAULT_BUFFER
    # Bookings must start at least this long after `now` (someone must be able to plan for it).
    notice: timedelta = timedelta(hours=2)


def is_free(volunteer: VolunteerTime, slot: Interval, rules: SlotRules) -> bool:
    """Available for the whole slot, no session within the buffer on either side, and under the weekly cap."""
    if not any(window.contains(slot) for window in volunteer.available):
        return False
    guarded = Interval(slot.start - rules.buffer, slot.end + rules.buffer)
    if any(session.overlaps(guarded) for session in volunteer.busy):
        return False
    return volunteer.booked_per_week.get(week_of(slot.start), 0) < volunteer.weekly_cap


def _grid(window: Interval, rules: SlotRules) -> Iterable[Interval]:
    start = window.start
    while start + rules.length <= window.end:
        yield Interval(start, start + rules.length)
        start += rules.length + rules.buffer


def _slots_in(
    windows: Iterable[Interval], volunteers: list[VolunteerTime], rules: SlotRules, now: datetime
) -> list[Slot]:
    earliest = now + rules.notice
    found: dict[datetime, Slot] = {}
    for window in windows:
        for candidate in _grid(window, rules):
            if candidate.start < earliest or candidate.start in found:
                continue
            free = tuple(sorted((v.id for v in volunteers if is_free(v, candidate, rules)), key=str))
            if free:
                found[candidate.start] = Slot(candidate.start, candidate.end, free)
    return sorted(found.values(), key=lambda s: s.start)


def help_point_slots(
    opening_hours: Iterable[OpeningPeriod],
    volunteers: list[VolunteerTime],
    first: date,
    last: date,
    *,
    now: datetime,
    rules: SlotRules | None = None,
) -> list[Slot]:
    """Slots at a help point from `first` to `last` (local dates), for volunteers already known to be eligible
    for the topic, language and this help point."""
    rules = rules or SlotRules()
    periods = list(opening_hours)
    windows = [
        interval
        for day in days(first, last)
        for period in periods
        if period.weekday == day.weekday()
        and (interval := local_interval(day, period.opens, period.closes)) is not None
    ]
    return _slots_in(windows, volunteers, rules, now)


def remote_slots(
    volunteers: list[VolunteerTime], first: date, last: date, *, now: datetime, rules: SlotRules | None = None
) -> list[Slot]:
    """Phone and video slots: each volunteer's remote availability is its own grid, so a slot exists wherever
    at least one volunteer can take it."""
    rules = rules or SlotRules()
    windows = [w for v in volunteers for w in v.available if _within(w, first, last)]
    return _slots_in(windows, volunteers, rules, now)


def _within(window: Interval, first: date, last: date) -> bool:
    return first <= local_date(window.start) <= last
