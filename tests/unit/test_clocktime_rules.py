"""Local time in Helsinki and UTC, including the last Sundays of March and October."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.domain.clocktime import HELSINKI, local_end, local_interval, local_start, week_of

SPRING_FORWARD = date(2026, 3, 29)  # 03:00 → 04:00
FALL_BACK = date(2026, 10, 25)  # 04:00 → 03:00


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_winter_and_summer_offsets() -> None:
    assert local_start(date(2026, 11, 23), time(10)) == utc(2026, 11, 23, 8)
    assert local_start(date(2026, 6, 15), time(10)) == utc(2026, 6, 15, 7)


def test_a_time_in_the_spring_gap_begins_and_ends_when_the_clocks_jump() -> None:
    assert local_start(SPRING_FORWARD, time(3, 30)) == utc(2026, 3, 29, 1)
    assert local_end(SPRING_FORWARD, time(3, 30)) == utc(2026, 3, 29, 1)
    assert local_interval(SPRING_FORWARD, time(3, 0), time(3, 59)) is None, "nothing of it exists"


def test_the_repeated_autumn_hour_is_covered_once_in_full() -> None:
    assert local_start(FALL_BACK, time(3, 30)) == utc(2026, 10, 25, 0, 30)  # first 03:30 (EEST)
    assert local_end(FALL_BACK, time(3, 30)) == utc(2026, 10, 25, 1, 30)  # second 03:30 (EET)


def test_a_whole_day_is_23_hours_in_march_and_25_in_october() -> None:
    for day, hours in ((SPRING_FORWARD, 23), (FALL_BACK, 25), (date(2026, 11, 23), 24)):
        whole = local_interval(day, time(0), time(0))
        assert whole is not None and whole.duration == timedelta(hours=hours), day


def test_ordinary_opening_hours_keep_their_length_on_both_transition_days() -> None:
    for day in (SPRING_FORWARD, FALL_BACK):
        interval = local_interval(day, time(9), time(17))
        assert interval is not None and interval.duration == timedelta(hours=8)


def test_weeks_run_monday_to_sunday_in_local_time() -> None:
    sunday_late = datetime(2026, 11, 29, 23, 30, tzinfo=HELSINKI)
    monday_early = datetime(2026, 11, 30, 0, 30, tzinfo=HELSINKI)
    assert sunday_late.astimezone(UTC).date() == monday_early.astimezone(UTC).date(), "same UTC date"
    assert week_of(sunday_late) != week_of(monday_early)


@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31)),
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_local_times_round_trip_except_in_the_spring_gap(day: date, minutes: int) -> None:
    at = time(minutes // 60, minutes % 60)
    start, end = local_start(day, at), local_end(day, at)
    assert start.tzinfo is not None and start <= end
    back = start.astimezone(HELSINKI)
    in_gap = back.replace(tzinfo=None) != datetime.combine(day, at)
    if in_gap:
        assert back.time() == time(4, 0) and day.month == 3 and day.weekday() == 6
    if at == time(0):
        assert end.astimezone(HELSINKI) == datetime.combine(day + timedelta(days=1), at, tzinfo=HELSINKI)
    else:
        assert end - start in (timedelta(0), timedelta(hours=1)), "equal, or the repeated autumn hour"
