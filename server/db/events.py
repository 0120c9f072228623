"""Group sessions: events, residents' sign-ups (places and the waitlist) and volunteers' duties."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from server.db.codec import as_json, as_list, as_uuid
from server.db.tables import EventDuty, EventSignup, GroupEvent, HelpPointDay, Membership
from server.domain.clocktime import local_date
from server.domain.days import DayState
from server.domain.events import HOLDING, Attendance, EventState, Signup, SignupState, Venue
from server.domain.events import GroupEvent as Event

_EVENT_COLUMNS = (
    GroupEvent.id,
    GroupEvent.organisation,
    GroupEvent.help_point,
    GroupEvent.title,
    GroupEvent.description,
    GroupEvent.topics,
    GroupEvent.language,
    GroupEvent.starts_at,
    GroupEvent.ends_at,
    GroupEvent.capacity,
    GroupEvent.volunteers_needed,
    GroupEvent.bring,
    GroupEvent.state,
    GroupEvent.help_point.name.as_alias("place_name"),
    GroupEvent.help_point.street_address.as_alias("street_address"),
    GroupEvent.help_point.postal_code.as_alias("postal_code"),
    GroupEvent.help_point.municipality.as_alias("municipality"),
    GroupEvent.help_point.accessibility_notes.as_alias("accessibility_notes"),
    GroupEvent.help_point.translations.as_alias("translations"),
)
_SIGNUP_COLUMNS = (
    EventSignup.id,
    EventSignup.event,
    EventSignup.person,
    EventSignup.state,
    EventSignup.queue_no,
    EventSignup.channel,
    EventSignup.offered_until,
    EventSignup.attendance,
    EventSignup.created_at,
    EventSignup.person.first_name.as_alias("first_name"),
    EventSignup.person.phone.as_alias("phone"),
    EventSignup.person.language.as_alias("language"),
)


def _event(r: dict[str, Any]) -> Event:
    point = r["help_point"]
    venue = Venue(
        help_point_id=as_uuid(point) if point is not None else None,
        name=r["place_name"] or "",
        street_address=r["street_address"] or "",
        postal_code=r["postal_code"] or "",
        municipality=r["municipality"] or "",
        accessibility_notes=r["accessibility_notes"] or "",
        translations=as_json(r["translations"], {}) if point is not None else {},
    )
    return Event(
        id=as_uuid(r["id"]),
        organisation_id=as_uuid(r["organisation"]),
        venue=venue,
        title=r["title"],
        description=r["description"],
        topics=tuple(as_list(r["topics"])),
        language=r["language"],
        starts_at=r["starts_at"],
        ends_at=r["ends_at"],
        capacity=int(r["capacity"]),
        volunteers_needed=int(r["volunteers_needed"]),
        bring=r["bring"],
        state=EventState(r["state"]),
    )


def _signup(r: dict[str, Any]) -> Signup:
    return Signup(
        id=as_uuid(r["id"]),
        event_id=as_uuid(r["event"]),
        person_id=as_uuid(r["person"]),
        state=SignupState(r["state"]),
        queue_no=int(r["queue_no"]),
        channel=r["channel"],
        offered_until=r["offered_until"],
        attendance=Attendance(r["attendance"]),
        created_at=r["created_at"],
        first_name=r["first_name"] or "",
        phone=r["phone"] or "",
        language=r["language"] or "fi",
    )


# ---- events ------------------------------------------------------------------------------------------------


async def insert_event(
    *,
    organisation_id: uuid.UUID,
    help_point_id: uuid.UUID | None,
    title: str,
    description: str,
    topics: list[str],
    language: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    volunteers_needed: int,
    bring: str,
    created_by: uuid.UUID,
    now: datetime,
) -> uuid.UUID:
    event_id = uuid.uuid4()
    await GroupEvent.insert(
        GroupEvent(
            id=event_id,
            organisation=organisation_id,
            help_point=help_point_id,
            title=title,
            description=description,
            topics=json.dumps(topics),
            language=language,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            volunteers_needed=volunteers_needed,
            bring=bring,
            state=EventState.SCHEDULED.value,
            created_by=created_by,
            created_at=now,
        )
    )
    return event_id


async def with_counts(events: list[Event]) -> list[Event]:
    """The events with their places taken, waitlist and volunteers on duty counted (one query each)."""
    if not events:
        return []
    ids = [e.id for e in events]
    rows = await EventSignup.select(EventSignup.event, EventSignup.state, EventSignup.attendance).where(
        EventSignup.event.is_in(ids) & EventSignup.state.is_in([s.value for s in (*HOLDING, SignupState.WAITLISTED)])
    )
    taken: Counter[uuid.UUID] = Counter()
    waiting: Counter[uuid.UUID] = Counter()
    came: Counter[tuple[uuid.UUID, str]] = Counter()
    for r in rows:
        event_id = as_uuid(r["event"])
        (waiting if r["state"] == SignupState.WAITLISTED.value else taken)[event_id] += 1
        came[(event_id, r["attendance"])] += 1
    staffed, gone = await _duties_by_state(ids)
    closed = await _on_closed_days(events)
    return [
        replace(
            e,
            confirmed=taken[e.id],
            waitlisted=waiting[e.id],
            staffed=staffed[e.id],
            duties_gone=gone[e.id],
            attended=came[(e.id, Attendance.ATTENDED.value)],
            no_shows=came[(e.id, Attendance.NO_SHOW.value)],
            closed_day=e.id in closed,
        )
        for e in events
    ]


async def _on_closed_days(events: list[Event]) -> set[uuid.UUID]:
    """The events whose help point is closed on their (local) date."""
    at_points = [e for e in events if e.venue.help_point_id is not None]
    if not at_points:
        return set()
    days = {local_date(e.starts_at) for e in at_points}
    rows = await HelpPointDay.select(HelpPointDay.help_point, HelpPointDay.day).where(
        HelpPointDay.help_point.is_in(list({e.venue.help_point_id for e in at_points}))
        & HelpPointDay.day.is_in(list(days))
        & (HelpPointDay.state == DayState.CLOSED.value)
    )
    closed = {(as_uuid(r["help_point"]), r["day"]) for r in rows}
    return {e.id for e in at_points if (e.venue.help_point_id, local_date(e.starts_at)) in closed}


async def event(event_id: uuid.UUID) -> Event | None:
    rows = await GroupEvent.select(*_EVENT_COLUMNS).where(GroupEvent.id == event_id)
    if not rows:
        return None
    return (await with_counts([_event(rows[0])]))[0]


async def events_between(
    since: datetime,
    until: datetime,
    *,
    municipality: str | None = None,
    organisations: Collection[uuid.UUID] | None = None,
    help_points: Collection[uuid.UUID] | None = None,
    scheduled_only: bool = True,
) -> list[Event]:
    """Events starting in [since, until), earliest first, optionally of a municipality, of some organisations or of
    some help points (with their counts)."""
    query = (
        GroupEvent.select(*_EVENT_COLUMNS)
        .where((GroupEvent.starts_at >= since) & (GroupEvent.starts_at < until))
        .order_by(GroupEvent.starts_at)
        .order_by(GroupEvent.id)
    )
    if scheduled_only:
        query = query.where(GroupEvent.state == EventState.SCHEDULED.value)
    if municipality is not None:
        query = query.where(GroupEvent.help_point.municipality == municipality)
    if organisations is not None:
        query = query.where(
            GroupEvent.organisation.is_in(list(organisations)) if organisations else GroupEvent.id.is_null()
        )
    if help_points is not None:
        query = query.where(GroupEvent.help_point.is_in(list(help_points)) if help_points else GroupEvent.id.is_null())
    return await with_counts([_event(r) for r in await query])


async def update_event(event_id: uuid.UUID, changes: dict[str, Any]) -> None:
    """Change an event's own fields (`topics` a list, written as JSON)."""
    if "topics" in changes:
        changes = {**changes, "topics": json.dumps(changes["topics"])}
    if changes:
        await GroupEvent.update({getattr(GroupEvent, k): v for k, v in changes.items()}).where(
            GroupEvent.id == event_id
        )


