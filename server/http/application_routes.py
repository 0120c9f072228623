"""Volunteering by application: people ask, coordinators approve or decline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.paging import DEFAULT_LIMIT
from server.domain.records import ApplicationRow
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import MULTI_LINE, Input, OptionalName
from server.http.security import COORDINATORS, SIGNED_IN, Me, Svc, caller, roles


class ApplicationIn(Input):
    organisation_id: uuid.UUID
    message: Annotated[str, msgspec.Meta(max_length=1000, pattern=MULTI_LINE)] = ""
    first_name: OptionalName | None = None


class ApplicationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    state: str
    message: str
    created_at: datetime
    decided_at: datetime | None
    # For the coordinator deciding: who is asking.
    person_id: uuid.UUID | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, a: ApplicationRow, *, for_coordinator: bool = False) -> ApplicationOut:
        return cls(
            id=a.id,
            organisation_id=a.organisation_id,
            organisation_name=a.organisation_name,
            state=a.state,
            message=a.message,
            created_at=a.created_at,
            decided_at=a.decided_at,
            person_id=a.person_id if for_coordinator else None,
            first_name=a.first_name if for_coordinator else None,
            last_name=a.last_name if for_coordinator else None,
            phone=a.phone if for_coordinator else None,
        )


class ApplicationController(Controller):
    path = "/api/v1"
    tags = ["volunteering"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @post("/me/volunteer-applications", opt=SIGNED_IN, status_code=201, summary="Ask to volunteer")
    async def apply(self, data: JSONBody[ApplicationIn], me: Me, services: Svc) -> ApplicationOut:
        """The organisation's coordinator answers; you get an SMS either way."""
        found = await services.applications.apply(
            me, data.organisation_id, message=data.message, first_name=data.first_name
        )
        return ApplicationOut.of(found)

    @get(
        "/me/volunteer-applications",
        opt=SIGNED_IN,
        response_headers=NEXT_LINK,
        summary="My applications to volunteer, newest first",
    )
    async def mine(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[ApplicationOut]]:
        found = await services.applications.mine(me, page_request(limit, cursor))
        return paged(request, found.map(ApplicationOut.of))

    @post(
        "/me/volunteer-applications/{application_id:uuid}/withdraw",
        opt=SIGNED_IN,
        status_code=200,
        summary="Take back my application",
    )
    async def withdraw(self, application_id: FromPath[uuid.UUID], me: Me, services: Svc) -> ApplicationOut:
        return ApplicationOut.of(await services.applications.withdraw(me, application_id))

    @get(
        "/volunteer-applications",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Applications to my organisations, oldest first",
    )
    async def waiting(
        self,
        request: AnyRequest,
        me: Me,
        services: Svc,
        which: Annotated[Literal["pending", "approved", "declined", "withdrawn"], QueryParameter(name="state")] = (
            "pending"
        ),
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[ApplicationOut]]:
        found = await services.applications.waiting(me, page_request(limit, cursor), state=which)
        return paged(request, found.map(lambda a: ApplicationOut.of(a, for_coordinator=True)))

    @post(
        "/volunteer-applications/{application_id:uuid}/approve",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="Approve: they become a volunteer here",
    )
    async def approve(self, application_id: FromPath[uuid.UUID], me: Me, services: Svc) -> ApplicationOut:
        found = await services.applications.decide(me, application_id, approve=True)
        return ApplicationOut.of(found, for_coordinator=True)

    @post(
        "/volunteer-applications/{application_id:uuid}/decline",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="Decline, politely",
    )
    async def decline(self, application_id: FromPath[uuid.UUID], me: Me, services: Svc) -> ApplicationOut:
        found = await services.applications.decide(me, application_id, approve=False)
        return ApplicationOut.of(found, for_coordinator=True)
