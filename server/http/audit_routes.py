"""The audit trail, for coordinators (partner coordinators see their organisation's part)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.params import FromQuery, QueryParameter

from server.domain.paging import DEFAULT_LIMIT
from server.http.paging import NEXT_LINK, AnyRequest, Limit, next_link
from server.http.schemas import MAX_INT4, SINGLE_LINE, AuditEntryOut
from server.http.security import COORDINATORS, Me, Svc, caller, roles


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=roles(*COORDINATORS), response_headers=NEXT_LINK, summary="Audit trail, newest first")
    async def entries(
        self,
        request: AnyRequest,
        me: Me,
        services: Svc,
        action: Annotated[str | None, QueryParameter(max_length=64, pattern=SINGLE_LINE)] = None,
        subject_id: FromQuery[uuid.UUID | None] = None,
        before_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_INT4)] = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Response[list[AuditEntryOut]]:
        """Pages by `before_id` (older than this entry), the next page in the `Link` header like every list."""
        found = await services.audit.entries(
            me, action=action, subject_id=subject_id, before_id=before_id, limit=limit + 1
        )
        headers = {"Link": next_link(request, before_id=found[limit - 1].id, limit=limit)} if len(found) > limit else {}
        return Response([AuditEntryOut.of(e) for e in found[:limit]], headers=headers)
