"""A volunteer's sessions in their phone's calendar through a private link, on both databases: the link is the
key, a new one ends the old, and the calendar says what, when and where but never who."""

from __future__ import annotations

import logging

from icalendar import Calendar

from server.app import _HideLinkTokens
from tests.conftest import Env
from tests.integration.world import PHONES, build_world, volunteer_offers


async def test_a_volunteer_adds_their_sessions_to_their_calendar_without_anyones_name(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["vol_a"]
    assert (await api.get("/api/v1/me/calendar")).json() == {"url": None}
    made = await api.post("/api/v1/me/calendar")
    url = made.json()["url"]
    assert made.status_code == 200 and url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    assert (await api.get("/api/v1/me/calendar")).json() == {"url": url}, "the same link can be shown again"
    feed = await world.apis["anonymous"].get(url.removeprefix("http://127.0.0.1:8000"))
    assert feed.status_code == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(feed.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Digituki: Verkkopankki"
    assert str(event["location"]) == "Point a, Tie 1, Kuusamo"
    assert str(event["uid"]) == f"{world.session}@apuri" and str(event["status"]) == "CONFIRMED"
    assert PHONES["resident_1"] not in feed.text and "Resident_1" not in feed.text


async def test_a_cancelled_session_is_marked_cancelled_so_the_phone_removes_it(env: Env) -> None:
    world = await build_world(env)
    url = (await world.apis["vol_a"].post("/api/v1/me/calendar")).json()["url"]
    assert (await world.apis["vol_a"].post(f"/api/v1/sessions/{world.session}/give-back")).status_code == 200
    feed = await world.apis["anonymous"].get(url.removeprefix("http://127.0.0.1:8000"))
    [event] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


async def test_a_new_link_ends_the_old_one_and_removing_ends_both(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["vol_a"]
    old = (await api.post("/api/v1/me/calendar")).json()["url"].removeprefix("http://127.0.0.1:8000")
    new = (await api.post("/api/v1/me/calendar")).json()["url"].removeprefix("http://127.0.0.1:8000")
    assert old != new
    assert (await world.apis["anonymous"].get(old)).status_code == 404
    assert (await world.apis["anonymous"].get(new)).status_code == 200
    assert (await api.post("/api/v1/me/calendar/remove")).json() == {"url": None}
    assert (await world.apis["anonymous"].get(new)).status_code == 404
    assert (await world.apis["anonymous"].get("/calendar/" + "0" * 64 + ".ics")).status_code == 404


async def test_only_volunteers_have_calendar_links(env: Env) -> None:
    world = await build_world(env)
    for who in ("resident_1", "coord_a", "anonymous"):
        assert (await world.apis[who].post("/api/v1/me/calendar")).status_code in (401, 403)


async def test_a_deactivated_volunteers_link_stops_working(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    url = (await world.apis["vol_a"].post("/api/v1/me/calendar")).json()["url"].removeprefix("http://127.0.0.1:8000")
    assert (await world.apis["network"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")).status_code == 200
    assert (await world.apis["anonymous"].get(url)).status_code == 404


def test_the_access_log_never_shows_a_calendar_links_key() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/calendar/abc123.ics", "1.1", 200),
        None,
    )
    assert _HideLinkTokens().filter(record)
    assert "abc123" not in record.getMessage() and "/calendar/…" in record.getMessage()
