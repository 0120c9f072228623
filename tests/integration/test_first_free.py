"""The next free time on each choice (both databases): a resident sees, before choosing a way, a municipality or
a help point, when its first free time is, so that no choice leads unawares to an empty list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import Env
from tests.integration.world import World, build_world, volunteer_offers

TODAY_ONE_PM = "2026-11-23T11:00:00Z"  # the clock starts on Monday 23 November at 11.00 Helsinki time
NEXT_MONDAY_NINE = "2026-11-30T07:00:00Z"
WEDNESDAY_FIVE_PM = "2026-11-25T15:00:00Z"  # the volunteer's remote hours, Wednesdays 17 to 19


async def first(env: Env, **params: str) -> Any:
    answer = await env.client().get("/api/v1/slots/first", params={"topic": "online_banking", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def ready(env: Env) -> World:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    return world


async def test_each_way_municipality_and_help_point_shows_its_next_free_time(env: Env) -> None:
    world = await ready(env)
    found = await first(env)
    assert found["searched_until"] == "2026-12-20", "four weeks from today"
    assert found["remote"] == WEDNESDAY_FIVE_PM
    assert found["help_point"] == TODAY_ONE_PM, "the help point is open until 15 today; the first hours are past"
    assert found["municipalities"] == [{"municipality": "Kuusamo", "help_points": 2, "starts_at": TODAY_ONE_PM}]
    assert found["help_points"] == [], "one municipality's help points at a time"
    here = await first(env, municipality="kuusamo")
    by_point = {p["help_point_id"]: p["starts_at"] for p in here["help_points"]}
    assert by_point == {str(world.help_point_a): TODAY_ONE_PM, str(world.help_point_b): None}, (
        "nobody helps at B: it says so before it is chosen"
    )


async def test_a_language_nobody_speaks_shows_no_time_anywhere(env: Env) -> None:
    await ready(env)
    found = await first(env, language="sv")
    assert (found["remote"], found["help_point"]) == (None, None)
    assert found["municipalities"][0]["starts_at"] is None


async def test_the_hint_follows_closures_bookings_and_the_clock_within_a_minute(env: Env) -> None:
    world = await ready(env)
    assert (await first(env))["help_point"] == TODAY_ONE_PM
    closed = {"state": "closed", "reason": {"fi": "Koulutuspäivä"}}
    day = await world.apis["coord_a"].put(f"/api/v1/help-points/{world.help_point_a}/days/2026-11-23", json=closed)
    assert day.status_code == 200, day.text
    assert (await first(env))["help_point"] == TODAY_ONE_PM, "kept for a minute"
    env.clock.advance(timedelta(minutes=1))
    assert (await first(env))["help_point"] == NEXT_MONDAY_NINE, "the closed day is skipped"
    booked = await world.apis["resident_2"].post(
        "/api/v1/bookings",
        json={
            "topic": "online_banking",
            "modality": "help_point",
            "help_point_id": str(world.help_point_a),
            "starts_at": NEXT_MONDAY_NINE,
        },
    )
    assert booked.status_code == 201, booked.text
    env.clock.advance(timedelta(minutes=1))
    assert (await first(env))["help_point"] == "2026-11-30T08:00:00Z", "the booked time is no longer free"


async def test_a_partner_only_topic_or_an_unknown_one(env: Env) -> None:
    await ready(env)
    unknown = await env.client().get("/api/v1/slots/first", params={"topic": "astrology"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "topic_unknown", unknown.text
    bad = await env.client().get("/api/v1/slots/first", params={"topic": "online_banking", "municipality": "a\nb"})
    assert bad.status_code == 400, bad.text
