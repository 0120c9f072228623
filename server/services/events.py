"""Group sessions: coordinators publish events with a capacity, residents sign up (in the PWA, or a coordinator for
them on the phone) and join a waitlist when it is full, a freed place goes to the first in line, volunteers staff
events, and the volunteer on duty marks who came.

Capacity is never exceeded: every change to an event's places runs in one write transaction serialised per event
(and per resident, the key the session guard uses, so a sign-up and a booking of the same resident at the same time
cannot both pass their overlap checks). A place that frees goes at once to the first on the waitlist, held for them
for a while (`domain.events.HOLD`) with a text asking them to keep or give it up; no answer in time passes it to
the next (`expire_offers`, run by the scheduler). A landline resident cannot answer a text: their place is
confirmed and a call tells them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from server.adapters.clock import Clock
from server.db import booking as booking_q
from server.db import days as days_q
from server.db import drop_in as drop_in_q
from server.db import events as q
from server.db import people as people_q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, serialise, write_transaction
from server.domain.clocktime import Interval, local_date, local_start
from server.domain.days import DayState
from server.domain.desk import span
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.events import (
    ACTIVE,
    COMING_DAYS,
    DEFAULT_COMING_DAYS,
    HOLDING,
    MAX_AHEAD,
    MAX_WAITLIST,
    MINUTES,
    UNSTAFFED_SOON,
    Attendance,
    EventState,
    GroupEvent,
    Signup,
    SignupState,
    offer_until,
    place_on_signup,
    promotable,
    validate,
)
from server.domain.paging import Page, PageRequest, page_of
from server.domain.phone import is_mobile
from server.domain.roles import Grant, Principal, Role
from server.services.audit import AuditService
from server.services.coordination import Caller, CoordinationService
from server.services.event_messages import EventMessages
from server.services.network import NetworkService
from server.services.placement import Placement

DUTY_DAYS = 56  # how far ahead volunteers see events that need them
MANAGED_PAST = timedelta(days=60)  # coordinators see their events this far back (attendance, statistics)
ATTENDANCE_FROM = timedelta(hours=1)  # attendance can be marked from this long before the start


@dataclass(frozen=True, slots=True)
class EventIn:
    title: str
    starts_at: datetime
    minutes: int
    capacity: int
    help_point_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None  # for a remote event (no help point)
    description: str = ""
    topics: tuple[str, ...] = ()
    language: str = "fi"
    volunteers_needed: int = 1
    bring: str = ""


@dataclass(frozen=True, slots=True)
class EventChange:
    """What a coordinator changes of an event; None: as it is. A new time or help point tells everyone."""

    title: str | None = None
    description: str | None = None
    bring: str | None = None
    topics: tuple[str, ...] | None = None
    language: str | None = None
    capacity: int | None = None
    volunteers_needed: int | None = None
    starts_at: datetime | None = None
    minutes: int | None = None
    help_point_id: uuid.UUID | None = None  # another help point of the same organisation


@dataclass(frozen=True, slots=True)
class Changed:
    event: GroupEvent
    told: int = 0  # residents told of the new time or place
    dropped: int = 0  # residents with something else at the new time: their place went (they were told)
    volunteers_dropped: int = 0  # volunteers busy (or at their weekly limit) at the new time: taken off it, told


@dataclass(frozen=True, slots=True)
class SignedUp:
    signup: Signup
    event: GroupEvent
    position: int  # on the waitlist, from 1; 0 with a place
    already: bool = False  # the resident was signed up already (nothing changed)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a resident's reply did to their sign-up: kept | given_up | left | gone."""

    outcome: str
    event: GroupEvent | None


def _as_fields(event: GroupEvent) -> dict[str, object]:
    """An event's own fields by column name (to say in the audit trail which ones a change changed)."""
    return {
        "title": event.title,
        "language": event.language,
        "capacity": event.capacity,
        "volunteers_needed": event.volunteers_needed,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "help_point": event.venue.help_point_id,
        "description": event.description,
        "bring": event.bring,
        "topics": sorted(event.topics),
    }


def _after(found: list[GroupEvent], page: PageRequest) -> list[GroupEvent]:
    after = page.after((datetime, uuid.UUID))
    if after is None:
        return found
    key = (after[0], after[1])
    return [e for e in found if e.key > key]


