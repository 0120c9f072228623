"""Queries for booking: the candidates matching needs (in a handful of set-based queries, not one per
volunteer), sessions, and requests."""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from server.db.tables import (
    AvailabilityOverride,
    HelpRequest,
    HelpSession,
    Person,
    VolunteerProfile,
)
from server.domain.availability import DateOverride, WeeklyRule, expand
from server.domain.clocktime import Interval, week_of
from server.domain.matching import Candidate, Modality, Need, Place
from server.domain.slots import VolunteerTime
from server.domain.states import ACTIVE_SESSION_STATES

ACTIVE = [s.value for s in ACTIVE_SESSION_STATES]
FAIRNESS_WINDOW = timedelta(days=28)
_NO_WEEKS: Mapping[tuple[int, int], int] = MappingProxyType({})


def as_list(value: Any) -> tuple[Any, ...]:
    """A JSON list column as a tuple, whichever engine stored it."""
    if isinstance(value, str):
        return _parsed(value)
    return tuple(value or ())


@lru_cache(maxsize=1024)
def _parsed(text: str) -> tuple[Any, ...]:
    """JSON lists as stored (languages, needs): a handful of distinct values repeated across every profile."""
    return tuple(json.loads(text)) if text else ()


def _eligible(
    *, topic: str, modality: Modality, help_point_id: uuid.UUID | None, first: date, last: date
) -> tuple[str, list[Any]]:
    """The volunteers who may take the request, as an SQL fragment (FROM … WHERE …) and its parameters, reused
    as a subquery so the database filters once instead of Python filtering everyone: has the topic and a
    profile, is active in an active organisation, works at the help point (or takes remote sessions), and has
    availability of the right kind on one of the weekdays searched (or extra hours on one of the dates).

    The weekly rules of the right kind on those weekdays come with it (`r`, one row per rule, or one row with
    no rule for someone who has only extra hours): joining them costs the database one lookup per volunteer,
    where a separate query would evaluate the whole filter a second time."""
    remote = modality.remote
    weekdays = sorted({(first + timedelta(days=n)).weekday() for n in range(min((last - first).days + 1, 7))})
    params: list[Any] = [remote, topic]
    sql = (
        "FROM volunteer_topic vt JOIN volunteer_profile vp ON vp.person = vt.person "  # noqa: S608 - our own fragment; values are bound parameters
        "JOIN person p ON p.id = vt.person "
        "LEFT JOIN availability_rule r ON r.person = vt.person AND r.remote = {} "
        f"AND r.weekday IN ({', '.join(str(w) for w in weekdays)}) "
        "WHERE vt.topic = {} AND p.active "
        "AND EXISTS (SELECT 1 FROM membership m JOIN organisation o ON o.id = m.organisation "
        "WHERE m.person = vt.person AND m.role = 'volunteer' AND m.active AND o.active) "
    )
    if modality is Modality.HELP_POINT:
        sql += "AND EXISTS (SELECT 1 FROM volunteer_help_point h WHERE h.person = vt.person AND h.help_point = {}) "
        params.append(help_point_id)
    elif remote:
        sql += "AND vp.remote "
    sql += (
        "AND (r.person IS NOT NULL OR EXISTS (SELECT 1 FROM availability_override x WHERE x.person = vt.person "
        "AND NOT x.away AND x.remote = {} AND x.day >= {} AND x.day <= {}))"
    )
    params += [remote, first, last]
    return sql, params


async def candidates(
    *,
    topic: str,
    modality: Modality,
    help_point_id: uuid.UUID | None,
    first: date,
    last: date,
    now: datetime,
) -> list[Candidate]:
    """Eligible volunteers (see `_eligible`) with their calendars for `first`..`last`; language and the other
    rules are left to matching. Three queries whatever the size of the network."""
    where, params = _eligible(topic=topic, modality=modality, help_point_id=help_point_id, first=first, last=last)
    remote = modality.remote
    profiles: dict[uuid.UUID, dict[str, Any]] = {}
    hours: dict[uuid.UUID, list[tuple[int, time, time]]] = {}
    for p in await VolunteerProfile.raw(
        "SELECT vt.person, vt.skill, vp.languages, vp.remote, vp.home_visits, vp.home_latitude, vp.home_longitude, "
        'vp.travel_radius_km, vp.weekly_cap, vp.needs_experience, r.weekday, r.start, r."end" ' + where,
        *params,
    ):
        person_id = _uuid(p["person"])
        own = hours.get(person_id)
        if own is None:
            profiles[person_id] = p
            own = hours[person_id] = []
        if p["weekday"] is not None:
            own.append((p["weekday"], p["start"], p["end"]))
    if not profiles:
        return []
    ids = "(SELECT vt.person " + where + ")"
    overrides = await _overrides(ids, params, first, last)
    calendars = await _sessions(ids, params, first, last, now)
    points = frozenset({help_point_id}) if modality is Modality.HELP_POINT and help_point_id else frozenset()
    # Volunteers with the same weekly hours and no exceptions (most of them) share one expansion, never changed.
    expanded: dict[tuple[tuple[int, time, time], ...], list[Interval]] = {}
    found = []
    for person_id, p in profiles.items():
        exceptions = overrides.get(person_id)
        key = tuple(hours[person_id])
        available = None if exceptions else expanded.get(key)
        if available is None:
            rules = [WeeklyRule(weekday, start, end, remote) for weekday, start, end in key]
            available = expand(rules, exceptions or [], first, last, remote=remote)
            if not exceptions:
                expanded[key] = available
        found.append(
            Candidate(
                id=person_id,
                active=True,
                skills={topic: p["skill"]},
                languages=_frozen(p["languages"]),
                help_point_ids=points,
                remote=bool(p["remote"]),
                home_visits=bool(p["home_visits"]),
                home=_place(p["home_latitude"], p["home_longitude"]),
                travel_radius_km=float(p["travel_radius_km"]),
                needs_experience=_needs(p["needs_experience"]),
                recent_sessions=calendars.recent.get(person_id, 0),
                time=VolunteerTime(
                    id=person_id,
                    available=available,
                    busy=calendars.busy.get(person_id, ()),
                    weekly_cap=int(p["weekly_cap"]),
                    booked_per_week=dict(weeks) if (weeks := calendars.per_week.get(person_id)) else _NO_WEEKS,
                ),
            )
        )
    return found


