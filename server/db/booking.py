"""Queries for sessions: reading them, the calendars the placement guard checks, and writing their changes.
(Requests: server/db/requests.py; who could take a request: server/db/candidates.py.)"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db import scope
from server.db.candidates import ACTIVE
from server.db.codec import as_list, as_uuid, as_uuid_or_none
from server.db.paging import fetch_page
from server.db.tables import HelpSession, Person
from server.domain.clocktime import Interval
from server.domain.paging import Page, PageRequest
from server.domain.records import SessionRow

# Written out: every booking asks whom continuity favours.
_PREVIOUS_VOLUNTEER = (
    "SELECT volunteer FROM help_session WHERE resident = {} AND state = 'done' ORDER BY starts_at DESC LIMIT 1"
)


async def previous_volunteer(resident_id: uuid.UUID) -> uuid.UUID | None:
    """The volunteer of the resident's last session that took place (None: none, or its volunteer erased)."""
    rows = await HelpSession.raw(_PREVIOUS_VOLUNTEER, resident_id)
    return as_uuid_or_none(rows[0]["volunteer"]) if rows else None


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


# The placement guard's reads, each one statement written out here: they run inside every booking's serialised
# transaction, where the query builder's time is time the locks are held (see docs/benchmarks.md, booking).
_LIVE = "('scheduled', 'checked_in')"  # ACTIVE_SESSION_STATES
_HOLDING = "('confirmed', 'offered')"  # sign-ups that take a place (server/domain/events.py HOLDING)
_RESIDENT_LOAD = (
    "SELECT (EXISTS (SELECT 1 FROM help_session WHERE resident = {} AND state IN "  # noqa: S608 - constants only
    + _LIVE
    + " AND starts_at < {}"
    " AND ends_at > {} AND id <> {})"
    " OR EXISTS (SELECT 1 FROM event_signup es JOIN group_event e ON e.id = es.event WHERE es.person = {}"
    " AND es.state IN " + _HOLDING + " AND e.state = 'scheduled' AND e.starts_at < {} AND e.ends_at > {})) AS busy,"
    " (SELECT COUNT(*) FROM help_session WHERE resident = {} AND state IN " + _LIVE + " AND starts_at > {}) AS ahead"
)
_VOLUNTEER_WEEK = (
    "SELECT (EXISTS (SELECT 1 FROM help_session WHERE volunteer = {} AND state IN "  # noqa: S608 - constants only
    + _LIVE
    + " AND starts_at < {}"
    " AND ends_at > {} AND id <> {})"
    " OR EXISTS (SELECT 1 FROM drop_in_shift WHERE volunteer = {} AND starts_at < {} AND ends_at > {})"
    " OR EXISTS (SELECT 1 FROM event_duty WHERE volunteer = {} AND starts_at < {} AND ends_at > {})) AS taken,"
    " (SELECT weekly_cap FROM volunteer_profile WHERE person = {}) AS cap,"
    " (SELECT COUNT(*) FROM help_session WHERE volunteer = {} AND state <> 'cancelled' AND starts_at >= {}"
    " AND starts_at < {}) AS sessions,"
    " (SELECT COUNT(*) FROM drop_in_shift WHERE volunteer = {} AND starts_at >= {} AND starts_at < {}) AS shifts,"
    " (SELECT COUNT(*) FROM event_duty WHERE volunteer = {} AND starts_at >= {} AND starts_at < {}) AS duties"
)
_NOBODY = uuid.UUID(int=0)


async def resident_load(
    resident_id: uuid.UUID, when: Interval, now: datetime, *, exclude: uuid.UUID | None = None
) -> tuple[bool, int]:
    """Whether the resident has another live session or a place at a group session overlapping `when`
    (`exclude`: the session being moved), and how many live sessions they have ahead of `now`. One statement."""
    rows = await HelpSession.raw(
        _RESIDENT_LOAD,
        resident_id,
        when.end,
        when.start,
        exclude or _NOBODY,
        resident_id,
        when.end,
        when.start,
        resident_id,
        now,
    )
    return bool(rows[0]["busy"]), int(rows[0]["ahead"])


@dataclass(frozen=True, slots=True)
class VolunteerWeek:
    taken: bool  # another live session, a drop-in shift or a group session duty inside the span asked about
    cap: int | None  # the weekly limit (None: no volunteer profile)
    booked: int  # sessions (any but cancelled), drop-in shifts and duties starting in the week


async def volunteer_week(
    volunteer_id: uuid.UUID, guarded: Interval, since: datetime, until: datetime, *, exclude: uuid.UUID | None = None
) -> VolunteerWeek:
    """What binds a volunteer's calendar, in one statement: anything else of theirs inside `guarded` (a session
    widened by the buffer on both sides: the rule slot search applies; `exclude`: the session being moved), their
    weekly limit and what they have starting in [since, until)."""
    rows = await HelpSession.raw(
        _VOLUNTEER_WEEK,
        volunteer_id,
        guarded.end,
        guarded.start,
        exclude or _NOBODY,
        volunteer_id,
        guarded.end,
        guarded.start,
        volunteer_id,
        guarded.end,
        guarded.start,
        volunteer_id,
        volunteer_id,
        since,
        until,
        volunteer_id,
        since,
        until,
        volunteer_id,
        since,
        until,
    )
    row = rows[0]
    return VolunteerWeek(
        taken=bool(row["taken"]),
        cap=int(row["cap"]) if row["cap"] is not None else None,
        booked=int(row["sessions"]) + int(row["shifts"]) + int(row["duties"]),
    )


