"""Flexible requests (residents) and offers (volunteers)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from server.domain.matching import Modality, Need, Place
from server.domain.paging import DEFAULT_LIMIT
from server.domain.phone import callable_number
from server.domain.records import OfferRow
from server.domain.requests import HelpRequestRow
from server.domain.roles import Role
from server.http.booking_routes import IdempotencyKey, SessionOut
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import AwareDateTime, Input, Latitude, Line, Longitude
from server.http.security import VOLUNTEERS, Me, Svc, caller, roles
from server.services.booking import BookingQuery


class HomeIn(Input):
    """Where a home visit is: the address for the volunteer, the coordinates for the travel radius."""

    address: Line
    latitude: Latitude
    longitude: Longitude


class HelpRequestIn(Input):
    topic: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    modality: Literal["help_point", "home_visit", "phone", "video"]
    language: Literal["fi", "sv", "en", "fi-plain"] = "fi"
    help_point_id: uuid.UUID | None = None
    home: HomeIn | None = None
    needs: Annotated[list[Literal["hearing", "sight", "mobility", "memory"]], msgspec.Meta(max_length=4)] = []

    def query(self) -> BookingQuery:
        home = Place(self.home.latitude, self.home.longitude) if self.home else None
        address = self.home.address if self.home else ""
        return BookingQuery(self.topic, self.language, Modality(self.modality), self.help_point_id, home, address)


class ScheduleIn(Input):
    starts_at: AwareDateTime


class AskedOut(msgspec.Struct, kw_only=True):
    request_id: uuid.UUID
    state: str
    volunteers_asked: int
    reminded_by: Literal["sms", "call"] = "sms"  # a landline resident booked by a coordinator: calls


class RequestOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    topic: str
    modality: str
    language: str
    state: str
    created_at: datetime

    @classmethod
    def of(cls, r: HelpRequestRow) -> RequestOut:
        return cls(
            id=r.id,
            topic=r.topic,
            modality=r.modality.value,
            language=r.language,
            state=r.state,
            created_at=r.created_at,
        )


class OfferOut(msgspec.Struct, kw_only=True):
    """What a volunteer needs to decide: no name or number before they accept."""

    id: uuid.UUID
    request_id: uuid.UUID
    topic: str
    language: str
    modality: str
    help_point_id: uuid.UUID | None
    state: str
    expires_at: datetime
    # Once the volunteer has accepted, the request is theirs: whom to call.
    resident_first_name: str | None = None
    resident_phone: str | None = None
    home_address: str | None = None
    needs: list[str] = []  # hearing, sight, mobility, memory: what the volunteer should be ready for

    @classmethod
    def of(cls, o: OfferRow) -> OfferOut:
        accepted = o.state == "accepted"
        return cls(
            id=o.id,
            request_id=o.request_id,
            topic=o.topic,
            language=o.language,
            modality=o.modality,
            help_point_id=o.help_point_id,
            state=o.state,
            expires_at=o.expires_at,
            resident_first_name=o.resident_first_name if accepted else None,
            resident_phone=callable_number(o.resident_phone) if accepted else None,
            home_address=o.home_address if accepted and o.home_address else None,
            needs=list(o.needs),
        )


class OfferController(Controller):
    path = "/api/v1"
    tags = ["requests and offers"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @post("/requests", opt=roles(Role.RESIDENT), status_code=201, summary="Ask for help without a time")
    async def ask(
        self, data: JSONBody[HelpRequestIn], me: Me, services: Svc, idempotency_key: IdempotencyKey = None
    ) -> Response[AskedOut]:
        """Offered to the best few volunteers at once; if nobody can, a coordinator takes it up. Send an
        Idempotency-Key (made once per tap) so that a repeated request returns the first one."""
        asked = await services.offers.ask(
            me, data.query(), needs=frozenset(Need(n) for n in data.needs), idempotency_key=idempotency_key
        )
        headers = {"Idempotent-Replayed": "true"} if asked.replayed else {}
        out = AskedOut(request_id=asked.request_id, state=asked.state.value, volunteers_asked=asked.offers)
        return Response(out, status_code=201, headers=headers)

    @get(
        "/me/requests",
        opt=roles(Role.RESIDENT),
        response_headers=NEXT_LINK,
        summary="My requests and where they stand, oldest first",
    )
    async def my_requests(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[RequestOut]]:
        found = await services.offers.my_requests(me, page_request(limit, cursor))
        return paged(request, found.map(RequestOut.of))

    @post(
        "/requests/{request_id:uuid}/cancel",
        opt=roles(Role.RESIDENT),
        status_code=200,
        summary="I no longer need help with this",
    )
    async def cancel(self, request_id: FromPath[uuid.UUID], me: Me, services: Svc) -> RequestOut:
        """Cancels the request, the offers still open and its session, if it has one."""
        return RequestOut.of(await services.offers.cancel_request(me, request_id))

    @get("/me/offers", opt=roles(*VOLUNTEERS), summary="Requests offered to me, waiting for an answer")
    async def my_offers(self, me: Me, services: Svc) -> list[OfferOut]:
        return [OfferOut.of(o) for o in await services.offers.my_offers(me)]

    @get(
        "/me/offers/accepted",
        opt=roles(*VOLUNTEERS),
        response_headers=NEXT_LINK,
        summary="Requests I took: whom to call",
    )
    async def accepted(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[OfferOut]]:
        found = await services.offers.accepted(me, page_request(limit, cursor))
        return paged(request, found.map(OfferOut.of))

    @post(
        "/requests/{request_id:uuid}/session",
        opt=roles(*VOLUNTEERS),
        status_code=201,
        summary="Put down the time agreed with the resident",
    )
    async def schedule(
        self, request_id: FromPath[uuid.UUID], data: JSONBody[ScheduleIn], me: Me, services: Svc
    ) -> SessionOut:
        """For a request I accepted: after calling the resident, the time we agreed becomes a session."""
        return SessionOut.of(await services.offers.schedule(me, request_id, data.starts_at), me)

    @post("/offers/{offer_id:uuid}/accept", opt=roles(*VOLUNTEERS), status_code=200, summary="Take the request")
    async def accept(self, offer_id: FromPath[uuid.UUID], me: Me, services: Svc) -> OfferOut:
        """The first volunteer to accept gets the request; later ones get 409."""
        return OfferOut.of(await services.offers.accept(me, offer_id))

    @post("/offers/{offer_id:uuid}/decline", opt=roles(*VOLUNTEERS), status_code=200, summary="Say no this time")
    async def decline(self, offer_id: FromPath[uuid.UUID], me: Me, services: Svc) -> OfferOut:
        return OfferOut.of(await services.offers.decline(me, offer_id))
