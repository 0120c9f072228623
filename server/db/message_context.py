"""What messages are written from: the people they go to, the session or request they are about, and a
person's message settings (code word, SMS or not)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.db import scope
from server.db.codec import as_json, as_names, as_uuid
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
    # Whether an SMS or a call was ever written for the resident or their number (the first names the privacy
    # notice), as it stood when this was read.
    resident_messaged: bool = False


async def people(ids: set[uuid.UUID]) -> dict[uuid.UUID, PersonInfo]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.first_name, Person.phone, Person.language, Person.code_word).where(
        Person.id.is_in(list(ids))
    )
    return {r["id"]: PersonInfo(r["id"], r["first_name"], r["phone"], r["language"], r["code_word"]) for r in rows}


# One statement, written out: the session, where, the topic's names, both people and whether the resident was ever
# messaged (the query builder's joins through three foreign keys cost more CPU than the database's work, and every
# change to a session asks for this).
_SESSION_CONTEXT = (
    "SELECT hs.id, hs.version, hs.state, hs.starts_at, hs.modality, hs.resident, hs.volunteer, "
    "hp.name AS hp_name, hp.street_address AS hp_address, hp.municipality AS hp_municipality, "
    "hp.translations AS hp_translations, t.names AS topic_names, "
    "r.first_name AS r_first_name, r.phone AS r_phone, r.language AS r_language, r.code_word AS r_code_word, "
    "v.first_name AS v_first_name, v.phone AS v_phone, v.language AS v_language, v.code_word AS v_code_word, "
    "EXISTS (SELECT 1 FROM notification n WHERE (n.phone = r.phone OR n.person = hs.resident) "
    "AND n.channel IN ('sms', 'voice')) AS r_messaged "
    "FROM help_session hs "
    "JOIN person r ON r.id = hs.resident "
    "LEFT JOIN person v ON v.id = hs.volunteer "
    "LEFT JOIN help_point hp ON hp.id = hs.help_point "
    "LEFT JOIN help_request hr ON hr.id = hs.request "
    "LEFT JOIN topic t ON t.code = hr.topic "
    "WHERE hs.id = {}"
)


def _person(row: dict[str, Any], prefix: str, person_id: Any) -> PersonInfo:
    return PersonInfo(
        as_uuid(person_id),
        row[f"{prefix}_first_name"],
        row[f"{prefix}_phone"],
        row[f"{prefix}_language"],
        row[f"{prefix}_code_word"],
    )


async def session_context(session_id: uuid.UUID) -> SessionContext | None:
    rows = await HelpSession.raw(_SESSION_CONTEXT, session_id)
    if not rows:
        return None
    r = rows[0]
    return SessionContext(
        id=as_uuid(r["id"]),
        version=r["version"],
        state=r["state"],
        starts_at=r["starts_at"],
        modality=r["modality"],
        resident=_person(r, "r", r["resident"]),
        volunteer=_person(r, "v", r["volunteer"]) if r["volunteer"] else None,
        help_point_name=r["hp_name"] or "",
        help_point_address=r["hp_address"] or "",
        help_point_municipality=r["hp_municipality"] or "",
        topic_names=as_names(r["topic_names"]),
        help_point_translations=as_json(r["hp_translations"], {}),
        resident_messaged=bool(r["r_messaged"]),
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
