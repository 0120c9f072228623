"""Drop-in hours (päivystys): published by coordinators, listed for everyone, staffed by volunteers' shifts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.clocktime import local_date
from server.domain.desk import MAX_DAYS
from server.domain.drop_in import (
    COMING_DAYS,
    DEFAULT_COMING_DAYS,
    MINUTES_PER_VISITOR,
    VOLUNTEERS_NEEDED,
    DropInHour,
    Occurrence,
)
from server.domain.municipalities import finnish_name
from server.domain.paging import DEFAULT_LIMIT
from server.http.desk_routes import WalkInCreate, WalkInOut
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import Input
from server.http.security import COORDINATORS, PUBLIC, VOLUNTEERS, Me, Svc, caller, roles
from server.services.desk import WalkInIn
from server.services.drop_in import DropInHourIn

Language = Literal["fi", "sv", "en"]
TopicCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
MunicipalityName = Annotated[
    str | None, QueryParameter(max_length=100, description="Only this municipality's drop-in hours")
]
TopicFilter = Annotated[
    str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="Only drop-in hours for this topic")
]
ShownLanguage = Annotated[Language, QueryParameter(description="The language to show places in")]
ComingDays = Annotated[int, QueryParameter(ge=COMING_DAYS[0], le=COMING_DAYS[1], description="How many days ahead")]


class DropInHourCreate(Input):
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)]
    starts: time
    ends: time
    topics: Annotated[list[TopicCode], msgspec.Meta(max_length=40)] = []
    languages: Annotated[list[Language], msgspec.Meta(min_length=1, max_length=3)] = msgspec.field(
        default_factory=lambda: ["fi"]
    )
    minutes_per_visitor: Annotated[int, msgspec.Meta(ge=MINUTES_PER_VISITOR[0], le=MINUTES_PER_VISITOR[1])] = 30
    volunteers_needed: Annotated[int, msgspec.Meta(ge=VOLUNTEERS_NEEDED[0], le=VOLUNTEERS_NEEDED[1])] = 1


class DropInHourOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    help_point_id: uuid.UUID
    weekday: int
    starts: time
    ends: time
    topics: list[str]  # empty: any topic
    languages: list[str]
    minutes_per_visitor: int
    volunteers_needed: int

    @classmethod
    def of(cls, h: DropInHour) -> DropInHourOut:
        return cls(
            id=h.id,
            help_point_id=h.help_point_id,
            weekday=h.weekday,
            starts=h.starts,
            ends=h.ends,
            topics=list(h.topics),
            languages=list(h.languages),
            minutes_per_visitor=h.minutes_per_visitor,
            volunteers_needed=h.volunteers_needed,
        )


class DropInOut(msgspec.Struct, kw_only=True):
    """A drop-in hour on one date, where it is and whether it is open now."""

    hour_id: uuid.UUID
    day: date
    starts_at: datetime
    ends_at: datetime
    open_now: bool
    shortened: bool  # other opening hours that day cut it
    topics: list[str]
    languages: list[str]
    minutes_per_visitor: int
    help_point_id: uuid.UUID
    help_point_name: str
    street_address: str
    postal_code: str
    municipality: str
    accessibility_notes: str
    in_finnish: list[str] = []  # asked in Swedish or English: the place's fields shown in Finnish

    @classmethod
    def of(cls, o: Occurrence, now: datetime, language: str = "fi") -> DropInOut:
        name, street, town, notes, fallback = o.place.shown(language)
        return cls(
            hour_id=o.hour.id,
            day=o.day,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
            open_now=o.open_at(now),
            shortened=o.shortened,
            topics=list(o.hour.topics),
            languages=list(o.hour.languages),
            minutes_per_visitor=o.hour.minutes_per_visitor,
            help_point_id=o.place.id,
            help_point_name=name,
            street_address=street,
            postal_code=o.place.postal_code,
            municipality=town,
            accessibility_notes=notes,
            in_finnish=fallback,
        )


class ShiftOut(DropInOut, kw_only=True):
    """A drop-in hour on one date as a shift: how many volunteers it needs and has, and whether I am one."""

    volunteers_needed: int
    staffed: int
    mine: bool
    today: bool  # the shift's day is today (visitors are recorded then)

    @classmethod
    def shift(cls, o: Occurrence, now: datetime, language: str = "fi") -> ShiftOut:
        base = msgspec.structs.asdict(DropInOut.of(o, now, language))
        today = o.day == local_date(now)
        return cls(**base, volunteers_needed=o.hour.volunteers_needed, staffed=o.staffed, mine=o.mine, today=today)


class DeskDropInOut(ShiftOut, kw_only=True):
    """A drop-in hour on the desk's day: who is on duty (first names only)."""

    volunteers: list[str]


FirstDay = Annotated[date | None, QueryParameter(name="day", description="The first day shown. Default: today")]
Days = Annotated[int, QueryParameter(ge=1, le=MAX_DAYS, description="1 (a day) to 7 (a week)")]


