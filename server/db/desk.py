"""The desk's day: who is coming to a help point (or to an organisation's people) in a span of days, and the
walk-in visitors recorded there. One query per page, whatever the size of the network."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from server.db import scope
from server.db.codec import as_list
from server.db.paging import fetch_page
from server.db.tables import HelpSession, WalkIn
from server.domain.desk import Visit, WalkInRow
from server.domain.paging import Page, PageRequest

_VISIT_COLUMNS = (
    HelpSession.id,
    HelpSession.starts_at,
    HelpSession.ends_at,
    HelpSession.state,
    HelpSession.modality,
    HelpSession.help_point,
    HelpSession.help_point.name.as_alias("help_point_name"),
    HelpSession.request.topic.as_alias("topic"),
    HelpSession.request.language.as_alias("language"),
    HelpSession.request.needs.as_alias("needs"),
    HelpSession.resident.first_name.as_alias("resident_first_name"),
    HelpSession.volunteer.first_name.as_alias("volunteer_first_name"),
    HelpSession.confirmed_at,
)


def _visit(r: dict[str, Any]) -> Visit:
    return Visit(
        id=r["id"],
        starts_at=r["starts_at"],
        ends_at=r["ends_at"],
        state=r["state"],
        modality=r["modality"],
        help_point_id=r["help_point"],
        help_point_name=r["help_point_name"],
        topic=r["topic"],
        language=r["language"],
        needs=as_list(r["needs"]),
        resident_first_name=r["resident_first_name"],
        volunteer_first_name=r["volunteer_first_name"],
        confirmed=r["confirmed_at"] is not None,
    )


async def visits(
    page: PageRequest,
    *,
    since: datetime,
    until: datetime,
    help_point_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
) -> Page[Visit]:
    """A page of the sessions starting in [since, until), not cancelled, earliest first: at one help point, or
    everything an organisation oversees (at its help points or with its volunteers, remote ones too)."""
    query = HelpSession.select(*_VISIT_COLUMNS).where(
        (HelpSession.starts_at >= since) & (HelpSession.starts_at < until) & (HelpSession.state != "cancelled")
    )
    if help_point_id is not None:
        query = query.where(HelpSession.help_point == help_point_id)
    if organisation_id is not None:
        query = query.where(scope.session_in([organisation_id]))
    found = await fetch_page(query, page, HelpSession.starts_at, HelpSession.id)
    return found.map(_visit)


def _walk_in(r: dict[str, Any]) -> WalkInRow:
    return WalkInRow(
        id=r["id"],
        help_point_id=r["help_point"],
        topic=r["topic"],
        language=r["language"],
        minutes=int(r["minutes"]),
        outcomes=as_list(r["outcomes"]),
        recorded_at=r["recorded_at"],
    )


async def insert_walk_in(
    *,
    help_point_id: uuid.UUID,
    topic: str,
    language: str,
    minutes: int,
    outcomes: list[str],
    at: datetime,
    by: uuid.UUID | None,
) -> WalkInRow:
    walk_in_id = uuid.uuid4()
    await WalkIn.insert(
        WalkIn(
            id=walk_in_id,
            help_point=help_point_id,
            topic=topic,
            language=language,
            minutes=minutes,
            outcomes=json.dumps(outcomes),
            recorded_at=at,
            recorded_by=by,
        )
    )
    return WalkInRow(walk_in_id, help_point_id, topic, language, minutes, tuple(outcomes), at)


async def walk_ins(page: PageRequest, *, help_point_id: uuid.UUID, since: datetime, until: datetime) -> Page[WalkInRow]:
    """A page of the walk-ins recorded at a help point in [since, until), earliest first."""
    query = WalkIn.select().where(
        (WalkIn.help_point == help_point_id) & (WalkIn.recorded_at >= since) & (WalkIn.recorded_at < until)
    )
    found = await fetch_page(query, page, WalkIn.recorded_at, WalkIn.id)
    return found.map(_walk_in)


async def count_walk_ins(*, help_point_id: uuid.UUID, since: datetime, until: datetime) -> int:
    return int(
        await WalkIn.count().where(
            (WalkIn.help_point == help_point_id) & (WalkIn.recorded_at >= since) & (WalkIn.recorded_at < until)
        )
    )


async def walk_in(walk_in_id: uuid.UUID, help_point_id: uuid.UUID) -> WalkInRow | None:
    rows = await WalkIn.select().where((WalkIn.id == walk_in_id) & (WalkIn.help_point == help_point_id))
    return _walk_in(rows[0]) if rows else None


async def delete_walk_in(walk_in_id: uuid.UUID) -> None:
    await WalkIn.delete().where(WalkIn.id == walk_in_id)
