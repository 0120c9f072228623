"""The append-only audit trail: only insert and read here."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from server.db.codec import as_dict
from server.db.tables import AuditEvent
from server.domain.records import AuditEntry


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
    await AuditEvent.insert(
        AuditEvent(
            at=at,
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            organisation_id=organisation_id,
            subject_id=subject_id,
            detail=detail,
        )
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
