"""The dispatcher: sends what is due in the outbox, at least once, never for a session that has changed.

It keeps a steady window of sends going (APURI_DISPATCH_CONCURRENCY): a new send starts as soon as one ends, and
rows are claimed, with a lease, as room opens up, so one slow request never holds up the others. A send still
waiting after four times the recent median send (0.2-2 s) steps out of the window (it goes on, up to
IN_FLIGHT_PER_WINDOW windows in all), so a provider that hangs on 1 % of requests costs that 1 %, not the queue.
Services never assume they are the only worker. Just before sending, each row is re-checked against the session or
offer it is about, and recorded with the provider's id or the error. Temporary failures come back later (exponential
backoff with jitter, never sooner than the provider's Retry-After) for as long as the message is useful; permanent
ones fail at once; nothing goes out after its deadline (the session's start, or a reminder's lateness limit), and
quiet hours hold what can wait (see `_held_for_morning`).

Delivery guarantee: a row is marked sent only after the provider accepted it. `stop()` (SIGTERM) stops claiming,
gives back the rows not yet started, lets the sends in flight finish and records them: a deploy loses and repeats
nothing. If the process dies mid-send, its rows come back when their lease ends marked *in doubt*, and so does a
send that timed out: before such an SMS is sent again, Twilio is asked whether it already took it (its message list,
matched on number, body and time), and if so the row is recorded as sent. A push that cannot be delivered (no
subscription left, or every subscription refused it) becomes an SMS.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import statistics
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from server.adapters.clock import Clock
from server.adapters.push import PushError, PushSender, PushTarget
from server.adapters.sms import SmsError, SmsReceipt, SmsSender
from server.adapters.voice import VoiceCaller
from server.db import delivery_reports, outbox, push_subscriptions
from server.db import events as events_q
from server.db.engine import AnyEngine, is_unique_violation
from server.domain.clocktime import HELSINKI, local_start
from server.domain.events import EventState, SignupState
from server.domain.phone import mask
from server.domain.reminders import REMINDER_KINDS, Kind, QuietHours, deadline, retry_delay, useful_until
from server.domain.states import ACTIVE_SESSION_STATES, OfferState, SessionState
from server.services.notifications import URGENT, NotificationService, sms_of_push
from server.settings import Settings

log = logging.getLogger("apuri.dispatch")
ACTIVE = {s.value for s in ACTIVE_SESSION_STATES}
MAX_TWILIO_VALIDITY = 36_000  # seconds (Twilio's ValidityPeriod range is 1 to 36,000)
DEFAULT_PUSH_TTL = 24 * 3600
# The longest one send may take: a send in doubt first asks Twilio's message list, then sends (each request gives
# up after 10 s), plus recording it. A row is only sent while at least this much (or half the lease, if that is
# shorter) of its claim is left, so no other worker can take it over mid-send.
SEND_TIME = timedelta(seconds=25)
# A send still waiting after four times the recent median (within these bounds) leaves the window to the next one;
# it goes on in the background.
SLOW_AFTER_MIN = 0.2
SLOW_AFTER_MAX = 2.0
SLOW_FACTOR = 4
# Sends in flight at most, slow ones included, in windows: 20 at once means at most 160 open requests.
IN_FLIGHT_PER_WINDOW = 8
# News of a session starting before this hour (Helsinki) goes out at night: the morning message could be too late.
URGENT_UNTIL = time(10, 0)


@dataclass(frozen=True, slots=True)
class _Context:
    sessions: dict[uuid.UUID, outbox.SessionCheck]
    offers: dict[uuid.UUID, str]
    people: dict[uuid.UUID, outbox.Recipient]
    subscriptions: dict[uuid.UUID, list[push_subscriptions.Subscription]]
    signups: dict[uuid.UUID, events_q.SignupCheck] = field(default_factory=dict)


class _Window:
    """Places for sends at once: a send holds one until it ends or turns out slow."""

    def __init__(self, size: int) -> None:
        self._free = asyncio.Semaphore(size)
        self.taken = 0

    async def enter(self) -> None:
        await self._free.acquire()
        self.taken += 1

    def leave(self) -> None:
        self.taken -= 1
        self._free.release()


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # cancelled or expired at the last check
    replaced: int = 0  # pushes that became SMS rows (due now: sent in the same run)
    released: int = 0  # given back unsent: the batch took so long that the claim would have run out
    held: int = 0  # quiet hours: waits for the morning

    def add(self, other: TickResult) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.skipped += other.skipped
        self.replaced += other.replaced
        self.released += other.released
        self.held += other.held


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        engine: AnyEngine,
        sms: SmsSender,
        push: PushSender,
        voice: VoiceCaller,
        worker: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._engine = engine
        self._sms = sms
        self._push = push
        self._voice = voice
        self.worker = worker or worker_name()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        self._lease = timedelta(seconds=settings.dispatch_lease_seconds)
        self._send_time = min(SEND_TIME, self._lease / 2)
        self._limit = settings.dispatch_batch
        self._window = settings.dispatch_concurrency
        self._max_in_flight = self._window * IN_FLIGHT_PER_WINDOW
        self._notifications = NotificationService(settings=settings, clock=clock)
        self._durations: deque[float] = deque(maxlen=64)  # of recent sends, seconds
        self._stopping = False
        self._runs = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def stop(self) -> None:
        """Stop claiming; rows claimed but not yet started go back unsent; sends in flight finish and are recorded.
        Returns when the run in progress (if any) has ended. For SIGTERM: nothing lost, nothing sent twice."""
        self._stopping = True
        await self._idle.wait()

    async def run_due(self, *, budget: timedelta = timedelta(seconds=20)) -> TickResult:
        """Send until nothing is due (or `budget` is used up, or `stop()`): the next tick goes on."""
        if self._stopping:
            return TickResult()
        self._runs += 1
        self._idle.clear()
        try:
            return await self._run(budget)
        finally:
            self._runs -= 1
            if not self._runs:
                self._idle.set()

    async def _run(self, budget: timedelta) -> TickResult:
        result = TickResult()
        started = self._clock.now()
        window = _Window(self._window)
        queue: deque[tuple[outbox.Claimed, _Context, datetime]] = deque()
        running: set[asyncio.Task[str]] = set()
        outcomes: list[str] = []
        more = True  # the last claim may have left rows due
        due_again = False  # a send made a row due at once (a push became an SMS, a row was given back)

        def ended(task: asyncio.Task[str]) -> None:
            nonlocal due_again
            running.discard(task)
            outcome = "retried" if task.cancelled() or task.exception() else task.result()
            outcomes.append(outcome)
            # A push that became an SMS, or a row given back, is due again at once.
            due_again = due_again or outcome in ("replaced", "released")

        try:
            while not self._stopping and self._clock.now() - started < budget:
                # Claim as room opens up: at most one window waiting beyond the one being sent.
                room = min(2 * self._window - len(queue) - window.taken, self._limit)
                if (more or due_again) and (room >= self._window or (room > 0 and not queue and not running)):
                    # Cleared before the claim: a send that ends while the claim waits on the database sets it
                    # again, and its row is claimed next time round instead of being left to the next tick.
                    due_again = False
                    rows, context, lease_until = await self._claim(room)
                    result.claimed += len(rows)
                    more = len(rows) == room
                    queue.extend((row, context, lease_until) for row in rows)
                if not queue:
                    if not running and not more and not due_again:
                        break
                    if running:
                        await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    continue
                await window.enter()
                if len(running) >= self._max_in_flight:
                    await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                if self._stopping:  # asked to stop while waiting for room: this row is not started either
                    window.leave()
                    break
                row, context, lease_until = queue.popleft()
                task = asyncio.create_task(self._in_window(row, context, lease_until, window))
                running.add(task)
                task.add_done_callback(ended)
        finally:
            # Stopping, out of time, or failing: what was claimed but not started goes back unsent (else its lease
            # brings it back); what is in flight finishes and is recorded before anyone closes the connections.
            try:
                for row, _, _ in queue:
                    await self._give_back(row)
                    result.released += 1
            finally:
                if running:
                    await asyncio.wait(running)
        for outcome in outcomes:
            setattr(result, outcome, getattr(result, outcome) + 1)
        return result

    async def _claim(self, limit: int) -> tuple[list[outbox.Claimed], _Context, datetime]:
        now = self._clock.now()
        lease_until = now + self._lease
        rows = await outbox.claim(self._engine, worker=self.worker, now=now, lease_until=lease_until, limit=limit)
        if not rows:
            return rows, _Context({}, {}, {}, {}), lease_until
        context = _Context(
            sessions=await outbox.sessions_now({r.session_id for r in rows if r.session_id}),
            offers=await outbox.offer_states({r.offer_id for r in rows if r.offer_id}),
            people=await outbox.recipients({r.person_id for r in rows if r.person_id}),
            subscriptions=await push_subscriptions.subscriptions_of(
                {r.person_id for r in rows if r.person_id and r.channel == "push"}
            ),
            signups=await events_q.signup_checks({r.signup_id for r in rows if r.signup_id}),
        )
        return rows, context, lease_until

    async def _in_window(self, row: outbox.Claimed, context: _Context, lease_until: datetime, window: _Window) -> str:
        """One send holding a place in the window until it ends or turns out slow."""
        left = False

        def leave() -> None:
            nonlocal left
            if not left:
                left = True
                window.leave()

        loop = asyncio.get_running_loop()
        began = loop.time()
        timer = loop.call_later(self._slow_after(), leave)
        outcome = "retried"
        try:
            outcome = await self._guarded(row, context, lease_until)
            return outcome
        finally:
            timer.cancel()
            leave()
            if outcome in ("sent", "retried"):  # a request to the provider, not a check that ended in the database
                self._durations.append(loop.time() - began)

    def _slow_after(self) -> float:
        if len(self._durations) < 8:
            return SLOW_AFTER_MAX / 2
        return min(SLOW_AFTER_MAX, max(SLOW_AFTER_MIN, SLOW_FACTOR * statistics.median(self._durations)))

    async def _give_back(self, row: outbox.Claimed) -> None:
        now = self._clock.now()
        await outbox.finish(
            row.id, worker=self.worker, now=now, state="scheduled", next_attempt_at=now, attempts=row.attempts - 1
        )

    async def _guarded(self, row: outbox.Claimed, context: _Context, lease_until: datetime) -> str:
        if self._clock.now() + self._send_time >= lease_until:
            # Our claim could run out mid-send and another worker would send it too: give it back unsent.
            await self._give_back(row)
            return "released"
        try:
            return await self._one(row, context)
        except Exception:
            # An unexpected error must not take the others down; the lease brings the row back.
            log.exception("dispatch of %s (%s) failed unexpectedly", row.id, row.kind)
            return "retried"

    async def _one(self, row: outbox.Claimed, context: _Context) -> str:
        now = self._clock.now()
        moot = self._moot(row, context, now)
        if moot is not None:
            state, reason = moot
            await outbox.finish(row.id, worker=self.worker, now=now, state=state, last_error=reason)
            return "skipped"
        if row.channel == "push":
            return await self._send_push(row, context, now)
        if self._held_for_morning(row, context, now):
            return await self._hold(row, now)
        if row.channel == "voice":
            return await self._send_voice(row, now)
        return await self._send_sms(row, row.phone, row.body, now)

    def _moot(self, row: outbox.Claimed, context: _Context, now: datetime) -> tuple[str, str] | None:
        """Why the row must not be sent now, if it must not: (state, reason)."""
        if row.kind == Kind.SIGN_IN_CODE:
            # Only sent while the person waits, and the code is not kept: the process died before recording it.
            return "failed", "the sign-in code could not be confirmed as sent; a new one can be asked for"
        person = context.people.get(row.person_id) if row.person_id else None
        reason = _subject_gone(row, context, person)
        if reason is not None:
            return "cancelled", reason
        limit = deadline(row.kind, row.due_at, row.not_after)
        if limit is not None and now >= limit:
            return "expired", "too late to send"
        if row.kind in REMINDER_KINDS and self._quiet.contains(now):
            return "expired", "quiet hours: a late reminder is not sent at night"
        # An answer to the person's own text still goes (it confirms their STOP); nothing else does.
        if row.channel == "sms" and person is not None and person.opted_out and row.kind != Kind.REPLY:
            return "failed", "the person has asked for no text messages (STOP)"
        return None

    def _held_for_morning(self, row: outbox.Claimed, context: _Context, now: datetime) -> bool:
        """Quiet hours hold every SMS and call that can wait: a cancellation at 04:00 goes at 08:00. What goes at
        night: a sign-in code and the answer to the person's own text, what the person has just done themselves
        (`anytime`), and news of a session that starts before 10:00 that morning (they may be on their way before
        the morning message would arrive). Reminders are planned outside quiet hours and never held (late, they
        are dropped instead)."""
        if row.anytime or row.kind in REMINDER_KINDS or not self._quiet.contains(now):
            return False
        session = context.sessions.get(row.session_id) if row.session_id else None
        morning = self._quiet.later(now)
        return session is None or session.starts_at >= local_start(morning.astimezone(HELSINKI).date(), URGENT_UNTIL)

    async def _hold(self, row: outbox.Claimed, now: datetime) -> str:
        morning = self._quiet.later(now)
        limit = deadline(row.kind, row.due_at, row.not_after)
        if limit is not None and morning >= limit:
            await outbox.finish(
                row.id, worker=self.worker, now=now, state="expired", last_error="quiet hours: moot by the morning"
            )
            return "skipped"
        await outbox.finish(
            row.id,
            worker=self.worker,
            now=now,
            state="scheduled",
            next_attempt_at=morning,
            attempts=row.attempts - 1,
            last_error="quiet hours: held until the morning",
        )
        return "held"

    async def _send_sms(self, row: outbox.Claimed, phone: str, body: str, now: datetime) -> str:
        if not phone:
            await outbox.finish(row.id, worker=self.worker, now=now, state="failed", last_error="no phone number")
            return "failed"
        limit = deadline(row.kind, row.due_at, row.not_after)
        validity = None
        if limit is not None:
            validity = max(1, min(MAX_TWILIO_VALIDITY, int((limit - now).total_seconds())))
        try:
            found = await self._already_sent(row, phone, body) if row.in_doubt else None
            if found is not None and await self._record_sent(row, found):
                return "sent"
            # Not sent before, or what looked like it turned out to be another row's message: send it now.
            receipt = await self._sms.send(to=phone, body=body, validity_seconds=validity)
        except SmsError as exc:
            return await self._failed(
                row,
                str(exc),
                permanent=exc.permanent,
                retry_after=exc.retry_after,
                now=now,
                in_doubt=row.in_doubt or exc.maybe_sent,
            )
        await self._record_sent(row, receipt)
        return "sent"

    async def _record_sent(self, row: outbox.Claimed, receipt: SmsReceipt) -> bool:
        """Record Twilio's sid on the row (and a delivery report that came before it). False if another row
        already holds that sid: one message is one row's, never two (a unique index says so)."""
        try:
            recorded = await outbox.finish(
                row.id,
                worker=self.worker,
                now=self._clock.now(),
                state="delivered" if receipt.status == "delivered" else "sent",
                provider_id=receipt.provider_id,
                provider_status=receipt.status,
                sent_at=self._clock.now(),
                last_error="",
                in_doubt=False,
            )
        except Exception as exc:
            if is_unique_violation(exc):
                return False
            raise
        if recorded:
            await self._early_report(receipt.provider_id)
        return True

    async def _already_sent(self, row: outbox.Claimed, phone: str, body: str) -> SmsReceipt | None:
        """Whether Twilio already took this message (an earlier try's answer was lost): its record, if so. A
        message another row has already claimed as its own (the same words twice to one number) does not count."""
        found = await self._sms.find(to=phone, body=body, since=row.due_at - timedelta(minutes=1))
        taken = await outbox.provider_ids_taken([r.provider_id for r in found], but=row.id)
        for receipt in found:
            if receipt.provider_id not in taken:
                log.info("%s to %s had gone out before its answer was lost: not sent again", row.kind, mask(phone))
                return receipt
        return None

    async def _early_report(self, provider_id: str) -> None:
        """A delivery report that came before the sid was recorded waits in `provider_report`: apply it now."""
        report = await delivery_reports.take_early_report(provider_id)
        if report is not None:
            await self._notifications.delivery_report(provider_id, report.status, report.error_code)

    async def _send_voice(self, row: outbox.Claimed, now: datetime) -> str:
        """A reminder call to a landline: placed now; what happens on it comes back to the voice webhooks."""
        try:
            placed = await self._voice.call(to=row.phone, text=row.body)
        except SmsError as exc:
            return await self._failed(row, str(exc), permanent=exc.permanent, retry_after=exc.retry_after, now=now)
        await outbox.finish(
            row.id,
            worker=self.worker,
            now=self._clock.now(),
            state="sent",
            provider_id=placed.provider_id,
            provider_status="queued",
            sent_at=self._clock.now(),
            last_error="",
        )
        return "sent"

    async def _send_push(self, row: outbox.Claimed, context: _Context, now: datetime) -> str:
        subscriptions = context.subscriptions.get(row.person_id, []) if row.person_id else []
        payload = _payload(row.body)
        limit = deadline(row.kind, row.due_at, row.not_after)
        ttl = DEFAULT_PUSH_TTL if limit is None else max(0, min(DEFAULT_PUSH_TTL, int((limit - now).total_seconds())))
        transient: PushError | None = None
        for subscription in subscriptions:
            target = PushTarget(subscription.endpoint, subscription.p256dh, subscription.auth)
            try:
                receipt = await self._push.send(
                    target=target,
                    payload=payload,
                    ttl=ttl,
                    urgency="high" if row.kind in URGENT else "normal",
                    topic=None,
                    recipient_phone=row.phone,
                )
            except PushError as exc:
                if exc.gone:
                    await push_subscriptions.delete_subscription(endpoint=subscription.endpoint)
                    log.info("push subscription of a person is gone (%s): removed", exc.status)
                elif not exc.permanent:
                    transient = exc
                continue
            await push_subscriptions.push_worked(subscription.id, self._clock.now())
            await outbox.finish(
                row.id,
                worker=self.worker,
                now=self._clock.now(),
                state="sent",
                provider_id=receipt.provider_id[:64] or None,
                provider_status="accepted",
                sent_at=self._clock.now(),
                last_error="",
            )
            return "sent"
        if transient is not None:
            return await self._failed(row, str(transient), permanent=False, retry_after=transient.retry_after, now=now)
        # No subscription took it: by SMS. An offer whose SMS escalation is still waiting gets that SMS now (one SMS
        # per offer); anything else gets the push's own SMS wording as a row of its own (its own ledger line).
        reason = "no push subscription" if not subscriptions else "every push subscription refused it"
        if row.offer_id is None or not await outbox.bring_sms_forward(offer_id=row.offer_id, now=now):
            await outbox.insert(
                [
                    outbox.Draft(
                        key=f"{row.key}:sms",
                        kind=row.kind,
                        channel="sms",
                        body=sms_of_push(row.sms_body, row.language),
                        due_at=now,
                        not_after=row.not_after,
                        person_id=row.person_id,
                        phone=row.phone,
                        language=row.language,
                        session_id=row.session_id,
                        session_version=row.session_version,
                        offer_id=row.offer_id,
                        anytime=row.anytime,
                    )
                ],
                now,
            )
        await outbox.finish(row.id, worker=self.worker, now=now, state="cancelled", last_error=f"{reason}: sent by SMS")
        return "replaced"

    async def _failed(
        self,
        row: outbox.Claimed,
        error: str,
        *,
        permanent: bool,
        retry_after: float | None,
        now: datetime,
        in_doubt: bool = False,
    ) -> str:
        error = error[:300]
        if permanent:
            log.warning("%s %s to %s failed for good: %s", row.channel, row.kind, mask(row.phone), error)
            await outbox.finish(row.id, worker=self.worker, now=now, state="failed", last_error=error)
            return "failed"
        retry_at = now + retry_delay(row.attempts, retry_after=retry_after, jitter=self._rng.uniform(0.5, 1.0))
        if retry_at >= useful_until(row.kind, row.due_at, row.not_after):
            log.warning("%s %s to %s not sent while it mattered: %s", row.channel, row.kind, mask(row.phone), error)
            await outbox.finish(
                row.id, worker=self.worker, now=now, state="expired", last_error=f"too late to retry: {error}"
            )
            return "failed"
        await outbox.finish(
            row.id,
            worker=self.worker,
            now=now,
            state="scheduled",
            next_attempt_at=retry_at,
            last_error=error,
            in_doubt=in_doubt,
        )
        return "retried"


