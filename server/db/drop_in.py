"""Drop-in hours and the volunteers' shifts on them."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Collection
from datetime import date, datetime, time
from typing import Any

from server.db.codec import as_json, as_list, as_uuid
from server.db.tables import DropInHour, DropInShift, HelpSession, Membership, VolunteerHelpPoint
from server.domain.clocktime import local_start
from server.domain.days import DayException
from server.domain.drop_in import DropInHour as Hour
from server.domain.drop_in import Place, ShiftNotice, on_day

_HOUR_COLUMNS = (
    DropInHour.id,
    DropInHour.help_point,
    DropInHour.weekday,
    DropInHour.starts,
    DropInHour.ends,
    DropInHour.topics,
    DropInHour.languages,
    DropInHour.minutes_per_visitor,
    DropInHour.volunteers_needed,
)
_PLACE_COLUMNS = (
    DropInHour.help_point.organisation.as_alias("organisation"),
    DropInHour.help_point.name.as_alias("place_name"),
    DropInHour.help_point.street_address.as_alias("street_address"),
    DropInHour.help_point.postal_code.as_alias("postal_code"),
    DropInHour.help_point.municipality.as_alias("municipality"),
    DropInHour.help_point.accessibility_notes.as_alias("accessibility_notes"),
    DropInHour.help_point.translations.as_alias("translations"),
)


def _hour(r: dict[str, Any]) -> Hour:
    return Hour(
        id=as_uuid(r["id"]),
        help_point_id=as_uuid(r["help_point"]),
        weekday=int(r["weekday"]),
        starts=r["starts"],
        ends=r["ends"],
        topics=tuple(as_list(r["topics"])),
        languages=tuple(as_list(r["languages"])),
        minutes_per_visitor=int(r["minutes_per_visitor"]),
        volunteers_needed=int(r["volunteers_needed"]),
    )


def _place(r: dict[str, Any]) -> Place:
    return Place(
        id=as_uuid(r["help_point"]),
        organisation_id=as_uuid(r["organisation"]),
        name=r["place_name"],
        street_address=r["street_address"],
        postal_code=r["postal_code"],
        municipality=r["municipality"],
        accessibility_notes=r["accessibility_notes"],
        translations=as_json(r["translations"], {}),
    )


async def of_point(help_point_id: uuid.UUID) -> list[Hour]:
    """A help point's drop-in hours in force, by weekday and time."""
    rows = (
        await DropInHour.select(*_HOUR_COLUMNS)
        .where((DropInHour.help_point == help_point_id) & (DropInHour.active == True))  # noqa: E712
        .order_by(DropInHour.weekday)
        .order_by(DropInHour.starts)
    )
    return [_hour(r) for r in rows]


async def hour(hour_id: uuid.UUID) -> tuple[Hour, Place] | None:
    rows = await DropInHour.select(*_HOUR_COLUMNS, *_PLACE_COLUMNS).where(
        (DropInHour.id == hour_id) & (DropInHour.active == True)  # noqa: E712
    )
    return (_hour(rows[0]), _place(rows[0])) if rows else None


async def in_force(
    *,
    municipality: str | None = None,
    help_points: Collection[uuid.UUID] | None = None,
    organisations: Collection[uuid.UUID] | None = None,
    topic: str | None = None,
) -> list[tuple[Hour, Place]]:
    """The drop-in hours in force at open help points, optionally of one municipality, of some help points or of
    some organisations' help points, or serving a topic (an hour that lists no topics serves every topic)."""
    query = DropInHour.select(*_HOUR_COLUMNS, *_PLACE_COLUMNS).where(
        (DropInHour.active == True) & (DropInHour.help_point.active == True)  # noqa: E712
    )
    if municipality is not None:
        query = query.where(DropInHour.help_point.municipality == municipality)
    if help_points is not None:
        query = query.where(DropInHour.help_point.is_in(list(help_points)) if help_points else DropInHour.id.is_null())
    if organisations is not None:
        query = query.where(
            DropInHour.help_point.organisation.is_in(list(organisations)) if organisations else DropInHour.id.is_null()
        )
    found = [(_hour(r), _place(r)) for r in await query]
    if topic is not None:
        found = [(h, p) for h, p in found if not h.topics or topic in h.topics]
    return found


async def count_of_point(help_point_id: uuid.UUID) -> int:
    return int(
        await DropInHour.count().where(
            (DropInHour.help_point == help_point_id) & (DropInHour.active == True)  # noqa: E712
        )
    )


