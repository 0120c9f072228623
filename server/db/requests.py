"""Every query that reads or writes a help request (the record types are in server/domain/requests.py)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from piccolo.utils.encoding import dump_json

from server.db import scope
from server.db.codec import as_list, as_uuid, as_uuid_or_none
from server.db.paging import fetch_page
from server.db.tables import HelpRequest
from server.domain.matching import Modality, Need, Place
from server.domain.paging import Page, PageRequest
from server.domain.requests import HelpRequestRow, NewRequest


def _row(r: dict[str, Any]) -> HelpRequestRow:
    lat, lon = r["home_latitude"], r["home_longitude"]
    return HelpRequestRow(
        id=r["id"],
        resident_id=r["resident"],
        topic=r["topic"],
        language=r["language"],
        modality=Modality(r["modality"]),
        help_point_id=r["help_point"],
        needs=frozenset(Need(n) for n in as_list(r["needs"])),
        state=r["state"],
        channel=r["channel"],
        created_at=r["created_at"],
        home_address=r["home_address"] or "",
        home=Place(float(lat), float(lon)) if lat is not None and lon is not None else None,
        routed_to=r["routed_to"],
        booked_by=r["booked_by"],
        consent_at=r["consent_at"],
        matched_at=r["matched_at"],
        idempotency_key=r["idempotency_key"],
        idempotency_fingerprint=r["idempotency_fingerprint"],
    )


async def get(request_id: uuid.UUID) -> HelpRequestRow | None:
    rows = await HelpRequest.select().where(HelpRequest.id == request_id)
    return _row(rows[0]) if rows else None


async def visible(request_id: uuid.UUID, within: Collection[uuid.UUID] | None) -> HelpRequestRow | None:
    """The request, if a coordinator overseeing `within` (None: the network) may see it."""
    rows = await scope.requests_within(HelpRequest.select().where(HelpRequest.id == request_id), within)
    return _row(rows[0]) if rows else None


# Every booking and request with an Idempotency-Key (all of the app's) asks for this first, and a booking writes
# one: both written out (the query builder's work was half of each statement's CPU).
_BY_IDEMPOTENCY_KEY = (
    "SELECT id, resident, topic, language, modality, help_point, needs, state, channel, created_at, home_address, "
    "home_latitude, home_longitude, routed_to, booked_by, consent_at, matched_at, idempotency_key, "
    "idempotency_fingerprint FROM help_request WHERE resident = {} AND idempotency_key = {}"
)
_INSERT = (
    "INSERT INTO help_request (id, resident, topic, language, modality, help_point, needs, state, channel, "
    "created_at, home_address, home_latitude, home_longitude, routed_to, booked_by, consent_at, matched_at, "
    "idempotency_key, idempotency_fingerprint, handled_outcome) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, '')"
)


async def by_idempotency_key(resident_id: uuid.UUID, key: str) -> HelpRequestRow | None:
    rows = await HelpRequest.raw(_BY_IDEMPOTENCY_KEY, resident_id, key)
    if not rows:
        return None
    r = rows[0]
    return _row(
        {
            **r,
            "id": as_uuid(r["id"]),
            "resident": as_uuid(r["resident"]),
            "help_point": as_uuid_or_none(r["help_point"]),
            "routed_to": as_uuid_or_none(r["routed_to"]),
            "booked_by": as_uuid_or_none(r["booked_by"]),
        }
    )


async def of_resident(resident_id: uuid.UUID, page: PageRequest) -> Page[HelpRequestRow]:
    """A page of the resident's requests, oldest first."""
    query = HelpRequest.select().where(HelpRequest.resident == resident_id)
    found = await fetch_page(query, page, HelpRequest.created_at, HelpRequest.id)
    return found.map(_row)


async def insert(
    new: NewRequest, *, state: str, routed_to: uuid.UUID | None = None, matched_at: datetime | None = None
) -> uuid.UUID:
    request_id = uuid.uuid4()
    await HelpRequest.raw(
        _INSERT,
        request_id,
        new.resident_id,
        new.topic,
        new.language,
        new.modality.value,
        new.help_point_id,
        dump_json(sorted(n.value for n in new.needs)),
        state,
        new.channel,
        new.created_at,
        new.home_address.strip(),
        new.home.latitude if new.home else None,
        new.home.longitude if new.home else None,
        routed_to,
        new.booked_by,
        new.consent_at,
        matched_at,
        new.idempotency_key,
        new.idempotency_fingerprint,
    )
    return request_id


async def set_state(request_id: uuid.UUID, state: str) -> None:
    await HelpRequest.update({HelpRequest.state: state}).where(HelpRequest.id == request_id)


async def move(request_id: uuid.UUID, *, from_state: str, to_state: str, now: datetime | None = None) -> bool:
    """Move the request from `from_state` only (someone else may have moved it first); `now` stamps a match."""
    changes: dict[Any, Any] = {HelpRequest.state: to_state}
    if now is not None:
        changes[HelpRequest.matched_at] = now
    rows = (
        await HelpRequest.update(changes)
        .where((HelpRequest.id == request_id) & (HelpRequest.state == from_state))
        .returning(HelpRequest.id)
    )
    return bool(rows)
