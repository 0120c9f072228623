"""A help point's year (both databases): closed days and other hours offer no times anywhere, public holidays
are filled in from the Finnish calendar and can be kept open, a closure lists the sessions it leaves without a
place, and the network coordinator closes many help points at once."""

from __future__ import annotations

import asyncio
from typing import Any

from server.db.tables import AuditEvent, HelpPointDay
from tests.conftest import Env
from tests.integration.world import World, book, build_world, volunteer_offers

MONDAY = "2026-11-30"  # the help point is open on Mondays 9-15 (Helsinki time)
NEXT_MONDAY_NINE = "2026-12-07T07:00:00Z"


async def ready(env: Env) -> World:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    return world


async def slots(env: Env, world: World, day: str = MONDAY) -> list[str]:
    query = {
        "topic": "online_banking",
        "modality": "help_point",
        "help_point_id": str(world.help_point_a),
        "from": day,
        "to": day,
    }
    answer = await env.client().get("/api/v1/slots", params=query)
    assert answer.status_code == 200, answer.text
    return [s["starts_at"] for s in answer.json()]


def day_url(world: World, day: str = MONDAY) -> str:
    return f"/api/v1/help-points/{world.help_point_a}/days/{day}"


CLOSED = {"state": "closed", "reason": {"fi": "Koulutuspäivä", "sv": "Utbildningsdag", "en": "Training day"}}


async def test_a_closed_day_offers_no_times_and_refuses_a_booking_other_hours_narrow_them(env: Env) -> None:
    world = await ready(env)
    coord = world.apis["coord_a"]
    assert len(await slots(env, world)) == 6
    closed = await coord.put(day_url(world), json=CLOSED)
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed" and closed.json()["reason"]["sv"] == "Utbildningsdag"
    assert await slots(env, world) == []
    refused = await book(world)
    assert refused.status_code == 409 and refused.json()["code"] == "slot_closed", refused.text

    shorter = {"state": "hours", "opens": "11:00:00", "closes": "13:00:00", "reason": {"fi": "Henkilökuntakokous"}}
    assert (await coord.put(day_url(world), json=shorter)).status_code == 200
    assert await slots(env, world) == ["2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z"], "11:00 and 12:00 local"

    assert (await coord.delete(day_url(world))).status_code == 204
    assert len(await slots(env, world)) == 6, "back to the weekly hours"
    assert (await book(world)).status_code == 201
    assert await AuditEvent.count().where(AuditEvent.action == "help_point.day") == 2


async def test_two_workers_filling_the_holidays_at_once_add_each_day_once(env: Env) -> None:
    """Workers started together run the hourly holiday job at the same moment: both finish, the days are added
    once (before, one of the two failed on the unique index)."""
    await ready(env)
    added = await asyncio.gather(*(env.services.days.fill_holidays() for _ in range(3)))
    assert sorted(added)[:2] == [0, 0]
    assert max(added) == await HelpPointDay.count().where(HelpPointDay.source == "holiday") > 0


async def test_public_holidays_are_filled_in_named_in_three_languages_and_can_be_kept_open(env: Env) -> None:
    world = await ready(env)
    added = await env.services.days.fill_holidays()
    assert added > 0
    assert await env.services.days.fill_holidays() == 0, "run again, nothing more"
    coord = world.apis["coord_a"]
    listed = await coord.get(
        f"/api/v1/help-points/{world.help_point_a}/days", params={"from": "2026-12-01", "to": "2027-01-10"}
    )
    assert listed.status_code == 200, listed.text
    days = {d["day"]: d for d in listed.json()}
    assert set(days) == {"2026-12-06", "2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01", "2027-01-06"}
    christmas = days["2026-12-25"]
    assert christmas["state"] == "closed" and christmas["source"] == "holiday"
    assert christmas["reason"] == {"fi": "Joulupäivä", "sv": "Juldagen", "en": "Christmas Day"}
    kept = await coord.put(day_url(world, "2026-12-24"), json={"state": "open"})
    assert kept.status_code == 200 and kept.json()["source"] == "coordinator"
    assert await env.services.days.fill_holidays() == 0, "a holiday kept open is not closed again"
    # Easter Monday 2027 is a Monday: the help point's only opening day is closed then.
    assert await slots(env, world, "2027-03-29") == []
    assert await slots(env, world, "2027-04-05"), "the Monday after is open as every week"


