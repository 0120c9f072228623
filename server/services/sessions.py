"""A session's life after booking: the resident moves it; the volunteer checks in, records done or no-show with
minutes, outcomes and a note, or gives it back when they cannot come.

Every change is a transition of the session's state machine (a 409 with the reason otherwise), written with
optimistic locking on the session's version, and recorded in the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from server.adapters.clock import Clock
from server.db import booking as q
from server.db import candidates as candidates_q
from server.db import topics as topics_q
from server.db.codec import as_list
from server.db.engine import AnyEngine, is_overlap_violation, serialise, write_transaction
from server.domain.clocktime import Interval, local_date, week_of
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.matching import Candidate, Modality, Need, Request, rank
from server.domain.notes import MAX_NOTE_LENGTH, secret_in
from server.domain.reminders import SessionEvent
from server.domain.roles import Principal
from server.domain.states import RequestState, SessionState, request_after, session_after
from server.services.audit import AuditService
from server.services.booking import BookingQuery, BookingService
from server.services.notifications import NotificationService

CHECK_IN_EARLY = timedelta(hours=1)
MAX_MINUTES = 480


class SessionService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        booking: BookingService,
        notifications: NotificationService,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._booking = booking
        self._notifications = notifications

    # ---- the resident -------------------------------------------------------------------------------------

    async def move(
        self, caller: Principal, session_id: uuid.UUID, starts_at: datetime, *, for_resident: bool = False
    ) -> q.SessionRow:
        """Move my session to another free time: the same volunteer if they are free then, else the best one.
        `for_resident`: a coordinator moves it on the resident's word; the caller has checked the scope."""
        found = await q.session(session_id)
        if found is None or (found.resident_id != caller.person_id and not for_resident):
            raise NotFound("No such session.", code="session_not_found")
        session_after(SessionState(found.state), "move")
        request = await q.request_row(found.request_id)
        assert request is not None
        now = self._clock.now()
        query = BookingQuery(
            request["topic"], request["language"], Modality(request["modality"]), request["help_point"]
        )
        when = self._booking.interval(starts_at, now)
        if when.start == found.starts_at:
            return found
        await self._booking.check_open(query, when)
        day = local_date(when.start)
        people = await candidates_q.candidates(
            topic=query.topic, modality=query.modality, help_point_id=query.help_point_id, first=day, last=day, now=now
        )
        wanted = Request(
            topic=query.topic,
            language=query.language,
            modality=query.modality,
            help_point_id=query.help_point_id,
            when=when,
            needs=frozenset(Need(n) for n in as_list(request["needs"])),
            previous_volunteer_id=found.volunteer_id,
        )
        ranking = rank(wanted, [_without(c, found) for c in people], self._booking.rules)
        # The same volunteer first if they can, then the ranking.
        order = sorted(ranking.ranked, key=lambda r: r.candidate_id != found.volunteer_id)
        for choice in order:
            moved = await self._reschedule(caller, found, choice.candidate_id, when, now)
            if moved is not None:
                return moved
        raise Conflict("Sorry, nobody is free at that time. Please choose another time.", code="slot_taken")

    async def _reschedule(
        self, caller: Principal, found: q.SessionRow, volunteer_id: uuid.UUID, when: Interval, now: datetime
    ) -> q.SessionRow | None:
        buffer = self._booking.rules.buffer
        guarded = Interval(when.start - buffer, when.end + buffer)
        try:
            async with write_transaction(self._engine):
                await serialise(self._engine, f"resident:{found.resident_id}")
                await serialise(self._engine, f"volunteer:{volunteer_id}")
                if await q.resident_overlaps(found.resident_id, when, exclude=found.id):
                    raise Conflict("You already have a session at that time.", code="resident_busy")
                same_week = volunteer_id == found.volunteer_id and week_of(found.starts_at) == week_of(when.start)
                if await q.volunteer_busy(volunteer_id, guarded, exclude=found.id):
                    return None
                if await self._booking.at_weekly_cap(volunteer_id, when, moving=same_week):
                    return None
                if not await q.reschedule(
                    found.id,
                    expected_version=found.version,
                    volunteer_id=volunteer_id,
                    when=when,
                    blocked_until=when.end + buffer,
                ):
                    raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
                await self._audit.record(
                    caller,
                    "session.move",
                    "session",
                    str(found.id),
                    subject_id=found.resident_id,
                    detail={
                        "from": found.starts_at.isoformat(),
                        "to": when.start.isoformat(),
                        "volunteer": str(volunteer_id),
                        "same_volunteer": volunteer_id == found.volunteer_id,
                    },
                )
                await self._notifications.session_changed(
                    found.id, SessionEvent.MOVED, caller, previous_volunteer_id=found.volunteer_id
                )
        except Exception as exc:
            if is_overlap_violation(exc):
                return None
            raise
        return await q.session(found.id)

    # ---- the volunteer ------------------------------------------------------------------------------------

    async def _mine(self, caller: Principal, session_id: uuid.UUID) -> q.SessionRow:
        found = await q.session(session_id)
        if found is None or found.volunteer_id != caller.person_id:
            raise NotFound("No such session.", code="session_not_found")
        return found

    async def check_in(self, caller: Principal, session_id: uuid.UUID) -> q.SessionRow:
        found = await self._mine(caller, session_id)
        target = session_after(SessionState(found.state), "check_in")
        now = self._clock.now()
        if now < found.starts_at - CHECK_IN_EARLY:
            raise Conflict("It is too early to check in: at most an hour before the start.", code="too_early")
        async with write_transaction(self._engine):
            if not await q.record(session_id, expected_version=found.version, state=target.value):
                raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
            await self._audit.record(
                caller, "session.check_in", "session", str(session_id), subject_id=found.resident_id
            )
            await self._notifications.session_changed(session_id, SessionEvent.CLOSED, caller)
        return await self._reread(session_id)

    async def finish(
        self,
        caller: Principal,
        session_id: uuid.UUID,
        *,
        result: SessionState,
        minutes: int | None,
        outcomes: list[str],
        note: str,
    ) -> q.SessionRow:
        """Record how the session went: done (minutes, what the resident can now do alone, a note) or no-show."""
        found = await self._mine(caller, session_id)
        event = "done" if result is SessionState.DONE else "no_show"
        target = session_after(SessionState(found.state), event)
        now = self._clock.now()
        if now < found.starts_at:
            raise Conflict("The session has not started yet.", code="session_not_started")
        note = note.strip()
        if len(note) > MAX_NOTE_LENGTH:
            raise InvalidInput(f"Keep the note under {MAX_NOTE_LENGTH} characters.", code="note_too_long")
        finding = secret_in(note)
        if finding is not None:
            raise InvalidInput(
                f"This note seems to contain {finding.text}. Never write down a resident's passwords, PINs, bank "
                "codes, card numbers or identity codes. Please rewrite the note without it.",
                code="note_looks_secret",
                extra={"kind": finding.kind},
            )
        if result is SessionState.NO_SHOW:
            if outcomes or minutes:
                raise InvalidInput("A no-show has no outcomes or minutes.", code="no_show_details")
            minutes = 0
        else:
            topic = await topics_q.get_topic(found.topic)
            known = {o.code for o in topic.outcomes} if topic else set()
            unknown = sorted(set(outcomes) - known)
            if unknown:
                raise InvalidInput(
                    f"Unknown outcomes for this topic: {', '.join(unknown)}.",
                    code="outcome_unknown",
                    extra={"allowed": sorted(known)},
                )
            if minutes is None:
                minutes = round((found.ends_at - found.starts_at).total_seconds() / 60)
        request = await q.request_row(found.request_id)
        assert request is not None
        async with write_transaction(self._engine):
            if not await q.record(
                session_id,
                expected_version=found.version,
                state=target.value,
                minutes=minutes,
                outcomes=sorted(set(outcomes)),
                note=note,
            ):
                raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
            state = RequestState(request["state"])
            if state is RequestState.MATCHED:
                await q.set_request_state(found.request_id, request_after(state, "close").value)
            await self._audit.record(
                caller,
                f"session.{event}",
                "session",
                str(session_id),
                subject_id=found.resident_id,
                detail={"minutes": minutes, "outcomes": sorted(set(outcomes)), "note": bool(note)},
            )
            done = result is SessionState.DONE
            await self._notifications.session_changed(
                session_id, SessionEvent.DONE if done else SessionEvent.CLOSED, caller
            )
        return await self._reread(session_id)

    async def give_back(self, caller: Principal, session_id: uuid.UUID) -> q.SessionRow:
        """The volunteer cannot come: the session is cancelled and the request waits for a coordinator."""
        found = await self._mine(caller, session_id)
        target = session_after(SessionState(found.state), "cancel")
        request = await q.request_row(found.request_id)
        assert request is not None
        async with write_transaction(self._engine):
            if not await q.set_session_state(
                session_id, state=target.value, expected_version=found.version, now=self._clock.now()
            ):
                raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
            state = RequestState(request["state"])
            if state is RequestState.MATCHED:
                await q.set_request_state(found.request_id, request_after(state, "session_cancelled").value)
            await self._audit.record(
                caller, "session.give_back", "session", str(session_id), subject_id=found.resident_id
            )
            await self._notifications.session_changed(session_id, SessionEvent.CANCELLED, caller)
        return await self._reread(session_id)

    async def _reread(self, session_id: uuid.UUID) -> q.SessionRow:
        found = await q.session(session_id)
        assert found is not None
        return found


def _without(candidate: Candidate, session: q.SessionRow) -> Candidate:
    """The candidate's calendar without the session being moved (it must not block its own volunteer)."""
    if candidate.id != session.volunteer_id or candidate.time is None:
        return candidate
    time = candidate.time
    own = Interval(session.starts_at, session.ends_at)
    busy = [b for b in time.busy if b != own]
    per_week = dict(time.booked_per_week)
    week = week_of(session.starts_at)
    if per_week.get(week):
        per_week[week] -= 1
    return replace(candidate, time=replace(time, busy=busy, booked_per_week=per_week))
