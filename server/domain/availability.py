"""A volunteer's availability: weekly rules in local time, plus date overrides (away days, extra hours),
expanded into UTC intervals for a date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from server.domain.clocktime import Interval, days, local_interval
from server.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Available every `weekday` (0 = Monday) from `start` to `end`, local time; `remote` rules are for
    phone and video sessions, the others for help points and home visits."""

    weekday: int
    start: time
    end: time
    remote: bool = False


@dataclass(frozen=True, slots=True)
class DateOverride:
    """An exception to the weekly rules on one date. `away` removes availability (the whole day when no
    times are given); otherwise the times are added."""

    day: date
    away: bool
    start: time | None = None
    end: time | None = None
    remote: bool = False


def validate_rules(rules: list[WeeklyRule]) -> list[WeeklyRule]:
    """Rules must be well-formed and must not overlap for the same weekday and kind."""
    ordered = sorted(rules, key=lambda r: (r.remote, r.weekday, r.start))
    for index, rule in enumerate(ordered):
        if not 0 <= rule.weekday <= 6:
            raise InvalidInput("Weekday must be 0 (Monday) to 6 (Sunday).", code="weekday_invalid")
        if rule.start >= rule.end:
            raise InvalidInput(
                f"Availability on weekday {rule.weekday}: {rule.start:%H:%M} must be before {rule.end:%H:%M}.",
                code="availability_order",
            )
        previous = ordered[index - 1] if index else None
        if (
            previous is not None
            and (previous.remote, previous.weekday) == (rule.remote, rule.weekday)
            and previous.end > rule.start
        ):
            raise InvalidInput(
                f"Availability rules overlap on weekday {rule.weekday}: {previous.start:%H:%M}–{previous.end:%H:%M}"
                f" and {rule.start:%H:%M}–{rule.end:%H:%M}.",
                code="availability_overlap",
            )
    return ordered


def validate_override(override: DateOverride) -> DateOverride:
    if (override.start is None) != (override.end is None):
        raise InvalidInput("Give both start and end time, or neither (the whole day).", code="override_times")
    if not override.away and override.start is None:
        raise InvalidInput("Extra availability needs a start and an end time.", code="override_times")
    if override.start is not None and override.end is not None and override.start >= override.end:
        raise InvalidInput("The start must be before the end.", code="override_times")
    return override


def expand(
    rules: list[WeeklyRule], overrides: list[DateOverride], first: date, last: date, *, remote: bool
) -> list[Interval]:
    """The UTC intervals of availability of one kind from `first` to `last` (local dates, inclusive)."""
    # Grouped once, so each day looks only at its own rules and overrides.
    by_weekday: dict[int, list[WeeklyRule]] = {}
    for r in rules:
        if r.remote == remote:
            by_weekday.setdefault(r.weekday, []).append(r)
    by_day: dict[date, list[DateOverride]] = {}
    for e in overrides:
        if first <= e.day <= last:
            by_day.setdefault(e.day, []).append(e)
    intervals: list[Interval] = []
    for day in days(first, last):
        todays = [local_interval(day, r.start, r.end) for r in by_weekday.get(day.weekday(), ())]
        exceptions = by_day.get(day)
        if not exceptions:
            intervals.extend(merge([i for i in todays if i is not None]))
            continue
        extra = [
            local_interval(day, e.start, e.end)
            for e in exceptions
            if not e.away and e.remote == remote and e.start is not None and e.end is not None
        ]
        spans = merge([i for i in todays + extra if i is not None])
        for away in (e for e in exceptions if e.away):
            if away.start is None or away.end is None:
                spans = []
                break
            cut = local_interval(day, away.start, away.end)
            spans = subtract(spans, [cut]) if cut else spans
        intervals.extend(spans)
    return intervals


def has_extra_hours(overrides: list[DateOverride], first: date, last: date, *, remote: bool) -> bool:
    """Extra hours of the kind asked on one of the dates from `first` to `last`."""
    return any(not e.away and e.remote == remote and first <= e.day <= last for e in overrides)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, with touching or overlapping intervals joined."""
    if len(intervals) < 2:  # the usual day: one period or none
        return list(intervals)
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def subtract(intervals: list[Interval], removed: list[Interval]) -> list[Interval]:
    """What is left of `intervals` after taking out every interval in `removed`."""
    left = merge(intervals)
    for cut in merge(removed):
        pieces: list[Interval] = []
        for span in left:
            if not span.overlaps(cut):
                pieces.append(span)
                continue
            if span.start < cut.start:
                pieces.append(Interval(span.start, cut.start))
            if cut.end < span.end:
                pieces.append(Interval(cut.end, span.end))
        left = pieces
    return left