async def insert_session(values: dict[str, Any]) -> uuid.UUID:
    """A session with any columns (history, imports, tests); placing someone writes `insert_scheduled`."""
    session_id = uuid.uuid4()
    await HelpSession.insert(HelpSession(id=session_id, **values))
    return session_id


_INSERT_SCHEDULED = (
    "INSERT INTO help_session (id, request, resident, volunteer, help_point, modality, starts_at, ends_at, "
    "blocked_until, state, version, created_at, cancelled_at, minutes_spent, outcomes, note, confirmed_at, feedback) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, 'scheduled', 1, {}, NULL, NULL, '[]', '', NULL, NULL)"
)


async def insert_scheduled(
    *,
    request_id: uuid.UUID,
    resident_id: uuid.UUID,
    volunteer_id: uuid.UUID,
    help_point_id: uuid.UUID | None,
    modality: str,
    when: Interval,
    blocked_until: datetime,
    now: datetime,
) -> uuid.UUID:
    """A new scheduled session. Written out: every booking writes one inside its serialised transaction."""
    session_id = uuid.uuid4()
    await HelpSession.raw(
        _INSERT_SCHEDULED,
        session_id,
        request_id,
        resident_id,
        volunteer_id,
        help_point_id,
        modality,
        when.start,
        when.end,
        blocked_until,
        now,
    )
    return session_id


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
    HelpSession.request.home_address.as_alias("home_address"),
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
        home_address=r["home_address"] or "",
    )


# `_SESSION_COLUMNS` of one session, written out: read after every change to a session (a booking's answer is
# one), where the query builder's joins through foreign keys took more CPU than the database's work.
_SESSION_BY_ID = (
    "SELECT hs.id, hs.request, hs.resident, hs.volunteer, hs.help_point, hs.modality, hs.starts_at, hs.ends_at, "
    "hs.state, hs.version, hr.topic AS topic, r.first_name AS resident_first_name, r.phone AS resident_phone, "
    "v.first_name AS volunteer_first_name, hs.minutes_spent, hs.outcomes, hs.note, hr.language AS language, "
    "hr.needs AS needs, hr.home_address AS home_address "
    "FROM help_session hs "
    "LEFT JOIN help_request hr ON hr.id = hs.request "
    "LEFT JOIN person r ON r.id = hs.resident "
    "LEFT JOIN person v ON v.id = hs.volunteer "
    "WHERE hs.id = {}"
)


async def session(session_id: uuid.UUID) -> SessionRow | None:
    rows = await HelpSession.raw(_SESSION_BY_ID, session_id)
    if not rows:
        return None
    r = rows[0]
    for key in ("id", "request", "resident"):
        r[key] = as_uuid(r[key])
    for key in ("volunteer", "help_point"):
        r[key] = as_uuid_or_none(r[key])
    return _session(r)


async def session_of_request(request_id: uuid.UUID) -> SessionRow | None:
    rows = await HelpSession.select(*_SESSION_COLUMNS).where(HelpSession.request == request_id)
    return _session(rows[0]) if rows else None


async def sessions_of(
    page: PageRequest, *, resident_id: uuid.UUID | None = None, volunteer_id: uuid.UUID | None = None
) -> Page[SessionRow]:
    """A page of a person's sessions, earliest first."""
    query = HelpSession.select(*_SESSION_COLUMNS)
    if resident_id is not None:
        query = query.where(HelpSession.resident == resident_id)
    if volunteer_id is not None:
        query = query.where(HelpSession.volunteer == volunteer_id)
    found = await fetch_page(query, page, HelpSession.starts_at, HelpSession.id)
    return found.map(_session)


async def coming_sessions_of_resident(
    resident_id: uuid.UUID, *, within: Collection[uuid.UUID] | None, now: datetime
) -> list[SessionRow]:
    """A resident's sessions not yet over and not cancelled, that a coordinator oversees (None: the network)."""
    query = (
        HelpSession.select(*_SESSION_COLUMNS)
        .where(
            (HelpSession.resident == resident_id) & (HelpSession.ends_at > now) & HelpSession.state.is_in(list(ACTIVE))
        )
        .order_by(HelpSession.starts_at)
    )
    if within is not None:
        query = query.where(scope.session_in(within))
    return [_session(r) for r in await query]


async def session_visible(session_id: uuid.UUID, within: Collection[uuid.UUID] | None) -> SessionRow | None:
    """The session, if a coordinator overseeing `within` (None: the network) may see it."""
    query = HelpSession.select(*_SESSION_COLUMNS).where(HelpSession.id == session_id)
    if within is not None:
        query = query.where(scope.session_in(within))
    rows = await query
    return _session(rows[0]) if rows else None


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


async def active_session_of_request(request_id: uuid.UUID) -> SessionRow | None:
    rows = await HelpSession.select(*_SESSION_COLUMNS).where(
        (HelpSession.request == request_id) & HelpSession.state.is_in(ACTIVE)
    )
    return _session(rows[0]) if rows else None
