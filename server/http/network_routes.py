"""Organisations and help points: public reads for residents, management for coordinators."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.network import OrganisationKind
from server.domain.paging import DEFAULT_LIMIT
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import (
    SINGLE_LINE,
    HelpPointCreate,
    HelpPointOut,
    HelpPointUpdate,
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    changes_of,
    translations_of,
)
from server.http.security import COORDINATORS, NETWORK, PUBLIC, Me, Svc, caller, roles

ShownLanguage = Annotated[
    Literal["fi", "sv", "en"], QueryParameter(description="The language to show names and notes in")
]


class HelpPointsController(Controller):
    path = "/api/v1/help-points"
    tags = ["help points"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get(
        "/",
        opt=PUBLIC,
        response_headers=NEXT_LINK,
        summary="Help points open to residents, by municipality, then name",
    )
    async def public_list(
        self,
        request: AnyRequest,
        services: Svc,
        municipality: Annotated[str | None, QueryParameter(max_length=100, pattern=SINGLE_LINE)] = None,
        language: ShownLanguage = "fi",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[HelpPointOut]]:
        """`language` sv or en: names, street addresses, accessibility notes and municipalities in it, Finnish where
        there is no translation (`in_finnish` says which). The municipality may be named in Swedish."""
        found = await services.network.public_help_points(page_request(limit, cursor), municipality)
        return paged(request, found.map(lambda h: HelpPointOut.of(h, language)))

    @get("/{help_point_id:uuid}", opt=PUBLIC, summary="One help point")
    async def public_show(
        self, help_point_id: FromPath[uuid.UUID], services: Svc, language: ShownLanguage = "fi"
    ) -> HelpPointOut:
        return HelpPointOut.of(await services.network.public_help_point(help_point_id), language)

    @patch("/{help_point_id:uuid}", opt=roles(*COORDINATORS), summary="Change a help point or its opening hours")
    async def update(
        self, help_point_id: FromPath[uuid.UUID], data: JSONBody[HelpPointUpdate], me: Me, services: Svc
    ) -> HelpPointOut:
        hours = [p.domain() for p in data.opening_hours] if data.opening_hours is not None else None
        changes = changes_of(data, skip=("opening_hours",))
        if data.translations is not None:
            changes["translations"] = translations_of(data.translations)
        updated = await services.network.update_help_point(me, help_point_id, changes, hours)
        return HelpPointOut.of(updated)


class OrganisationsController(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get(
        "/",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Organisations I coordinate (all, for the network), by name",
    )
    async def list_(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[OrganisationOut]]:
        found = await services.network.organisations(me, page_request(limit, cursor))
        return paged(request, found.map(OrganisationOut.of))

    @get(
        "/partners",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Every partner organisation of the network, by name (to refer a request to)",
    )
    async def partners(
        self, request: AnyRequest, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[OrganisationOut]]:
        found = await services.network.partners(page_request(limit, cursor))
        return paged(request, found.map(OrganisationOut.of))

    @post("/", opt=roles(*NETWORK), summary="Add a partner organisation")
    async def create(self, data: JSONBody[OrganisationCreate], me: Me, services: Svc) -> OrganisationOut:
        organisation = await services.network.create_organisation(
            me,
            name=data.name,
            kind=OrganisationKind(data.kind),
            municipality=data.municipality,
            phone=data.phone,
            description=data.description,
            translations=translations_of(data.translations),
        )
        return OrganisationOut.of(organisation)

    @get("/{organisation_id:uuid}", opt=roles(*COORDINATORS), summary="One organisation")
    async def show(self, organisation_id: FromPath[uuid.UUID], me: Me, services: Svc) -> OrganisationOut:
        return OrganisationOut.of(await services.network.organisation(me, organisation_id))

    @patch("/{organisation_id:uuid}", opt=roles(*COORDINATORS), summary="Change an organisation")
    async def update(
        self, organisation_id: FromPath[uuid.UUID], data: JSONBody[OrganisationUpdate], me: Me, services: Svc
    ) -> OrganisationOut:
        changes = changes_of(data)
        if data.translations is not None:
            changes["translations"] = translations_of(data.translations)
        return OrganisationOut.of(await services.network.update_organisation(me, organisation_id, changes))

    @get(
        "/{organisation_id:uuid}/help-points",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="An organisation's help points, by municipality, then name",
    )
    async def help_points(
        self,
        request: AnyRequest,
        organisation_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[HelpPointOut]]:
        found = await services.network.managed_help_points(me, organisation_id, page_request(limit, cursor))
        return paged(request, found.map(HelpPointOut.of))

    @post("/{organisation_id:uuid}/help-points", opt=roles(*COORDINATORS), summary="Add a help point")
    async def add_help_point(
        self, organisation_id: FromPath[uuid.UUID], data: JSONBody[HelpPointCreate], me: Me, services: Svc
    ) -> HelpPointOut:
        values = changes_of(data, skip=("opening_hours",))
        if data.translations is not None:
            values["translations"] = translations_of(data.translations)
        created = await services.network.create_help_point(
            me, organisation_id, values, [p.domain() for p in data.opening_hours]
        )
        await services.days.fill_holidays([created.id])  # closed on public holidays from the start
        return HelpPointOut.of(created)