async def duties_of_event(event_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(duty, volunteer) of each volunteer on the event."""
    rows = await EventDuty.select(EventDuty.id, EventDuty.volunteer).where(EventDuty.event == event_id)
    return [(as_uuid(r["id"]), as_uuid(r["volunteer"])) for r in rows]


async def delete_duty_by_id(duty_id: uuid.UUID) -> None:
    await EventDuty.delete().where(EventDuty.id == duty_id)


async def move_duties(event_id: uuid.UUID, starts_at: datetime, ends_at: datetime) -> None:
    await EventDuty.update({EventDuty.starts_at: starts_at, EventDuty.ends_at: ends_at}).where(
        EventDuty.event == event_id
    )


async def cancel_event(event_id: uuid.UUID, now: datetime) -> bool:
    changed = (
        await GroupEvent.update({GroupEvent.state: EventState.CANCELLED.value, GroupEvent.cancelled_at: now})
        .where((GroupEvent.id == event_id) & (GroupEvent.state == EventState.SCHEDULED.value))
        .returning(GroupEvent.id)
    )
    return bool(changed)


async def municipalities(since: datetime) -> list[str]:
    rows = await GroupEvent.select(GroupEvent.help_point.municipality.as_alias("municipality")).where(
        (GroupEvent.state == EventState.SCHEDULED.value)
        & (GroupEvent.starts_at >= since)
        & GroupEvent.help_point.is_not_null()
    )
    return sorted({r["municipality"] for r in rows if r["municipality"]})


# ---- sign-ups ----------------------------------------------------------------------------------------------


async def signup(signup_id: uuid.UUID) -> Signup | None:
    rows = await EventSignup.select(*_SIGNUP_COLUMNS).where(EventSignup.id == signup_id)
    return _signup(rows[0]) if rows else None


async def signup_of(event_id: uuid.UUID, person_id: uuid.UUID) -> Signup | None:
    rows = await EventSignup.select(*_SIGNUP_COLUMNS).where(
        (EventSignup.event == event_id) & (EventSignup.person == person_id)
    )
    return _signup(rows[0]) if rows else None


async def signups(event_id: uuid.UUID) -> list[Signup]:
    """Every sign-up of an event in the order they came (a list bounded by the event's capacity and waitlist)."""
    rows = (
        await EventSignup.select(*_SIGNUP_COLUMNS)
        .where(EventSignup.event == event_id)
        .order_by(EventSignup.queue_no)
        .order_by(EventSignup.id)
    )
    found = [_signup(r) for r in rows]
    position = 0
    numbered = []
    for one in found:
        if one.state is SignupState.WAITLISTED:
            position += 1
            one = replace(one, position=position)  # noqa: PLW2901
        numbered.append(one)
    return numbered


async def signups_of_person(person_id: uuid.UUID, since: datetime) -> list[Signup]:
    """A resident's sign-ups of events that end after `since`."""
    rows = await EventSignup.select(*_SIGNUP_COLUMNS).where(
        (EventSignup.person == person_id) & (EventSignup.event.ends_at > since)
    )
    return [_signup(r) for r in rows]


async def live_signups(person_id: uuid.UUID, now: datetime) -> list[Signup]:
    """The resident's places, offers and waitlist entries of events not yet begun (what their erasure cancels)."""
    rows = await EventSignup.select(*_SIGNUP_COLUMNS).where(
        (EventSignup.person == person_id)
        & EventSignup.state.is_in([s.value for s in (*HOLDING, SignupState.WAITLISTED)])
        & (EventSignup.event.starts_at > now)
    )
    return [_signup(r) for r in rows]


async def holding(event_id: uuid.UUID) -> int:
    """Places taken (confirmed, or held for someone who was offered one)."""
    return int(
        await EventSignup.count().where(
            (EventSignup.event == event_id) & EventSignup.state.is_in([s.value for s in HOLDING])
        )
    )


async def waitlist_length(event_id: uuid.UUID) -> int:
    return int(
        await EventSignup.count().where(
            (EventSignup.event == event_id) & (EventSignup.state == SignupState.WAITLISTED.value)
        )
    )


async def position(event_id: uuid.UUID, queue_no: int) -> int:
    """A waitlisted sign-up's place in the queue, from 1."""
    ahead = await EventSignup.count().where(
        (EventSignup.event == event_id)
        & (EventSignup.state == SignupState.WAITLISTED.value)
        & (EventSignup.queue_no < queue_no)
    )
    return int(ahead) + 1


async def next_queue_no(event_id: uuid.UUID) -> int:
    rows = (
        await EventSignup.select(EventSignup.queue_no)
        .where(EventSignup.event == event_id)
        .order_by(EventSignup.queue_no, ascending=False)
        .limit(1)
    )
    return int(rows[0]["queue_no"]) + 1 if rows else 1


async def insert_signup(
    *,
    event_id: uuid.UUID,
    person_id: uuid.UUID,
    state: SignupState,
    queue_no: int,
    channel: str,
    consent_at: datetime | None,
    now: datetime,
) -> uuid.UUID:
    signup_id = uuid.uuid4()
    await EventSignup.insert(
        EventSignup(
            id=signup_id,
            event=event_id,
            person=person_id,
            state=state.value,
            queue_no=queue_no,
            channel=channel,
            consent_at=consent_at,
            offered_until=None,
            attendance="",
            created_at=now,
            updated_at=now,
        )
    )
    return signup_id


async def rejoin(
    signup_id: uuid.UUID, *, state: SignupState, queue_no: int, channel: str, consent_at: datetime | None, now: datetime
) -> None:
    """A resident who had cancelled (or given up a place) signs up again: at the end of the queue."""
    await EventSignup.update(
        {
            EventSignup.state: state.value,
            EventSignup.queue_no: queue_no,
            EventSignup.channel: channel,
            EventSignup.consent_at: consent_at,
            EventSignup.offered_until: None,
            EventSignup.updated_at: now,
        }
    ).where(EventSignup.id == signup_id)


async def move_signup(
    signup_id: uuid.UUID,
    *,
    from_states: Collection[SignupState],
    to: SignupState,
    now: datetime,
    offered_until: datetime | None = None,
) -> bool:
    """Move a sign-up on, only from one of `from_states` (a second answer, or an expiry racing an answer, finds it
    moved already and changes nothing)."""
    changed = (
        await EventSignup.update(
            {EventSignup.state: to.value, EventSignup.offered_until: offered_until, EventSignup.updated_at: now}
        )
        .where((EventSignup.id == signup_id) & EventSignup.state.is_in([s.value for s in from_states]))
        .returning(EventSignup.id)
    )
    return bool(changed)


async def first_waitlisted(event_id: uuid.UUID) -> Signup | None:
    rows = (
        await EventSignup.select(*_SIGNUP_COLUMNS)
        .where((EventSignup.event == event_id) & (EventSignup.state == SignupState.WAITLISTED.value))
        .order_by(EventSignup.queue_no)
        .limit(1)
    )
    return _signup(rows[0]) if rows else None


async def active_signups(event_id: uuid.UUID) -> list[Signup]:
    rows = await EventSignup.select(*_SIGNUP_COLUMNS).where(
        (EventSignup.event == event_id) & EventSignup.state.is_in([s.value for s in (*HOLDING, SignupState.WAITLISTED)])
    )
    return [_signup(r) for r in rows]


async def cancel_all(event_id: uuid.UUID, now: datetime) -> None:
    await EventSignup.update(
        {EventSignup.state: SignupState.CANCELLED.value, EventSignup.offered_until: None, EventSignup.updated_at: now}
    ).where(
        (EventSignup.event == event_id) & EventSignup.state.is_in([s.value for s in (*HOLDING, SignupState.WAITLISTED)])
    )


async def offers_ended(now: datetime, *, limit: int = 100) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(sign-up, event) of places offered and not answered in time, oldest first."""
    rows = (
        await EventSignup.select(EventSignup.id, EventSignup.event)
        .where((EventSignup.state == SignupState.OFFERED.value) & (EventSignup.offered_until <= now))
        .order_by(EventSignup.offered_until)
        .limit(limit)
    )
    return [(as_uuid(r["id"]), as_uuid(r["event"])) for r in rows]


async def set_attendance(signup_id: uuid.UUID, event_id: uuid.UUID, attendance: Attendance, now: datetime) -> bool:
    changed = (
        await EventSignup.update({EventSignup.attendance: attendance.value, EventSignup.updated_at: now})
        .where(
            (EventSignup.id == signup_id)
            & (EventSignup.event == event_id)
            & (EventSignup.state == SignupState.CONFIRMED.value)
        )
        .returning(EventSignup.id)
    )
    return bool(changed)


async def resident_overlaps(
    person_id: uuid.UUID, since: datetime, until: datetime, *, exclude: uuid.UUID | None
) -> bool:
    """A place (confirmed or held) of the resident at another event overlapping [since, until)."""
    query = EventSignup.count().where(
        (EventSignup.person == person_id)
        & EventSignup.state.is_in([s.value for s in HOLDING])
        & (EventSignup.event.state == EventState.SCHEDULED.value)
        & (EventSignup.event.starts_at < until)
        & (EventSignup.event.ends_at > since)
    )
    if exclude is not None:
        query = query.where(EventSignup.event != exclude)
    return int(await query) > 0


# ---- volunteers' duties ------------------------------------------------------------------------------------


async def duty_counts(event_ids: Collection[uuid.UUID]) -> Counter[uuid.UUID]:
    """Volunteers on duty per event (those still active volunteers)."""
    return (await _duties_by_state(event_ids))[0]


async def _duties_by_state(event_ids: Collection[uuid.UUID]) -> tuple[Counter[uuid.UUID], Counter[uuid.UUID]]:
    """Per event, the duties of volunteers still active, and of those deactivated or gone (someone else is
    needed)."""
    if not event_ids:
        return Counter(), Counter()
    rows = await EventDuty.select(EventDuty.event, EventDuty.volunteer).where(EventDuty.event.is_in(list(event_ids)))
    people = list({as_uuid(r["volunteer"]) for r in rows})
    still: set[uuid.UUID] = set()
    if people:
        members = await Membership.select(Membership.person).where(
            Membership.person.is_in(people) & (Membership.role == "volunteer") & (Membership.active == True)  # noqa: E712
        )
        still = {as_uuid(m["person"]) for m in members}
    on = Counter(as_uuid(r["event"]) for r in rows if as_uuid(r["volunteer"]) in still)
    gone = Counter(as_uuid(r["event"]) for r in rows if as_uuid(r["volunteer"]) not in still)
    return on, gone


async def on_duty(event_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """The volunteers on an event, (id, first name), in the order they took it."""
    rows = (
        await EventDuty.select(EventDuty.volunteer, EventDuty.volunteer.first_name.as_alias("first_name"))
        .where(EventDuty.event == event_id)
        .order_by(EventDuty.taken_at)
    )
    return [(as_uuid(r["volunteer"]), r["first_name"]) for r in rows]


async def duties_of(volunteer_id: uuid.UUID, event_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    if not event_ids:
        return set()
    rows = await EventDuty.select(EventDuty.event).where(
        (EventDuty.volunteer == volunteer_id) & EventDuty.event.is_in(list(event_ids))
    )
    return {as_uuid(r["event"]) for r in rows}


async def has_duty(event_id: uuid.UUID, volunteer_id: uuid.UUID) -> bool:
    return bool(await EventDuty.exists().where((EventDuty.event == event_id) & (EventDuty.volunteer == volunteer_id)))


async def insert_duty(
    *, event_id: uuid.UUID, volunteer_id: uuid.UUID, starts_at: datetime, ends_at: datetime, now: datetime
) -> uuid.UUID:
    duty_id = uuid.uuid4()
    await EventDuty.insert(
        EventDuty(
            id=duty_id, event=event_id, volunteer=volunteer_id, starts_at=starts_at, ends_at=ends_at, taken_at=now
        )
    )
    return duty_id


async def delete_duty(event_id: uuid.UUID, volunteer_id: uuid.UUID) -> uuid.UUID | None:
    found = (
        await EventDuty.delete()
        .where((EventDuty.event == event_id) & (EventDuty.volunteer == volunteer_id))
        .returning(EventDuty.id)
    )
    return as_uuid(found[0]["id"]) if found else None


async def delete_duties(event_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Remove an event's duties (it was cancelled): (duty, volunteer) of each."""
    rows = await EventDuty.delete().where(EventDuty.event == event_id).returning(EventDuty.id, EventDuty.volunteer)
    return [(as_uuid(r["id"]), as_uuid(r["volunteer"])) for r in rows]


@dataclass(frozen=True, slots=True)
class SignupCheck:
    """What the dispatcher checks of a sign-up just before sending a message about it."""

    state: SignupState
    event_state: EventState
    closed_day: bool


async def signup_checks(signup_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, SignupCheck]:
    if not signup_ids:
        return {}
    rows = await EventSignup.select(EventSignup.id, EventSignup.state, EventSignup.event).where(
        EventSignup.id.is_in(list(signup_ids))
    )
    events: dict[uuid.UUID, Event] = {}
    for event_id in {as_uuid(r["event"]) for r in rows}:
        found = await GroupEvent.select(*_EVENT_COLUMNS).where(GroupEvent.id == event_id)
        if found:
            events[event_id] = _event(found[0])
    closed = await _on_closed_days(list(events.values()))
    checks = {}
    for r in rows:
        event = events.get(as_uuid(r["event"]))
        if event is not None:
            checks[as_uuid(r["id"])] = SignupCheck(SignupState(r["state"]), event.state, event.id in closed)
    return checks
