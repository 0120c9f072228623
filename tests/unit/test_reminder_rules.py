"""The reminder plan: what a session's booking, move, cancellation or end tells whom, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from server.domain.clocktime import HELSINKI
from server.domain.reminders import (
    MIN_GAP,
    RETRY_CAP,
    Actor,
    Audience,
    Channel,
    Kind,
    Planned,
    QuietHours,
    SessionEvent,
    deadline,
    offer_escalation,
    reminders,
    retry_delay,
    session_plan,
)

QUIET = QuietHours()  # 21:00-08:00 Helsinki
TUESDAY = date(2026, 12, 1)
SPRING_FORWARD = date(2026, 3, 29)  # 03:00 → 04:00
FALL_BACK = date(2026, 10, 25)  # 04:00 → 03:00
NOMINAL = {
    (Kind.REMINDER_24H, Audience.RESIDENT): timedelta(hours=24),
    (Kind.REMINDER_2H, Audience.RESIDENT): timedelta(hours=2),
    (Kind.REMINDER_24H, Audience.VOLUNTEER): timedelta(hours=24),
    (Kind.REMINDER_1H, Audience.VOLUNTEER): timedelta(hours=1),
}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HELSINKI).astimezone(UTC)


START = local(TUESDAY, 12)
NOW = START - timedelta(days=3)


NOMINAL_KINDS = {kind for kind, _ in NOMINAL}


def plan(event: SessionEvent, actor: Actor = Actor.COORDINATOR, **changes: Any) -> list[Planned]:
    args: dict[str, Any] = {"starts_at": START, "now": NOW, "quiet": QUIET, "actor": actor}
    return session_plan(event, **args | changes)


def at_once(planned: list[Planned]) -> set[tuple[Kind, Audience, Channel]]:
    return {(p.kind, p.audience, p.channel) for p in planned if p.kind not in NOMINAL_KINDS}


def due(planned: list[Planned]) -> dict[tuple[Kind, Audience], datetime]:
    return {(p.kind, p.audience): p.due_at for p in planned if p.kind in NOMINAL_KINDS}


def test_a_booking_texts_the_resident_and_pushes_the_volunteer_at_once() -> None:
    planned = plan(SessionEvent.BOOKED)
    assert at_once(planned) == {
        (Kind.CONFIRMATION, Audience.RESIDENT, Channel.SMS),
        (Kind.NEW_SESSION, Audience.VOLUNTEER, Channel.PUSH),
    }
    assert all(p.due_at == NOW and p.not_after == START for p in planned if p.kind not in NOMINAL_KINDS)


def test_the_resident_gets_sms_24_and_2_hours_before_and_the_volunteer_push_24_and_1_hour_before() -> None:
    planned = plan(SessionEvent.BOOKED)
    assert due(planned) == {key: START - before for key, before in NOMINAL.items()}
    channel = {Audience.RESIDENT: Channel.SMS, Audience.VOLUNTEER: Channel.PUSH}
    assert all(p.channel is channel[p.audience] and p.not_after == START for p in planned if p.kind in NOMINAL_KINDS)


def test_a_volunteer_is_not_told_about_a_session_they_scheduled_themselves() -> None:
    booked = plan(SessionEvent.BOOKED, Actor.VOLUNTEER)
    assert at_once(booked) == {(Kind.CONFIRMATION, Audience.RESIDENT, Channel.SMS)}
    assert (Kind.REMINDER_1H, Audience.VOLUNTEER) in due(booked), "but is still reminded"
    moved = plan(SessionEvent.MOVED, Actor.VOLUNTEER)
    assert at_once(moved) == {(Kind.MOVED, Audience.RESIDENT, Channel.SMS)}


def test_a_move_by_someone_else_is_told_to_both_and_the_reminders_follow_the_new_time() -> None:
    moved = plan(SessionEvent.MOVED, Actor.RESIDENT)
    assert at_once(moved) == {
        (Kind.MOVED, Audience.RESIDENT, Channel.SMS),
        (Kind.MOVED, Audience.VOLUNTEER, Channel.PUSH),
    }
    assert due(moved) == {key: START - before for key, before in NOMINAL.items()}


def test_a_move_to_another_volunteer_releases_the_previous_one_and_is_new_for_the_next() -> None:
    moved = plan(SessionEvent.MOVED, volunteer_changed=True)
    assert at_once(moved) == {
        (Kind.MOVED, Audience.RESIDENT, Channel.SMS),
        (Kind.RELEASED, Audience.PREVIOUS_VOLUNTEER, Channel.PUSH),
        (Kind.NEW_SESSION, Audience.VOLUNTEER, Channel.PUSH),
    }
    previous = next(p for p in moved if p.audience is Audience.PREVIOUS_VOLUNTEER)
    assert previous.due_at == NOW and previous.not_after == START, "worth telling (and retrying) until the start"


def test_a_cancellation_is_told_to_the_side_that_did_not_cancel() -> None:
    resident = (Kind.CANCELLED, Audience.RESIDENT, Channel.SMS)
    volunteer = (Kind.CANCELLED, Audience.VOLUNTEER, Channel.PUSH)
    expected = {Actor.RESIDENT: {volunteer}, Actor.VOLUNTEER: {resident}, Actor.COORDINATOR: {resident, volunteer}}
    for actor, told in expected.items():
        planned = plan(SessionEvent.CANCELLED, actor)
        assert {(p.kind, p.audience, p.channel) for p in planned} == told, actor
        assert all(p.due_at == NOW and p.not_after == START for p in planned), "told until the start; no reminders"


def test_a_session_without_a_volunteer_plans_nothing_for_a_volunteer() -> None:
    for event in (SessionEvent.BOOKED, SessionEvent.MOVED, SessionEvent.CANCELLED):
        planned = plan(event, has_volunteer=False)
        assert planned and {p.audience for p in planned} == {Audience.RESIDENT}, event


def test_a_done_session_asks_once_for_feedback_outside_quiet_hours_for_three_days() -> None:
    for now, expected in (
        (local(TUESDAY, 14), local(TUESDAY, 14, 10)),
        (local(TUESDAY, 20, 55), local(date(2026, 12, 2), 8)),
    ):
        planned = plan(SessionEvent.DONE, now=now)
        assert planned == [
            Planned(Kind.FEEDBACK_REQUEST, Audience.RESIDENT, Channel.SMS, expected, now + timedelta(days=3))
        ]


def test_a_check_in_or_no_show_plans_nothing() -> None:
    assert all(plan(SessionEvent.CLOSED, actor) == [] for actor in Actor)


def test_a_reminder_that_would_come_at_night_comes_at_20_the_evening_before() -> None:
    starts = local(TUESDAY, 8, 30)
    planned = due(reminders(starts_at=starts, now=starts - timedelta(days=3), quiet=QUIET))
    monday_evening = local(date(2026, 11, 30), 20)
    assert planned[Kind.REMINDER_2H, Audience.RESIDENT] == monday_evening
    assert planned[Kind.REMINDER_1H, Audience.VOLUNTEER] == monday_evening
    assert planned[Kind.REMINDER_24H, Audience.RESIDENT] == starts - timedelta(hours=24)


def test_a_reminder_too_close_to_the_booking_or_moved_into_the_past_is_dropped() -> None:
    kinds = {kind for kind, _ in due(reminders(starts_at=START, now=START - timedelta(hours=3), quiet=QUIET))}
    assert kinds == {Kind.REMINDER_2H, Kind.REMINDER_1H}, "an hour after the booking is still worth it"
    kinds = {
        kind for kind, _ in due(reminders(starts_at=START, now=START - timedelta(hours=2, minutes=30), quiet=QUIET))
    }
    assert kinds == {Kind.REMINDER_1H}, "not 30 minutes after the confirmation"
    early = local(TUESDAY, 7, 30)
    assert reminders(starts_at=early, now=local(date(2026, 11, 30), 20, 30), quiet=QUIET) == [], "20:00 has passed"


def test_24_hours_before_is_24_real_hours_across_both_daylight_saving_changes() -> None:
    for sunday, clock_the_day_before in ((SPRING_FORWARD, 9), (FALL_BACK, 11)):
        starts = local(sunday, 10)
        planned = due(reminders(starts_at=starts, now=starts - timedelta(days=3), quiet=QUIET))
        day_before = planned[Kind.REMINDER_24H, Audience.RESIDENT]
        assert day_before == starts - timedelta(hours=24)
        assert day_before.astimezone(HELSINKI).hour == clock_the_day_before, sunday


def test_quiet_hours_are_kept_around_both_daylight_saving_nights() -> None:
    starts = local(SPRING_FORWARD, 8, 30)  # 24 h before is 07:30 on Saturday, still winter time
    planned = due(reminders(starts_at=starts, now=starts - timedelta(days=3), quiet=QUIET))
    assert planned[Kind.REMINDER_24H, Audience.RESIDENT] == local(date(2026, 3, 27), 20)
    assert planned[Kind.REMINDER_2H, Audience.RESIDENT] == local(date(2026, 3, 28), 20)
    for sunday in (SPRING_FORWARD, FALL_BACK):
        for quarter in range(4 * 48):
            starts = local(sunday, 0) + timedelta(minutes=15 * quarter)
            for p in reminders(starts_at=starts, now=starts - timedelta(days=3), quiet=QUIET):
                assert not QUIET.contains(p.due_at), (starts, p)
                assert p.due_at <= starts - NOMINAL[p.kind, p.audience]


def test_earlier_and_later_for_a_night_time_on_the_daylight_saving_nights() -> None:
    for sunday in (SPRING_FORWARD, FALL_BACK):
        night = local(sunday, 2, 30)
        assert QUIET.earlier(night) == local(sunday - timedelta(days=1), 20), sunday
        assert QUIET.later(night) == local(sunday, 8), sunday
    for repeated in (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)):
        assert repeated.astimezone(HELSINKI).hour == 3, "both 03:30s"
        assert QUIET.earlier(repeated) == local(date(2026, 10, 24), 20)
        assert QUIET.later(repeated) == local(FALL_BACK, 8)


def test_the_default_quiet_hours_run_from_21_to_8_local_time() -> None:
    inside = [local(TUESDAY, 21), local(TUESDAY, 23, 59), local(TUESDAY, 0), local(TUESDAY, 7, 59)]
    outside = [local(TUESDAY, 8), local(TUESDAY, 12), local(TUESDAY, 20, 59)]
    assert all(QUIET.contains(t) for t in inside) and not any(QUIET.contains(t) for t in outside)
    assert all(QUIET.earlier(t) == QUIET.later(t) == t for t in outside), "daytime stays as it is"
    assert QUIET.earlier(local(TUESDAY, 22)) == local(TUESDAY, 20), "the same evening"
    assert QUIET.later(local(TUESDAY, 22)) == local(date(2026, 12, 2), 8), "the next morning"


def test_quiet_hours_within_one_day_do_not_wrap_past_midnight() -> None:
    lunch = QuietHours(time(12), time(13))
    assert lunch.contains(local(TUESDAY, 12)) and lunch.contains(local(TUESDAY, 12, 59))
    assert not any(lunch.contains(local(TUESDAY, h, m)) for h, m in ((11, 59), (13, 0), (23, 0), (2, 0)))
    assert lunch.earlier(local(TUESDAY, 12, 30)) == local(TUESDAY, 11)
    assert lunch.later(local(TUESDAY, 12, 30)) == local(TUESDAY, 13)
    starts = local(TUESDAY, 14, 30)
    planned = due(reminders(starts_at=starts, now=starts - timedelta(days=3), quiet=lunch))
    assert planned[Kind.REMINDER_2H, Audience.RESIDENT] == local(TUESDAY, 11)
    assert planned[Kind.REMINDER_1H, Audience.VOLUNTEER] == starts - timedelta(hours=1)


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)))
def test_an_empty_quiet_window_is_never_quiet(instant: datetime) -> None:
    empty = QuietHours(time(9), time(9))
    assert not empty.contains(instant)
    assert empty.earlier(instant) == empty.later(instant) == instant
    planned = due(reminders(starts_at=instant, now=instant - timedelta(days=3), quiet=empty))
    assert planned == {key: instant - before for key, before in NOMINAL.items()}


starts_at = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
lead = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=4))


@given(starts_at, lead)
def test_every_reminder_is_due_after_the_gap_before_the_start_and_outside_quiet_hours(
    starts: datetime, ahead: timedelta
) -> None:
    now = starts - ahead
    for p in reminders(starts_at=starts, now=now, quiet=QUIET):
        assert now + MIN_GAP <= p.due_at < starts
        assert not QUIET.contains(p.due_at)
        assert p.not_after == starts


@given(starts_at, lead)
def test_a_reminder_is_only_ever_moved_earlier_and_only_out_of_quiet_hours(starts: datetime, ahead: timedelta) -> None:
    planned = due(reminders(starts_at=starts, now=starts - ahead, quiet=QUIET))
    for key, when in planned.items():
        nominal = starts - NOMINAL[key]
        assert when <= nominal
        assert when == nominal or QUIET.contains(nominal)
    if ahead >= timedelta(days=3):
        assert set(planned) == set(NOMINAL), "booked well ahead: every reminder"


def test_a_late_reminder_expires_after_its_allowed_lateness_and_never_after_the_start() -> None:
    at = local(TUESDAY, 10)
    later = at + timedelta(days=1)
    lateness = {
        "reminder_24h": timedelta(hours=2),
        "reminder_2h": timedelta(minutes=30),
        "reminder_1h": timedelta(minutes=15),
    }
    for kind, allowed in lateness.items():
        assert deadline(kind, at, later) == deadline(Kind(kind), at, later) == at + allowed
        assert deadline(kind, at, None) == at + allowed
        assert deadline(kind, at, at + timedelta(minutes=10)) == at + timedelta(minutes=10)
    for kind in (Kind.CONFIRMATION, Kind.MOVED, Kind.FEEDBACK_REQUEST, Kind.OFFER_SMS, Kind.CANCELLED):
        assert deadline(kind, at, later) == later and deadline(kind, at, None) is None


def test_retries_back_off_from_30_seconds_doubling_up_to_15_minutes() -> None:
    seconds = [retry_delay(n, retry_after=None, jitter=1.0).total_seconds() for n in range(1, 9)]
    assert seconds == [30, 60, 120, 240, 480, 900, 900, 900]
    assert retry_delay(0, retry_after=None, jitter=1.0) == timedelta(seconds=30)
    assert retry_delay(3, retry_after=None, jitter=0.5) == timedelta(minutes=1)


def test_a_retry_never_comes_sooner_than_the_providers_retry_after() -> None:
    assert retry_delay(1, retry_after=600, jitter=0.5) == timedelta(minutes=10)
    assert retry_delay(1, retry_after=5, jitter=0.5) == timedelta(seconds=15)
    assert retry_delay(9, retry_after=3600, jitter=1.0) == timedelta(hours=1), "even past the cap"


# Any number of attempts: retries go on while the message is useful, so the delay must not overflow.
@given(st.integers(0, 10_000), st.floats(0.5, 1.0), st.none() | st.floats(0, 7200))
def test_retry_delays_never_shrink_and_stay_within_the_jitter_band(
    attempts: int, jitter: float, retry_after: float | None
) -> None:
    delay = retry_delay(attempts, retry_after=None, jitter=jitter)
    nominal = retry_delay(attempts, retry_after=None, jitter=1.0)
    assert nominal / 2 <= delay <= nominal <= RETRY_CAP
    assert delay <= retry_delay(attempts + 1, retry_after=None, jitter=jitter)
    honoured = retry_delay(attempts, retry_after=retry_after, jitter=jitter)
    assert honoured == max(delay, timedelta(seconds=retry_after or 0))


def test_an_unopened_offer_goes_by_sms_only_while_open_and_not_at_night() -> None:
    wait = timedelta(minutes=10)

    def sms(now: datetime, expires_in: timedelta) -> datetime | None:
        return offer_escalation(now=now, expires_at=now + expires_in, after=wait, quiet=QUIET)

    afternoon = local(TUESDAY, 14)
    assert sms(afternoon, timedelta(hours=1)) == afternoon + wait
    assert sms(afternoon, wait) is None, "the offer is gone by then"
    assert sms(afternoon, timedelta(minutes=5)) is None
    assert sms(local(TUESDAY, 20, 55), timedelta(hours=1)) is None, "21:05 is quiet: the push is enough"
    assert sms(local(TUESDAY, 7, 45), timedelta(hours=1)) is None
    assert sms(local(TUESDAY, 7, 50), timedelta(hours=1)) == local(TUESDAY, 8)
