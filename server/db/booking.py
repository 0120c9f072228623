"""Queries for booking: the candidates matching needs (in a handful of set-based queries, not one per
volunteer), sessions, and requests."""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from server.db.tables import (
    AvailabilityOverride,
    AvailabilityRule,
    HelpRequest,
    HelpSession,
    Membership,
    Person,
    VolunteerHelpPoint,
    VolunteerProfile,
    VolunteerTopic,
)
from server.domain.availability import DateOverride, WeeklyRule, expand
from server.domain.clocktime import Interval, week_of
from server.domain.matching import Candidate, Modality, Need, Place
from server.domain.roles import Role
from server.domain.slots import VolunteerTime
from server.domain.states import ACTIVE_SESSION_STATES

ACTIVE = [s.value for s in ACTIVE_SESSION_STATES]
FAIRNESS_WINDOW = timedelta(days=28)


def _list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return list(json.loads(value)) if value else []
    return list(value or [])


async def candidates(
    *,
    topic: str,
    modality: Modality,
    help_point_id: uuid.UUID | None,
    first: date,
    last: date,
    now: datetime,
) -> list[Candidate]:
    """Active volunteers who help with `topic` (and work at `help_point_id` for help-point sessions), with
    their calendars for `first`..`last`. Language and the other rules are left to matching."""
    skilled = await VolunteerTopic.select(VolunteerTopic.person, VolunteerTopic.skill).where(
        VolunteerTopic.topic == topic
    )
    skill_of = {r["person"]: r["skill"] for r in skilled}
    if not skill_of:
        return []
    members = await Membership.select(Membership.person).where(
        Membership.person.is_in(list(skill_of))
        & (Membership.role == Role.VOLUNTEER.value)
        & (Membership.active == True)  # noqa: E712 - Piccolo operator
        & (Membership.organisation.active == True)  # noqa: E712
        & (Membership.person.active == True)  # noqa: E712
    )
    ids = list({r["person"] for r in members})
    if not ids:
        return []
    points: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for r in await VolunteerHelpPoint.select(VolunteerHelpPoint.person, VolunteerHelpPoint.help_point).where(
        VolunteerHelpPoint.person.is_in(ids)
    ):
        points[r["person"]].add(r["help_point"])
    if modality is Modality.HELP_POINT:
        ids = [i for i in ids if help_point_id in points[i]]
    profiles = {r["person"]: r for r in await VolunteerProfile.select().where(VolunteerProfile.person.is_in(ids))}
    ids = [i for i in ids if i in profiles]
    if not ids:
        return []
    rules, overrides = await _availability(ids)
    # Whole weeks around the range, so weekly caps count sessions outside it too.
    week_first = first - timedelta(days=first.weekday() + 1)
    week_last = last + timedelta(days=7 - last.weekday())
    since = min(datetime.combine(week_first, datetime.min.time(), tzinfo=now.tzinfo), now - FAIRNESS_WINDOW)
    sessions = await HelpSession.select(
        HelpSession.volunteer, HelpSession.starts_at, HelpSession.ends_at, HelpSession.state
    ).where(
        HelpSession.volunteer.is_in(ids)
        & (HelpSession.starts_at >= since)
        & (HelpSession.starts_at < datetime.combine(week_last, datetime.min.time(), tzinfo=now.tzinfo))
    )
    busy: dict[uuid.UUID, list[Interval]] = defaultdict(list)
    per_week: dict[uuid.UUID, Counter[tuple[int, int]]] = defaultdict(Counter)
    recent: Counter[uuid.UUID] = Counter()
    for s in sessions:
        if s["state"] in ACTIVE:
            # The session itself; slot search keeps the buffer on both sides of it.
            busy[s["volunteer"]].append(Interval(s["starts_at"], s["ends_at"]))
        if s["state"] != "cancelled":
            per_week[s["volunteer"]][week_of(s["starts_at"])] += 1
            if now - FAIRNESS_WINDOW <= s["starts_at"] <= now:
                recent[s["volunteer"]] += 1
    remote = modality.remote
    found = []
    for person_id in ids:
        p = profiles[person_id]
        home = (
            Place(p["home_latitude"], p["home_longitude"])
            if p["home_latitude"] is not None and p["home_longitude"] is not None
            else None
        )
        found.append(
            Candidate(
                id=person_id,
                active=True,
                skills={topic: skill_of[person_id]},
                languages=frozenset(_list(p["languages"])),
                help_point_ids=frozenset(points[person_id]),
                remote=bool(p["remote"]),
                home_visits=bool(p["home_visits"]),
                home=home,
                travel_radius_km=float(p["travel_radius_km"]),
                needs_experience=frozenset(Need(n) for n in _list(p["needs_experience"])),
                recent_sessions=recent[person_id],
                time=VolunteerTime(
                    id=person_id,
                    available=expand(rules[person_id], overrides[person_id], first, last, remote=remote),
                    busy=busy[person_id],
                    weekly_cap=int(p["weekly_cap"]),
                    booked_per_week=dict(per_week[person_id]),
                ),
            )
        )
    return found


async def _availability(
    ids: list[uuid.UUID],
) -> tuple[dict[uuid.UUID, list[WeeklyRule]], dict[uuid.UUID, list[DateOverride]]]:
    rules: dict[uuid.UUID, list[WeeklyRule]] = defaultdict(list)
    for r in await AvailabilityRule.select().where(AvailabilityRule.person.is_in(ids)):
        rules[r["person"]].append(WeeklyRule(r["weekday"], r["start"], r["end"], bool(r["remote"])))
    overrides: dict[uuid.UUID, list[DateOverride]] = defaultdict(list)
    for r in await AvailabilityOverride.select().where(AvailabilityOverride.person.is_in(ids)):
        overrides[r["person"]].append(DateOverride(r["day"], bool(r["away"]), r["start"], r["end"], bool(r["remote"])))
    return rules, overrides


