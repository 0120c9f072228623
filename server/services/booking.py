"""Booking: free slots, booking a slot (the best volunteer at once), the caller's sessions, cancelling.

No double booking: the volunteer's and the resident's calendars are re-checked and the session inserted in one
write transaction that is serialised per volunteer and per resident (SQLite: BEGIN IMMEDIATE; PostgreSQL:
advisory locks), and on PostgreSQL exclusion constraints refuse overlapping sessions even if that were bypassed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from server.adapters.clock import Clock
from server.db import booking as q
from server.db import candidates as candidates_q
from server.db import network as network_q
from server.db import offers as offers_q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, is_overlap_violation, serialise, write_transaction
from server.domain.clocktime import Interval, local_date, local_start
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.matching import Modality, Need, Place, Request, rank
from server.domain.reminders import SessionEvent
from server.domain.roles import Principal
from server.domain.slots import Slot, SlotRules, VolunteerTime, help_point_slots, remote_slots
from server.domain.states import RequestState, SessionState, request_after, session_after
from server.domain.topics import Topic
from server.services.audit import AuditService
from server.services.notifications import NotificationService

MAX_SEARCH_DAYS = 31
MAX_FUTURE_BOOKINGS = 3


@dataclass(frozen=True, slots=True)
class BookingQuery:
    topic: str
    language: str
    modality: Modality
    help_point_id: uuid.UUID | None
    home: Place | None = None  # home visits: where
    home_address: str = ""


@dataclass(frozen=True, slots=True)
class OnBehalf:
    """A coordinator books for a resident who phoned: the resident's consent is recorded with the request."""

    resident_id: uuid.UUID
    consent_at: datetime
    channel: str = "coordinator"


@dataclass(frozen=True, slots=True)
class Booked:
    request_id: uuid.UUID
    state: RequestState
    session: q.SessionRow | None
    routed_to: uuid.UUID | None
    replayed: bool


