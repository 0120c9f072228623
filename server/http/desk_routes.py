"""The desk's day: who is coming to a help point (or to an organisation) on a day or in a week, and the walk-in
visitors recorded at the desk."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.desk import MAX_DAYS, WALK_IN_MINUTES, Visit, WalkInRow
from server.domain.paging import DEFAULT_LIMIT
from server.http.booking_routes import LanguageName
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import Input
from server.http.security import COORDINATORS, Me, Svc, caller, roles
from server.http.session_routes import OutcomeCode
from server.services.desk import WalkInIn

FirstDay = Annotated[date | None, QueryParameter(name="day", description="The first day shown. Default: today")]
Days = Annotated[int, QueryParameter(ge=1, le=MAX_DAYS, description="1 (a day) to 7 (a week)")]
TopicCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class VisitOut(msgspec.Struct, kw_only=True):
    """A session on the desk's list: the resident's first name only, never their number or address."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    state: str  # scheduled | checked_in | done | no_show
    checked_in: bool  # they have met (checked in, or already done)
    confirmed: bool  # the resident confirmed by SMS reply
    modality: str
    help_point_id: uuid.UUID | None
    help_point_name: str | None
    topic: str
    language: str
    needs: list[str]
    resident_first_name: str
    volunteer_first_name: str | None  # None: nobody yet (the session was given back)

    @classmethod
    def of(cls, v: Visit) -> VisitOut:
        return cls(
            id=v.id,
            starts_at=v.starts_at,
            ends_at=v.ends_at,
            state=v.state,
            checked_in=v.state in ("checked_in", "done"),
            confirmed=v.confirmed,
            modality=v.modality,
            help_point_id=v.help_point_id,
            help_point_name=v.help_point_name,
            topic=v.topic,
            language=v.language,
            needs=list(v.needs),
            resident_first_name=v.resident_first_name,
            volunteer_first_name=v.volunteer_first_name,
        )


class WalkInCreate(Input):
    topic: TopicCode
    minutes: Annotated[int, msgspec.Meta(ge=WALK_IN_MINUTES[0], le=WALK_IN_MINUTES[1])]
    outcomes: Annotated[list[OutcomeCode], msgspec.Meta(max_length=20)] = []
    language: LanguageName = "fi"


class WalkInOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    help_point_id: uuid.UUID
    topic: str
    language: str
    minutes: int
    outcomes: list[str]
    recorded_at: datetime

    @classmethod
    def of(cls, w: WalkInRow) -> WalkInOut:
        return cls(
            id=w.id,
            help_point_id=w.help_point_id,
            topic=w.topic,
            language=w.language,
            minutes=w.minutes,
            outcomes=list(w.outcomes),
            recorded_at=w.recorded_at,
        )


class DeskController(Controller):
    path = "/api/v1"
    tags = ["the desk's day"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get(
        "/help-points/{help_point_id:uuid}/sessions",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Who is coming to a help point on a day or in a week, earliest first",
    )
    async def help_point_sessions(
        self,
        request: AnyRequest,
        help_point_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        day: FirstDay = None,
        days: Days = 1,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[VisitOut]]:
        """Cancelled sessions are left out. Days are local (Europe/Helsinki) days."""
        found = await services.desk.help_point_day(me, help_point_id, day, days, page_request(limit, cursor))
        return paged(request, found.map(VisitOut.of))

    @get(
        "/organisations/{organisation_id:uuid}/sessions",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="An organisation's sessions on a day or in a week: at its help points and with its volunteers",
    )
    async def organisation_sessions(
        self,
        request: AnyRequest,
        organisation_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        day: FirstDay = None,
        days: Days = 1,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[VisitOut]]:
        """Remote sessions and home visits of the organisation's volunteers come too (with no help point)."""
        found = await services.desk.organisation_day(me, organisation_id, day, days, page_request(limit, cursor))
        return paged(request, found.map(VisitOut.of))

    @get(
        "/help-points/{help_point_id:uuid}/walk-ins",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Visitors helped at the desk without a booking, on a day or in a week",
    )
    async def walk_ins(
        self,
        request: AnyRequest,
        help_point_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        day: FirstDay = None,
        days: Days = 1,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[WalkInOut]]:
        found = await services.desk.walk_ins(me, help_point_id, day, days, page_request(limit, cursor))
        return paged(request, found.map(WalkInOut.of))

    @post(
        "/help-points/{help_point_id:uuid}/walk-ins",
        opt=roles(*COORDINATORS),
        status_code=201,
        summary="Record a visitor helped without a booking (no name needed)",
    )
    async def record_walk_in(
        self, help_point_id: FromPath[uuid.UUID], data: JSONBody[WalkInCreate], me: Me, services: Svc
    ) -> WalkInOut:
        """Counts in the statistics as the channel `walk-in`, at this help point's organisation and municipality."""
        visit = WalkInIn(topic=data.topic, minutes=data.minutes, outcomes=tuple(data.outcomes), language=data.language)
        return WalkInOut.of(await services.desk.record_walk_in(me, help_point_id, visit))

    @delete(
        "/help-points/{help_point_id:uuid}/walk-ins/{walk_in_id:uuid}",
        opt=roles(*COORDINATORS),
        status_code=204,
        summary="Take back a walk-in recorded by mistake (within a week)",
    )
    async def remove_walk_in(
        self, help_point_id: FromPath[uuid.UUID], walk_in_id: FromPath[uuid.UUID], me: Me, services: Svc
    ) -> None:
        await services.desk.remove_walk_in(me, help_point_id, walk_in_id)
