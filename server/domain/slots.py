"""Free slots: when a resident can book.

At a help point a slot is a fixed-length period inside its opening hours during which at least one eligible
volunteer is available, not booked (with a buffer around their other sessions) and under their weekly cap.
Remote slots (phone, video) come from remote availability alone. Slots start on a grid from the start of each
opening period (or availability window): length + buffer apart, 45 + 15 minutes by default.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from server.domain.clocktime import Interval, days, local_date, local_interval, week_of
from server.domain.days import DayException, windows_of
from server.domain.network import OpeningPeriod

DEFAULT_LENGTH = timedelta(minutes=45)
DEFAULT_BUFFER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class VolunteerTime:
    """What slot search needs to know of one eligible volunteer."""

    id: uuid.UUID
    available: Sequence[Interval]  # never changed in place: volunteers with the same hours may share one
    busy: Sequence[Interval] = ()
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
    return free_at(slot, rules)(volunteer)


def free_at(slot: Interval, rules: SlotRules) -> Callable[[VolunteerTime], bool]:
    """`is_free` for one slot, to ask of many volunteers: the guarded span and the week are worked out once,
    and the intervals are compared field by field instead of through new `Interval` objects."""
    start, end = slot.start, slot.end
    guard_start, guard_end = start - rules.buffer, end + rules.buffer
    week = week_of(start)

    def free(volunteer: VolunteerTime) -> bool:
        for window in volunteer.available:
            if window.start <= start and end <= window.end:
                break
        else:
            return False
        for session in volunteer.busy:
            if session.start < guard_end and guard_start < session.end:
                return False
        return volunteer.booked_per_week.get(week, 0) < volunteer.weekly_cap

    return free


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
    # Volunteers by the local days their hours touch: a window only looks at those of its own days.
    by_day: dict[date, list[VolunteerTime]] = defaultdict(list)
    for volunteer in volunteers:
        for day in {d for a in volunteer.available for d in days(local_date(a.start), local_date(a.end))}:
            by_day[day].append(volunteer)
    for window in windows:
        # Only volunteers with some availability inside this window can be free in one of its slots.
        nearby = {id(v): v for d in days(local_date(window.start), local_date(window.end)) for v in by_day.get(d, ())}
        present = [
            v for v in nearby.values() if any(a.start < window.end and window.start < a.end for a in v.available)
        ]
        if not present:
            continue
        for candidate in _grid(window, rules):
            if candidate.start < earliest or candidate.start in found:
                continue
            free = free_at(candidate, rules)
            # UUIDs order as their strings do (fixed-width hex), without building the strings.
            ids = sorted((v.id for v in present if free(v)), key=_as_int)
            if ids:
                found[candidate.start] = Slot(candidate.start, candidate.end, tuple(ids))
    return sorted(found.values(), key=lambda s: s.start)


def _as_int(volunteer_id: uuid.UUID) -> int:
    return volunteer_id.int


def help_point_slots(
    opening_hours: Iterable[OpeningPeriod],
    volunteers: list[VolunteerTime],
    first: date,
    last: date,
    *,
    now: datetime,
    rules: SlotRules | None = None,
    days_off: Mapping[date, DayException] | None = None,
) -> list[Slot]:
    """Slots at a help point from `first` to `last` (local dates), for volunteers already known to be eligible
    for the topic, language and this help point. `days_off`: the dates that differ from the weekly hours (closed,
    or open at other hours)."""
    rules = rules or SlotRules()
    periods = list(opening_hours)
    exceptions = days_off or {}
    windows = [
        interval
        for day in days(first, last)
        for opens, closes in windows_of(
            day, [(p.opens, p.closes) for p in periods if p.weekday == day.weekday()], exceptions.get(day)
        )
        if (interval := local_interval(day, opens, closes)) is not None
    ]
    return _slots_in(windows, volunteers, rules, now)


def remote_slots(
    volunteers: list[VolunteerTime], first: date, last: date, *, now: datetime, rules: SlotRules | None = None
) -> list[Slot]:
    """Phone and video slots: each volunteer's remote availability is its own grid, so a slot exists wherever
    at least one volunteer can take it."""
    rules = rules or SlotRules()
    # Many volunteers share the same hours ("Wednesdays 17-19"): each distinct window is searched once. (Visiting
    # every volunteer's copy made the search grow with the square of the volunteers: seconds at a national size.)
    windows = sorted({(w.start, w.end) for v in volunteers for w in v.available if _within(w, first, last)})
    return _slots_in([Interval(start, end) for start, end in windows], volunteers, rules, now)


def _within(window: Interval, first: date, last: date) -> bool:
    return first <= local_date(window.start) <= last