class BookingService:
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
        self._rules = rules or SlotRules()

    async def _topic(self, code: str) -> Topic:
        topic = await topics_q.get_topic(code)
        if topic is None or not topic.active:
            raise InvalidInput("Choose one of the topics on the list.", code="topic_unknown")
        return topic

    async def _check_place(self, query: BookingQuery, *, home_visit_allowed: bool = False) -> None:
        if query.modality is Modality.HOME_VISIT:
            if not home_visit_allowed:
                raise InvalidInput(
                    "Home visits are arranged without a fixed time: ask for help, or call the helpline.",
                    code="home_visit_by_request",
                )
            if query.help_point_id is not None:
                raise InvalidInput("A home visit has no help point.", code="help_point_not_needed")
            if query.home is None or not query.home_address.strip():
                raise InvalidInput("Give the address of the home visit.", code="home_required")
            return
        if query.home is not None or query.home_address:
            raise InvalidInput("Only home visits have a home address.", code="home_not_needed")
        if query.modality is Modality.HELP_POINT:
            if query.help_point_id is None:
                raise InvalidInput("Choose a help point.", code="help_point_required")
            point = await network_q.get_help_point(query.help_point_id)
            if point is None or not point.active:
                raise InvalidInput("This help point is not open for bookings.", code="help_point_unknown")
        elif query.help_point_id is not None:
            raise InvalidInput("Phone and video sessions have no help point.", code="help_point_not_needed")

    async def check(self, query: BookingQuery, *, home_visit_allowed: bool = False) -> Topic:
        """The topic exists and the place fits the way of meeting; returns the topic."""
        topic = await self._topic(query.topic)
        await self._check_place(query, home_visit_allowed=home_visit_allowed)
        return topic

    async def slots(self, query: BookingQuery, first: date, last: date) -> list[Slot]:
        today = local_date(self._clock.now())
        first = max(first, today)
        if last < first:
            raise InvalidInput("The end date is before the start date.", code="dates_order")
        if (last - first).days >= MAX_SEARCH_DAYS:
            raise InvalidInput(f"Search at most {MAX_SEARCH_DAYS} days at a time.", code="dates_too_long")
        topic = await self._topic(query.topic)
        await self._check_place(query)
        if topic.partner_only_organisation_id is not None:
            return []
        now = self._clock.now()
        people = await candidates_q.candidates(
            topic=query.topic,
            modality=query.modality,
            help_point_id=query.help_point_id,
            first=first,
            last=last,
            now=now,
        )
        eligible = [c.time for c in people if query.language in c.languages and c.time is not None]
        if not eligible or (query.modality.remote and not any(c.remote for c in people)):
            return []
        if query.modality is Modality.HELP_POINT:
            point = await network_q.get_help_point(query.help_point_id)  # type: ignore[arg-type]
            assert point is not None
            return help_point_slots(point.opening_hours, eligible, first, last, now=now, rules=self._rules)
        remote_people = [c.time for c in people if c.remote and query.language in c.languages and c.time]
        return remote_slots(remote_people, first, last, now=now, rules=self._rules)

    async def book(
        self,
        caller: Principal,
        query: BookingQuery,
        *,
        starts_at: datetime,
        needs: frozenset[Need],
        idempotency_key: str | None,
        on_behalf: OnBehalf | None = None,
    ) -> Booked:
        """Book the slot starting at `starts_at` with the best free volunteer, or route a partner-only topic to
        its partner. A repeated Idempotency-Key returns the first answer instead of booking twice."""
        resident_id = on_behalf.resident_id if on_behalf else caller.person_id
        fingerprint = _fingerprint(query, starts_at, needs)
        if idempotency_key:
            replay = await self._replay(resident_id, idempotency_key, fingerprint)
            if replay is not None:
                return replay
        topic = await self._topic(query.topic)
        await self._check_place(query)
        now = self._clock.now()
        base = request_values(caller, query, needs, now, on_behalf) | {
            "idempotency_key": idempotency_key,
            "idempotency_fingerprint": fingerprint if idempotency_key else None,
        }
        if topic.partner_only_organisation_id is not None:
            return await self.route(caller, base, topic.partner_only_organisation_id)
        when = self.interval(starts_at, now)
        # The resident's own limits first, so that their answer is not hidden behind "that time was taken";
        # checked again inside the booking transaction, where they are binding.
        await self._check_resident(caller, resident_id, when, now)
        day = local_date(starts_at)
        people = await candidates_q.candidates(
            topic=query.topic, modality=query.modality, help_point_id=query.help_point_id, first=day, last=day, now=now
        )
        request = Request(
            topic=query.topic,
            language=query.language,
            modality=query.modality,
            help_point_id=query.help_point_id,
            when=when,
            needs=needs,
            previous_volunteer_id=await q.previous_volunteer(resident_id),
        )
        await self.check_open(query, when)
        ranking = rank(request, people, self._rules)
        for choice in ranking.ranked:
            booked = await self._try_book(caller, base, choice.candidate_id, when, now)
            if booked is not None:
                return booked
        raise Conflict("Sorry, that time was just taken. Please choose another time.", code="slot_taken")

    @property
    def rules(self) -> SlotRules:
        return self._rules

    def interval(self, starts_at: datetime, now: datetime) -> Interval:
        """The session starting at `starts_at`; refused if it is too soon or past."""
        if starts_at < now + self._rules.notice:
            raise InvalidInput("This time is too soon or already past. Choose a later time.", code="slot_past")
        return Interval(starts_at, starts_at + self._rules.length)

    async def check_open(self, query: BookingQuery, when: Interval) -> None:
        """At a help point, `when` must be one of its slots (inside the opening hours, on the slot grid)."""
        if query.modality is Modality.HELP_POINT and not await self._inside_opening_hours(query, when):
            raise Conflict("The help point is not open at that time. Choose a time from the list.", code="slot_closed")

    async def _inside_opening_hours(self, query: BookingQuery, when: Interval) -> bool:
        point = await network_q.get_help_point(query.help_point_id)  # type: ignore[arg-type]
        assert point is not None
        day = local_date(when.start)
        slots = help_point_slots(
            point.opening_hours,
            [_anyone_free_around(when)],
            day,
            day,
            now=when.start - self._rules.notice - timedelta(seconds=1),
            rules=self._rules,
        )
        return any(s.start == when.start for s in slots)

    async def _try_book(
        self, caller: Principal, base: dict[str, object], volunteer_id: uuid.UUID, when: Interval, now: datetime
    ) -> Booked | None:
        placed = await self.place(caller, volunteer_id, when, now, new_request=base)
        if placed is None:
            return None
        return Booked(placed.request_id, RequestState.MATCHED, placed, None, replayed=False)

    async def place(
        self,
        caller: Principal,
        volunteer_id: uuid.UUID,
        when: Interval,
        now: datetime,
        *,
        new_request: dict[str, object] | None = None,
        request: dict[str, Any] | None = None,
        event: str = "assign",
    ) -> q.SessionRow | None:
        """Put a session for `volunteer_id` at `when`, for a new request (its values) or an existing one (moved
        on by `event`; "schedule" keeps a matched request matched). Serialised per resident and volunteer; None
        when the volunteer turned out to be busy, so the caller can try the next one."""
        source = new_request if new_request is not None else request
        assert source is not None
        resident_id = uuid.UUID(str(source["resident"]))
        blocked = Interval(when.start, when.end + self._rules.buffer)
        guarded = Interval(when.start - self._rules.buffer, blocked.end)
        try:
            async with write_transaction(self._engine):
                await serialise(self._engine, f"resident:{resident_id}")
                await serialise(self._engine, f"volunteer:{volunteer_id}")
                await self._check_resident(caller, resident_id, when, now)
                if await q.volunteer_busy(volunteer_id, guarded) or await self.at_weekly_cap(volunteer_id, when):
                    return None
                if new_request is not None:
                    request_id = await q.insert_request(
                        new_request | {"state": request_after(RequestState.OPEN, "book").value, "matched_at": now}
                    )
                else:
                    assert request is not None
                    request_id = request["id"]
                    await self._move_request_for_session(request, event, now)
                session_id = await q.insert_session(
                    {
                        "request": request_id,
                        "resident": resident_id,
                        "volunteer": volunteer_id,
                        "help_point": source["help_point"],
                        "modality": source["modality"],
                        "starts_at": when.start,
                        "ends_at": when.end,
                        "blocked_until": blocked.end,
                        "state": SessionState.SCHEDULED.value,
                        "created_at": now,
                    }
                )
                await self._audit.record(
                    caller,
                    "session.book" if new_request is not None else f"session.{event}",
                    "session",
                    str(session_id),
                    subject_id=resident_id,
                    detail={"volunteer": str(volunteer_id), "starts_at": when.start.isoformat()},
                )
                await self._notifications.session_changed(session_id, SessionEvent.BOOKED, caller)
        except Exception as exc:
            if is_overlap_violation(exc):
                return None  # the database's own guard: somebody got there first
            raise
        return await q.session(session_id)

    async def at_weekly_cap(self, volunteer_id: uuid.UUID, when: Interval, *, moving: bool = False) -> bool:
        """Binding check of the volunteer's weekly limit, inside the serialised transaction: ranking saw the
        calendars before it, and concurrent bookings may have filled the week since."""
        cap = await q.weekly_cap(volunteer_id)
        if cap is None:
            return False
        day = local_date(when.start)
        monday = day - timedelta(days=day.weekday())
        since = local_start(monday, time(0))
        until = local_start(monday + timedelta(days=7), time(0))
        booked = await q.sessions_in(volunteer_id, since, until)
        return booked - (1 if moving else 0) >= cap

    async def _move_request_for_session(self, request: dict[str, Any], event: str, now: datetime) -> None:
        if await q.active_session_of_request(request["id"]) is not None:
            raise Conflict("This request already has a session.", code="request_has_session")
        state = RequestState(request["state"])
        if event == "schedule":
            if state is not RequestState.MATCHED:
                raise Conflict("Only a request you have taken can be given a time.", code="request_not_matched")
            return
        target = request_after(state, event)
        if not await offers_q.move_request(request["id"], from_state=state.value, to_state=target.value, now=now):
            raise Conflict("The request changed meanwhile. Reload and try again.", code="request_changed")
        await offers_q.withdraw_others(request["id"], None, now)

    async def _check_resident(
        self,
        caller: Principal,
        resident_id: uuid.UUID,
        when: Interval,
        now: datetime,
        *,
        moving: uuid.UUID | None = None,
    ) -> None:
        own = resident_id == caller.person_id
        if await q.resident_overlaps(resident_id, when, exclude=moving):
            who = "You already have" if own else "The resident already has"
            raise Conflict(f"{who} a session at that time.", code="resident_busy")
        # The limit is for booking online; coordinators and volunteers arranging sessions are not bound by it.
        if own and moving is None and await q.future_bookings(resident_id, now) >= MAX_FUTURE_BOOKINGS:
            raise Conflict(
                f"You can have at most {MAX_FUTURE_BOOKINGS} upcoming sessions booked online. "
                "A coordinator can arrange more.",
                code="too_many_bookings",
            )

    async def route(self, caller: Principal, base: dict[str, object], organisation_id: uuid.UUID) -> Booked:
        """A partner-only topic goes straight to the partner's queue."""
        async with write_transaction(self._engine):
            request_id = await q.insert_request(
                base | {"state": request_after(RequestState.OPEN, "route").value, "routed_to": organisation_id}
            )
            await self._audit.record(
                caller,
                "request.route",
                "request",
                str(request_id),
                organisation_id=organisation_id,
                subject_id=uuid.UUID(str(base["resident"])),
            )
        return Booked(request_id, RequestState.ROUTED, None, organisation_id, replayed=False)

    async def _replay(self, resident_id: uuid.UUID, key: str, fingerprint: str) -> Booked | None:
        first = await q.request_by_idempotency_key(resident_id, key)
        if first is None:
            return None
        if first["idempotency_fingerprint"] != fingerprint:
            raise InvalidInput(
                "This Idempotency-Key was already used for a different booking.", code="idempotency_mismatch"
            )
        session = await q.session_of_request(first["id"])
        return Booked(first["id"], RequestState(first["state"]), session, first["routed_to"], replayed=True)

    async def my_sessions(self, caller: Principal, *, as_volunteer: bool) -> list[q.SessionRow]:
        if as_volunteer:
            return await q.sessions_of(volunteer_id=caller.person_id)
        return await q.sessions_of(resident_id=caller.person_id)

    async def cancel(self, caller: Principal, session_id: uuid.UUID, *, for_resident: bool = False) -> q.SessionRow:
        """The resident cancels their own session (and with it their request). `for_resident`: a coordinator
        cancels on the resident's word (a phone call, an SMS reply); the caller has checked the scope."""
        found = await q.session(session_id)
        if found is None or (found.resident_id != caller.person_id and not for_resident):
            raise NotFound("No such session.", code="session_not_found")
        target = session_after(SessionState(found.state), "cancel")
        async with write_transaction(self._engine):
            if not await q.set_session_state(
                session_id, state=target.value, expected_version=found.version, now=self._clock.now()
            ):
                raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
            await q.set_request_state(found.request_id, RequestState.CANCELLED.value)
            await self._audit.record(
                caller,
                "session.cancel",
                "session",
                str(session_id),
                subject_id=found.resident_id,
                detail={"for_resident": True} if for_resident else None,
            )
            await self._notifications.session_changed(session_id, SessionEvent.CANCELLED, caller)
        cancelled = await q.session(session_id)
        assert cancelled is not None
        return cancelled