async def test_a_closure_lists_the_sessions_it_leaves_without_a_place_until_they_are_moved(env: Env) -> None:
    world = await ready(env)
    booked = await book(world)
    assert booked.status_code == 201, booked.text
    session = booked.json()["session"]["id"]
    coord = world.apis["coord_a"]
    assert (await coord.get("/api/v1/closures/affected")).json() == []
    assert (await coord.put(day_url(world), json=CLOSED)).status_code == 200
    affected = (await coord.get("/api/v1/closures/affected")).json()
    assert [(a["session"]["id"], a["day"]["reason"]["fi"]) for a in affected] == [(session, "Koulutuspäivä")]
    other: list[Any] = (await world.apis["coord_b"].get("/api/v1/closures/affected")).json()
    assert other == [], "another organisation's closures are not theirs"
    moved = await coord.post(f"/api/v1/sessions/{session}/move-for-resident", json={"starts_at": NEXT_MONDAY_NINE})
    assert moved.status_code == 200, moved.text
    assert (await coord.get("/api/v1/closures/affected")).json() == []


async def test_only_the_help_points_own_coordinators_set_its_days_and_only_the_network_closes_many(env: Env) -> None:
    world = await ready(env)
    assert (await world.apis["coord_b"].put(day_url(world), json=CLOSED)).status_code == 404
    assert (await world.apis["vol_a"].put(day_url(world), json=CLOSED)).status_code == 403
    many = {"days": [MONDAY], "municipality": "kuusamo", "reason": {"fi": "Myrsky", "sv": "Storm", "en": "Storm"}}
    assert (await world.apis["coord_a"].post("/api/v1/closures", json=many)).status_code == 403
    done = await world.apis["network"].post("/api/v1/closures", json=many)
    assert done.status_code == 200 and done.json() == {"days_set": 2}, done.text
    assert await slots(env, world) == []
    nowhere = await world.apis["network"].post("/api/v1/closures", json=many | {"municipality": "Atlantis"})
    assert nowhere.status_code == 404


async def test_bad_days_are_refused_in_words_and_change_nothing(env: Env) -> None:
    world = await ready(env)
    coord = world.apis["coord_a"]
    for body, code in (
        ({"state": "hours", "reason": {"fi": "Lyhyt päivä"}}, "day_hours_invalid"),
        ({"state": "hours", "opens": "14:00:00", "closes": "12:00:00", "reason": {"fi": "x"}}, "day_hours_invalid"),
        ({"state": "closed"}, "day_reason_required"),
        ({"state": "closed", "opens": "10:00:00", "reason": {"fi": "x"}}, "day_hours_invalid"),
    ):
        answer = await coord.put(day_url(world), json=body)
        assert answer.status_code == 422 and answer.json()["code"] == code, (body, answer.text)
    past = await coord.put(day_url(world, "2026-11-16"), json=CLOSED)
    assert past.status_code == 422 and past.json()["code"] == "day_past"
    far = await coord.put(day_url(world, "2029-01-01"), json=CLOSED)
    assert far.status_code == 422 and far.json()["code"] == "date_out_of_range"
    assert len(await slots(env, world)) == 6


async def test_a_new_help_point_is_closed_on_public_holidays_from_the_start(env: Env) -> None:
    world = await ready(env)
    added = await world.apis["coord_a"].post(
        f"/api/v1/organisations/{world.org_a}/help-points",
        json={"name": "Uusi piste", "street_address": "Tie 3", "postal_code": "93600", "municipality": "Kuusamo"},
    )
    assert added.status_code == 201, added.text
    listed = await world.apis["coord_a"].get(
        f"/api/v1/help-points/{added.json()['id']}/days", params={"from": "2026-12-24", "to": "2026-12-26"}
    )
    assert [(d["day"], d["state"], d["source"]) for d in listed.json()] == [
        ("2026-12-24", "closed", "holiday"),
        ("2026-12-25", "closed", "holiday"),
        ("2026-12-26", "closed", "holiday"),
    ]
    others = await world.apis["coord_a"].get(
        f"/api/v1/help-points/{world.help_point_a}/days", params={"from": "2026-12-24", "to": "2026-12-26"}
    )
    assert others.json() == [], "only the new help point was filled (the others get theirs from the hourly job)"
