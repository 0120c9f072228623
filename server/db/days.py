"""Help points' days that differ from the weekly hours (closures, other hours, holidays kept open)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from server.db.codec import as_names, as_uuid
from server.db.tables import HelpPoint, HelpPointDay, HelpSession
from server.domain.days import DayException, DayState


def _exception(row: dict[str, Any]) -> DayException:
    return DayException(
        help_point_id=as_uuid(row["help_point"]),
        day=row["day"],
        state=DayState(row["state"]),
        opens=row["opens"],
        closes=row["closes"],
        reason=as_names(row["reason"]),
        source=row["source"],
    )


# Written out: every booking at a help point and every slot search there reads it.
_OF_POINT = (
    "SELECT help_point, day, state, opens, closes, reason, source FROM help_point_day "
    "WHERE help_point = {} AND day >= {} AND day <= {} ORDER BY day"
)


async def of_point(help_point_id: uuid.UUID, first: date, last: date) -> list[DayException]:
    return [_exception(r) for r in await HelpPointDay.raw(_OF_POINT, help_point_id, first, last)]


async def days_off(help_point_id: uuid.UUID, first: date, last: date) -> dict[date, DayException]:
    """The exceptions of one help point by date (what slot search and the opening check apply)."""
    return {e.day: e for e in await of_point(help_point_id, first, last)}


async def days_off_everywhere(first: date, last: date) -> dict[uuid.UUID, dict[date, DayException]]:
    """The exceptions of every help point from `first` to `last`, by help point and date."""
    rows = await HelpPointDay.select().where((HelpPointDay.day >= first) & (HelpPointDay.day <= last))
    found: dict[uuid.UUID, dict[date, DayException]] = {}
    for row in rows:
        exception = _exception(row)
        found.setdefault(exception.help_point_id, {})[exception.day] = exception
    return found


async def save(
    help_point_id: uuid.UUID,
    day: date,
    *,
    state: DayState,
    opens: Any,
    closes: Any,
    reason: Mapping[str, str],
    source: str,
    now: datetime,
    by: uuid.UUID | None,
) -> None:
    """Set the day (replacing what it was). Inside the caller's write transaction."""
    values: dict[Any, Any] = {
        HelpPointDay.state: state.value,
        HelpPointDay.opens: opens,
        HelpPointDay.closes: closes,
        HelpPointDay.reason: json.dumps(dict(reason), ensure_ascii=False),
        HelpPointDay.source: source,
        HelpPointDay.updated_at: now,
        HelpPointDay.updated_by: by,
    }
    changed = (
        await HelpPointDay.update(values)
        .where((HelpPointDay.help_point == help_point_id) & (HelpPointDay.day == day))
        .returning(HelpPointDay.id)
    )
    if not changed:
        await HelpPointDay.insert(
            HelpPointDay(
                id=uuid.uuid4(), help_point=help_point_id, day=day, **{k._meta.name: v for k, v in values.items()}
            )
        )


async def remove(help_point_id: uuid.UUID, day: date) -> bool:
    found = (
        await HelpPointDay.delete()
        .where((HelpPointDay.help_point == help_point_id) & (HelpPointDay.day == day))
        .returning(HelpPointDay.id)
    )
    return bool(found)


async def fill_holidays(
    holidays: list[tuple[date, dict[str, str]]], now: datetime, points: Collection[uuid.UUID] | None = None
) -> int:
    """Each public holiday as a closed day at every active help point (or those of `points`) that has nothing
    set for that date yet: a coordinator's own choice for the day is never overwritten. Returns rows added."""
    if not holidays:
        return 0
    query = HelpPoint.select(HelpPoint.id).where(HelpPoint.active == True)  # noqa: E712
    if points is not None:
        query = query.where(HelpPoint.id.is_in(list(points)) if points else HelpPoint.id.is_null())
    ids = [as_uuid(r["id"]) for r in await query]
    if not ids:
        return 0
    days = [d for d, _ in holidays]
    taken = {
        (as_uuid(r["help_point"]), r["day"])
        for r in await HelpPointDay.select(HelpPointDay.help_point, HelpPointDay.day).where(
            HelpPointDay.help_point.is_in(ids) & HelpPointDay.day.is_in(days)
        )
    }
    rows = [
        HelpPointDay(
            id=uuid.uuid4(),
            help_point=point,
            day=day,
            state=DayState.CLOSED.value,
            reason=json.dumps(names, ensure_ascii=False),
            source="holiday",
            updated_at=now,
        )
        for point in ids
        for day, names in holidays
        if (point, day) not in taken
    ]
    for start in range(0, len(rows), 500):
        await HelpPointDay.insert(*rows[start : start + 500])
    return len(rows)


async def points_in(municipality: str | None, within: Collection[uuid.UUID] | None) -> list[uuid.UUID]:
    """Active help points of a municipality (any spelling of its case), or all, that a coordinator oversees."""
    query = HelpPoint.select(HelpPoint.id, HelpPoint.municipality, HelpPoint.organisation).where(
        HelpPoint.active == True  # noqa: E712
    )
    rows = await query
    wanted = municipality.strip().casefold() if municipality else None
    return [
        as_uuid(r["id"])
        for r in rows
        if (wanted is None or r["municipality"].casefold() == wanted)
        and (within is None or as_uuid(r["organisation"]) in within)
    ]


async def closed_ahead(first: date, last: date, within: Collection[uuid.UUID] | None) -> list[DayException]:
    """Closed days and days with other hours from `first` to `last` at help points overseen (None: all)."""
    query = HelpPointDay.select(*HelpPointDay.all_columns(), HelpPointDay.help_point.organisation).where(
        (HelpPointDay.day >= first)
        & (HelpPointDay.day <= last)
        & HelpPointDay.state.is_in([DayState.CLOSED.value, DayState.HOURS.value])
    )
    rows = await query.order_by(HelpPointDay.day)
    return [_exception(r) for r in rows if within is None or as_uuid(r["help_point.organisation"]) in within]


async def sessions_at(help_point_id: uuid.UUID, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Scheduled sessions at a help point starting in [start, end)."""
    return list(
        await HelpSession.select(HelpSession.id, HelpSession.starts_at, HelpSession.ends_at).where(
            (HelpSession.help_point == help_point_id)
            & (HelpSession.state == "scheduled")
            & (HelpSession.starts_at >= start)
            & (HelpSession.starts_at < end)
        )
    )
