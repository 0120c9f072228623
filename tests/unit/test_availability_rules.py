"""Volunteer availability: weekly rules in local time, date overrides, expanded to UTC."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.availability import DateOverride, WeeklyRule, expand, merge, subtract, validate_rules
from server.domain.clocktime import Interval
from server.domain.errors import InvalidInput

MONDAY = date(2026, 11, 23)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_rules_become_utc_intervals_on_their_weekdays() -> None:
    rules = [WeeklyRule(0, time(9), time(12)), WeeklyRule(2, time(13), time(16))]
    got = expand(rules, [], MONDAY, MONDAY + timedelta(days=6), remote=False)
    assert got == [
        Interval(utc(2026, 11, 23, 7), utc(2026, 11, 23, 10)),
        Interval(utc(2026, 11, 25, 11), utc(2026, 11, 25, 14)),
    ]


def test_remote_and_in_person_availability_are_kept_apart() -> None:
    rules = [WeeklyRule(0, time(9), time(12)), WeeklyRule(0, time(18), time(20), remote=True)]
    assert len(expand(rules, [], MONDAY, MONDAY, remote=False)) == 1
    assert expand(rules, [], MONDAY, MONDAY, remote=True) == [Interval(utc(2026, 11, 23, 16), utc(2026, 11, 23, 18))]


def test_an_away_day_removes_the_whole_day_and_a_partial_one_cuts_it() -> None:
    rules = [WeeklyRule(0, time(9), time(15))]
    assert expand(rules, [DateOverride(MONDAY, away=True)], MONDAY, MONDAY, remote=False) == []
    cut = expand(rules, [DateOverride(MONDAY, away=True, start=time(11), end=time(12))], MONDAY, MONDAY, remote=False)
    assert cut == [
        Interval(utc(2026, 11, 23, 7), utc(2026, 11, 23, 9)),
        Interval(utc(2026, 11, 23, 10), utc(2026, 11, 23, 13)),
    ]


def test_extra_hours_join_the_weekly_ones() -> None:
    rules = [WeeklyRule(0, time(9), time(12))]
    extra = [DateOverride(MONDAY, away=False, start=time(12), end=time(14))]
    assert expand(rules, extra, MONDAY, MONDAY, remote=False) == [Interval(utc(2026, 11, 23, 7), utc(2026, 11, 23, 12))]


def test_a_night_rule_across_the_spring_gap_is_two_real_hours() -> None:
    sunday = date(2026, 3, 29)
    [span] = expand([WeeklyRule(6, time(2), time(5))], [], sunday, sunday, remote=False)
    assert span.duration == timedelta(hours=2)
    [autumn] = expand([WeeklyRule(6, time(2), time(5))], [], date(2026, 10, 25), date(2026, 10, 25), remote=False)
    assert autumn.duration == timedelta(hours=4)


@pytest.mark.parametrize(
    ("rules", "code"),
    [
        ([WeeklyRule(0, time(12), time(9))], "availability_order"),
        ([WeeklyRule(0, time(9), time(12)), WeeklyRule(0, time(11), time(13))], "availability_overlap"),
        ([WeeklyRule(8, time(9), time(12))], "weekday_invalid"),
    ],
)
def test_overlapping_or_backwards_rules_are_refused(rules: list[WeeklyRule], code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_rules(rules)
    assert refused.value.code == code


def test_the_same_hours_in_person_and_remote_do_not_conflict() -> None:
    validate_rules([WeeklyRule(0, time(9), time(12)), WeeklyRule(0, time(9), time(12), remote=True)])


BASE = utc(2026, 11, 23)
spans = st.builds(
    lambda start, length: Interval(BASE + timedelta(minutes=start), BASE + timedelta(minutes=start + length)),
    st.integers(0, 24 * 60),
    st.integers(1, 600),
)


@given(st.lists(spans, max_size=12), st.lists(spans, max_size=6))
def test_subtracting_leaves_sorted_disjoint_time_outside_every_cut(kept: list[Interval], cuts: list[Interval]) -> None:
    left = subtract(kept, cuts)
    assert left == sorted(left)
    assert all(a.end < b.start for a, b in itertools.pairwise(left))
    assert not any(piece.overlaps(cut) for piece in left for cut in cuts)
    assert all(any(whole.contains(piece) for whole in merge(kept)) for piece in left)