class DropInController(Controller):
    path = "/api/v1"
    tags = ["drop-in hours"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    # ---- everyone ---------------------------------------------------------------------------------------------

    @get(
        "/drop-in-hours",
        opt=PUBLIC,
        response_headers=NEXT_LINK,
        summary="Digital help without booking: the drop-in hours open now and coming, earliest first",
    )
    async def coming(
        self,
        request: AnyRequest,
        services: Svc,
        municipality: MunicipalityName = None,
        topic: TopicFilter = None,
        days: ComingDays = DEFAULT_COMING_DAYS,
        language: ShownLanguage = "fi",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[DropInOut]]:
        """Closed days have none; a day with other opening hours cuts them (`shortened`). Days are local. In
        `language` sv or en, places read in it where they have the words (the municipality may be named in
        Swedish)."""
        found = await services.drop_in.coming(
            page_request(limit, cursor),
            municipality=finnish_name(municipality) if municipality else None,
            days=days,
            topic=topic,
        )
        now = services.clock.now()
        return paged(request, found.map(lambda o: DropInOut.of(o, now, language)))

    @get("/drop-in-hours/municipalities", opt=PUBLIC, summary="The municipalities that have drop-in hours")
    async def municipalities(self, services: Svc) -> list[str]:
        return await services.drop_in.municipalities()

    # ---- coordinators -----------------------------------------------------------------------------------------

    @get(
        "/help-points/{help_point_id:uuid}/drop-in-hours",
        opt=roles(*COORDINATORS),
        summary="A help point's weekly drop-in hours",
    )
    async def hours(self, help_point_id: FromPath[uuid.UUID], me: Me, services: Svc) -> list[DropInHourOut]:
        return [DropInHourOut.of(h) for h in await services.drop_in.hours(me, help_point_id)]

    @post(
        "/help-points/{help_point_id:uuid}/drop-in-hours",
        opt=roles(*COORDINATORS),
        status_code=201,
        summary="Publish a weekly drop-in hour at a help point",
    )
    async def add_hour(
        self, help_point_id: FromPath[uuid.UUID], data: JSONBody[DropInHourCreate], me: Me, services: Svc
    ) -> DropInHourOut:
        hour = DropInHourIn(
            weekday=data.weekday,
            starts=data.starts,
            ends=data.ends,
            topics=tuple(data.topics),
            languages=tuple(data.languages),
            minutes_per_visitor=data.minutes_per_visitor,
            volunteers_needed=data.volunteers_needed,
        )
        return DropInHourOut.of(await services.drop_in.add(me, help_point_id, hour))

    @delete(
        "/help-points/{help_point_id:uuid}/drop-in-hours/{hour_id:uuid}",
        opt=roles(*COORDINATORS),
        status_code=204,
        summary="Stop a drop-in hour (shifts not yet begun go with it)",
    )
    async def remove_hour(
        self, help_point_id: FromPath[uuid.UUID], hour_id: FromPath[uuid.UUID], me: Me, services: Svc
    ) -> None:
        await services.drop_in.remove(me, help_point_id, hour_id)

    @get(
        "/help-points/{help_point_id:uuid}/drop-in",
        opt=roles(*COORDINATORS),
        summary="A help point's drop-in hours on a day or in a week, with the volunteers on duty",
    )
    async def desk_day(
        self, help_point_id: FromPath[uuid.UUID], me: Me, services: Svc, day: FirstDay = None, days: Days = 1
    ) -> list[DeskDropInOut]:
        """Closed days have none. At most 20 drop-in hours a week, on at most 7 days."""
        found = await services.drop_in.desk_day(me, help_point_id, day, days)
        now = services.clock.now()
        return [DeskDropInOut(**msgspec.structs.asdict(ShiftOut.shift(o, now)), volunteers=names) for o, names in found]

    @get(
        "/drop-in-hours/unstaffed",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Drop-in hours in the next three days with fewer volunteers than they need",
    )
    async def unstaffed(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[ShiftOut]]:
        found = await services.drop_in.unstaffed(me, page_request(limit, cursor))
        now = services.clock.now()
        return paged(request, found.map(lambda o: ShiftOut.shift(o, now)))

    # ---- volunteers -------------------------------------------------------------------------------------------

    @get(
        "/me/drop-in-shifts",
        opt=roles(*VOLUNTEERS),
        response_headers=NEXT_LINK,
        summary="Shifts on the drop-in hours of my help points in the next four weeks",
    )
    async def my_shifts(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[ShiftOut]]:
        found = await services.drop_in.shifts(me, page_request(limit, cursor))
        now = services.clock.now()
        return paged(request, found.map(lambda o: ShiftOut.shift(o, now, me.language)))

    @put(
        "/drop-in-hours/{hour_id:uuid}/shifts/{day:date}",
        opt=roles(*VOLUNTEERS),
        summary="Take a shift on a drop-in hour (counts towards my weekly limit)",
    )
    async def take_shift(self, hour_id: FromPath[uuid.UUID], day: FromPath[date], me: Me, services: Svc) -> ShiftOut:
        return ShiftOut.shift(await services.drop_in.take(me, hour_id, day), services.clock.now())

    @delete(
        "/drop-in-hours/{hour_id:uuid}/shifts/{day:date}",
        opt=roles(*VOLUNTEERS),
        status_code=204,
        summary="Give back a shift that has not begun",
    )
    async def give_back_shift(self, hour_id: FromPath[uuid.UUID], day: FromPath[date], me: Me, services: Svc) -> None:
        await services.drop_in.give_back(me, hour_id, day)

    @post(
        "/drop-in-hours/{hour_id:uuid}/shifts/{day:date}/walk-ins",
        opt=roles(*VOLUNTEERS),
        status_code=201,
        summary="Record a visitor helped on my drop-in shift today (no name needed)",
    )
    async def shift_walk_in(
        self, hour_id: FromPath[uuid.UUID], day: FromPath[date], data: JSONBody[WalkInCreate], me: Me, services: Svc
    ) -> WalkInOut:
        """Counts in the statistics as the channel `walk-in`, like a visit recorded at the desk."""
        visit = WalkInIn(topic=data.topic, minutes=data.minutes, outcomes=tuple(data.outcomes), language=data.language)
        return WalkInOut.of(await services.drop_in.record_walk_in(me, hour_id, day, visit))
