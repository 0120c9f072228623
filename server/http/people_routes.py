"""The caller's own profile, members of organisations, coordinators' reads of people."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from server.domain.paging import DEFAULT_LIMIT
from server.domain.roles import Role
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import InviteRequest, MeUpdate, PersonOut, ResidentLookup, RoleName, changes_of
from server.http.security import COORDINATORS, NETWORK, SIGNED_IN, Me, Svc, caller, roles


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=SIGNED_IN, summary="My profile")
    async def show(self, me: Me, services: Svc) -> PersonOut:
        return PersonOut.of(await services.people.me(me))

    @patch("/", opt=SIGNED_IN, summary="Change my name or language")
    async def update(self, data: JSONBody[MeUpdate], me: Me, services: Svc) -> PersonOut:
        return PersonOut.of(await services.people.update_me(me, changes_of(data)))


class PeopleController(Controller):
    path = "/api/v1"
    tags = ["people"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get(
        "/organisations/{organisation_id:uuid}/members",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Members of an organisation, by first name, then last name",
    )
    async def members(
        self,
        request: AnyRequest,
        organisation_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        role: FromQuery[RoleName | None] = None,
        include_inactive: FromQuery[bool] = False,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[PersonOut]]:
        people = await services.people.members(
            me,
            page_request(limit, cursor),
            organisation_id=organisation_id,
            role=Role(role) if role else None,
            include_inactive=include_inactive,
        )
        return paged(request, people.map(PersonOut.of))

    @post(
        "/organisations/{organisation_id:uuid}/members",
        opt=roles(*COORDINATORS),
        summary="Add a volunteer or coordinator",
    )
    async def invite(
        self, organisation_id: FromPath[uuid.UUID], data: JSONBody[InviteRequest], me: Me, services: Svc
    ) -> PersonOut:
        person = await services.people.invite(
            me,
            organisation_id,
            role=Role(data.role),
            phone=data.phone,
            first_name=data.first_name,
            last_name=data.last_name,
            language=data.language,
        )
        return PersonOut.of(person)

    @get("/people/{person_id:uuid}", opt=roles(*COORDINATORS), summary="A person (reads of residents are audited)")
    async def person(self, person_id: FromPath[uuid.UUID], me: Me, services: Svc) -> PersonOut:
        return PersonOut.of(await services.people.person(me, person_id))

    @post("/people/{person_id:uuid}/deactivate", opt=roles(*COORDINATORS), status_code=200, summary="Deactivate")
    async def deactivate(self, person_id: FromPath[uuid.UUID], me: Me, services: Svc) -> PersonOut:
        """Ends every session of the person at once."""
        return PersonOut.of(await services.people.deactivate(me, person_id))

    @post("/people/{person_id:uuid}/reactivate", opt=roles(*NETWORK), status_code=200, summary="Reactivate")
    async def reactivate(self, person_id: FromPath[uuid.UUID], me: Me, services: Svc) -> PersonOut:
        return PersonOut.of(await services.people.reactivate(me, person_id))

    @post("/residents/lookup", opt=roles(*COORDINATORS), status_code=200, summary="Find a resident by number")
    async def lookup(self, data: JSONBody[ResidentLookup], me: Me, services: Svc) -> PersonOut:
        """For the helpline: the number goes in the body, not the URL, and every lookup is audited."""
        return PersonOut.of(await services.people.find_resident(me, phone=data.phone, purpose=data.purpose))
