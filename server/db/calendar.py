"""Queries for volunteers' calendar links and what the calendar shows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from server.db.codec import as_names
from server.db.tables import CalendarFeed, HelpSession


async def nonce_of(person_id: uuid.UUID) -> str | None:
    rows = await CalendarFeed.select(CalendarFeed.nonce).where(CalendarFeed.person == person_id)
    return str(rows[0]["nonce"]) if rows else None


async def replace(person_id: uuid.UUID, *, nonce: str, token_hash: str, now: datetime) -> None:
    await CalendarFeed.delete().where(CalendarFeed.person == person_id)
    await CalendarFeed.insert(
        CalendarFeed(id=uuid.uuid4(), person=person_id, nonce=nonce, token_hash=token_hash, created_at=now)
    )


async def remove(person_id: uuid.UUID) -> None:
    await CalendarFeed.delete().where(CalendarFeed.person == person_id)


async def owner(token_hash: str) -> tuple[uuid.UUID, str] | None:
    """The active person a link belongs to, and their language."""
    rows = await CalendarFeed.select(CalendarFeed.person, CalendarFeed.person.language.as_alias("language")).where(
        (CalendarFeed.token_hash == token_hash) & (CalendarFeed.person.active == True)  # noqa: E712 - Piccolo operator
    )
    return (rows[0]["person"], rows[0]["language"]) if rows else None


@dataclass(frozen=True, slots=True)
class FeedSession:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    state: str
    version: int
    modality: str
    topic_names: dict[str, str]
    help_point_name: str
    help_point_address: str
    help_point_municipality: str


async def sessions(person_id: uuid.UUID, *, since: datetime, until: datetime) -> list[FeedSession]:
    rows = await (
        HelpSession.select(
            HelpSession.id,
            HelpSession.starts_at,
            HelpSession.ends_at,
            HelpSession.state,
            HelpSession.version,
            HelpSession.modality,
            HelpSession.request._.topic._.names.as_alias("topic_names"),
            HelpSession.help_point.name.as_alias("hp_name"),
            HelpSession.help_point.street_address.as_alias("hp_address"),
            HelpSession.help_point.municipality.as_alias("hp_municipality"),
        )
        .where(
            (HelpSession.volunteer == person_id) & (HelpSession.starts_at >= since) & (HelpSession.starts_at < until)
        )
        .order_by(HelpSession.starts_at)
    )
    return [
        FeedSession(
            id=r["id"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
            state=r["state"],
            version=r["version"],
            modality=r["modality"],
            topic_names=as_names(r["topic_names"]),
            help_point_name=r["hp_name"] or "",
            help_point_address=r["hp_address"] or "",
            help_point_municipality=r["hp_municipality"] or "",
        )
        for r in rows
    ]