async def _overrides(ids: str, params: list[Any], first: date, last: date) -> dict[uuid.UUID, list[DateOverride]]:
    """Date overrides from `first` to `last` of the volunteers in the subquery `ids`."""
    found: dict[uuid.UUID, list[DateOverride]] = {}
    for r in await AvailabilityOverride.raw(
        'SELECT ao.person, ao.day, ao.away, ao.start, ao."end", ao.remote FROM availability_override ao '  # noqa: S608 - our own fragment; values are bound parameters
        "WHERE ao.day >= {} AND ao.day <= {} AND ao.person IN " + ids,
        first,
        last,
        *params,
    ):
        found.setdefault(_uuid(r["person"]), []).append(
            DateOverride(r["day"], bool(r["away"]), r["start"], r["end"], bool(r["remote"]))
        )
    return found


@dataclass(frozen=True, slots=True)
class _Calendars:
    busy: dict[uuid.UUID, list[Interval]]
    per_week: dict[uuid.UUID, Counter[tuple[int, int]]]
    recent: Counter[uuid.UUID]


async def _sessions(ids: str, params: list[Any], first: date, last: date, now: datetime) -> _Calendars:
    """The sessions of the volunteers in the subquery `ids`: active ones block their time, and every one not
    cancelled counts towards its week's cap and, in the last four weeks, towards fairness."""
    # Whole weeks around the range, so weekly caps count sessions outside it too.
    week_first = first - timedelta(days=first.weekday() + 1)
    week_last = last + timedelta(days=7 - last.weekday())
    since = min(datetime.combine(week_first, datetime.min.time(), tzinfo=now.tzinfo), now - FAIRNESS_WINDOW)
    until = datetime.combine(week_last, datetime.min.time(), tzinfo=now.tzinfo)
    calendars = _Calendars(defaultdict(list), defaultdict(Counter), Counter())
    for s in await HelpSession.raw(
        "SELECT hs.volunteer, hs.starts_at, hs.ends_at, hs.state FROM help_session hs "  # noqa: S608 - our own fragment; values are bound parameters
        "WHERE hs.starts_at >= {} AND hs.starts_at < {} AND hs.volunteer IN " + ids,
        since,
        until,
        *params,
    ):
        volunteer = _uuid(s["volunteer"])
        if s["state"] in ACTIVE:
            # The session itself; slot search keeps the buffer on both sides of it.
            calendars.busy[volunteer].append(Interval(s["starts_at"], s["ends_at"]))
        if s["state"] != "cancelled":
            calendars.per_week[volunteer][week_of(s["starts_at"])] += 1
            if now - FAIRNESS_WINDOW <= s["starts_at"] <= now:
                calendars.recent[volunteer] += 1
    return calendars


def _place(latitude: float | None, longitude: float | None) -> Place | None:
    return Place(latitude, longitude) if latitude is not None and longitude is not None else None


def _frozen(value: Any) -> frozenset[Any]:
    """A JSON list column (languages) as a frozenset, shared between the profiles that store the same text."""
    return _frozen_text(value) if isinstance(value, str) else frozenset(as_list(value))


@lru_cache(maxsize=1024)
def _frozen_text(text: str) -> frozenset[Any]:
    return frozenset(_parsed(text))


def _needs(value: Any) -> frozenset[Need]:
    return _needs_text(value) if isinstance(value, str) else frozenset(Need(n) for n in as_list(value))


