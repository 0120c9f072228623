"""A volunteer's private calendar link (webcal), and the calendar behind it."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath

from server.http.security import PUBLIC, VOLUNTEERS, Me, Svc, caller, roles


class CalendarLinkOut(msgspec.Struct, kw_only=True):
    url: str | None  # https://…/calendar/<token>.ics; calendar apps also take it as webcal://…


class MyCalendarController(Controller):
    path = "/api/v1/me/calendar"
    tags = ["volunteers"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=roles(*VOLUNTEERS), summary="My private calendar link, if I have made one")
    async def show(self, me: Me, services: Svc) -> CalendarLinkOut:
        return CalendarLinkOut(url=await services.calendar.link(me))

    @post("/", opt=roles(*VOLUNTEERS), status_code=200, summary="Make a new calendar link (the old one stops)")
    async def make(self, me: Me, services: Svc) -> CalendarLinkOut:
        """Anyone with the link sees the times, topics and places of my sessions (never residents' names)."""
        return CalendarLinkOut(url=await services.calendar.new_link(me))

    @post("/remove", opt=roles(*VOLUNTEERS), status_code=200, summary="End my calendar link")
    async def remove(self, me: Me, services: Svc) -> CalendarLinkOut:
        await services.calendar.remove(me)
        return CalendarLinkOut(url=None)


class CalendarFeedController(Controller):
    path = "/calendar"
    include_in_schema = False
    opt = PUBLIC

    @get("/{name:str}")
    async def feed(self, name: FromPath[str], services: Svc) -> Response[bytes]:
        """The link is the key (calendar apps cannot sign in); an unknown or ended link is a 404."""
        body = await services.calendar.feed(name.removesuffix(".ics"))
        return Response(
            body,
            media_type="text/calendar",  # Litestar adds "; charset=utf-8" (once)
            headers={"Cache-Control": "private, max-age=300", "Content-Disposition": 'inline; filename="apuri.ics"'},
        )
