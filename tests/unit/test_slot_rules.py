"""Free slots at a help point and for remote sessions."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.availability import WeeklyRule, expand
from server.domain.clocktime import HELSINKI, Interval, local_interval, week_of
from server.domain.network import OpeningPeriod
from server.domain.slots import Slot, SlotRules, VolunteerTime, _slots_in, help_point_slots, is_free, remote_slots

MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
AINO, EERO = uuid.UUID(int=1), uuid.UUID(int=2)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI).astimezone(UTC)


def volunteer(
    vid: uuid.UUID, rules: list[WeeklyRule], first: date = MONDAY, last: date = MONDAY, **kw: object
) -> VolunteerTime:
    return VolunteerTime(id=vid, available=expand(rules, [], first, last, remote=False), **kw)  # type: ignore[arg-type]


def starts(slots: list) -> list[str]:  # type: ignore[type-arg]
    return [s.start.astimezone(HELSINKI).strftime("%H:%M") for s in slots]


def test_slots_are_45_minutes_on_an_hourly_grid_inside_opening_hours() -> None:
    slots = help_point_slots(
        [OpeningPeriod(0, time(9), time(12))],
        [volunteer(AINO, [WeeklyRule(0, time(9), time(12))])],
        MONDAY,
        MONDAY,
        now=NOW,
    )
    assert starts(slots) == ["09:00", "10:00", "11:00"]
    assert all(s.end - s.start == timedelta(minutes=45) and s.volunteer_ids == (AINO,) for s in slots)


def test_a_slot_needs_a_volunteer_for_all_of_it() -> None:
    slots = help_point_slots(
        [OpeningPeriod(0, time(9), time(12))],
        [volunteer(AINO, [WeeklyRule(0, time(9), time(11, 30))])],
        MONDAY,
        MONDAY,
        now=NOW,
    )
    assert starts(slots) == ["09:00", "10:00"]


def test_no_slots_when_the_help_point_is_closed_even_if_volunteers_are_free() -> None:
    slots = help_point_slots(
        [OpeningPeriod(1, time(9), time(12))],
        [volunteer(AINO, [WeeklyRule(0, time(9), time(12))])],
        MONDAY,
        MONDAY + timedelta(days=1),
        now=NOW,
    )
    assert slots == []


def test_a_booked_session_and_its_buffer_take_the_volunteer_out() -> None:
    busy = [Interval(local(MONDAY, 10), local(MONDAY, 10, 45))]
    slots = help_point_slots(
        [OpeningPeriod(0, time(9), time(12))],
        [volunteer(AINO, [WeeklyRule(0, time(9), time(12))], busy=busy)],
        MONDAY,
        MONDAY,
        now=NOW,
    )
    assert starts(slots) == ["09:00", "11:00"]
    squeezed = [Interval(local(MONDAY, 9, 50), local(MONDAY, 10, 0))]
    slots = help_point_slots(
        [OpeningPeriod(0, time(9), time(12))],
        [volunteer(AINO, [WeeklyRule(0, time(9), time(12))], busy=squeezed)],
        MONDAY,
        MONDAY,
        now=NOW,
    )
    assert starts(slots) == ["11:00"], "15 minutes between sessions, on both sides"


def test_another_free_volunteer_keeps_the_slot_open() -> None:
    busy = [Interval(local(MONDAY, 10), local(MONDAY, 10, 45))]
    rules = [WeeklyRule(0, time(9), time(12))]
    slots = help_point_slots(
        [OpeningPeriod(0, time(9), time(12))],
        [volunteer(AINO, rules, busy=busy), volunteer(EERO, rules)],
        MONDAY,
        MONDAY,
        now=NOW,
    )
    assert [s.volunteer_ids for s in slots] == [
        tuple(sorted((AINO, EERO), key=str)),
        (EERO,),
        tuple(sorted((AINO, EERO), key=str)),
    ]


def test_never_offers_a_volunteer_above_their_weekly_cap() -> None:
    tuesday = MONDAY + timedelta(days=8)
    rules = [WeeklyRule(0, time(9), time(10))]
    full = volunteer(AINO, rules, MONDAY, tuesday, weekly_cap=2, booked_per_week={week_of(local(MONDAY, 9)): 2})
    slots = help_point_slots([OpeningPeriod(0, time(9), time(10))], [full], MONDAY, tuesday, now=NOW)
    assert [s.start.astimezone(HELSINKI).date() for s in slots] == [MONDAY + timedelta(days=7)], "only next week"


def test_no_slot_starts_sooner_than_the_notice_period() -> None:
    now = local(MONDAY, 8, 30)
    slots = help_point_slots(
        [OpeningPeriod(0, time(9), time(13))],
        [volunteer(AINO, [WeeklyRule(0, time(9), time(13))])],
        MONDAY,
        MONDAY,
        now=now,
        rules=SlotRules(notice=timedelta(hours=2)),
    )
    assert starts(slots) == ["11:00", "12:00"]


def test_slot_times_are_right_on_both_transition_sundays() -> None:
    for sunday, offset in ((date(2026, 3, 29), 3), (date(2026, 10, 25), 2)):
        vol = volunteer(AINO, [WeeklyRule(6, time(9), time(12))], sunday, sunday)
        slots = help_point_slots(
            [OpeningPeriod(6, time(9), time(12))], [vol], sunday, sunday, now=NOW - timedelta(days=300)
        )
        assert [s.start.hour for s in slots] == [9 - offset, 10 - offset, 11 - offset], sunday


def test_remote_slots_come_from_remote_availability() -> None:
    remote = VolunteerTime(
        id=AINO, available=expand([WeeklyRule(0, time(18), time(20), remote=True)], [], MONDAY, MONDAY, remote=True)
    )
    assert starts(remote_slots([remote], MONDAY, MONDAY, now=NOW)) == ["18:00", "19:00"]


hours = st.integers(min_value=6, max_value=20)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[OpeningPeriod], list[VolunteerTime]]:
    periods = []
    for weekday in draw(st.sets(st.integers(0, 6), max_size=4)):
        opens = draw(hours)
        periods.append(OpeningPeriod(weekday, time(opens), time(min(opens + draw(st.integers(1, 6)), 23))))
    people = []
    for n in range(draw(st.integers(1, 4))):
        rules = []
        for weekday in draw(st.sets(st.integers(0, 6), max_size=4)):
            start = draw(hours)
            rules.append(WeeklyRule(weekday, time(start), time(min(start + draw(st.integers(1, 5)), 23))))
        busy_start = draw(st.integers(0, 6 * 24))
        busy = [
            Interval(
                local(MONDAY, 0) + timedelta(hours=busy_start),
                local(MONDAY, 0) + timedelta(hours=busy_start, minutes=45),
            )
        ]
        people.append(volunteer(uuid.UUID(int=n + 1), rules, MONDAY, MONDAY + timedelta(days=6), busy=busy))
    return periods, people


@settings(max_examples=200)
@given(scenarios())
def test_every_slot_is_inside_opening_hours_and_has_a_truly_free_volunteer(scenario: tuple) -> None:  # type: ignore[type-arg]
    periods, people = scenario
    slots = help_point_slots(periods, people, MONDAY, MONDAY + timedelta(days=6), now=NOW)
    windows = [
        w
        for d in range(7)
        for p in periods
        if p.weekday == (MONDAY + timedelta(days=d)).weekday()
        and (w := local_interval(MONDAY + timedelta(days=d), p.opens, p.closes))
    ]
    by_id = {p.id: p for p in people}
    for slot in slots:
        span = Interval(slot.start, slot.end)
        assert any(w.contains(span) for w in windows)
        for vid in slot.volunteer_ids:
            person = by_id[vid]
            assert any(a.contains(span) for a in person.available)
            guarded = Interval(span.start - timedelta(minutes=15), span.end + timedelta(minutes=15))
            assert not any(b.overlaps(guarded) for b in person.busy)
    assert all(a.end <= b.start for a, b in itertools.pairwise(slots)), "slots at a point never overlap"


def _reference(windows: list[Interval], volunteers: list[VolunteerTime], rules: SlotRules, now: datetime) -> list:
    """The search without its shortcuts: every window, every volunteer (what the fast one must equal)."""
    earliest = now + rules.notice
    found: dict[datetime, Slot] = {}
    for window in windows:
        start = window.start
        while start + rules.length <= window.end:
            candidate = Interval(start, start + rules.length)
            start += rules.length + rules.buffer
            if candidate.start < earliest or candidate.start in found:
                continue
            ids = sorted((v.id for v in volunteers if is_free(v, candidate, rules)), key=lambda i: i.int)
            if ids:
                found[candidate.start] = Slot(candidate.start, candidate.end, tuple(ids))
    return sorted(found.values(), key=lambda s: s.start)


spans = st.builds(
    lambda day, hour, hours: Interval(
        datetime(2026, 12, 7, tzinfo=UTC) + timedelta(days=day, hours=hour),
        datetime(2026, 12, 7, tzinfo=UTC) + timedelta(days=day, hours=hour + hours),
    ),
    st.integers(0, 6),
    st.integers(0, 23),
    st.integers(1, 60),  # up to two and a half days: spans over midnight and whole days
)


@given(
    available=st.lists(st.lists(spans, min_size=1, max_size=3), min_size=1, max_size=6),
    windows=st.lists(spans, min_size=1, max_size=5),
)
def test_the_fast_search_finds_what_the_plain_one_finds(
    available: list[list[Interval]], windows: list[Interval]
) -> None:
    volunteers = [VolunteerTime(id=uuid.UUID(int=n + 1), available=a) for n, a in enumerate(available)]
    now = datetime(2026, 12, 6, tzinfo=UTC)
    rules = SlotRules()
    assert _slots_in(windows, volunteers, rules, now) == _reference(windows, volunteers, rules, now)
