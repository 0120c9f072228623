"""The desk's day (both databases): a help point's and an organisation's sessions on a day or in a week, with
the resident's first name only; walk-ins recorded with one call, counted in the statistics as the channel
"walk-in", taken back within a week; everything scoped to the help point's own coordinators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.db.tables import AuditEvent, WalkIn
from tests.conftest import Env
from tests.integration.world import PASSWORD, PHONES, World, book, build_world, volunteer_offers

MONDAY = "2026-11-30"
WEEK_START = "2026-11-24"  # a week to Monday the 30th: the world's own session is on Thursday the 26th


async def ready(env: Env) -> World:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    return world


def sessions_url(world: World) -> str:
    return f"/api/v1/help-points/{world.help_point_a}/sessions"


def walk_ins_url(world: World) -> str:
    return f"/api/v1/help-points/{world.help_point_a}/walk-ins"


async def test_the_desk_sees_who_is_coming_on_a_day_and_in_a_week_by_first_name_only(env: Env) -> None:
    world = await ready(env)
    assert (await world.apis["resident_2"].patch("/api/v1/me", json={"first_name": "Saara"})).status_code == 200
    booked = await book(world)
    assert booked.status_code == 201, booked.text
    coord = world.apis["coord_a"]

    day = await coord.get(sessions_url(world), params={"day": MONDAY})
    assert day.status_code == 200, day.text
    [visit] = day.json()
    assert visit["id"] == booked.json()["session"]["id"]
    assert visit["starts_at"] == "2026-11-30T07:00:00Z" and visit["state"] == "scheduled"
    assert visit["resident_first_name"] == "Saara" and visit["volunteer_first_name"]
    assert visit["topic"] == "online_banking" and visit["checked_in"] is False and visit["confirmed"] is False
    assert not {"resident_phone", "phone", "home_address"} & set(visit), "the desk sees a first name, not a number"

    week = await coord.get(sessions_url(world), params={"day": WEEK_START, "days": 7})
    assert [v["id"] for v in week.json()] == [str(world.session), visit["id"]], "earliest first"
    today = await coord.get(sessions_url(world))
    assert today.json() == [], "by default today (Monday the 23rd): nobody yet"

    first = await coord.get(sessions_url(world), params={"day": WEEK_START, "days": 7, "limit": 1})
    assert [v["id"] for v in first.json()] == [str(world.session)]
    assert 'rel="next"' in first.headers["link"], "the week pages"

    organisation = await coord.get(
        f"/api/v1/organisations/{world.org_a}/sessions", params={"day": WEEK_START, "days": 7}
    )
    assert organisation.status_code == 200, organisation.text
    assert [v["id"] for v in organisation.json()] == [str(world.session), visit["id"]]

    cancelled = await world.apis["resident_2"].post(f"/api/v1/sessions/{visit['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert (await coord.get(sessions_url(world), params={"day": MONDAY})).json() == [], "cancelled ones leave"


async def test_checked_in_shows_on_the_desk(env: Env) -> None:
    world = await ready(env)
    env.clock.set(env.clock.now() + timedelta(days=3))  # Thursday 11:00, the world's session starts now
    checked = await world.apis["vol_a"].post(f"/api/v1/sessions/{world.session}/check-in")
    assert checked.status_code == 200, checked.text
    desk = await env.sign_in(PHONES["coord_a"], password=PASSWORD)  # three days idle ended the earlier sign-in
    today = (await desk.get(sessions_url(world))).json()
    [visit] = [v for v in today if v["id"] == str(world.session)]
    assert visit["state"] == "checked_in" and visit["checked_in"] is True


async def test_only_the_help_points_own_coordinators_see_its_day(env: Env) -> None:
    world = await ready(env)
    params = {"day": WEEK_START, "days": 7}
    assert len((await world.apis["network"].get(sessions_url(world), params=params)).json()) == 1
    other = await world.apis["coord_b"].get(sessions_url(world), params=params)
    assert other.status_code == 404 and other.json()["code"] == "help_point_not_found"
    organisation = await world.apis["coord_b"].get(f"/api/v1/organisations/{world.org_a}/sessions")
    assert organisation.status_code == 404 and organisation.json()["code"] == "organisation_not_found"
    for who in ("vol_a", "resident_1"):
        assert (await world.apis[who].get(sessions_url(world))).status_code == 403
        walk_in = await world.apis[who].post(walk_ins_url(world), json={"topic": world.topic, "minutes": 20})
        assert walk_in.status_code == 403
    refused = await world.apis["coord_b"].post(walk_ins_url(world), json={"topic": world.topic, "minutes": 20})
    assert refused.status_code == 404
    assert await WalkIn.count() == 0


async def test_bad_days_are_refused_in_words(env: Env) -> None:
    world = await ready(env)
    coord = world.apis["coord_a"]
    for params in ({"days": 8}, {"days": 0}, {"day": "2026-13-01"}):
        answer = await coord.get(sessions_url(world), params=params)
        assert answer.status_code in (400, 422), answer.text
    far = await coord.get(sessions_url(world), params={"day": "2029-01-01"})
    assert far.status_code == 422 and far.json()["code"] == "desk_day_out_of_range"


async def walk_in(world: World, body: dict[str, Any], who: str = "coord_a") -> Any:
    return await world.apis[who].post(walk_ins_url(world), json=body)


async def test_a_walk_in_is_one_call_and_counts_in_the_statistics_as_its_own_channel(env: Env) -> None:
    world = await ready(env)
    recorded = await walk_in(world, {"topic": world.topic, "minutes": 25, "outcomes": ["pay_bill"]})
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["minutes"] == 25 and body["outcomes"] == ["pay_bill"] and body["language"] == "fi"
    env.clock.set(env.clock.now() + timedelta(minutes=5))
    assert (await walk_in(world, {"topic": world.topic, "minutes": 10, "language": "sv"})).status_code == 201

    listed = await world.apis["coord_a"].get(walk_ins_url(world))
    assert [w["minutes"] for w in listed.json()] == [25, 10]
    assert await AuditEvent.count().where(AuditEvent.action == "walk_in.record") == 2

    report = await world.apis["coord_a"].get("/api/v1/statistics", params={"by": "channel"})
    assert report.status_code == 200, report.text
    groups = {g["key"]: g["figures"] for g in report.json()["groups"]}
    walk_ins = groups["walk-in"]
    assert walk_ins["requests"] == 2 and walk_ins["done"] == 2 and walk_ins["matched"] == 2
    assert walk_ins["outcomes"] == {"pay_bill": 1}
    assert walk_ins["median_minutes_to_match"] is None, "a walk-in never waited for a helper through Apuri"
    by_municipality = await world.apis["coord_a"].get("/api/v1/statistics", params={"by": "municipality"})
    municipalities = by_municipality.json()["groups"]
    assert sum(g["figures"]["requests"] for g in municipalities) == report.json()["total"]["requests"]

    other = await world.apis["coord_b"].get("/api/v1/statistics", params={"by": "channel"})
    assert "walk-in" not in {g["key"] for g in other.json()["groups"]}, "another organisation's desk is not theirs"
    network = await world.apis["network"].get("/api/v1/statistics", params={"by": "channel"})
    assert {g["key"]: g["figures"]["requests"] for g in network.json()["groups"]}["walk-in"] == 2

    csv = await world.apis["coord_a"].get("/api/v1/statistics.csv", params={"by": "channel", "language": "fi"})
    assert csv.status_code == 200, csv.text
    assert "Ilman ajanvarausta" in csv.text


async def test_a_mistaken_walk_in_is_taken_back_within_a_week(env: Env) -> None:
    world = await ready(env)
    first = (await walk_in(world, {"topic": world.topic, "minutes": 15})).json()
    coord = world.apis["coord_a"]
    assert (await coord.delete(f"{walk_ins_url(world)}/{first['id']}")).status_code == 204
    assert (await coord.get(walk_ins_url(world))).json() == []
    again = await coord.delete(f"{walk_ins_url(world)}/{first['id']}")
    assert again.status_code == 404 and again.json()["code"] == "walk_in_not_found"

    kept = (await walk_in(world, {"topic": world.topic, "minutes": 15})).json()
    other = await world.apis["coord_b"].delete(f"{walk_ins_url(world)}/{kept['id']}")
    assert other.status_code == 404
    env.clock.set(env.clock.now() + timedelta(days=8))
    coord = await env.sign_in(PHONES["coord_a"], password=PASSWORD)  # eight days idle ended the earlier sign-in
    old = await coord.delete(f"{walk_ins_url(world)}/{kept['id']}")
    assert old.status_code == 409 and old.json()["code"] == "walk_in_too_old"
    assert await WalkIn.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "walk_in.remove") == 1


async def test_bad_walk_ins_are_refused_in_words_and_nothing_is_recorded(env: Env) -> None:
    world = await ready(env)
    for body, code in (
        ({"topic": world.topic, "minutes": 2}, None),
        ({"topic": world.topic, "minutes": 241}, None),
        ({"topic": "no_such_topic", "minutes": 20}, "topic_unknown"),
        ({"topic": world.topic, "minutes": 20, "outcomes": ["fly_a_plane"]}, "outcome_unknown"),
        ({"topic": world.topic}, None),
        ({"topic": world.topic, "minutes": 20, "name": "Aino"}, None),
    ):
        answer = await walk_in(world, body)
        assert answer.status_code in (400, 422), answer.text
        if code is not None:
            assert answer.json()["code"] == code, answer.text
    assert await WalkIn.count() == 0
