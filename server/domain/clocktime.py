"""Local wall-clock time in Europe/Helsinki and UTC instants, including the two daylight-saving days.

Rules (opening hours, availability) are written in local time; everything stored or compared is a UTC instant.
On the last Sunday of March local 03:00–04:00 does not exist; on the last Sunday of October 03:00–04:00 happens
twice. `local_start` and `local_end` resolve both so that an interval never loses or gains time by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open span of time [start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval needs aware datetimes")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def _exists(local: datetime) -> bool:
    aware = local.replace(tzinfo=HELSINKI)
    return aware.astimezone(UTC).astimezone(HELSINKI).replace(tzinfo=None) == local


def local_start(day: date, at: time) -> datetime:
    """The UTC instant a local time begins. A time in the spring gap begins when the clocks jump (04:00);
    a repeated autumn time begins at its first occurrence."""
    local = datetime.combine(day, at)
    if not _exists(local):
        while not _exists(local):
            local += timedelta(minutes=1)
        local = local.replace(second=0, microsecond=0)
    return local.replace(tzinfo=HELSINKI, fold=0).astimezone(UTC)


def local_end(day: date, at: time) -> datetime:
    """The UTC instant a local time ends an interval. A time in the spring gap ends when the clocks jump;
    a repeated autumn time ends at its second occurrence, so the repeated hour is covered."""
    if at == time(0, 0):
        return local_start(day + timedelta(days=1), at)
    local = datetime.combine(day, at)
    if not _exists(local):
        return local_start(day, at)
    return local.replace(tzinfo=HELSINKI, fold=1).astimezone(UTC)


@lru_cache(maxsize=4096)
def local_interval(day: date, start: time, end: time) -> Interval | None:
    """A local-time period of one day as a UTC interval, or None if nothing of it exists. Cached: volunteers
    share the same few weekly hours, so the same conversions recur thousands of times in one search."""
    begins, ends = local_start(day, start), local_end(day, end)
    return Interval(begins, ends) if begins < ends else None


def local_date(instant: datetime) -> date:
    return instant.astimezone(HELSINKI).date()


def week_of(instant: datetime) -> tuple[int, int]:
    """The ISO (year, week) of an instant in Helsinki: weekly caps count Monday to Sunday, local time."""
    iso = instant.astimezone(HELSINKI).isocalendar()
    return iso.year, iso.week


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
