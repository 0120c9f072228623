"""Placing people: the one guarded way a resident is put with a volunteer at a time, whatever the channel (booking
in the app or by voice, a coordinator assigning, a volunteer putting down the time they agreed, a session moved),
and the one way to gather who could take a request and the request to rank them by.

No double booking: inside one write transaction serialised per resident and per volunteer (SQLite: BEGIN
IMMEDIATE; PostgreSQL: advisory locks) the resident's and the volunteer's calendars and the volunteer's weekly
limit are checked again, the session is written, audited and its messages planned; on PostgreSQL exclusion
constraints refuse overlapping sessions even if that were bypassed. A volunteer who turns out busy is `None`, so
the caller can try the next one in the ranking; asked not to wait, `place` raises `VolunteerHeld` when another
transaction is placing the same volunteer in the same week at that moment.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, time, timedelta
from typing import Literal

from server.adapters.clock import Clock
from server.db import booking as q
from server.db import candidates as candidates_q
from server.db import days as days_q
from server.db import network as network_q
from server.db import offers as offers_q
from server.db import requests as requests_q
from server.db.engine import AnyEngine, is_overlap_violation, serialise, try_serialise, write_transaction
from server.domain.clocktime import Interval, local_date, local_start, week_of
from server.domain.errors import Conflict, InvalidInput
from server.domain.matching import Candidate, Modality, Request
from server.domain.network import HelpPoint
from server.domain.records import SessionRow
from server.domain.reminders import SessionEvent
from server.domain.requests import HelpRequestRow, NewRequest
from server.domain.roles import Principal
from server.domain.slots import SlotRules, VolunteerTime, help_point_slots
from server.domain.states import RequestState, request_after
from server.services.audit import AuditService
from server.services.notifications import NotificationService

MAX_FUTURE_BOOKINGS = 3
SEARCH_DAYS = 14  # how far ahead a request without a time looks for someone
_PREVIOUS = object()  # "look up the resident's last volunteer"

# How placing a session moves its request on: "assign" (a coordinator gives it to a volunteer) or "schedule" (a
# volunteer who took it gives it a time; it stays matched).
RequestStep = Literal["assign", "schedule"]


class VolunteerHeld(Exception):
    """Another transaction holds the volunteer's week right now (`place(…, wait=False)`); nothing was written."""


async def replayed(resident_id: uuid.UUID, key: str | None, fingerprint: str, *, what: str) -> HelpRequestRow | None:
    """The request an Idempotency-Key already made (a double tap, or an answer lost on the way), if any; the same
    key for a different `what` (booking, request) is refused."""
    if not key:
        return None
    first = await requests_q.by_idempotency_key(resident_id, key)
    if first is not None and first.idempotency_fingerprint != fingerprint:
        raise InvalidInput(
            f"This Idempotency-Key was already used for a different {what}.", code="idempotency_mismatch"
        )
    return first


