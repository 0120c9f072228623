"""Booking: free slots, booking a slot (the best volunteer at once, through the one guarded placement in
services/placement.py), routing partner-only topics, and the caller's sessions. Cancelling and moving a session
are in services/sessions.py."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import anyio.to_thread

from server.adapters.clock import Clock
from server.db import booking as q
from server.db import candidates as candidates_q
from server.db import days as days_q
from server.db import network as network_q
from server.db import requests as requests_q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, is_unique_violation, write_transaction
from server.domain.clocktime import local_date
from server.domain.days import DayException
from server.domain.errors import Conflict, InvalidInput
from server.domain.matching import Modality, Need, Place, rank
from server.domain.network import HelpPoint
from server.domain.paging import Page, PageRequest
from server.domain.records import SessionRow
from server.domain.requests import NewRequest
from server.domain.roles import Principal
from server.domain.slots import Slot, SlotRules, VolunteerTime, help_point_slots, remote_slots
from server.domain.states import RequestState, request_after
from server.domain.topics import Topic
from server.services.audit import AuditService
from server.services.placement import Placement, VolunteerHeld, replayed

MAX_SEARCH_DAYS = 31
FIRST_FREE_DAYS = 28  # how far "the next free time" on a choice looks ahead
FIRST_FREE_KEPT = timedelta(minutes=1)  # a hint on a tile: the list of times itself is always searched afresh


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
    session: SessionRow | None
    routed_to: uuid.UUID | None
    replayed: bool


@dataclass(frozen=True, slots=True)
class FirstFree:
    """The next free time of each choice for a topic and language, within `searched_until`: by phone or video
    (one grid: the same volunteers take both), and at each help point open for bookings (None: no free time)."""

    searched_until: date
    remote: datetime | None
    help_points: Mapping[uuid.UUID, tuple[HelpPoint, datetime | None]]


class BookingService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        placement: Placement,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._placement = placement
        self._first_free: OrderedDict[tuple[str, str, date], tuple[datetime, FirstFree]] = OrderedDict()

    async def _topic(self, code: str) -> Topic:
        topic = await topics_q.get_topic(code)
        if topic is None or not topic.active:
            raise InvalidInput("Choose one of the topics on the list.", code="topic_unknown")
        return topic

    async def _check_place(self, query: BookingQuery, *, home_visit_allowed: bool = False) -> HelpPoint | None:
        """The place fits the way of meeting; the help point, for a help point."""
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
            return None
        if query.home is not None or query.home_address:
            raise InvalidInput("Only home visits have a home address.", code="home_not_needed")
        if query.modality is Modality.HELP_POINT:
            if query.help_point_id is None:
                raise InvalidInput("Choose a help point.", code="help_point_required")
            point = await network_q.get_help_point(query.help_point_id)
            if point is None or not point.active:
                raise InvalidInput("This help point is not open for bookings.", code="help_point_unknown")
            return point
        if query.help_point_id is not None:
            raise InvalidInput("Phone and video sessions have no help point.", code="help_point_not_needed")
        return None

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
        point = await self._check_place(query)
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
        rules = self._placement.rules
        # The grid is pure CPU (tens to hundreds of ms among thousands of volunteers): off the event loop, so a
        # public search never holds up other requests.
        if point is not None:
            hours = point.opening_hours
            off = await days_q.days_off(point.id, first, last)  # closures, holidays, other hours
            return await anyio.to_thread.run_sync(
                lambda: help_point_slots(hours, eligible, first, last, now=now, rules=rules, days_off=off)
            )
        remote_people = [c.time for c in people if c.remote and query.language in c.languages and c.time]
        return await anyio.to_thread.run_sync(lambda: remote_slots(remote_people, first, last, now=now, rules=rules))

    async def first_free(self, topic_code: str, language: str) -> FirstFree:
        """The next free time of every way and help point, so that no choice leads to an empty list unawares.
        Kept for a minute per topic, language and day (a hint shown before choosing; the times are searched
        again when the choice is made): a few set-based queries for the whole network, the grids off the loop."""
        now = self._clock.now()
        first = local_date(now)
        key = (topic_code, language, first)
        kept = self._first_free.get(key)
        if kept is not None and now - kept[0] < FIRST_FREE_KEPT:
            return kept[1]
        topic = await self._topic(topic_code)
        last = first + timedelta(days=FIRST_FREE_DAYS - 1)
        if topic.partner_only_organisation_id is not None:
            return FirstFree(last, None, {})
        points = await network_q.open_help_points()
        at_points, remote = [
            await candidates_q.candidates(
                topic=topic_code, modality=modality, help_point_id=None, first=first, last=last, now=now
            )
            for modality in (Modality.HELP_POINT, Modality.PHONE)
        ]
        off = await days_q.days_off_everywhere(first, last)
        rules = self._placement.rules

        def search() -> FirstFree:
            staff: dict[uuid.UUID, list[VolunteerTime]] = {}
            for c in at_points:
                if language in c.languages and c.time is not None:
                    for point_id in c.help_point_ids:
                        staff.setdefault(point_id, []).append(c.time)
            found: dict[uuid.UUID, tuple[HelpPoint, datetime | None]] = {
                point.id: (point, _first_at(point, staff.get(point.id, []), off.get(point.id), first, last, now, rules))
                for point in points
            }
            remote_people = [c.time for c in remote if c.remote and language in c.languages and c.time]
            by_phone = _first_of(lambda a, b: remote_slots(remote_people, a, b, now=now, rules=rules), first, last)
            return FirstFree(last, by_phone if remote_people else None, found)

        answer = await anyio.to_thread.run_sync(search)
        self._first_free[key] = (now, answer)
        while len(self._first_free) > 64:
            self._first_free.popitem(last=False)
        return answer

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
        first = await self._replay(resident_id, idempotency_key, fingerprint)
        if first is not None:
            return first
        try:
            return await self._book(
                caller,
                query,
                starts_at=starts_at,
                needs=needs,
                key=idempotency_key,
                fingerprint=fingerprint,
                on_behalf=on_behalf,
            )
        except Exception as exc:
            # The same key sent again while the first was in flight (a double tap): its insert lost to the first's
            # (unique key), or its checks saw the first's session. Either way it gets the first answer.
            if idempotency_key and (is_unique_violation(exc) or isinstance(exc, Conflict)):
                first = await self._replay(resident_id, idempotency_key, fingerprint)
                if first is not None:
                    return first
            raise

    async def _replay(self, resident_id: uuid.UUID, key: str | None, fingerprint: str) -> Booked | None:
        first = await replayed(resident_id, key, fingerprint, what="booking")
        if first is None:
            return None
        session = await q.session_of_request(first.id)
        return Booked(first.id, RequestState(first.state), session, first.routed_to, replayed=True)

    async def _book(
        self,
        caller: Principal,
        query: BookingQuery,
        *,
        starts_at: datetime,
        needs: frozenset[Need],
        key: str | None,
        fingerprint: str,
        on_behalf: OnBehalf | None,
    ) -> Booked:
        resident_id = on_behalf.resident_id if on_behalf else caller.person_id
        topic = await self._topic(query.topic)
        point = await self._check_place(query)
        now = self._clock.now()
        new = new_request(caller, query, needs, now, on_behalf, key=key, fingerprint=fingerprint)
        if topic.partner_only_organisation_id is not None:
            return await self.route(caller, new, topic.partner_only_organisation_id)
        when = self._placement.interval(starts_at, now)
        await self._placement.check_open(query.modality, query.help_point_id, when, point)
        wanted, people = await self._placement.ranking_inputs(new, when=when)
        # The resident's own limits (another time then, three bookings ahead) are checked inside the booking
        # transaction, where they are binding, before the volunteer's calendar: the first attempt answers with
        # them. Only when nobody could be tried are they checked here, so that their answer is not hidden behind
        # "that time was taken".
        # A volunteer another booking is placing at this moment is passed over for the next one, who is free now;
        # only when nobody else could take the time does the booking wait for them. Under load every booking ranks
        # the same volunteer first, and waiting in line for them was most of a booking's time. A placement in this
        # process is seen without asking the database (at 8 clients that was 1.6 tries in vain per booking).
        held: list[uuid.UUID] = []
        for choice in rank(wanted, people, self._placement.rules).ranked:
            if self._placement.placing(choice.candidate_id, when):
                held.append(choice.candidate_id)
                continue
            try:
                placed = await self._placement.place(caller, choice.candidate_id, when, new=new, wait=False)
            except VolunteerHeld:
                held.append(choice.candidate_id)
                continue
            if placed is not None:
                return Booked(placed.request_id, RequestState.MATCHED, placed, None, replayed=False)
        for volunteer_id in held:
            placed = await self._placement.place(caller, volunteer_id, when, new=new)
            if placed is not None:
                return Booked(placed.request_id, RequestState.MATCHED, placed, None, replayed=False)
        await self._placement.check_resident(caller, resident_id, when, now)
        raise Conflict("Sorry, that time was just taken. Please choose another time.", code="slot_taken")

    async def route(self, caller: Principal, new: NewRequest, organisation_id: uuid.UUID) -> Booked:
        """A partner-only topic goes straight to the partner's queue."""
        async with write_transaction(self._engine):
            request_id = await requests_q.insert(
                new, state=request_after(RequestState.OPEN, "route").value, routed_to=organisation_id
            )
            await self._audit.record(
                caller,
                "request.route",
                "request",
                str(request_id),
                organisation_id=organisation_id,
                subject_id=new.resident_id,
            )
        return Booked(request_id, RequestState.ROUTED, None, organisation_id, replayed=False)

    async def my_sessions(self, caller: Principal, page: PageRequest, *, as_volunteer: bool) -> Page[SessionRow]:
        if as_volunteer:
            return await q.sessions_of(page, volunteer_id=caller.person_id)
        return await q.sessions_of(page, resident_id=caller.person_id)


