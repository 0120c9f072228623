"""The public catalogue of partners, in the resident's language."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter

from server.domain.municipalities import municipality_name
from server.domain.network import PARTNER_FIELDS, in_language
from server.domain.paging import DEFAULT_LIMIT
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import SINGLE_LINE, HelpPointOut
from server.http.security import PUBLIC, Svc
from server.services.catalogue import Partner, Place

ShownLanguage = Annotated[
    Literal["fi", "sv", "en"], QueryParameter(description="The language to show names and descriptions in")
]


class CatalogueDropInOut(msgspec.Struct, kw_only=True):
    weekday: int  # 0 = Monday
    starts: time
    ends: time
    minutes_per_visitor: int
    topics: list[str]  # empty: any topic


class CataloguePlaceOut(HelpPointOut, kw_only=True):
    drop_in_hours: list[CatalogueDropInOut]

    @classmethod
    def place(cls, p: Place, language: str) -> CataloguePlaceOut:
        hours = [
            CatalogueDropInOut(
                weekday=h.weekday,
                starts=h.starts,
                ends=h.ends,
                minutes_per_visitor=h.minutes_per_visitor,
                topics=list(h.topics),
            )
            for h in p.drop_in
        ]
        return cls(**msgspec.structs.asdict(HelpPointOut.of(p.help_point, language)), drop_in_hours=hours)


class PartnerOut(msgspec.Struct, kw_only=True):
    """A partner as residents see it: what it helps with and where, in the language asked (Finnish where there is
    no translation: `in_finnish` says which fields)."""

    id: uuid.UUID
    name: str
    description: str
    kind: str
    municipality: str
    phone: str | None
    topics: list[str]
    ways: list[str]  # help_point | phone | video | home_visit
    places: list[CataloguePlaceOut]
    in_finnish: list[str]

    @classmethod
    def of(cls, p: Partner, language: str) -> PartnerOut:
        o = p.organisation
        shown = {name: in_language(getattr(o, name), o.translations, name, language) for name in PARTNER_FIELDS}
        return cls(
            id=o.id,
            name=shown["name"][0],
            description=shown["description"][0],
            kind=o.kind.value,
            municipality=municipality_name(o.municipality, language),
            phone=o.phone,
            topics=list(p.topics),
            ways=list(p.ways),
            places=[CataloguePlaceOut.place(place, language) for place in p.places],
            in_finnish=[name for name in PARTNER_FIELDS if shown[name][1]],
        )


class CatalogueController(Controller):
    path = "/api/v1/catalogue"
    tags = ["catalogue"]

    @get(
        "/",
        opt=PUBLIC,
        response_headers=NEXT_LINK,
        summary="The network's partners: what each helps with, how, where and their phone number",
    )
    async def partners(
        self,
        request: AnyRequest,
        services: Svc,
        language: ShownLanguage = "fi",
        municipality: Annotated[
            str | None,
            QueryParameter(max_length=100, pattern=SINGLE_LINE, description="In Finnish or Swedish ('Kajana')"),
        ] = None,
        topic: Annotated[str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,39}$")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[PartnerOut]]:
        """Active partners by name; a municipality keeps those with a help point there or based there."""
        found = await services.catalogue.partners(page_request(limit, cursor), municipality=municipality, topic=topic)
        return paged(request, found.map(lambda p: PartnerOut.of(p, language)))