def _subject_gone(row: outbox.Claimed, context: _Context, person: outbox.Recipient | None) -> str | None:
    """Why the person, session or offer the row is about no longer wants it, if so."""
    if row.person_id and (person is None or not person.active):
        return "the person is no longer active"
    if row.session_id is not None:
        session = context.sessions.get(row.session_id)
        if session is None or session.version != row.session_version:
            return "the session changed after this was planned"
        wanted = {
            Kind.CANCELLED: {SessionState.CANCELLED.value},
            Kind.FEEDBACK_REQUEST: {SessionState.DONE.value},
        }.get(Kind(row.kind), {SessionState.SCHEDULED.value} if row.kind in REMINDER_KINDS else ACTIVE)
        if session.state not in wanted:
            return f"the session is {session.state.replace('_', ' ')}"
    if row.offer_id is not None and context.offers.get(row.offer_id) != OfferState.PENDING.value:
        return "the offer was answered or has ended"
    if row.signup_id is not None:
        return _signup_gone(row, context.signups.get(row.signup_id))
    return None


# What a group session's message needs of its sign-up to still be worth sending: a place (and the event still on,
# on a day its help point is open) for a confirmation or a reminder; the place still held for an offer; still in
# line for "you are in line". News that it ended (cancelled, left) goes whatever happened since.
_SIGNUP_WANTED = {
    "event_confirmed": {SignupState.CONFIRMED},
    "event_waitlisted": {SignupState.WAITLISTED},
    "event_offer": {SignupState.OFFERED},
    "event_moved": {SignupState.CONFIRMED, SignupState.WAITLISTED, SignupState.OFFERED},
    Kind.REMINDER_24H.value: {SignupState.CONFIRMED},
    Kind.REMINDER_2H.value: {SignupState.CONFIRMED},
}


def _signup_gone(row: outbox.Claimed, check: events_q.SignupCheck | None) -> str | None:
    if check is None:
        return "the sign-up is gone"
    wanted = _SIGNUP_WANTED.get(row.kind)
    if wanted is None:
        return None
    if check.state not in wanted:
        return f"the sign-up is {check.state.value}"
    if check.event_state is not EventState.SCHEDULED:
        return "the event was cancelled"
    if check.closed_day:
        return "the help point is closed on the event's day"
    return None


def _payload(body: str) -> dict[str, str]:
    try:
        data = json.loads(body)
    except ValueError:
        return {"title": "Apuri", "body": body}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {"title": "Apuri", "body": body}