@lru_cache(maxsize=256)
def _needs_text(text: str) -> frozenset[Need]:
    return frozenset(Need(n) for n in _parsed(text))


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def previous_volunteer(resident_id: uuid.UUID) -> uuid.UUID | None:
    rows = (
        await HelpSession.select(HelpSession.volunteer)
        .where((HelpSession.resident == resident_id) & (HelpSession.state == "done"))
        .order_by(HelpSession.starts_at, ascending=False)
        .limit(1)
    )
    return rows[0]["volunteer"] if rows else None


async def resident_overlaps(resident_id: uuid.UUID, when: Interval, *, exclude: uuid.UUID | None = None) -> bool:
    """Another active session of the resident overlapping `when` (`exclude`: the session being moved)."""
    query = HelpSession.count().where(
        (HelpSession.resident == resident_id)
        & HelpSession.state.is_in(ACTIVE)
        & (HelpSession.starts_at < when.end)
        & (HelpSession.ends_at > when.start)
    )
    if exclude is not None:
        query = query.where(HelpSession.id != exclude)
    return int(await query) > 0


async def volunteer_busy(volunteer_id: uuid.UUID, guarded: Interval, *, exclude: uuid.UUID | None = None) -> bool:
    """Another active session of this volunteer inside `guarded` (a new session widened by the buffer on both
    sides): the same rule slot search applies. `exclude`: the session being moved."""
    query = HelpSession.count().where(
        (HelpSession.volunteer == volunteer_id)
        & HelpSession.state.is_in(ACTIVE)
        & (HelpSession.starts_at < guarded.end)
        & (HelpSession.ends_at > guarded.start)
    )
    if exclude is not None:
        query = query.where(HelpSession.id != exclude)
    return int(await query) > 0


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
    minutes_spent: int | None = None
    outcomes: tuple[str, ...] = ()
    note: str = ""
    language: str = "fi"
    needs: tuple[str, ...] = ()


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
    HelpSession.minutes_spent,
    HelpSession.outcomes,
    HelpSession.note,
    HelpSession.request.language.as_alias("language"),
    HelpSession.request.needs.as_alias("needs"),
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
        minutes_spent=r["minutes_spent"],
        outcomes=as_list(r["outcomes"]),
        note=r["note"],
        language=r["language"],
        needs=as_list(r["needs"]),
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


async def reschedule(
    session_id: uuid.UUID, *, expected_version: int, volunteer_id: uuid.UUID, when: Interval, blocked_until: datetime
) -> bool:
    """Move a session to `when` (with `volunteer_id`), only if nobody changed it since it was read."""
    rows = (
        await HelpSession.update(
            {
                HelpSession.volunteer: volunteer_id,
                HelpSession.starts_at: when.start,
                HelpSession.ends_at: when.end,
                HelpSession.blocked_until: blocked_until,
                HelpSession.version: expected_version + 1,
            }
        )
        .where((HelpSession.id == session_id) & (HelpSession.version == expected_version))
        .returning(HelpSession.id)
    )
    return bool(rows)


async def record(
    session_id: uuid.UUID,
    *,
    expected_version: int,
    state: str,
    minutes: int | None = None,
    outcomes: list[str] | None = None,
    note: str | None = None,
) -> bool:
    """Record check-in, done or no-show (with minutes, outcomes and note), only from the version read."""
    changes: dict[Any, Any] = {HelpSession.state: state, HelpSession.version: expected_version + 1}
    if minutes is not None:
        changes[HelpSession.minutes_spent] = minutes
    if outcomes is not None:
        changes[HelpSession.outcomes] = outcomes
    if note is not None:
        changes[HelpSession.note] = note
    rows = (
        await HelpSession.update(changes)
        .where((HelpSession.id == session_id) & (HelpSession.version == expected_version))
        .returning(HelpSession.id)
    )
    return bool(rows)


async def request_row(request_id: uuid.UUID) -> dict[str, Any] | None:
    rows = await HelpRequest.select().where(HelpRequest.id == request_id)
    return rows[0] if rows else None


async def active_session_of_request(request_id: uuid.UUID) -> SessionRow | None:
    rows = await HelpSession.select(*_SESSION_COLUMNS).where(
        (HelpSession.request == request_id) & HelpSession.state.is_in(ACTIVE)
    )
    return _session(rows[0]) if rows else None


async def sessions_in(volunteer_id: uuid.UUID, since: datetime, until: datetime) -> int:
    """The volunteer's sessions (any but cancelled) starting in [since, until): for the weekly cap."""
    return int(
        await HelpSession.count().where(
            (HelpSession.volunteer == volunteer_id)
            & (HelpSession.state != "cancelled")
            & (HelpSession.starts_at >= since)
            & (HelpSession.starts_at < until)
        )
    )


async def weekly_cap(volunteer_id: uuid.UUID) -> int | None:
    rows = await VolunteerProfile.select(VolunteerProfile.weekly_cap).where(VolunteerProfile.person == volunteer_id)
    return int(rows[0]["weekly_cap"]) if rows else None
