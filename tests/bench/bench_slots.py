"""Benchmark: remote (phone and video) slot search among many volunteers, the domain function alone.

The public slot search for a phone session read every volunteer's remote hours for the period and searched each
volunteer's copy of a window ("Wednesdays 17-19" once per volunteer who has it), looking at every volunteer for
each: the work grew with the square of the volunteers (8 s for 14 days at 10,000 volunteers, measured through the
API on a seeded national network, with the whole server waiting). Now each distinct window is searched once and
only among the volunteers whose hours touch its day.

Both versions run side by side in one process on the same volunteers (`before` is the former loop, kept here for
the comparison), and must find the same slots.

Run:  .venv/bin/python -m tests.bench.bench_slots [--volunteers 1000 10000] [--days 14] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from server.domain.clocktime import days, local_interval
from server.domain.slots import Slot, SlotRules, VolunteerTime, _as_int, _grid, _within, free_at, remote_slots

START = date(2026, 12, 7)
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
# The hours volunteers offer cluster on a few patterns (weekday, from, to).
PATTERNS = [(d, clock(h), clock(h + 2)) for d in range(7) for h in (9, 10, 13, 17, 18)]


def population(size: int, first: date, last: date, seed: int = 7) -> list[VolunteerTime]:
    rng = random.Random(seed)
    found = []
    for n in range(size):
        mine = rng.sample(PATTERNS, 3)
        windows = [
            interval
            for day in days(first, last)
            for weekday, start, end in mine
            if weekday == day.weekday() and (interval := local_interval(day, start, end)) is not None
        ]
        found.append(VolunteerTime(id=uuid.UUID(int=n + 1), available=tuple(windows), weekly_cap=3, booked_per_week={}))
    return found


def before(volunteers: list[VolunteerTime], first: date, last: date, now: datetime, rules: SlotRules) -> list[Slot]:
    """The former search: every volunteer's copy of a window, every volunteer looked at for each."""
    windows = [w for v in volunteers for w in v.available if _within(w, first, last)]
    earliest = now + rules.notice
    found: dict[datetime, Slot] = {}
    for window in windows:
        present = [v for v in volunteers if any(a.start < window.end and window.start < a.end for a in v.available)]
        if not present:
            continue
        for candidate in _grid(window, rules):
            if candidate.start < earliest or candidate.start in found:
                continue
            free = free_at(candidate, rules)
            ids = sorted((v.id for v in present if free(v)), key=_as_int)
            if ids:
                found[candidate.start] = Slot(candidate.start, candidate.end, tuple(ids))
    return sorted(found.values(), key=lambda s: s.start)


def measure(label: str, run: object, rounds: int) -> tuple[float, list[Slot]]:
    times, result = [], []
    for _ in range(rounds):
        began = time.perf_counter()
        result = run()  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    median = statistics.median(times)
    print(f"  {label:<8} median {median:9.1f} ms  (min {min(times):.1f}, max {max(times):.1f}; {len(result)} slots)")
    return median, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    last = START + timedelta(days=args.days - 1)
    rules = SlotRules()
    for size in args.volunteers:
        people = population(size, START, last)
        print(f"{size} volunteers, {args.days} days, {sum(len(v.available) for v in people)} windows:")
        old, old_slots = measure("before", lambda p=people: before(p, START, last, NOW, rules), args.rounds)
        new, new_slots = measure(
            "after", lambda p=people: remote_slots(p, START, last, now=NOW, rules=rules), args.rounds
        )
        assert old_slots == new_slots, "the same slots, with the same volunteers"
        print(f"  after / before = {new / old:.3f} ({old / new:.0f}x faster)")


if __name__ == "__main__":
    main()