class EventService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        network: NetworkService,
        placement: Placement,
        coordination: CoordinationService,
        messages: EventMessages,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._network = network
        self._placement = placement
        self._coordination = coordination
        self._messages = messages

    # ---- coordinators -----------------------------------------------------------------------------------------

    async def create(self, caller: Principal, new: EventIn) -> GroupEvent:
        now = self._clock.now()
        validate(
            title=new.title,
            starts_at=new.starts_at,
            minutes=new.minutes,
            capacity=new.capacity,
            volunteers_needed=new.volunteers_needed,
            language=new.language,
            now=now,
        )
        if new.help_point_id is not None:
            point = await self._network.managed_help_point(caller, new.help_point_id)
            if not point.active:
                raise Conflict("This help point is closed for good.", code="help_point_inactive")
            organisation_id = point.organisation_id
            day = local_date(new.starts_at)
            exception = (await days_q.days_off(point.id, day, day)).get(day)
            if exception is not None and exception.state is DayState.CLOSED:
                raise Conflict("The help point is closed that day.", code="event_on_closed_day")
        elif new.organisation_id is not None:
            organisation_id = (await self._network.organisation(caller, new.organisation_id)).id
        else:
            raise InvalidInput(
                "Say where the event is: a help point, or remote for an organisation.", code="event_place_required"
            )
        known = {t.code for t in await topics_q.list_topics(active_only=True)}
        unknown = sorted(set(new.topics) - known)
        if unknown:
            raise InvalidInput(f"No such topic: {', '.join(unknown)}.", code="topic_unknown")
        async with write_transaction(self._engine):
            event_id = await q.insert_event(
                organisation_id=organisation_id,
                help_point_id=new.help_point_id,
                title=new.title.strip(),
                description=new.description.strip(),
                topics=sorted(set(new.topics)),
                language=new.language,
                starts_at=new.starts_at,
                ends_at=new.starts_at + timedelta(minutes=new.minutes),
                capacity=new.capacity,
                volunteers_needed=new.volunteers_needed,
                bring=new.bring.strip(),
                created_by=caller.person_id,
                now=now,
            )
            await self._audit.record(
                caller,
                "group_event.create",
                "group_event",
                str(event_id),
                organisation_id=organisation_id,
                detail={"starts_at": new.starts_at.isoformat(), "capacity": new.capacity},
            )
        found = await q.event(event_id)
        assert found is not None
        return found

    async def managed(self, caller: Principal, page: PageRequest) -> Page[GroupEvent]:
        """The events of the caller's organisations (all of them for the network coordinator) from two months
        back on, cancelled ones too, earliest first."""
        now = self._clock.now()
        found = await q.events_between(
            now - MANAGED_PAST, now + timedelta(days=366), organisations=caller.oversees, scheduled_only=False
        )
        return page_of(_after(found, page), page, lambda e: e.key)

    async def change(self, caller: Principal, event_id: uuid.UUID, change: EventChange) -> Changed:
        """Correct an event, or move it (another time, another of the organisation's help points). Places are never
        taken away by a smaller capacity; more places go to the waiting list at once. When it moves, everyone
        signed up is told (an SMS, a call to a landline) and their reminders follow; one who has something else at
        the new time loses the place (told so, and it goes to the next in line), as does a volunteer who is busy or
        at their weekly limit then."""
        event = await self._managed_event(caller, event_id)
        now = self._clock.now()
        if event.state is EventState.CANCELLED:
            raise Conflict("This event has been cancelled.", code="event_cancelled")
        if event.starts_at <= now:
            raise Conflict("This event has already begun.", code="event_started")
        starts_at = change.starts_at or event.starts_at
        minutes = change.minutes or int((event.ends_at - event.starts_at).total_seconds() // 60)
        capacity = event.capacity if change.capacity is None else change.capacity
        needed = event.volunteers_needed if change.volunteers_needed is None else change.volunteers_needed
        title = event.title if change.title is None else change.title.strip()
        language = change.language or event.language
        validate(
            title=title,
            starts_at=starts_at,
            minutes=minutes,
            capacity=capacity,
            volunteers_needed=needed,
            language=language,
            now=now,
        )
        point_id = await self._new_place(caller, event, change.help_point_id)
        ends_at = starts_at + timedelta(minutes=minutes)
        moved = (starts_at, ends_at, point_id) != (event.starts_at, event.ends_at, event.venue.help_point_id)
        if moved and point_id is not None:
            day = local_date(starts_at)
            exception = (await days_q.days_off(point_id, day, day)).get(day)
            if exception is not None and exception.state is DayState.CLOSED:
                raise Conflict("The help point is closed that day.", code="event_on_closed_day")
        if change.topics is not None:
            known = {t.code for t in await topics_q.list_topics(active_only=True)}
            unknown = sorted(set(change.topics) - known)
            if unknown:
                raise InvalidInput(f"No such topic: {', '.join(unknown)}.", code="topic_unknown")
        fields: dict[str, object] = {
            "title": title,
            "language": language,
            "capacity": capacity,
            "volunteers_needed": needed,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "help_point": point_id,
        }
        if change.description is not None:
            fields["description"] = change.description.strip()
        if change.bring is not None:
            fields["bring"] = change.bring.strip()
        if change.topics is not None:
            fields["topics"] = sorted(set(change.topics))
        told = dropped = volunteers_dropped = 0
        before = _as_fields(event)
        async with write_transaction(self._engine):
            await serialise(self._engine, f"event:{event_id}")
            if capacity < await q.holding(event_id):
                raise Conflict(
                    "More residents already have a place: cancel some places first.", code="capacity_below_taken"
                )
            await q.update_event(event_id, fields)
            found = await q.event(event_id)
            assert found is not None
            if moved:
                told, dropped = await self._tell_moved(caller, event, found)
                volunteers_dropped = await self._move_duties(found)
            await self._promote(found)
            await self._audit.record(
                caller,
                "group_event.change",
                "group_event",
                str(event_id),
                organisation_id=event.organisation_id,
                detail={
                    "fields": sorted(k for k, v in fields.items() if v != before.get(k)),
                    "moved": moved,
                },
            )
        final = await q.event(event_id)
        assert final is not None
        return Changed(final, told=told, dropped=dropped, volunteers_dropped=volunteers_dropped)

    async def _new_place(
        self, caller: Principal, event: GroupEvent, help_point_id: uuid.UUID | None
    ) -> uuid.UUID | None:
        """The help point the event will be at: the same, or another of its organisation's (a remote one stays
        remote)."""
        current = event.venue.help_point_id
        if help_point_id is None or help_point_id == current:
            return current
        if current is None:
            raise InvalidInput("A remote event stays remote: publish a new one at a help point.", code="event_remote")
        point = await self._network.managed_help_point(caller, help_point_id)
        if point.organisation_id != event.organisation_id or not point.active:
            raise InvalidInput(
                "Move the event to an open help point of the same organisation.", code="event_help_point_elsewhere"
            )
        return point.id

    async def _tell_moved(self, actor: Principal, was: GroupEvent, event: GroupEvent) -> tuple[int, int]:
        """Inside the event's transaction: everyone signed up hears the new time and place; one with a session or
        another group session then loses the place (told, of the time they knew: `was`). Returns (told, dropped)."""
        now = self._clock.now()
        told = dropped = 0
        for signup in await q.active_signups(event.id):
            await serialise(self._engine, f"resident:{signup.person_id}")
            if await self._resident_busy(signup.person_id, event):
                await q.move_signup(signup.id, from_states=ACTIVE, to=SignupState.CANCELLED, now=now)
                await self._messages.left(signup, was, tell=True)
                await self._audit.record(
                    actor,
                    "event_signup.leave",
                    "group_event",
                    str(event.id),
                    organisation_id=event.organisation_id,
                    subject_id=signup.person_id,
                    detail={"from": signup.state.value, "to": "cancelled", "why": "busy at the new time"},
                )
                dropped += 1
                continue
            await self._messages.moved(signup, event)
            told += 1
        return told, dropped

    async def _move_duties(self, event: GroupEvent) -> int:
        """Inside the event's transaction: each volunteer on it keeps the duty at the new time if they are free and
        under their weekly limit then (their reminder follows the time), else comes off it, told. Returns how many
        came off."""
        buffer = self._placement.rules.buffer
        guarded = Interval(event.starts_at - buffer, event.ends_at + buffer)
        duties = await q.duties_of_event(event.id)
        for duty_id, _ in duties:
            await q.delete_duty_by_id(duty_id)  # a volunteer's own duty does not count against them
        off = []
        now = self._clock.now()
        for duty_id, volunteer in duties:
            await self._placement.hold_volunteer(volunteer, guarded)
            await self._messages.duty_given_back(duty_id)
            busy, full = await self._placement.volunteer_load(
                volunteer, guarded, Interval(event.starts_at, event.ends_at)
            )
            if busy or full:
                off.append((duty_id, volunteer))
                continue
            kept = await q.insert_duty(
                event_id=event.id, volunteer_id=volunteer, starts_at=event.starts_at, ends_at=event.ends_at, now=now
            )
            await self._messages.duty_moved(kept, volunteer, event)
        await self._messages.duties_removed(off, event, what="the event moved")
        return len(off)

    async def desk_day(
        self, caller: Principal, help_point_id: uuid.UUID, first: date | None, days: int
    ) -> list[tuple[GroupEvent, list[Signup], list[str]]]:
        """A help point's group sessions on `days` days from `first` (default today) for the desk: each with who is
        signed up (places first, then the waiting list) and the first names of the volunteers on duty."""
        await self._network.managed_help_point(caller, help_point_id)
        _, since, until = span(first, days, today=local_date(self._clock.now()))
        found = await q.events_between(since, until, help_points={help_point_id}, scheduled_only=False)
        day = []
        for event in found:
            people = [s for s in await q.signups(event.id) if s.state in ACTIVE]
            people.sort(key=lambda s: (s.state is SignupState.WAITLISTED, s.queue_no))
            day.append((event, people, [name for _, name in await q.on_duty(event.id)]))
        return day

    async def unstaffed(self, caller: Principal, page: PageRequest) -> Page[GroupEvent]:
        """The caller's organisations' events short of volunteers: those in the next three days, and every coming
        one a volunteer who was deactivated or left was on (another volunteer can take it)."""
        now = self._clock.now()
        found = await q.events_between(now, now + MAX_AHEAD, organisations=caller.oversees)
        short = [e for e in found if e.short_of_volunteers(now, UNSTAFFED_SOON)]
        return page_of(_after(short, page), page, lambda e: e.key)

    async def cancel(self, caller: Principal, event_id: uuid.UUID) -> GroupEvent:
        """Cancel an event: everyone signed up is told (an SMS, or a call to a landline), the volunteers on it too;
        their reminders go."""
        event = await self._managed_event(caller, event_id)
        now = self._clock.now()
        async with write_transaction(self._engine):
            await serialise(self._engine, f"event:{event_id}")
            if not await q.cancel_event(event_id, now):
                raise Conflict("This event is cancelled already.", code="event_cancelled")
            signups = await q.active_signups(event_id)
            await q.cancel_all(event_id, now)
            await self._messages.event_cancelled(event, signups)
            await self._messages.duties_removed(await q.delete_duties(event_id), event)
            await self._audit.record(
                caller,
                "group_event.cancel",
                "group_event",
                str(event_id),
                organisation_id=event.organisation_id,
                detail={"signups": len(signups)},
            )
        found = await q.event(event_id)
        assert found is not None
        return found

    async def signups(self, caller: Principal, event_id: uuid.UUID, page: PageRequest) -> Page[Signup]:
        """Who is signed up, in the order they came (places, then the waitlist by position): for the event's
        coordinators, and first names only for the volunteers on duty (the HTTP layer leaves out the rest)."""
        await self._staff_event(caller, event_id)
        found = await q.signups(event_id)
        after = page.after((int, uuid.UUID))
        if after is not None:
            key = (after[0], after[1])
            found = [s for s in found if (s.queue_no, s.id) > key]
        return page_of(found, page, lambda s: (s.queue_no, s.id))

    async def sign_up_for(self, caller: Principal, event_id: uuid.UUID, who: Caller) -> SignedUp:
        """A resident on the phone: signed up (a landline too) with their consent recorded; no account needed."""
        event = await self._managed_event(caller, event_id)
        resident_id, created = await self._coordination.resident_for(caller, who)
        try:
            done = await self._sign_up(caller, event.id, resident_id, channel="phone", consent=True, own=False)
        except BaseException:
            if created:
                await people_q.forget_unused_person(resident_id)
            raise
        await self._coordination.record_caller(caller, resident_id, created=created, purpose="group session sign-up")
        return done

    async def cancel_for(self, caller: Principal, event_id: uuid.UUID, signup_id: uuid.UUID) -> Signup:
        """A resident asked on the phone to cancel their place (or leave the waitlist): they are told by SMS."""
        await self._managed_event(caller, event_id)
        return await self._leave(caller, event_id, signup_id, to=SignupState.CANCELLED, tell=True)

    async def mark_attendance(
        self, caller: Principal, event_id: uuid.UUID, signup_id: uuid.UUID, attendance: Attendance
    ) -> Signup:
        """The volunteer on duty (or a coordinator) marks a resident with a place as come or not come."""
        event = await self._staff_event(caller, event_id)
        now = self._clock.now()
        if now < event.starts_at - ATTENDANCE_FROM:
            raise Conflict("Attendance is marked when the event begins.", code="event_not_begun")
        async with write_transaction(self._engine):
            if not await q.set_attendance(signup_id, event_id, attendance, now):
                raise NotFound("No such participant.", code="event_signup_not_found")
            await self._audit.record(
                caller,
                "event_signup.attendance",
                "group_event",
                str(event_id),
                organisation_id=event.organisation_id,
                detail={"signup": str(signup_id), "attendance": attendance.value or "unknown"},
            )
        found = await q.signup(signup_id)
        assert found is not None
        return found

    # ---- everyone ---------------------------------------------------------------------------------------------

    async def coming(
        self,
        page: PageRequest,
        *,
        municipality: str | None,
        topic: str | None = None,
        days: int = DEFAULT_COMING_DAYS,
        remote: bool | None = None,
    ) -> Page[GroupEvent]:
        """The events not yet begun in the next `days` days (of a municipality, for a topic, remote or not),
        earliest first, with the places left."""
        fewest, most = COMING_DAYS
        if not fewest <= days <= most:
            raise InvalidInput(f"Look {fewest} to {most} days ahead.", code="days_out_of_range")
        now = self._clock.now()
        until = local_start(local_date(now) + timedelta(days=days), datetime.min.time())
        found = [e for e in await q.events_between(now, until, municipality=municipality) if not e.closed_day]
        if topic is not None:
            found = [e for e in found if not e.topics or topic in e.topics]
        if remote is not None:
            found = [e for e in found if e.remote == remote]
        return page_of(_after(found, page), page, lambda e: e.key)

    async def event(self, event_id: uuid.UUID) -> GroupEvent:
        found = await q.event(event_id)
        if found is None:
            raise NotFound("No such event.", code="event_not_found")
        return found

    async def municipalities(self) -> list[str]:
        return await q.municipalities(self._clock.now())

    async def next_ones(self, *, municipality: str | None, count: int) -> list[GroupEvent]:
        """The next `count` events not yet begun (in a municipality, else anywhere, remote ones too), for the voice
        menu."""
        found = await self.coming(PageRequest(count), municipality=municipality, days=COMING_DAYS[1])
        return list(found.items)

    # ---- residents --------------------------------------------------------------------------------------------

    async def sign_up(self, caller: Principal, event_id: uuid.UUID, *, channel: str = "pwa") -> SignedUp:
        """A place if one is left, else the waitlist. Signing up again changes nothing. `channel`: pwa, or voice
        (the voice menu, where the keypress is the consent)."""
        return await self._sign_up(
            caller, event_id, caller.person_id, channel=channel, consent=channel == "voice", own=True
        )

    async def leave(self, caller: Principal, event_id: uuid.UUID) -> Signup:
        """Give up my place (it goes to the first on the waitlist) or leave the waitlist."""
        mine = await q.signup_of(event_id, caller.person_id)
        if mine is None or mine.state not in ACTIVE:
            raise NotFound("You are not signed up for this event.", code="event_signup_not_found")
        # A place offered and not taken is declined, as a "2" by text records it; the rest is cancelled.
        to = SignupState.DECLINED if mine.state is SignupState.OFFERED else SignupState.CANCELLED
        return await self._leave(caller, event_id, mine.id, to=to, tell=False)

    async def keep_mine(self, caller: Principal, event_id: uuid.UUID) -> Signup:
        """Take the place offered to me from the waiting list (in the app, as a "1" by text would)."""
        mine = await q.signup_of(event_id, caller.person_id)
        if mine is None or mine.state not in ACTIVE:
            raise NotFound("You are not signed up for this event.", code="event_signup_not_found")
        answer = await self.keep(caller.person_id, mine.id)
        if answer.outcome != "kept":
            raise Conflict("The place is no longer held for you.", code="event_offer_gone")
        kept = await q.signup(mine.id)
        assert kept is not None
        return kept

    async def my_signups(self, caller: Principal, page: PageRequest) -> Page[tuple[Signup, GroupEvent]]:
        """My sign-ups of events not yet over (cancelled ones too, so I see that they were), earliest first."""
        mine = await q.signups_of_person(caller.person_id, self._clock.now())
        events = {s.event_id: await q.event(s.event_id) for s in mine}
        found = []
        for s in mine:
            event = events[s.event_id]
            if event is None:
                continue
            position = await q.position(s.event_id, s.queue_no) if s.state is SignupState.WAITLISTED else 0
            found.append((replace(s, position=position), event))
        found.sort(key=lambda p: p[1].key)
        after = page.after((datetime, uuid.UUID))
        if after is not None:
            found = [p for p in found if p[1].key > (after[0], after[1])]
        return page_of(found, page, lambda p: p[1].key)

    async def leave_all(self, acting: Principal, person_id: uuid.UUID) -> int:
        """Everything the resident is signed up for and not yet begun ends (their data is being erased): the places
        go to the next in line. How many."""
        signups = await q.live_signups(person_id, self._clock.now())
        for signup in signups:
            await self._leave(acting, signup.event_id, signup.id, to=SignupState.CANCELLED, tell=False)
        return len(signups)

    # ---- replies to texts -------------------------------------------------------------------------------------

    async def keep(self, person_id: uuid.UUID, signup_id: uuid.UUID) -> Answer:
        """ "1" to a place offered: it is theirs (if the hold has not run out)."""
        now = self._clock.now()
        async with write_transaction(self._engine):
            signup = await self._own_signup(person_id, signup_id)
            if signup is None:
                return Answer("gone", None)
            await serialise(self._engine, f"event:{signup.event_id}")
            await serialise(self._engine, f"resident:{person_id}")
            event = await q.event(signup.event_id)
            signup = await q.signup(signup_id)
            assert event is not None
            assert signup is not None
            if signup.state is SignupState.CONFIRMED:
                return Answer("kept", event)
            held = signup.offered_until is not None and now < signup.offered_until
            if signup.state is not SignupState.OFFERED or not held or event.state is EventState.CANCELLED:
                return Answer("gone", event)
            if await self._resident_busy(person_id, event):
                # A session booked meanwhile: the place goes to the next in line.
                await q.move_signup(signup.id, from_states={SignupState.OFFERED}, to=SignupState.DECLINED, now=now)
                await self._messages.left(signup, event, tell=False)
                await self._promote(event)
                return Answer("gone", event)
            await q.move_signup(signup.id, from_states={SignupState.OFFERED}, to=SignupState.CONFIRMED, now=now)
            await self._messages.kept(signup, event)
            await self._audit.record(
                None,
                "event_signup.keep",
                "group_event",
                str(event.id),
                organisation_id=event.organisation_id,
                subject_id=person_id,
            )
        return Answer("kept", event)

    async def give_up(self, person_id: uuid.UUID, signup_id: uuid.UUID) -> Answer:
        """ "2" to a place offered (or PERU to a place or the waitlist): it goes to the next in line."""
        signup = await self._own_signup(person_id, signup_id)
        if signup is None or signup.state not in ACTIVE:
            return Answer("gone", await q.event(signup.event_id) if signup else None)
        offered = signup.state is SignupState.OFFERED
        to = SignupState.DECLINED if offered else SignupState.CANCELLED
        resident = Principal(
            person_id=person_id,
            sign_in_id=uuid.UUID(int=0),
            first_name="",
            language="fi",
            grants=frozenset({Grant(Role.RESIDENT, None)}),
        )
        left = await self._leave(resident, signup.event_id, signup.id, to=to, tell=False)
        event = await q.event(signup.event_id)
        if left.state is not to:
            return Answer("gone", event)
        return Answer("given_up" if offered else "left", event)

    async def signup_state(self, person_id: uuid.UUID, signup_id: uuid.UUID) -> tuple[str, GroupEvent] | None:
        """The state of the resident's own sign-up and its event (None: not theirs)."""
        signup = await self._own_signup(person_id, signup_id)
        event = await q.event(signup.event_id) if signup is not None else None
        return (signup.state.value, event) if signup is not None and event is not None else None

    # ---- the scheduler ----------------------------------------------------------------------------------------

    async def expire_offers(self) -> int:
        """Places offered and not answered in time pass to the next in line. Returns how many passed on."""
        now = self._clock.now()
        passed = 0
        for signup_id, event_id in await q.offers_ended(now):
            async with write_transaction(self._engine):
                await serialise(self._engine, f"event:{event_id}")
                signup = await q.signup(signup_id)
                event = await q.event(event_id)
                if signup is None or event is None or signup.offered_until is None or signup.offered_until > now:
                    continue
                if not await q.move_signup(
                    signup_id, from_states={SignupState.OFFERED}, to=SignupState.DECLINED, now=now
                ):
                    continue
                await self._messages.left(signup, event, tell=False)
                await self._promote(event)
                await self._audit.record(
                    None,
                    "event_signup.offer_expired",
                    "group_event",
                    str(event_id),
                    organisation_id=event.organisation_id,
                    subject_id=signup.person_id,
                )
                passed += 1
        return passed

    # ---- volunteers -------------------------------------------------------------------------------------------

    async def duties(self, caller: Principal, page: PageRequest) -> Page[tuple[GroupEvent, bool]]:
        """Events in the next eight weeks that need volunteers, at my help points (or remote ones of my
        organisations), and whether I am on each. One I am on stays listed until it ends: the volunteer on duty
        marks who came."""
        now = self._clock.now()
        found = await self._volunteer_events(caller, since=now - timedelta(minutes=MINUTES[1]))
        mine = await q.duties_of(caller.person_id, {e.id for e in found})
        pairs = [(e, e.id in mine) for e in found if e.starts_at >= now or (e.id in mine and e.ends_at > now)]
        after = page.after((datetime, uuid.UUID))
        if after is not None:
            pairs = [p for p in pairs if p[0].key > (after[0], after[1])]
        return page_of(pairs, page, lambda p: p[0].key)

    async def take_duty(self, caller: Principal, event_id: uuid.UUID) -> GroupEvent:
        """Put me on an event: my time is kept and it counts towards my weekly limit. Taking it again changes
        nothing."""
        event = await self._volunteer_event(caller, event_id)
        volunteer = caller.person_id
        now = self._clock.now()
        if event.starts_at <= now:
            raise Conflict("This event has already begun.", code="event_started")
        buffer = self._placement.rules.buffer
        guarded = Interval(event.starts_at - buffer, event.ends_at + buffer)
        async with write_transaction(self._engine):
            # The event first, then the volunteer: the order every path that takes both keeps (`change`).
            await serialise(self._engine, f"event:{event_id}")
            await self._placement.hold_volunteer(volunteer, guarded)
            if await q.has_duty(event_id, volunteer):
                return event
            if (await q.duty_counts([event_id]))[event_id] >= event.volunteers_needed:
                raise Conflict("This event has all the volunteers it needs.", code="event_staffed")
            busy, full = await self._placement.volunteer_load(
                volunteer, guarded, Interval(event.starts_at, event.ends_at)
            )
            if busy:
                raise Conflict("You have a session or another shift at that time.", code="volunteer_busy")
            if full:
                raise Conflict(
                    "That week is full: your weekly limit counts sessions, shifts and group sessions.",
                    code="weekly_limit_reached",
                )
            duty_id = await q.insert_duty(
                event_id=event_id, volunteer_id=volunteer, starts_at=event.starts_at, ends_at=event.ends_at, now=now
            )
            await self._messages.duty_taken(duty_id, volunteer, event)
            await self._audit.record(
                caller, "event_duty.take", "group_event", str(event_id), organisation_id=event.organisation_id
            )
        found = await q.event(event_id)
        assert found is not None
        return found

    async def give_back_duty(self, caller: Principal, event_id: uuid.UUID) -> None:
        event = await self._volunteer_event(caller, event_id)
        if event.starts_at <= self._clock.now():
            raise Conflict("This event has already begun.", code="event_started")
        async with write_transaction(self._engine):
            duty_id = await q.delete_duty(event_id, caller.person_id)
            if duty_id is None:
                raise NotFound("You are not on this event.", code="event_duty_not_found")
            await self._messages.duty_given_back(duty_id)
            await self._audit.record(
                caller, "event_duty.give_back", "group_event", str(event_id), organisation_id=event.organisation_id
            )

    # ---- helpers ----------------------------------------------------------------------------------------------

    async def _sign_up(
        self, actor: Principal, event_id: uuid.UUID, person_id: uuid.UUID, *, channel: str, consent: bool, own: bool
    ) -> SignedUp:
        now = self._clock.now()
        async with write_transaction(self._engine):
            await serialise(self._engine, f"event:{event_id}")
            await serialise(self._engine, f"resident:{person_id}")
            event = await q.event(event_id)
            if event is None:
                raise NotFound("No such event.", code="event_not_found")
            if event.state is EventState.CANCELLED:
                raise Conflict("This event has been cancelled.", code="event_cancelled")
            if event.closed_day:
                raise Conflict("The help point is closed that day.", code="event_on_closed_day")
            if not event.open_for_signup(now):
                raise Conflict("This event has already begun.", code="event_started")
            existing = await q.signup_of(event_id, person_id)
            if existing is not None and existing.state in ACTIVE:
                position = (
                    await q.position(event_id, existing.queue_no) if existing.state is SignupState.WAITLISTED else 0
                )
                return SignedUp(replace(existing, position=position), event, position, already=True)
            if await self._resident_busy(person_id, event):
                who = "You already have" if own else "The resident already has"
                raise Conflict(f"{who} a session at that time.", code="resident_busy")
            state = place_on_signup(await q.holding(event_id), event.capacity)
            if state is SignupState.WAITLISTED and await q.waitlist_length(event_id) >= MAX_WAITLIST:
                raise Conflict("The event and its waitlist are full.", code="event_full")
            queue_no = await q.next_queue_no(event_id)
            consent_at = now if consent else None
            if existing is not None:
                await q.rejoin(
                    existing.id, state=state, queue_no=queue_no, channel=channel, consent_at=consent_at, now=now
                )
                signup_id = existing.id
            else:
                signup_id = await q.insert_signup(
                    event_id=event_id,
                    person_id=person_id,
                    state=state,
                    queue_no=queue_no,
                    channel=channel,
                    consent_at=consent_at,
                    now=now,
                )
            signup = await q.signup(signup_id)
            assert signup is not None
            position = await q.position(event_id, queue_no) if state is SignupState.WAITLISTED else 0
            await self._messages.signed_up(signup, event, position=position, own=own)
            await self._audit.record(
                actor,
                "event_signup.add",
                "group_event",
                str(event_id),
                organisation_id=event.organisation_id,
                subject_id=person_id,
                detail={"state": state.value, "channel": channel},
            )
        counted = await q.event(event_id)
        return SignedUp(replace(signup, position=position), counted or event, position)

    async def _leave(
        self, actor: Principal, event_id: uuid.UUID, signup_id: uuid.UUID, *, to: SignupState, tell: bool
    ) -> Signup:
        """End a sign-up (from a place, an offer or the waitlist); a place it held goes to the next in line."""
        now = self._clock.now()
        async with write_transaction(self._engine):
            await serialise(self._engine, f"event:{event_id}")
            signup = await q.signup(signup_id)
            event = await q.event(event_id)
            if signup is None or event is None or signup.event_id != event_id:
                raise NotFound("No such participant.", code="event_signup_not_found")
            if signup.state not in ACTIVE:
                return signup
            if now >= event.starts_at:
                raise Conflict("This event has already begun.", code="event_started")
            await q.move_signup(signup_id, from_states=ACTIVE, to=to, now=now)
            await self._messages.left(signup, event, tell=tell)
            if signup.state in HOLDING:
                await self._promote(event)
            await self._audit.record(
                actor,
                "event_signup.leave",
                "group_event",
                str(event_id),
                organisation_id=event.organisation_id,
                subject_id=signup.person_id,
                detail={"from": signup.state.value, "to": to.value},
            )
        left = await q.signup(signup_id)
        assert left is not None
        return left

    async def _promote(self, event: GroupEvent) -> None:
        """Inside the event's serialised transaction: the free places go to the first on the waitlist, each held
        for them (a landline's confirmed at once)."""
        now = self._clock.now()
        while promotable(event, now) and await q.holding(event.id) < event.capacity:
            first = await q.first_waitlisted(event.id)
            if first is None:
                return
            if not is_mobile(first.phone):
                await q.move_signup(first.id, from_states={SignupState.WAITLISTED}, to=SignupState.CONFIRMED, now=now)
                await self._messages.place_given(first, event)
            else:
                until = offer_until(now, event.starts_at, self._messages.quiet_hours.later(now))
                if until is None:
                    return
                await q.move_signup(
                    first.id, from_states={SignupState.WAITLISTED}, to=SignupState.OFFERED, now=now, offered_until=until
                )
                await self._messages.place_offered(first, event, until)
            await self._audit.record(
                None,
                "event_signup.promote",
                "group_event",
                str(event.id),
                organisation_id=event.organisation_id,
                subject_id=first.person_id,
            )

    async def _resident_busy(self, person_id: uuid.UUID, event: GroupEvent) -> bool:
        when = Interval(event.starts_at, event.ends_at)
        return await booking_q.resident_overlaps(person_id, when) or await q.resident_overlaps(
            person_id, event.starts_at, event.ends_at, exclude=event.id
        )

    @staticmethod
    async def _own_signup(person_id: uuid.UUID, signup_id: uuid.UUID) -> Signup | None:
        found = await q.signup(signup_id)
        return found if found is not None and found.person_id == person_id else None

    async def _managed_event(self, caller: Principal, event_id: uuid.UUID) -> GroupEvent:
        """An event of one of the caller's organisations (404 for any other)."""
        found = await q.event(event_id)
        if found is None or not caller.coordinates(found.organisation_id):
            raise NotFound("No such event.", code="event_not_found")
        return found

    async def _staff_event(self, caller: Principal, event_id: uuid.UUID) -> GroupEvent:
        """An event the caller coordinates or is on duty at (404 for any other)."""
        found = await q.event(event_id)
        if found is None:
            raise NotFound("No such event.", code="event_not_found")
        if caller.coordinates(found.organisation_id) or await q.has_duty(event_id, caller.person_id):
            return found
        raise NotFound("No such event.", code="event_not_found")

    async def _volunteer_events(self, caller: Principal, since: datetime | None = None) -> list[GroupEvent]:
        """Events in the next eight weeks that need volunteers: at the caller's help points, or remote ones of the
        organisations they volunteer for (starting from `since`, else now)."""
        now = self._clock.now()
        since = now if since is None else since
        until = now + timedelta(days=DUTY_DAYS)
        points = await drop_in_q.works_at(caller.person_id)
        organisations = {
            g.organisation_id for g in caller.grants if g.role is Role.VOLUNTEER and g.organisation_id is not None
        }
        at_points = await q.events_between(since, until, help_points=points)
        remote = [e for e in await q.events_between(since, until, organisations=organisations) if e.remote]
        found = sorted([*at_points, *remote], key=lambda e: e.key)
        return [e for e in found if e.volunteers_needed > 0]

    async def _volunteer_event(self, caller: Principal, event_id: uuid.UUID) -> GroupEvent:
        for event in await self._volunteer_events(caller):
            if event.id == event_id:
                return event
        raise NotFound("No such event.", code="event_not_found")
