"""The callback queue of the helpline (coordinators)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.paging import DEFAULT_LIMIT
from server.domain.records import Callback
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import Input
from server.http.security import COORDINATORS, Me, Svc, caller, roles


class CallbackOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    phone: str
    person_id: uuid.UUID | None
    first_name: str
    language: str
    reason: str  # asked | no_input | no_times | reminder | other_topic
    tried: list[str]  # the menu steps and keys, e.g. "menu:1", "topic:-" (silence)
    session_id: uuid.UUID | None
    state: str
    created_at: datetime
    outcome: str

    @classmethod
    def of(cls, c: Callback) -> CallbackOut:
        return cls(**{f: getattr(c, f) for f in cls.__struct_fields__})


class HandledIn(Input):
    outcome: Literal["booked_on_behalf", "advised", "no_answer"]


class CallbackController(Controller):
    path = "/api/v1"
    tags = ["coordination"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get(
        "/queues/callbacks",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="People who phoned and wait to be called back",
    )
    async def queue(
        self,
        request: AnyRequest,
        me: Me,
        services: Svc,
        which: Annotated[Literal["open", "handled"], QueryParameter(name="state")] = "open",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[CallbackOut]]:
        """Open ones oldest first (handled ones newest first): who called, when, in which language, and what they
        tried on the voice menu."""
        found = await services.callbacks.queue(me, page_request(limit, cursor), state=which)
        return paged(request, found.map(CallbackOut.of))

    @post("/callbacks/{callback_id:uuid}/handle", opt=roles(*COORDINATORS), status_code=200, summary="Called back")
    async def handle(
        self, callback_id: FromPath[uuid.UUID], data: JSONBody[HandledIn], me: Me, services: Svc
    ) -> CallbackOut:
        return CallbackOut.of(await services.callbacks.handle(me, callback_id, data.outcome))
