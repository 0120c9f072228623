"""Writing and reading the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from server.adapters.clock import Clock
from server.db import audit as q
from server.domain.records import AuditEntry
from server.domain.roles import Principal, Role


def _actor_role(principal: Principal | None) -> str:
    if principal is None:
        return "system"
    for role in (Role.NETWORK_COORDINATOR, Role.PARTNER_COORDINATOR, Role.VOLUNTEER, Role.RESIDENT):
        if principal.has(role):
            return role.value
    return ""


class AuditService:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def record(
        self,
        actor: Principal | None,
        action: str,
        object_type: str = "",
        object_id: str = "",
        *,
        organisation_id: uuid.UUID | None = None,
        subject_id: uuid.UUID | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await q.append(
            at=self._clock.now(),
            actor_id=actor.person_id if actor else None,
            actor_role=_actor_role(actor),
            action=action,
            object_type=object_type,
            object_id=object_id,
            organisation_id=organisation_id,
            subject_id=subject_id,
            detail=detail or {},
        )

    async def entries(
        self,
        caller: Principal,
        *,
        action: str | None,
        subject_id: uuid.UUID | None,
        before_id: int | None,
        limit: int,
    ) -> list[AuditEntry]:
        """Network coordinators read the whole trail; partner coordinators what concerns their organisation."""
        within = caller.oversees
        return await q.list_entries(
            within=within, action=action, subject_id=subject_id, before_id=before_id, limit=limit
        )
