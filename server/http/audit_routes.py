"""The audit trail, for coordinators (partner coordinators see their organisation's part)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import FromQuery, QueryParameter

from server.http.schemas import MAX_INT4, SINGLE_LINE, AuditEntryOut
from server.http.security import COORDINATORS, Me, Svc, caller, roles


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=roles(*COORDINATORS), summary="Audit trail, newest first")
    async def entries(
        self,
        me: Me,
        services: Svc,
        action: Annotated[str | None, QueryParameter(max_length=64, pattern=SINGLE_LINE)] = None,
        subject_id: FromQuery[uuid.UUID | None] = None,
        before_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_INT4)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[AuditEntryOut]:
        found = await services.audit.entries(me, action=action, subject_id=subject_id, before_id=before_id, limit=limit)
        return [AuditEntryOut.of(e) for e in found]