class Placement:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        notifications: NotificationService,
        rules: SlotRules | None = None,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._notifications = notifications
        self.rules = rules or SlotRules()
        # The volunteer-weeks this process's placements are working on right now (a count each): a booking passes
        # over such a volunteer without asking the database, which would only answer that the week is held.
        self._placing: Counter[tuple[uuid.UUID, tuple[int, int]]] = Counter()

    # ---- when ---------------------------------------------------------------------------------------------

    def interval(self, starts_at: datetime, now: datetime) -> Interval:
        """The session starting at `starts_at`; refused if it is too soon or past."""
        if starts_at < now + self.rules.notice:
            raise InvalidInput("This time is too soon or already past. Choose a later time.", code="slot_past")
        return Interval(starts_at, starts_at + self.rules.length)

    async def check_open(
        self, modality: Modality, help_point_id: uuid.UUID | None, when: Interval, point: HelpPoint | None = None
    ) -> None:
        """At a help point, `when` must be one of its slots (inside the opening hours, on the slot grid). Pass the
        help point when it has been read already."""
        if modality is not Modality.HELP_POINT:
            return
        point = point or await network_q.get_help_point(help_point_id)  # type: ignore[arg-type]
        assert point is not None
        day = local_date(when.start)
        slots = help_point_slots(
            point.opening_hours,
            [_anyone_free_around(when)],
            day,
            day,
            now=when.start - self.rules.notice - timedelta(seconds=1),
            rules=self.rules,
            days_off=await days_q.days_off(point.id, day, day),
        )
        if not any(s.start == when.start for s in slots):
            raise Conflict("The help point is not open at that time. Choose a time from the list.", code="slot_closed")

    # ---- who --------------------------------------------------------------------------------------------------

    async def ranking_inputs(
        self,
        request: NewRequest | HelpRequestRow,
        *,
        when: Interval | None,
        previous_volunteer_id: uuid.UUID | object | None = _PREVIOUS,
    ) -> tuple[Request, list[Candidate]]:
        """Who could take `request` (on the day of `when`, or in the next SEARCH_DAYS without a time) and the
        request to rank them by. `previous_volunteer_id`: whom continuity favours (default: the resident's last)."""
        now = self._clock.now()
        first = local_date(when.start) if when is not None else local_date(now)
        last = first if when is not None else first + timedelta(days=SEARCH_DAYS - 1)
        people = await candidates_q.candidates(
            topic=request.topic,
            modality=request.modality,
            help_point_id=request.help_point_id,
            first=first,
            last=last,
            now=now,
        )
        if previous_volunteer_id is _PREVIOUS:
            previous_volunteer_id = await q.previous_volunteer(request.resident_id)
        assert previous_volunteer_id is None or isinstance(previous_volunteer_id, uuid.UUID)
        wanted = Request(
            topic=request.topic,
            language=request.language,
            modality=request.modality,
            help_point_id=request.help_point_id,
            when=when,
            needs=request.needs,
            previous_volunteer_id=previous_volunteer_id,
            home=request.home,
        )
        return wanted, people

    # ---- the guarded write ------------------------------------------------------------------------------------

    def _weeks(self, volunteer_id: uuid.UUID, when: Interval) -> list[tuple[uuid.UUID, tuple[int, int]]]:
        guarded = Interval(when.start - self.rules.buffer, when.end + self.rules.buffer)
        return [(volunteer_id, week) for week in sorted({week_of(guarded.start), week_of(guarded.end)})]

    def placing(self, volunteer_id: uuid.UUID, when: Interval) -> bool:
        """Whether another placement in this process is working on the volunteer's week of `when` right now. Only a
        hint for the order of trying (under load every booking ranks the same volunteer first): the database's locks
        are what keep placements apart, also between processes."""
        return any(self._placing[key] for key in self._weeks(volunteer_id, when))

    async def place(
        self,
        actor: Principal,
        volunteer_id: uuid.UUID,
        when: Interval,
        *,
        new: NewRequest | None = None,
        request: HelpRequestRow | None = None,
        event: RequestStep = "assign",
        moving: SessionRow | None = None,
        moved: SessionEvent = SessionEvent.MOVED,
        wait: bool = True,
    ) -> SessionRow | None:
        """Put `volunteer_id` with the resident at `when`: for a `new` request, for an existing `request` that has
        no session (moved on by `event`; "schedule" keeps a matched request matched), or `moving` an existing
        session to another time (and maybe another volunteer; `moved` REASSIGNED: the same time with another
        volunteer, the resident not told). None when the volunteer turned out to be busy or at their weekly limit.
        `wait` False: raise `VolunteerHeld` rather than wait for another transaction placing the same volunteer."""
        assert (new is not None) + (request is not None) + (moving is not None) == 1
        resident_id = new.resident_id if new else request.resident_id if request else moving.resident_id  # type: ignore[union-attr]
        exclude = moving.id if moving is not None else None
        now = self._clock.now()
        blocked = Interval(when.start, when.end + self.rules.buffer)
        guarded = Interval(when.start - self.rules.buffer, blocked.end)
        weeks = self._weeks(volunteer_id, when)
        self._placing.update(weeks)
        try:
            async with write_transaction(self._engine):
                await serialise(self._engine, f"resident:{resident_id}")
                await self.check_resident(actor, resident_id, when, now, moving=exclude)
                # The volunteer's week is held from here to the commit: under load every booking ranks the same
                # volunteer first, so what needs only the resident's lock is done before.
                if not await self.hold_volunteer(volunteer_id, guarded, wait=wait):
                    raise VolunteerHeld(volunteer_id)
                same_week = (
                    moving is not None
                    and volunteer_id == moving.volunteer_id
                    and week_of(moving.starts_at) == week_of(when.start)
                )
                busy, full = await self.volunteer_load(volunteer_id, guarded, when, exclude=exclude, moving=same_week)
                if busy or full:
                    return None
                if moving is not None:
                    await self._move(actor, moving, volunteer_id, when, blocked, moved)
                    return await q.session(moving.id)
                session_id = await self._write_new(actor, volunteer_id, when, blocked, now, new, request, event)
        except Exception as exc:
            if is_overlap_violation(exc):
                return None  # the database's own guard: somebody got there first
            raise
        finally:
            self._placing.subtract(weeks)
            for key in weeks:
                if self._placing[key] <= 0:
                    del self._placing[key]
        return await q.session(session_id)

    async def _write_new(
        self,
        actor: Principal,
        volunteer_id: uuid.UUID,
        when: Interval,
        blocked: Interval,
        now: datetime,
        new: NewRequest | None,
        request: HelpRequestRow | None,
        event: RequestStep,
    ) -> uuid.UUID:
        if new is not None:
            state = request_after(RequestState.OPEN, "book").value
            request_id = await requests_q.insert(new, state=state, matched_at=now)
            source: NewRequest | HelpRequestRow = new
        else:
            assert request is not None
            request_id = request.id
            await self._move_request(request, event, now)
            source = request
        session_id = await q.insert_scheduled(
            request_id=request_id,
            resident_id=source.resident_id,
            volunteer_id=volunteer_id,
            help_point_id=source.help_point_id,
            modality=source.modality.value,
            when=when,
            blocked_until=blocked.end,
            now=now,
        )
        await self._audit.record(
            actor,
            "session.book" if new is not None else f"session.{event}",
            "session",
            str(session_id),
            subject_id=source.resident_id,
            detail={"volunteer": str(volunteer_id), "starts_at": when.start.isoformat()},
        )
        await self._notifications.session_changed(session_id, SessionEvent.BOOKED, actor)
        return session_id

    async def _move(
        self,
        actor: Principal,
        found: SessionRow,
        volunteer_id: uuid.UUID,
        when: Interval,
        blocked: Interval,
        moved: SessionEvent,
    ) -> None:
        if not await q.reschedule(
            found.id,
            expected_version=found.version,
            volunteer_id=volunteer_id,
            when=when,
            blocked_until=blocked.end,
        ):
            raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
        await self._audit.record(
            actor,
            "session.reassign" if moved is SessionEvent.REASSIGNED else "session.move",
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
        await self._notifications.session_changed(found.id, moved, actor, previous_volunteer_id=found.volunteer_id)

    async def _move_request(self, request: HelpRequestRow, event: RequestStep, now: datetime) -> None:
        if await q.active_session_of_request(request.id) is not None:
            raise Conflict("This request already has a session.", code="request_has_session")
        state = RequestState(request.state)
        if event == "schedule":
            if state is not RequestState.MATCHED:
                raise Conflict("Only a request you have taken can be given a time.", code="request_not_matched")
            return
        target = request_after(state, "assign")
        if not await requests_q.move(request.id, from_state=state.value, to_state=target.value, now=now):
            raise Conflict("The request changed meanwhile. Reload and try again.", code="request_changed")
        await offers_q.withdraw_others(request.id, None, now)

    async def check_resident(
        self,
        actor: Principal,
        resident_id: uuid.UUID,
        when: Interval,
        now: datetime,
        *,
        moving: uuid.UUID | None = None,
    ) -> None:
        """The resident is free at `when` (`moving`: but for the session being moved), and a resident booking
        for themselves online has room under the limit."""
        own = resident_id == actor.person_id
        busy, ahead = await q.resident_load(resident_id, when, now, exclude=moving)
        if busy:
            who = "You already have" if own else "The resident already has"
            raise Conflict(f"{who} a session at that time.", code="resident_busy")
        # The limit is for booking online; coordinators and volunteers arranging sessions are not bound by it.
        if own and moving is None and ahead >= MAX_FUTURE_BOOKINGS:
            raise Conflict(
                f"You can have at most {MAX_FUTURE_BOOKINGS} upcoming sessions booked online. "
                "A coordinator can arrange more.",
                code="too_many_bookings",
            )

    async def hold_volunteer(self, volunteer_id: uuid.UUID, span: Interval, *, wait: bool = True) -> bool:
        """Inside a write transaction: serialise with every other change to the volunteer's calendar in the weeks
        `span` touches (a session, shift or duty widened by the buffer). The weekly limit and every overlap are
        within a week, so bookings of one volunteer in different weeks need not wait for each other (under load
        they all rank the same volunteer first); a span across a Monday holds both weeks, in order. `wait` False:
        False at once, holding nothing that lasts, when another transaction holds one of the weeks."""
        for year, week in sorted({week_of(span.start), week_of(span.end)}):
            key = f"volunteer:{volunteer_id}:{year}-W{week:02d}"
            if not wait:
                if not await try_serialise(self._engine, key):
                    return False
                continue
            await serialise(self._engine, key)
        return True

    async def volunteer_load(
        self,
        volunteer_id: uuid.UUID,
        span: Interval,
        when: Interval,
        *,
        exclude: uuid.UUID | None = None,
        moving: bool = False,
    ) -> tuple[bool, bool]:
        """(busy, full), binding inside the serialised transaction (ranking saw the calendars before it, and
        concurrent bookings may have filled the week since): busy, the volunteer has something else inside `span`
        (`exclude`: the session being moved); full, the week of `when` is at their weekly limit (sessions, drop-in
        shifts and event duties; `moving`: one of the week's sessions is the one being moved). One statement."""
        day = local_date(when.start)
        monday = day - timedelta(days=day.weekday())
        since = local_start(monday, time(0))
        until = local_start(monday + timedelta(days=7), time(0))
        week = await q.volunteer_week(volunteer_id, span, since, until, exclude=exclude)
        full = week.cap is not None and week.booked - (1 if moving else 0) >= week.cap
        return week.taken, full


def _anyone_free_around(when: Interval) -> VolunteerTime:
    """A stand-in volunteer free all day, to ask the slot grid whether `when` is a slot of the help point."""
    return VolunteerTime(
        id=uuid.UUID(int=0), available=[Interval(when.start - timedelta(days=1), when.end + timedelta(days=1))]
    )