async def insert(
    *,
    help_point_id: uuid.UUID,
    weekday: int,
    starts: time,
    ends: time,
    topics: list[str],
    languages: list[str],
    minutes_per_visitor: int,
    volunteers_needed: int,
    now: datetime,
) -> uuid.UUID:
    hour_id = uuid.uuid4()
    await DropInHour.insert(
        DropInHour(
            id=hour_id,
            help_point=help_point_id,
            weekday=weekday,
            starts=starts,
            ends=ends,
            topics=json.dumps(topics),
            languages=json.dumps(languages),
            minutes_per_visitor=minutes_per_visitor,
            volunteers_needed=volunteers_needed,
            active=True,
            created_at=now,
        )
    )
    return hour_id


async def end(hour_id: uuid.UUID, help_point_id: uuid.UUID) -> bool:
    """Take a drop-in hour out of force (its past shifts stay). False if it is not one of the help point's."""
    changed = (
        await DropInHour.update({DropInHour.active: False})
        .where(
            (DropInHour.id == hour_id) & (DropInHour.help_point == help_point_id) & (DropInHour.active == True)  # noqa: E712
        )
        .returning(DropInHour.id)
    )
    return bool(changed)


# ---- shifts -----------------------------------------------------------------------------------------------


async def staffing(
    hour_ids: Collection[uuid.UUID], first: date, last: date
) -> tuple[Counter[tuple[uuid.UUID, date]], Counter[tuple[uuid.UUID, date]]]:
    """How many volunteers are on each (hour, date) from `first` to `last`: those still active volunteers, and
    those deactivated or gone (their shifts need someone else)."""
    if not hour_ids:
        return Counter(), Counter()
    rows = await DropInShift.select(
        DropInShift.drop_in_hour,
        DropInShift.day,
        DropInShift.volunteer,
        DropInShift.volunteer.active.as_alias("active"),
    ).where(DropInShift.drop_in_hour.is_in(list(hour_ids)) & (DropInShift.day >= first) & (DropInShift.day <= last))
    people = list({as_uuid(r["volunteer"]) for r in rows})
    still = set()
    if people:
        members = await Membership.select(Membership.person).where(
            Membership.person.is_in(people) & (Membership.role == "volunteer") & (Membership.active == True)  # noqa: E712
        )
        still = {as_uuid(m["person"]) for m in members}
    on: Counter[tuple[uuid.UUID, date]] = Counter()
    gone: Counter[tuple[uuid.UUID, date]] = Counter()
    for r in rows:
        here = r["active"] and as_uuid(r["volunteer"]) in still
        (on if here else gone)[(as_uuid(r["drop_in_hour"]), r["day"])] += 1
    return on, gone


async def on_duty(hour_ids: Collection[uuid.UUID], first: date, last: date) -> dict[tuple[uuid.UUID, date], list[str]]:
    """The first names of the volunteers on each (hour, date), in the order they took the shift."""
    if not hour_ids:
        return {}
    rows = (
        await DropInShift.select(
            DropInShift.drop_in_hour, DropInShift.day, DropInShift.volunteer.first_name.as_alias("first_name")
        )
        .where(DropInShift.drop_in_hour.is_in(list(hour_ids)) & (DropInShift.day >= first) & (DropInShift.day <= last))
        .order_by(DropInShift.taken_at)
    )
    found: dict[tuple[uuid.UUID, date], list[str]] = {}
    for r in rows:
        found.setdefault((as_uuid(r["drop_in_hour"]), r["day"]), []).append(r["first_name"])
    return found


async def shifts_of(volunteer_id: uuid.UUID, first: date, last: date) -> set[tuple[uuid.UUID, date]]:
    rows = await DropInShift.select(DropInShift.drop_in_hour, DropInShift.day).where(
        (DropInShift.volunteer == volunteer_id) & (DropInShift.day >= first) & (DropInShift.day <= last)
    )
    return {(as_uuid(r["drop_in_hour"]), r["day"]) for r in rows}


async def has_shift(hour_id: uuid.UUID, day: date, volunteer_id: uuid.UUID) -> bool:
    return bool(
        await DropInShift.exists().where(
            (DropInShift.drop_in_hour == hour_id) & (DropInShift.day == day) & (DropInShift.volunteer == volunteer_id)
        )
    )


async def insert_shift(
    *, hour_id: uuid.UUID, day: date, volunteer_id: uuid.UUID, starts_at: datetime, ends_at: datetime, now: datetime
) -> uuid.UUID:
    shift_id = uuid.uuid4()
    await DropInShift.insert(
        DropInShift(
            id=shift_id,
            drop_in_hour=hour_id,
            day=day,
            volunteer=volunteer_id,
            starts_at=starts_at,
            ends_at=ends_at,
            taken_at=now,
        )
    )
    return shift_id


