"""The append-only audit trail: only insert and read here."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from piccolo.utils.encoding import dump_json

from server.db.codec import as_dict
from server.db.tables import AuditEvent
from server.domain.records import AuditEntry

# Written out: every change anyone makes appends a row (a booking one, inside its serialised transaction).
_APPEND = (
    "INSERT INTO audit_event (at, actor_id, actor_role, action, object_type, object_id, organisation_id, "
    "subject_id, detail) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})"
)


async def append(
    *,
    at: datetime,
    actor_id: uuid.UUID | None,
    actor_role: str,
    action: str,
    object_type: str,
    object_id: str,
    organisation_id: uuid.UUID | None,
    subject_id: uuid.UUID | None,
    detail: dict[str, Any],
) -> None:
    await AuditEvent.raw(
        _APPEND,
        at,
        actor_id,
        actor_role,
        action,
        object_type,
        object_id,
        organisation_id,
        subject_id,
        dump_json(detail),
    )


async def list_entries(
    *,
    within: Collection[uuid.UUID] | None,
    action: str | None = None,
    subject_id: uuid.UUID | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    query = AuditEvent.select().order_by(AuditEvent.id, ascending=False).limit(limit)
    if within is not None:
        if not within:
            return []
        query = query.where(AuditEvent.organisation_id.is_in(list(within)))
    if action:
        query = query.where(AuditEvent.action == action)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return [
        AuditEntry(
            id=r["id"],
            at=r["at"],
            actor_id=r["actor_id"],
            actor_role=r["actor_role"],
            action=r["action"],
            object_type=r["object_type"],
            object_id=r["object_id"],
            organisation_id=r["organisation_id"],
            subject_id=r["subject_id"],
            detail=as_dict(r["detail"]),
        )
        for r in await query
    ]