def request_values(
    caller: Principal, query: BookingQuery, needs: frozenset[Need], now: datetime, on_behalf: OnBehalf | None
) -> dict[str, object]:
    """The columns of a new request: the resident's own, or one a coordinator makes for a caller."""
    values: dict[str, object] = {
        "resident": on_behalf.resident_id if on_behalf else caller.person_id,
        "topic": query.topic,
        "language": query.language,
        "modality": query.modality.value,
        "help_point": query.help_point_id,
        "needs": sorted(n.value for n in needs),
        "channel": "pwa",
        "created_at": now,
        "home_address": query.home_address.strip(),
        "home_latitude": query.home.latitude if query.home else None,
        "home_longitude": query.home.longitude if query.home else None,
    }
    if on_behalf is not None:
        values |= {"channel": on_behalf.channel, "booked_by": caller.person_id, "consent_at": on_behalf.consent_at}
    return values


def _anyone_free_around(when: Interval) -> VolunteerTime:
    """A stand-in volunteer free all day, to ask the slot grid whether `when` is a slot of the help point."""
    return VolunteerTime(
        id=uuid.UUID(int=0), available=[Interval(when.start - timedelta(days=1), when.end + timedelta(days=1))]
    )


def _fingerprint(query: BookingQuery, starts_at: datetime, needs: frozenset[Need]) -> str:
    body = json.dumps(
        [
            query.topic,
            query.language,
            query.modality.value,
            str(query.help_point_id),
            starts_at.isoformat(),
            sorted(n.value for n in needs),
        ]
    )
    return hashlib.sha256(body.encode()).hexdigest()
