"""Helpers for the volunteer app's browser tests: a live server whose clock the test can move (check-in is
allowed at most an hour early, "done" only after the start), signing people in through the API in a browser
context, a resident asking for help without a time (which offers it to volunteers), and finding the next time
a help point can take a session."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, BrowserContext, Page

from server.app import create_app
from tests.e2e.pages import api_get, api_post, new_number, wait_until
from tests.live import LiveServer, demo_database, serve

HELSINKI = ZoneInfo("Europe/Helsinki")
AINO = "+358401000011"  # demo volunteer: smartphone and e-identification at the Kuusamo libraries
EERO = "+358401000012"  # demo volunteer: e-identification too, at the same libraries
HELMI = "+358401000013"
LIBRARY = "Kuusamon pääkirjasto"
# The library's opening hours (server/demo.py): Monday to Thursday 10-19, Friday 10-16, Saturday 10-14.
LIBRARY_HOURS = {0: (10, 19), 1: (10, 19), 2: (10, 19), 3: (10, 19), 4: (10, 16), 5: (10, 14)}


class MovableClock:
    """The live server's clock: the real time plus an offset the test sets (and puts back)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)

    def reset(self) -> None:
        self.offset = timedelta()


@contextlib.contextmanager
def serve_with_clock(request: Any, kind: str, folder: Any, clock: MovableClock) -> Iterator[LiveServer]:
    """tests/live.py's server with the demo network, its clock replaced. Volunteers sign in many times in a
    module, so the per-number code limits are raised like the per-address one."""
    with (
        demo_database(request, kind, folder) as url,
        mock.patch("tests.live.create_app", partial(create_app, clock=clock)),
        serve(url, otp_per_client_hour=500, otp_per_number_15min=100, otp_per_number_day=500) as live,
    ):
        yield live


@dataclass
class Person:
    context: BrowserContext
    page: Page

    async def get(self, path: str) -> Any:
        return await api_get(self.page, path)

    async def post(self, path: str, body: Any = None) -> Any:
        return await api_post(self.page, path, body if body is not None else {})

    async def send(self, method: str, path: str, body: Any) -> Any:
        cookies = {c["name"]: c["value"] for c in await self.context.cookies()}
        response = await self.page.request.fetch(
            f"/api/v1{path}", method=method, data=body, headers={"x-csrftoken": cookies["apuri_csrf"]}
        )
        assert response.ok, f"{method} {path}: {response.status} {await response.text()}"
        return None if response.status == 204 else await response.json()

    async def close(self) -> None:
        await self.context.close()


async def sign_in_by_api(context: BrowserContext, site: LiveServer, phone: str) -> Page:
    """Sign in inside `context` without the screens (those are tested elsewhere): its pages share the cookie."""
    page = await context.new_page()
    await page.request.get("/healthz")
    challenge = (await api_post(page, "/auth/code", {"phone": phone}))["challenge_id"]
    await api_post(page, "/auth/verify", {"challenge_id": challenge, "code": site.last_code(phone)})
    return page


async def person(browser: Browser, site: LiveServer, phone: str, width: int = 375) -> Person:
    context = await browser.new_context(viewport={"width": width, "height": 800}, base_url=site.base_url)
    return Person(context, await sign_in_by_api(context, site, phone))


async def volunteer(browser: Browser, site: LiveServer, phone: str = AINO, width: int = 375) -> Person:
    """A signed-in volunteer with room in their week (the demo's weekly limits are small)."""
    someone = await person(browser, site, phone, width)
    profile = await someone.get("/me/volunteer-profile")
    if profile["weekly_cap"] < 20:
        await someone.send("PUT", "/me/volunteer-profile", {**profile, "weekly_cap": 20})
    return someone


async def resident_asks(browser: Browser, site: LiveServer, topic: str = "smartphone", name: str = "Saara") -> str:
    """A new resident asks to be called about `topic` at the Kuusamo main library; returns the request's id.
    (Smartphone help there is offered to Aino alone; e-identification to Aino and Eero.)"""
    _, e164 = new_number()
    resident = await person(browser, site, e164)
    try:
        await resident.send("PATCH", "/me", {"first_name": name})
        points = await resident.get("/help-points")
        library = next(p["id"] for p in points if p["name"] == LIBRARY)
        body = {"topic": topic, "modality": "help_point", "help_point_id": library, "language": "fi"}
        asked = await resident.post("/requests", body)
        assert asked["volunteers_asked"] >= 1, asked
        return str(asked["request_id"])
    finally:
        await resident.close()


async def offer_for(someone: Person, request_id: str) -> dict[str, Any]:
    offers = await someone.get("/me/offers")
    return next(o for o in offers if o["request_id"] == request_id)


def starts_of(session: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(session["starts_at"]).replace("Z", "+00:00"))


def next_library_time(
    sessions: Iterable[dict[str, Any]] = (), after: timedelta = timedelta(hours=2, minutes=20)
) -> datetime:
    """The first time the library's slot grid (on the hour from 10.00, 45 minutes before closing at the latest)
    offers at least `after` from now, in Helsinki time, and an hour away from the volunteer's active `sessions`."""
    busy = [starts_of(s) for s in sessions if s["state"] in ("scheduled", "checked_in")]
    earliest = datetime.now(HELSINKI) + after
    day = earliest.date()
    while True:
        hours = LIBRARY_HOURS.get(day.weekday())
        for hour in range(*hours) if hours else ():
            start = datetime.combine(day, time(hour), HELSINKI)
            fits = start + timedelta(minutes=45) <= datetime.combine(day, time(hours[1]), HELSINKI)
            if start >= earliest and fits and all(abs(start - other) >= timedelta(hours=1) for other in busy):
                return start
        day += timedelta(days=1)


async def home(page: Page) -> None:
    """Open the volunteer's home and wait until it has loaded."""
    if page.url.endswith("#/vapaaehtoinen"):
        await page.reload()  # going to the same address would not draw the screen again
    else:
        await page.goto("/#/vapaaehtoinen")
    await page.wait_for_selector("#vhome-title")
    await wait_until(page, "() => !document.querySelector('.loading') && !!document.getElementById('h-settings')")


async def opened(page: Page, path: str, screen_id: str) -> None:
    """Open an address as a fresh page load (the focus stays at the top there) and wait until it has loaded."""
    if page.url.endswith(path):
        await page.reload()  # going to the same address would not load the page again
    else:
        await page.goto(path)
    await page.wait_for_selector(f"#{screen_id}-title")
    await wait_until(page, "() => !document.querySelector('.loading')")