async def previous_volunteer(resident_id: uuid.UUID) -> uuid.UUID | None:
    rows = (
        await HelpSession.select(HelpSession.volunteer)
        .where((HelpSession.resident == resident_id) & (HelpSession.state == "done"))
        .order_by(HelpSession.starts_at, ascending=False)
        .limit(1)
    )
    return rows[0]["volunteer"] if rows else None


async def resident_overlaps(resident_id: uuid.UUID, when: Interval) -> bool:
    count = await HelpSession.count().where(
        (HelpSession.resident == resident_id)
        & HelpSession.state.is_in(ACTIVE)
        & (HelpSession.starts_at < when.end)
        & (HelpSession.ends_at > when.start)
    )
    return int(count) > 0


async def volunteer_busy(volunteer_id: uuid.UUID, guarded: Interval) -> bool:
    """Another active session of this volunteer inside `guarded` (a new session widened by the buffer on both
    sides): the same rule slot search applies."""
    count = await HelpSession.count().where(
        (HelpSession.volunteer == volunteer_id)
        & HelpSession.state.is_in(ACTIVE)
        & (HelpSession.starts_at < guarded.end)
        & (HelpSession.ends_at > guarded.start)
    )
    return int(count) > 0


async def future_bookings(resident_id: uuid.UUID, now: datetime) -> int:
    return int(
        await HelpSession.count().where(
            (HelpSession.resident == resident_id) & HelpSession.state.is_in(ACTIVE) & (HelpSession.starts_at > now)
        )
    )


async def request_by_idempotency_key(resident_id: uuid.UUID, key: str) -> dict[str, Any] | None:
    rows = await HelpRequest.select().where(
        (HelpRequest.resident == resident_id) & (HelpRequest.idempotency_key == key)
    )
    return rows[0] if rows else None


async def insert_request(values: dict[str, Any]) -> uuid.UUID:
    request_id = uuid.uuid4()
    await HelpRequest.insert(HelpRequest(id=request_id, **values))
    return request_id


async def insert_session(values: dict[str, Any]) -> uuid.UUID:
    session_id = uuid.uuid4()
    await HelpSession.insert(HelpSession(id=session_id, **values))
    return session_id


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: uuid.UUID
    request_id: uuid.UUID
    resident_id: uuid.UUID
    volunteer_id: uuid.UUID | None
    help_point_id: uuid.UUID | None
    modality: str
    starts_at: datetime
    ends_at: datetime
    state: str
    version: int
    topic: str
    resident_first_name: str
    resident_phone: str
    volunteer_first_name: str | None


_SESSION_COLUMNS = (
    HelpSession.id,
    HelpSession.request,
    HelpSession.resident,
    HelpSession.volunteer,
    HelpSession.help_point,
    HelpSession.modality,
    HelpSession.starts_at,
    HelpSession.ends_at,
    HelpSession.state,
    HelpSession.version,
    HelpSession.request.topic.as_alias("topic"),
    HelpSession.resident.first_name.as_alias("resident_first_name"),
    HelpSession.resident.phone.as_alias("resident_phone"),
    HelpSession.volunteer.first_name.as_alias("volunteer_first_name"),
)


def _session(r: dict[str, Any]) -> SessionRow:
    return SessionRow(
        id=r["id"],
        request_id=r["request"],
        resident_id=r["resident"],
        volunteer_id=r["volunteer"],
        help_point_id=r["help_point"],
        modality=r["modality"],
        starts_at=r["starts_at"],
        ends_at=r["ends_at"],
        state=r["state"],
        version=r["version"],
        topic=r["topic"],
        resident_first_name=r["resident_first_name"],
        resident_phone=r["resident_phone"],
        volunteer_first_name=r["volunteer_first_name"],
    )


async def session(session_id: uuid.UUID) -> SessionRow | None:
    rows = await HelpSession.select(*_SESSION_COLUMNS).where(HelpSession.id == session_id)
    return _session(rows[0]) if rows else None


async def session_of_request(request_id: uuid.UUID) -> SessionRow | None:
    rows = await HelpSession.select(*_SESSION_COLUMNS).where(HelpSession.request == request_id)
    return _session(rows[0]) if rows else None


async def sessions_of(
    *, resident_id: uuid.UUID | None = None, volunteer_id: uuid.UUID | None = None
) -> list[SessionRow]:
    query = HelpSession.select(*_SESSION_COLUMNS).order_by(HelpSession.starts_at)
    if resident_id is not None:
        query = query.where(HelpSession.resident == resident_id)
    if volunteer_id is not None:
        query = query.where(HelpSession.volunteer == volunteer_id)
    return [_session(r) for r in await query]


async def set_session_state(session_id: uuid.UUID, *, state: str, expected_version: int, now: datetime) -> bool:
    """Change the state only if nobody changed the session since it was read (optimistic locking)."""
    changes: dict[Any, Any] = {HelpSession.state: state, HelpSession.version: expected_version + 1}
    if state == "cancelled":
        changes[HelpSession.cancelled_at] = now
    rows = (
        await HelpSession.update(changes)
        .where((HelpSession.id == session_id) & (HelpSession.version == expected_version))
        .returning(HelpSession.id)
    )
    return bool(rows)


async def set_request_state(request_id: uuid.UUID, state: str) -> None:
    await HelpRequest.update({HelpRequest.state: state}).where(HelpRequest.id == request_id)


async def person_first_name(person_id: uuid.UUID) -> str:
    rows = await Person.select(Person.first_name).where(Person.id == person_id)
    return str(rows[0]["first_name"]) if rows else ""