def new_request(
    caller: Principal,
    query: BookingQuery,
    needs: frozenset[Need],
    now: datetime,
    on_behalf: OnBehalf | None,
    *,
    key: str | None = None,
    fingerprint: str | None = None,
) -> NewRequest:
    """`key`: the Idempotency-Key the request was made with, and `fingerprint` what it asked for."""
    """A new request: the resident's own, or one a coordinator makes for a resident who phoned."""
    return NewRequest(
        resident_id=on_behalf.resident_id if on_behalf else caller.person_id,
        topic=query.topic,
        language=query.language,
        modality=query.modality,
        help_point_id=query.help_point_id,
        needs=needs,
        created_at=now,
        channel=on_behalf.channel if on_behalf else "pwa",
        home_address=query.home_address.strip(),
        home=query.home,
        booked_by=caller.person_id if on_behalf else None,
        consent_at=on_behalf.consent_at if on_behalf else None,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint if key else None,
    )


def _first_at(
    point: HelpPoint,
    staff: list[VolunteerTime],
    days_off: Mapping[date, DayException] | None,
    first: date,
    last: date,
    now: datetime,
    rules: SlotRules,
) -> datetime | None:
    """The first free time at a help point with these volunteers (None: nobody, or no time)."""
    if not staff:
        return None
    return _first_of(
        lambda a, b: help_point_slots(point.opening_hours, staff, a, b, now=now, rules=rules, days_off=days_off),
        first,
        last,
    )


def _first_of(search: Callable[[date, date], list[Slot]], first: date, last: date) -> datetime | None:
    """The start of the first slot `search` finds from `first` to `last`, a week at a time (most are in the
    first)."""
    start = first
    while start <= last:
        end = min(start + timedelta(days=6), last)
        slots = search(start, end)
        if slots:
            return min(s.start for s in slots)
        start = end + timedelta(days=1)
    return None


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
