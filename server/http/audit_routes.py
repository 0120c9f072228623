"""The audit trail, for coordinators (partner coordinators see their organisation's part)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter

from server.domain.roles import Principal
from server.http.schemas import AuditEntryOut
from server.http.security import COORDINATORS, caller, roles
from server.services.registry import Services


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=roles(*COORDINATORS), summary="Audit trail, newest first")
    async def entries(
        self,
        me: Principal,
        services: Services,
        action: Annotated[str | None, Parameter(max_length=64)] = None,
        subject_id: uuid.UUID | None = None,
        before_id: Annotated[int | None, Parameter(ge=1)] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[AuditEntryOut]:
        found = await services.audit.entries(me, action=action, subject_id=subject_id, before_id=before_id, limit=limit)
        return [AuditEntryOut.of(e) for e in found]
