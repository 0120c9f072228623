"""A session's life after booking: the resident moves or cancels it (or staff do, on the resident's word); the
volunteer checks in, records done or no-show with minutes, outcomes and a note, or gives it back when they cannot
come.

Every change is a transition of the session's state machine (a 409 with the reason otherwise), written with
optimistic locking on the session's version, and recorded in the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from server.adapters.clock import Clock
from server.db import booking as q
from server.db import requests as requests_q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, write_transaction
from server.domain.clocktime import Interval, week_of
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.matching import Candidate, rank
from server.domain.notes import MAX_NOTE_LENGTH, secret_in
from server.domain.records import SessionRow
from server.domain.reminders import SessionEvent
from server.domain.roles import ForResident, Principal
from server.domain.states import RequestState, SessionState, request_after, session_after
from server.services.audit import AuditService
from server.services.notifications import NotificationService
from server.services.placement import Placement

CHECK_IN_EARLY = timedelta(hours=1)
MAX_MINUTES = 480


class SessionService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        placement: Placement,
        notifications: NotificationService,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._placement = placement
        self._notifications = notifications

    # ---- what a resident does to their session: move it, cancel it (or staff do, on the resident's word) -------

    async def move(self, caller: Principal, session_id: uuid.UUID, starts_at: datetime) -> SessionRow:
        """Move my session to another free time: the same volunteer if they are free then, else the best one."""
        return await self._move(caller, await self._residents(caller.person_id, session_id), starts_at)

    async def move_for(self, acting: ForResident, session_id: uuid.UUID, starts_at: datetime) -> SessionRow:
        """Move a resident's session on their word, as if they moved it themselves (they are told)."""
        return await self._move(acting.actor, await self._residents(acting.resident_id, session_id), starts_at)

    async def cancel(self, caller: Principal, session_id: uuid.UUID) -> SessionRow:
        """The resident cancels their own session (and with it their request)."""
        return await self._cancel(caller, await self._residents(caller.person_id, session_id), for_resident=False)

    async def cancel_for(self, acting: ForResident, session_id: uuid.UUID) -> SessionRow:
        """Cancel a resident's session on their word, as if they cancelled it themselves (they are told as usual:
        SMS, or a call for a landline)."""
        found = await self._residents(acting.resident_id, session_id)
        return await self._cancel(acting.actor, found, for_resident=True)

    async def _residents(self, resident_id: uuid.UUID, session_id: uuid.UUID) -> SessionRow:
        found = await q.session(session_id)
        if found is None or found.resident_id != resident_id:
            raise NotFound("No such session.", code="session_not_found")
        return found

    async def _move(self, actor: Principal, found: SessionRow, starts_at: datetime) -> SessionRow:
        session_after(SessionState(found.state), "move")
        request = await requests_q.get(found.request_id)
        assert request is not None
        when = self._placement.interval(starts_at, self._clock.now())
        if when.start == found.starts_at:
            return found
        await self._placement.check_open(request.modality, request.help_point_id, when)
        wanted, people = await self._placement.ranking_inputs(
            request, when=when, previous_volunteer_id=found.volunteer_id
        )
        ranking = rank(wanted, [_without(c, found) for c in people], self._placement.rules)
        # The same volunteer first if they can, then the ranking.
        order = sorted(ranking.ranked, key=lambda r: r.candidate_id != found.volunteer_id)
        for choice in order:
            moved = await self._placement.place(actor, choice.candidate_id, when, moving=found)
            if moved is not None:
                return moved
        raise Conflict("Sorry, nobody is free at that time. Please choose another time.", code="slot_taken")

    async def another_volunteer(
        self, actor: Principal, found: SessionRow, *, among: set[uuid.UUID] | None = None
    ) -> SessionRow:
        """Keep the time, give the session to the best other volunteer free then (the one it had was deactivated,
        left, or gave it back). The resident is not told, since the time stands; the new volunteer is, and the
        reminders are planned again. `found` must be in the actor's scope (the caller checks); `among`: only these
        volunteers (a partner coordinator's own)."""
        session_after(SessionState(found.state), "move")
        if found.starts_at <= self._clock.now():
            raise Conflict("The session has already started.", code="session_started")
        request = await requests_q.get(found.request_id)
        assert request is not None
        when = Interval(found.starts_at, found.ends_at)
        wanted, people = await self._placement.ranking_inputs(request, when=when, previous_volunteer_id=None)
        others = [c for c in people if c.id != found.volunteer_id and (among is None or c.id in among)]
        for choice in rank(wanted, others, self._placement.rules).ranked:
            placed = await self._placement.place(
                actor, choice.candidate_id, when, moving=found, moved=SessionEvent.REASSIGNED
            )
            if placed is not None:
                return placed
        raise Conflict(
            "Nobody else is free at that time. Move the session to another time or cancel it.", code="nobody_free"
        )

    async def _cancel(self, actor: Principal, found: SessionRow, *, for_resident: bool) -> SessionRow:
        target = session_after(SessionState(found.state), "cancel")
        async with write_transaction(self._engine):
            if not await q.set_session_state(
                found.id, state=target.value, expected_version=found.version, now=self._clock.now()
            ):
                raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
            await requests_q.set_state(found.request_id, RequestState.CANCELLED.value)
            await self._audit.record(
                actor,
                "session.cancel",
                "session",
                str(found.id),
                subject_id=found.resident_id,
                detail={"for_resident": True} if for_resident else None,
            )
            await self._notifications.session_changed(found.id, SessionEvent.CANCELLED, actor)
        return await self._reread(found.id)

    # ---- the volunteer ------------------------------------------------------------------------------------

    async def _mine(self, caller: Principal, session_id: uuid.UUID) -> SessionRow:
        found = await q.session(session_id)
        if found is None or found.volunteer_id != caller.person_id:
            raise NotFound("No such session.", code="session_not_found")
        return found

    async def check_in(self, caller: Principal, session_id: uuid.UUID) -> SessionRow:
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
    ) -> SessionRow:
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
        request = await requests_q.get(found.request_id)
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
            state = RequestState(request.state)
            if state is RequestState.MATCHED:
                await requests_q.set_state(found.request_id, request_after(state, "close").value)
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

    async def give_back(self, caller: Principal, session_id: uuid.UUID) -> SessionRow:
        """The volunteer cannot come: the session is cancelled and the request waits for a coordinator."""
        found = await self._mine(caller, session_id)
        target = session_after(SessionState(found.state), "cancel")
        request = await requests_q.get(found.request_id)
        assert request is not None
        async with write_transaction(self._engine):
            if not await q.set_session_state(
                session_id, state=target.value, expected_version=found.version, now=self._clock.now()
            ):
                raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
            state = RequestState(request.state)
            if state is RequestState.MATCHED:
                await requests_q.set_state(found.request_id, request_after(state, "session_cancelled").value)
            await self._audit.record(
                caller, "session.give_back", "session", str(session_id), subject_id=found.resident_id
            )
            await self._notifications.session_changed(session_id, SessionEvent.CANCELLED, caller)
        return await self._reread(session_id)

    async def _reread(self, session_id: uuid.UUID) -> SessionRow:
        found = await q.session(session_id)
        assert found is not None
        return found


def _without(candidate: Candidate, session: SessionRow) -> Candidate:
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
