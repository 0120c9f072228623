"""Queries for sessions: reading them, the calendars the placement guard checks, and writing their changes.
(Requests: server/db/requests.py; who could take a request: server/db/candidates.py.)"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from server.db import scope
from server.db.candidates import ACTIVE
from server.db.codec import as_list
from server.db.paging import fetch_page
from server.db.tables import HelpSession, Person, VolunteerProfile
from server.domain.clocktime import Interval
from server.domain.paging import Page, PageRequest
from server.domain.records import SessionRow


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


async def insert_session(values: dict[str, Any]) -> uuid.UUID:
    session_id = uuid.uuid4()
    await HelpSession.insert(HelpSession(id=session_id, **values))
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


async def session(session_id: uuid.UUID) -> SessionRow | None:
    rows = await HelpSession.select(*_SESSION_COLUMNS).where(HelpSession.id == session_id)
    return _session(rows[0]) if rows else None


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