async def delete_shift(hour_id: uuid.UUID, day: date, volunteer_id: uuid.UUID) -> uuid.UUID | None:
    """The volunteer comes off the shift; its id, or None if they were not on it."""
    found = (
        await DropInShift.delete()
        .where(
            (DropInShift.drop_in_hour == hour_id) & (DropInShift.day == day) & (DropInShift.volunteer == volunteer_id)
        )
        .returning(DropInShift.id)
    )
    return as_uuid(found[0]["id"]) if found else None


async def delete_coming_shifts(hour_id: uuid.UUID, after: datetime) -> list[ShiftNotice]:
    """Remove the shifts of an hour taken out of force that have not started; what went, to tell the volunteers."""
    rows = (
        await DropInShift.delete()
        .where((DropInShift.drop_in_hour == hour_id) & (DropInShift.starts_at > after))
        .returning(DropInShift.id, DropInShift.volunteer, DropInShift.starts_at, DropInShift.drop_in_hour)
    )
    return await _removed(rows)


async def _removed(rows: list[dict[str, Any]]) -> list[ShiftNotice]:
    hours = {as_uuid(r["drop_in_hour"]) for r in rows}
    names: dict[uuid.UUID, str] = {}
    if hours:
        for r in await DropInHour.select(DropInHour.id, DropInHour.help_point.name.as_alias("name")).where(
            DropInHour.id.is_in(list(hours))
        ):
            names[as_uuid(r["id"])] = r["name"]
    return [
        ShiftNotice(
            shift_id=as_uuid(r["id"]),
            volunteer_id=as_uuid(r["volunteer"]),
            starts_at=r["starts_at"],
            place_name=names.get(as_uuid(r["drop_in_hour"]), ""),
        )
        for r in rows
    ]


async def works_at(volunteer_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await VolunteerHelpPoint.select(VolunteerHelpPoint.help_point).where(
        VolunteerHelpPoint.person == volunteer_id
    )
    return {as_uuid(r["help_point"]) for r in rows}


async def municipalities() -> list[str]:
    """The municipalities with a drop-in hour in force at an open help point."""
    rows = await DropInHour.select(DropInHour.help_point.municipality.as_alias("municipality")).where(
        (DropInHour.active == True) & (DropInHour.help_point.active == True)  # noqa: E712
    )
    return sorted({r["municipality"] for r in rows})


async def usual_municipality(person_id: uuid.UUID) -> str | None:
    """Where the resident last had (or has) a session at a help point: the municipality of that help point."""
    rows = (
        await HelpSession.select(HelpSession.help_point.municipality.as_alias("municipality"))
        .where((HelpSession.resident == person_id) & HelpSession.help_point.is_not_null())
        .order_by(HelpSession.starts_at, ascending=False)
        .limit(1)
    )
    return str(rows[0]["municipality"]) if rows else None


async def refit_shifts(
    help_point_id: uuid.UUID, day: date, exception: DayException | None
) -> tuple[list[ShiftNotice], list[ShiftNotice]]:
    """After a help point's day changed (closed, other hours, back to the weekly hours): its drop-in shifts that
    day take the day's times, and those whose drop-in hour no longer happens that day are removed (so they keep
    nobody's time and count in nobody's week). Inside the caller's write transaction. Returns the shifts removed
    and those whose start moved, to tell the volunteers."""
    hours = {
        as_uuid(r["id"]): _hour(r)
        for r in await DropInHour.select(*_HOUR_COLUMNS).where(DropInHour.help_point == help_point_id)
    }
    if not hours:
        return [], []
    rows = await DropInShift.select(
        DropInShift.id, DropInShift.drop_in_hour, DropInShift.volunteer, DropInShift.starts_at
    ).where(DropInShift.drop_in_hour.is_in(list(hours)) & (DropInShift.day == day))
    gone, moved = [], []
    for r in rows:
        times = on_day(hours[as_uuid(r["drop_in_hour"])], day, exception)
        if times is None:
            await DropInShift.delete().where(DropInShift.id == r["id"])
            gone.append(r)
            continue
        starts_at = local_start(day, times[0])
        await DropInShift.update(
            {DropInShift.starts_at: starts_at, DropInShift.ends_at: local_start(day, times[1])}
        ).where(DropInShift.id == r["id"])
        if starts_at != r["starts_at"]:
            moved.append({**r, "starts_at": starts_at})
    return await _removed(gone), await _removed(moved)
