"""What messages are written from: the people they go to, the session or request they are about, and a
person's message settings (code word, SMS or not)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.db import scope
from server.db.codec import as_json, as_names
from server.db.tables import HelpRequest, HelpSession, Person


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: uuid.UUID
    first_name: str
    phone: str
    language: str
    code_word: str


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What the messages about one session say: when, where, who."""

    id: uuid.UUID
    version: int
    state: str
    starts_at: datetime
    modality: str
    resident: PersonInfo
    volunteer: PersonInfo | None
    help_point_name: str
    help_point_address: str
    help_point_municipality: str
    topic_names: dict[str, str]
    help_point_translations: dict[str, dict[str, str]] = field(default_factory=dict)


async def people(ids: set[uuid.UUID]) -> dict[uuid.UUID, PersonInfo]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.first_name, Person.phone, Person.language, Person.code_word).where(
        Person.id.is_in(list(ids))
    )
    return {r["id"]: PersonInfo(r["id"], r["first_name"], r["phone"], r["language"], r["code_word"]) for r in rows}


async def session_context(session_id: uuid.UUID) -> SessionContext | None:
    rows = await HelpSession.select(
        HelpSession.id,
        HelpSession.version,
        HelpSession.state,
        HelpSession.starts_at,
        HelpSession.modality,
        HelpSession.resident,
        HelpSession.volunteer,
        HelpSession.help_point.name.as_alias("hp_name"),
        HelpSession.help_point.street_address.as_alias("hp_address"),
        HelpSession.help_point.municipality.as_alias("hp_municipality"),
        HelpSession.help_point.translations.as_alias("hp_translations"),
        HelpSession.request._.topic._.names.as_alias("topic_names"),
    ).where(HelpSession.id == session_id)
    if not rows:
        return None
    r = rows[0]
    found = await people({r["resident"]} | ({r["volunteer"]} if r["volunteer"] else set()))
    return SessionContext(
        id=r["id"],
        version=r["version"],
        state=r["state"],
        starts_at=r["starts_at"],
        modality=r["modality"],
        resident=found[r["resident"]],
        volunteer=found.get(r["volunteer"]) if r["volunteer"] else None,
        help_point_name=r["hp_name"] or "",
        help_point_address=r["hp_address"] or "",
        help_point_municipality=r["hp_municipality"] or "",
        topic_names=as_names(r["topic_names"]),
        help_point_translations=as_json(r["hp_translations"], {}),
    )


@dataclass(frozen=True, slots=True)
class RequestContext:
    id: uuid.UUID
    modality: str
    help_point_name: str
    help_point_address: str
    help_point_municipality: str
    topic_names: dict[str, str]
    help_point_translations: dict[str, dict[str, str]] = field(default_factory=dict)


async def request_context(request_id: uuid.UUID) -> RequestContext | None:
    rows = await HelpRequest.select(
        HelpRequest.id,
        HelpRequest.modality,
        HelpRequest.help_point.name.as_alias("hp_name"),
        HelpRequest.help_point.street_address.as_alias("hp_address"),
        HelpRequest.help_point.municipality.as_alias("hp_municipality"),
        HelpRequest.help_point.translations.as_alias("hp_translations"),
        HelpRequest.topic._.names.as_alias("topic_names"),
    ).where(HelpRequest.id == request_id)
    if not rows:
        return None
    r = rows[0]
    return RequestContext(
        id=r["id"],
        modality=r["modality"],
        help_point_name=r["hp_name"] or "",
        help_point_address=r["hp_address"] or "",
        help_point_municipality=r["hp_municipality"] or "",
        topic_names=as_names(r["topic_names"]),
        help_point_translations=as_json(r["hp_translations"], {}),
    )


async def session_people(
    session_id: uuid.UUID, within: Collection[uuid.UUID] | None
) -> tuple[uuid.UUID, uuid.UUID | None] | None:
    """(resident, volunteer) of a session the caller oversees: any for the network coordinator (`within` None),
    else one at their organisations' help points or with one of their volunteers."""
    query = HelpSession.select(HelpSession.resident, HelpSession.volunteer).where(HelpSession.id == session_id)
    if within is not None:
        query = query.where(scope.session_in(within))
    rows = await query
    return (rows[0]["resident"], rows[0]["volunteer"]) if rows else None


async def message_settings(person_id: uuid.UUID) -> tuple[str, bool]:
    rows = await Person.select(Person.code_word, Person.sms_opt_out).where(Person.id == person_id)
    return (rows[0]["code_word"], not rows[0]["sms_opt_out"]) if rows else ("", True)


async def update_message_settings(person_id: uuid.UUID, *, code_word: str | None, sms: bool | None) -> None:
    changes: dict[Any, Any] = {}
    if code_word is not None:
        changes[Person.code_word] = code_word
    if sms is not None:
        changes[Person.sms_opt_out] = not sms
    if changes:
        await Person.update(changes).where(Person.id == person_id)
