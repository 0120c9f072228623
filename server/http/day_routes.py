"""Help points' days: closures, other hours, holidays kept open; closing many at once; the sessions a closure
leaves without a place."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.days import DayException, DayState
from server.domain.paging import DEFAULT_LIMIT
from server.domain.roles import Principal
from server.http.booking_routes import SessionOut
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import Input, Line, OptionalName
from server.http.security import COORDINATORS, NETWORK, Me, Svc, caller, roles
from server.services.days import Affected

StateName = Literal["closed", "hours", "open"]


class Reason(Input):
    fi: OptionalName = ""
    sv: OptionalName = ""
    en: OptionalName = ""


class DayIn(Input):
    state: StateName
    opens: time | None = None
    closes: time | None = None
    reason: Reason = msgspec.field(default_factory=Reason)


class DayOut(msgspec.Struct, kw_only=True):
    help_point_id: uuid.UUID
    day: date
    state: str
    opens: time | None
    closes: time | None
    reason: dict[str, str]
    source: Literal["holiday", "coordinator"]

    @classmethod
    def of(cls, d: DayException) -> DayOut:
        source: Literal["holiday", "coordinator"] = "holiday" if d.source == "holiday" else "coordinator"
        return cls(
            help_point_id=d.help_point_id,
            day=d.day,
            state=d.state.value,
            opens=d.opens,
            closes=d.closes,
            reason=dict(d.reason),
            source=source,
        )


class CloseManyIn(Input):
    days: Annotated[list[date], msgspec.Meta(min_length=1, max_length=31)]
    reason: Reason
    municipality: Line | None = None  # none: every help point of the network


class ClosedOut(msgspec.Struct, kw_only=True):
    days_set: int


class AffectedOut(msgspec.Struct, kw_only=True):
    session: SessionOut
    day: DayOut


class HelpPointDaysController(Controller):
    path = "/api/v1/help-points/{help_point_id:uuid}/days"
    tags = ["help points"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=roles(*COORDINATORS), summary="Days that differ from the weekly hours (closures, holidays)")
    async def days(
        self,
        help_point_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        from_: Annotated[date | None, QueryParameter(name="from", description="Default: today")] = None,
        to: Annotated[date | None, QueryParameter(description="Default: 120 days from `from`")] = None,
    ) -> list[DayOut]:
        """At most 400 days ahead (a list bounded by its dates); public holidays are filled in as closed, each
        one a coordinator can keep open."""
        return [DayOut.of(d) for d in await services.days.days(me, help_point_id, from_, to)]

    @put("/{day:date}", opt=roles(*COORDINATORS), summary="Close a day, give it other hours, or keep it open")
    async def set_day(
        self, help_point_id: FromPath[uuid.UUID], day: FromPath[date], data: JSONBody[DayIn], me: Me, services: Svc
    ) -> DayOut:
        """Sessions already booked that day are listed in GET /api/v1/closures/affected until moved or cancelled."""
        found = await services.days.set_day(
            me,
            help_point_id,
            day,
            state=DayState(data.state),
            opens=data.opens,
            closes=data.closes,
            reason={"fi": data.reason.fi, "sv": data.reason.sv, "en": data.reason.en},
        )
        return DayOut.of(found)

    @delete("/{day:date}", opt=roles(*COORDINATORS), status_code=204, summary="Back to the weekly hours")
    async def remove_day(self, help_point_id: FromPath[uuid.UUID], day: FromPath[date], me: Me, services: Svc) -> None:
        await services.days.remove_day(me, help_point_id, day)


class ClosuresController(Controller):
    path = "/api/v1/closures"
    tags = ["help points"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @post("/", opt=roles(*NETWORK), status_code=200, summary="Close every help point of a municipality (or all)")
    async def close_many(self, data: JSONBody[CloseManyIn], me: Me, services: Svc) -> ClosedOut:
        reason = {"fi": data.reason.fi, "sv": data.reason.sv, "en": data.reason.en}
        return ClosedOut(days_set=await services.days.close_many(me, data.days, data.municipality, reason))

    @get(
        "/affected",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Coming sessions on days their help point is closed",
    )
    async def affected(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[AffectedOut]]:
        """Each to be moved (the same volunteer first) or cancelled: the resident is told as on any change."""
        found = await services.days.affected(me, page_request(limit, cursor))
        return paged(request, found.map(lambda a: _affected(a, me)))


def _affected(found: Affected, me: Principal) -> AffectedOut:
    return AffectedOut(session=SessionOut.of(found.session, me), day=DayOut.of(found.day))
