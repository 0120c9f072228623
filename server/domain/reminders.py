"""What to tell whom, and when, after something happens to a session: the reminder plan.

A pure function of the session's times, what happened and `now`. The service writes the plan into the outbox in
the same transaction as the change; the dispatcher sends each row when it is due, after checking that the
session is still the one the row was planned for.

Rules (DESIGN.md journey 4):
- the resident gets an SMS at once (booked, moved, cancelled by someone else), 24 h and 2 h before;
- the volunteer gets a push at once (a session for them, moved, cancelled) and 24 h and 1 h before;
- nothing is sent after the session has started (`not_after`);
- no reminder during quiet hours: one that would fall in them is moved *earlier*, to the hour before quiet hours
  begin (never later, where it could come too late); one whose moved time has already passed is dropped;
- a reminder due less than an hour after the message that announced the time is dropped: it would repeat it;
- after a session is done the resident is asked for feedback (1–5), outside quiet hours, for three days.

"24 h before" is the instant 24 hours earlier, also across a daylight-saving change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from server.domain.clocktime import HELSINKI, local_start


class Kind(enum.StrEnum):
    SIGN_IN_CODE = "sign_in_code"
    CONFIRMATION = "confirmation"
    MOVED = "moved"
    CANCELLED = "cancelled"
    RELEASED = "released"  # to the volunteer a moved session was given away from
    REMINDER_24H = "reminder_24h"
    REMINDER_2H = "reminder_2h"
    REMINDER_1H = "reminder_1h"
    NEW_SESSION = "new_session"
    FEEDBACK_REQUEST = "feedback_request"
    OFFER = "offer"
    OFFER_SMS = "offer_sms"
    REPLY = "reply"
    WHICH_SESSION = "which_session"  # "which of your times?", asked back when a reply could mean more than one
    SHIFT_REMINDER = "shift_reminder"  # to a volunteer the day before their drop-in shift
    SHIFT_REMOVED = "shift_removed"  # to a volunteer whose drop-in shift went (the hour stopped, the day closed)


REMINDER_KINDS = frozenset({Kind.REMINDER_24H, Kind.REMINDER_2H, Kind.REMINDER_1H})


class Audience(enum.StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    PREVIOUS_VOLUNTEER = "previous_volunteer"  # the one a moved session was taken from


class Channel(enum.StrEnum):
    SMS = "sms"
    PUSH = "push"


class SessionEvent(enum.StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    DONE = "done"
    CLOSED = "closed"  # checked in or no-show: what is still pending is moot
    REASSIGNED = "reassigned"  # the same time with another volunteer (the one before was deactivated or left)


class Actor(enum.StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local wall-clock hours without reminders, e.g. 21:00–08:00 (may wrap past midnight)."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    def contains(self, instant: datetime) -> bool:
        clock = instant.astimezone(HELSINKI).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def began(self, instant: datetime) -> datetime:
        """When the quiet period around `instant` began (the evening before, for an early-morning instant)."""
        local = instant.astimezone(HELSINKI)
        day = local.date()
        if self.start > self.end and local.time() < self.end:
            day -= timedelta(days=1)
        return local_start(day, self.start)

    def earlier(self, instant: datetime) -> datetime:
        """`instant`, or if it falls in quiet hours, the hour before they began."""
        if not self.contains(instant):
            return instant
        return self.began(instant) - timedelta(hours=1)

    def later(self, instant: datetime) -> datetime:
        """`instant`, or if it falls in quiet hours, the moment they end."""
        if not self.contains(instant):
            return instant
        began = self.began(instant).astimezone(HELSINKI)
        day = began.date() + timedelta(days=1) if self.start > self.end else began.date()
        # max(): quiet hours ending inside the repeated autumn hour must not send us back in time.
        return max(instant, local_start(day, self.end))


@dataclass(frozen=True, slots=True)
class Planned:
    kind: Kind
    audience: Audience
    channel: Channel
    due_at: datetime
    not_after: datetime | None


RESIDENT_REMINDERS = ((Kind.REMINDER_24H, timedelta(hours=24)), (Kind.REMINDER_2H, timedelta(hours=2)))
VOLUNTEER_REMINDERS = ((Kind.REMINDER_24H, timedelta(hours=24)), (Kind.REMINDER_1H, timedelta(hours=1)))
MIN_GAP = timedelta(hours=1)
FEEDBACK_AFTER = timedelta(minutes=10)
FEEDBACK_WINDOW = timedelta(days=3)


def session_plan(
    event: SessionEvent,
    *,
    starts_at: datetime,
    now: datetime,
    quiet: QuietHours,
    actor: Actor,
    has_volunteer: bool = True,
    volunteer_changed: bool = False,
) -> list[Planned]:
    """The messages that `event` causes. Anything planned earlier for the session is cancelled by the caller."""
    resident = Audience.RESIDENT
    volunteer = Audience.VOLUNTEER
    sms, push = Channel.SMS, Channel.PUSH
    plan: list[Planned] = []

    def now_to(audience: Audience, channel: Channel, kind: Kind) -> None:
        if audience is not resident and not has_volunteer:
            return
        plan.append(Planned(kind, audience, channel, now, starts_at))

    if event is SessionEvent.BOOKED:
        now_to(resident, sms, Kind.CONFIRMATION)
        if actor is not Actor.VOLUNTEER:
            now_to(volunteer, push, Kind.NEW_SESSION)
        plan += reminders(starts_at=starts_at, now=now, quiet=quiet, has_volunteer=has_volunteer)
    elif event is SessionEvent.MOVED:
        now_to(resident, sms, Kind.MOVED)
        if volunteer_changed:
            plan.append(Planned(Kind.RELEASED, Audience.PREVIOUS_VOLUNTEER, push, now, starts_at))
            now_to(volunteer, push, Kind.NEW_SESSION)
        elif actor is not Actor.VOLUNTEER:
            now_to(volunteer, push, Kind.MOVED)
        plan += reminders(starts_at=starts_at, now=now, quiet=quiet, has_volunteer=has_volunteer)
    elif event is SessionEvent.REASSIGNED:
        # The time stands, so the resident is not told; the new volunteer is, and the reminders are planned again.
        now_to(volunteer, push, Kind.NEW_SESSION)
        plan += reminders(starts_at=starts_at, now=now, quiet=quiet, has_volunteer=has_volunteer)
    elif event is SessionEvent.CANCELLED:
        # The one who cancelled knows; the other side is told, while it still matters (before the start).
        if actor is not Actor.RESIDENT:
            plan.append(Planned(Kind.CANCELLED, resident, sms, now, starts_at))
        if actor is not Actor.VOLUNTEER and has_volunteer:
            plan.append(Planned(Kind.CANCELLED, volunteer, push, now, starts_at))
    elif event is SessionEvent.DONE:
        due = quiet.later(now + FEEDBACK_AFTER)
        plan.append(Planned(Kind.FEEDBACK_REQUEST, resident, sms, due, now + FEEDBACK_WINDOW))
    return plan


def reminders(*, starts_at: datetime, now: datetime, quiet: QuietHours, has_volunteer: bool = True) -> list[Planned]:
    """The resident's SMS and the volunteer's push reminders still ahead for a session starting at `starts_at`."""
    plan: list[Planned] = []
    audiences = [(Audience.RESIDENT, Channel.SMS, RESIDENT_REMINDERS)]
    if has_volunteer:
        audiences.append((Audience.VOLUNTEER, Channel.PUSH, VOLUNTEER_REMINDERS))
    for audience, channel, offsets in audiences:
        for kind, before in offsets:
            due = quiet.earlier(starts_at - before)
            if due < now + MIN_GAP or due >= starts_at:
                continue
            plan.append(Planned(kind, audience, channel, due, starts_at))
    return plan


def offer_escalation(*, now: datetime, expires_at: datetime, after: timedelta, quiet: QuietHours) -> datetime | None:
    """When an offer nobody has opened by push goes to the volunteer by SMS: `after` minutes, if that is before the
    offer expires and outside quiet hours (at night the push is enough; the next volunteers are asked anyway)."""
    due = now + after
    if due >= expires_at or quiet.contains(due):
        return None
    return due


# How late a reminder may still go out: a day-before reminder two hours late still helps, a 1-hour one does not.
MAX_LATENESS: dict[str, timedelta] = {
    Kind.REMINDER_24H: timedelta(hours=2),
    Kind.REMINDER_2H: timedelta(minutes=30),
    Kind.REMINDER_1H: timedelta(minutes=15),
}


def deadline(kind: str, due_at: datetime, not_after: datetime | None) -> datetime | None:
    """The moment after which the message is not sent at all (`expired`)."""
    lateness = MAX_LATENESS.get(kind)
    if lateness is None:
        return not_after
    late = due_at + lateness
    return min(late, not_after) if not_after is not None else late


# A message with no time of its own after which it is moot is still worth sending for a day (an answer to a
# volunteer application, say); after that it is given up as failed.
DEFAULT_USEFUL = timedelta(days=1)
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(minutes=15)


def useful_until(kind: str, due_at: datetime, not_after: datetime | None) -> datetime:
    """Until when a failed send is worth trying again: its deadline, or a day after it fell due."""
    return deadline(kind, due_at, not_after) or due_at + DEFAULT_USEFUL


def retry_delay(attempts: int, *, retry_after: float | None, jitter: float) -> timedelta:
    """Exponential backoff with jitter after the `attempts`-th failed try: 30 s, 1 min, 2 min … at most 15 min,
    each scaled by `jitter` (0.5–1.0, drawn by the caller) so that failed rows do not retry in lockstep; never
    sooner than the provider's Retry-After. There is no limit on tries: a message is retried for as long as it is
    useful (`useful_until`)."""
    delay: timedelta = min(RETRY_CAP, RETRY_BASE * 2 ** min(max(attempts - 1, 0), 10)) * jitter
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
