"""Free slots (public), booking (residents), the caller's own sessions, and cancelling."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from server.domain.matching import Modality, Need
from server.domain.paging import DEFAULT_LIMIT
from server.domain.phone import callable_number
from server.domain.records import SessionRow
from server.domain.roles import Principal, Role
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import SINGLE_LINE, AwareDateTime, Input
from server.http.security import PUBLIC, SIGNED_IN, Me, Svc, caller, roles
from server.services.booking import Booked, BookingQuery, FirstFree

ModalityName = Literal["help_point", "home_visit", "phone", "video"]
LanguageName = Literal["fi", "sv", "en", "fi-plain"]
TopicCode = Annotated[str, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class SlotOut(msgspec.Struct, kw_only=True):
    starts_at: datetime
    ends_at: datetime


class HelpPointFirstFree(msgspec.Struct, kw_only=True):
    help_point_id: uuid.UUID
    starts_at: datetime | None  # None: no free time within the search


class MunicipalityFirstFree(msgspec.Struct, kw_only=True):
    municipality: str
    help_points: int  # how many help points are open for bookings there
    starts_at: datetime | None  # the first free time at any of them


class FirstFreeOut(msgspec.Struct, kw_only=True):
    """The next free time of each choice, shown on it before it is chosen. One entry per municipality (there are
    only so many), and per help point of the one asked for."""

    searched_until: date
    remote: datetime | None  # by phone or video
    help_point: datetime | None  # at any help point
    municipalities: list[MunicipalityFirstFree]
    help_points: list[HelpPointFirstFree]

    @classmethod
    def of(cls, found: FirstFree, municipality: str | None) -> FirstFreeOut:
        by_town: dict[str, list[datetime | None]] = {}
        for point, starts_at in found.help_points.values():
            by_town.setdefault(point.municipality, []).append(starts_at)
        wanted = municipality.strip().casefold() if municipality else None
        points = sorted(found.help_points.values(), key=lambda found: (found[0].municipality, found[0].name))
        return cls(
            searched_until=found.searched_until,
            remote=found.remote,
            help_point=_earliest(t for _, t in found.help_points.values()),
            municipalities=[
                MunicipalityFirstFree(municipality=name, help_points=len(times), starts_at=_earliest(times))
                for name, times in sorted(by_town.items())
            ],
            help_points=[
                HelpPointFirstFree(help_point_id=point.id, starts_at=starts_at)
                for point, starts_at in points
                if wanted is not None and point.municipality.casefold() == wanted
            ],
        )


def _earliest(times: Iterable[datetime | None]) -> datetime | None:
    return min((t for t in times if t is not None), default=None)


class BookingIn(Input):
    topic: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    modality: ModalityName
    starts_at: AwareDateTime
    language: LanguageName = "fi"
    help_point_id: uuid.UUID | None = None
    needs: Annotated[list[Literal["hearing", "sight", "mobility", "memory"]], msgspec.Meta(max_length=4)] = []


class SessionOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    request_id: uuid.UUID
    topic: str
    modality: str
    help_point_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    state: str
    # What the other party may see: a resident sees their volunteer's first name; a volunteer sees the
    # resident's first name and, for their own sessions only, the phone number.
    volunteer_first_name: str | None = None
    resident_first_name: str | None = None
    resident_phone: str | None = None
    language: str = "fi"
    needs: list[str] = []
    minutes_spent: int | None = None
    outcomes: list[str] = []
    note: str | None = None  # the volunteer's own note, shown to them only
    home_address: str | None = None  # a home visit's address: to the resident and their own volunteer only

    @classmethod
    def of(cls, s: SessionRow, viewer: Principal) -> SessionOut:
        as_volunteer = s.volunteer_id == viewer.person_id
        return cls(
            id=s.id,
            request_id=s.request_id,
            topic=s.topic,
            modality=s.modality,
            help_point_id=s.help_point_id,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            state=s.state,
            volunteer_first_name=s.volunteer_first_name if not as_volunteer else None,
            resident_first_name=s.resident_first_name if as_volunteer else None,
            resident_phone=callable_number(s.resident_phone) if as_volunteer else None,
            language=s.language,
            needs=list(s.needs),
            minutes_spent=s.minutes_spent,
            outcomes=list(s.outcomes),
            note=s.note if as_volunteer else None,
            home_address=s.home_address or None,
        )


class BookingOut(msgspec.Struct, kw_only=True):
    request_id: uuid.UUID
    state: str
    session: SessionOut | None
    routed_to_organisation_id: uuid.UUID | None
    reminded_by: Literal["sms", "call"] = "sms"  # a landline resident booked by a coordinator: calls

    @classmethod
    def of(cls, booked: Booked, viewer: Principal) -> BookingOut:
        return cls(
            request_id=booked.request_id,
            state=booked.state.value,
            session=SessionOut.of(booked.session, viewer) if booked.session else None,
            routed_to_organisation_id=booked.routed_to,
        )


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", pattern=r"^[A-Za-z0-9_-]{8,64}$", required=False),
]


class BookingController(Controller):
    path = "/api/v1"
    tags = ["booking"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/slots", opt=PUBLIC, summary="Free times for a topic, language and way of meeting")
    async def slots(
        self,
        services: Svc,
        topic: TopicCode,
        modality: FromQuery[ModalityName],
        from_: Annotated[date, QueryParameter(name="from")],
        to: FromQuery[date],
        language: FromQuery[LanguageName] = "fi",
        help_point_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[SlotOut]:
        query = BookingQuery(topic, language, Modality(modality), help_point_id)
        return [SlotOut(starts_at=s.start, ends_at=s.end) for s in await services.booking.slots(query, from_, to)]

    @get("/slots/first", opt=PUBLIC, summary="The next free time of each way of meeting, municipality and help point")
    async def first_free(
        self,
        services: Svc,
        topic: TopicCode,
        language: FromQuery[LanguageName] = "fi",
        municipality: Annotated[str | None, QueryParameter(max_length=100, pattern=SINGLE_LINE)] = None,
    ) -> FirstFreeOut:
        """Within the next four weeks (`searched_until`); None where there is none. Computed at most once a minute
        per topic and language: a hint before choosing, the free times themselves are searched when chosen."""
        return FirstFreeOut.of(await services.booking.first_free(topic, language), municipality)

    @post("/bookings", opt=roles(Role.RESIDENT), status_code=201, summary="Book a time (the best volunteer at once)")
    async def book(
        self, data: JSONBody[BookingIn], me: Me, services: Svc, idempotency_key: IdempotencyKey = None
    ) -> Response[BookingOut]:
        """Send an Idempotency-Key (made once per tap) so that a repeated request returns the first booking."""
        query = BookingQuery(data.topic, data.language, Modality(data.modality), data.help_point_id)
        booked = await services.booking.book(
            me,
            query,
            starts_at=data.starts_at,
            needs=frozenset(Need(n) for n in data.needs),
            idempotency_key=idempotency_key,
        )
        headers = {"Idempotent-Replayed": "true"} if booked.replayed else {}
        return Response(BookingOut.of(booked, me), status_code=201, headers=headers)

    @get(
        "/me/sessions",
        opt=SIGNED_IN,
        response_headers=NEXT_LINK,
        summary="My sessions (as a resident, or as a volunteer), earliest first",
    )
    async def my_sessions(
        self,
        request: AnyRequest,
        me: Me,
        services: Svc,
        as_: Annotated[Literal["resident", "volunteer"], QueryParameter(name="as")] = "resident",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[SessionOut]]:
        found = await services.booking.my_sessions(me, page_request(limit, cursor), as_volunteer=as_ == "volunteer")
        return paged(request, found.map(lambda s: SessionOut.of(s, me)))

    @post("/sessions/{session_id:uuid}/cancel", opt=roles(Role.RESIDENT), status_code=200, summary="Cancel my session")
    async def cancel(self, session_id: FromPath[uuid.UUID], me: Me, services: Svc) -> SessionOut:
        return SessionOut.of(await services.sessions.cancel(me, session_id), me)
