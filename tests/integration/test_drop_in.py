"""Drop-in hours (both databases): a coordinator publishes a help point's weekly drop-in hours; everyone sees the
ones open now and coming, with closures applied; volunteers take shifts, which count towards their weekly limit and
keep their time like a session; an unstaffed hour shows to the coordinators; everything scoped.

The clock starts on Monday 23 November 2026 at 11:00 in Helsinki (09:00 UTC; winter time, UTC+2)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from server.db.tables import AuditEvent, DropInShift
from tests.conftest import Env
from tests.integration.world import PHONES, World, book, build_world, volunteer_offers

WEDNESDAY = {"weekday": 2, "starts": "12:00:00", "ends": "14:00:00"}


def hours_url(world: World) -> str:
    return f"/api/v1/help-points/{world.help_point_a}/drop-in-hours"


async def publish(world: World, who: str = "coord_a", **body: Any) -> Any:
    return await world.apis[who].post(hours_url(world), json={**WEDNESDAY, **body})


async def coming(world: World, **params: Any) -> list[dict[str, Any]]:
    answer = await world.apis["anonymous"].get("/api/v1/drop-in-hours", params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def test_a_published_drop_in_hour_is_listed_for_everyone_on_its_dates(env: Env) -> None:
    world = await build_world(env)
    added = await publish(world, topics=[world.topic], languages=["fi", "sv"], minutes_per_visitor=20)
    assert added.status_code == 201, added.text
    hour = added.json()
    assert hour["weekday"] == 2 and hour["starts"] == "12:00:00" and hour["languages"] == ["fi", "sv"]
    assert hour["minutes_per_visitor"] == 20 and hour["volunteers_needed"] == 1
    assert [h["id"] for h in (await world.apis["coord_a"].get(hours_url(world))).json()] == [hour["id"]]

    listed = await coming(world)
    assert [o["starts_at"] for o in listed] == ["2026-11-25T10:00:00Z", "2026-12-02T10:00:00Z"], "two weeks ahead"
    first = listed[0]
    assert first["ends_at"] == "2026-11-25T12:00:00Z" and first["open_now"] is False
    assert first["help_point_name"] == "Point a" and first["municipality"] == "Kuusamo"
    assert first["topics"] == [world.topic] and first["minutes_per_visitor"] == 20
    assert not {"staffed", "volunteers_needed", "mine"} & set(first), "staffing is not for the public"
    assert len(await coming(world, days=28)) == 4
    assert await coming(world, municipality="Taivalkoski") == []
    assert len(await coming(world, municipality="Kuusamo")) == 2
    assert await coming(world, topic="video_calls") == [], "a drop-in hour lists the topics it serves"
    towns = await world.apis["anonymous"].get("/api/v1/drop-in-hours/municipalities")
    assert towns.json() == ["Kuusamo"]

    env.clock.set(env.clock.now() + timedelta(days=2, hours=1, minutes=30))  # Wednesday 12:30
    now = await coming(world)
    assert now[0]["open_now"] is True and now[0]["day"] == "2026-11-25"
    env.clock.set(env.clock.now() + timedelta(hours=2))  # 14:30: over
    assert (await coming(world))[0]["day"] == "2026-12-02"


async def test_closures_take_drop_in_hours_away_and_other_hours_cut_them(env: Env) -> None:
    world = await build_world(env)
    assert (await publish(world)).status_code == 201
    days = f"/api/v1/help-points/{world.help_point_a}/days"
    coord = world.apis["coord_a"]
    closed = await coord.put(f"{days}/2026-11-25", json={"state": "closed", "reason": {"fi": "Koulutuspäivä"}})
    assert closed.status_code == 200, closed.text
    other = await coord.put(
        f"{days}/2026-12-02",
        json={"state": "hours", "opens": "13:00:00", "closes": "16:00:00", "reason": {"fi": "Kokous"}},
    )
    assert other.status_code == 200, other.text
    listed = await coming(world)
    assert [(o["day"], o["starts_at"], o["shortened"]) for o in listed] == [
        ("2026-12-02", "2026-12-02T11:00:00Z", True)
    ], "the closed Wednesday has none; the next one starts at 13 instead of 12"
    short = await coord.put(
        f"{days}/2026-12-02",
        json={"state": "hours", "opens": "15:00:00", "closes": "16:00:00", "reason": {"fi": "Kokous"}},
    )
    assert short.status_code == 200
    assert await coming(world) == [], "other hours that leave nothing of it"


async def test_only_the_help_points_coordinators_manage_its_drop_in_hours(env: Env) -> None:
    world = await build_world(env)
    for who in ("coord_b",):
        refused = await publish(world, who)
        assert refused.status_code == 404 and refused.json()["code"] == "help_point_not_found"
        assert (await world.apis[who].get(hours_url(world))).status_code == 404
    for who in ("vol_a", "resident_1", "anonymous"):
        assert (await publish(world, who)).status_code in (401, 403)
    assert (await publish(world, "network")).status_code == 201
    [hour] = (await world.apis["coord_a"].get(hours_url(world))).json()
    gone = await world.apis["coord_b"].delete(f"{hours_url(world)}/{hour['id']}")
    assert gone.status_code == 404
    assert len(await coming(world)) == 2
    assert await AuditEvent.count().where(AuditEvent.action == "drop_in_hour.add") == 1


async def test_bad_drop_in_hours_are_refused_in_words(env: Env) -> None:
    world = await build_world(env)
    for body, code in (
        ({"starts": "14:00:00", "ends": "12:00:00"}, "drop_in_times_invalid"),
        ({"topics": ["no_such_topic"]}, "topic_unknown"),
    ):
        refused = await publish(world, **body)
        assert refused.status_code == 422 and refused.json()["code"] == code, refused.text
    for body in ({"weekday": 7}, {"minutes_per_visitor": 500}, {"languages": []}, {"volunteers_needed": 11}):
        assert (await publish(world, **body)).status_code in (400, 422)
    assert (await coming(world)) == []
    for _ in range(20):
        assert (await publish(world)).status_code == 201
    full = await publish(world)
    assert full.status_code == 409 and full.json()["code"] == "too_many_drop_in_hours"


async def shifts(world: World, who: str = "vol_a") -> list[dict[str, Any]]:
    answer = await world.apis[who].get("/api/v1/me/drop-in-shifts")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def shift_url(hour_id: str, day: str) -> str:
    return f"/api/v1/drop-in-hours/{hour_id}/shifts/{day}"


async def test_a_volunteer_takes_a_shift_and_gives_it_back(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world, volunteers_needed=2)).json()
    listed = await shifts(world)
    assert [(s["day"], s["staffed"], s["mine"]) for s in listed][:2] == [
        ("2026-11-25", 0, False),
        ("2026-12-02", 0, False),
    ]
    assert len(listed) == 4, "four weeks ahead"
    assert await shifts(world, "vol_b") == [], "only the drop-in hours of one's own help points"

    taken = await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-25"))
    assert taken.status_code == 200, taken.text
    assert taken.json()["mine"] is True and taken.json()["staffed"] == 1
    again = await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-25"))
    assert again.status_code == 200 and again.json()["staffed"] == 1, "taking it twice changes nothing"
    assert await DropInShift.count() == 1
    assert (await shifts(world))[0]["mine"] is True

    other = await world.apis["vol_b"].put(shift_url(hour["id"], "2026-11-25"))
    assert other.status_code == 404 and other.json()["code"] == "drop_in_hour_not_found", "not vol_b's help point"
    not_on_day = await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-26"))
    assert not_on_day.status_code == 409 and not_on_day.json()["code"] == "drop_in_not_on_day"

    back = await world.apis["vol_a"].delete(shift_url(hour["id"], "2026-11-25"))
    assert back.status_code == 204
    twice = await world.apis["vol_a"].delete(shift_url(hour["id"], "2026-11-25"))
    assert twice.status_code == 404 and twice.json()["code"] == "drop_in_shift_not_found"
    assert (await shifts(world))[0]["staffed"] == 0

    assert (await world.apis["vol_a"].put(shift_url(hour["id"], "2026-12-02"))).status_code == 200
    env.clock.set(env.clock.now() + timedelta(days=9, hours=1, minutes=30))  # Wednesday 2 December 12:30
    vol = await env.sign_in(PHONES["vol_a"])
    late = await vol.delete(shift_url(hour["id"], "2026-12-02"))
    assert late.status_code == 409 and late.json()["code"] == "drop_in_started"


async def test_a_full_drop_in_hour_takes_exactly_as_many_volunteers_as_it_needs(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    await volunteer_offers(world.ids["vol_b"], world.help_point_a)
    hour = (await publish(world, volunteers_needed=1)).json()
    answers = await asyncio.gather(
        *(world.apis[who].put(shift_url(hour["id"], "2026-11-25")) for who in ("vol_a", "vol_b"))
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    [refused] = [a for a in answers if a.status_code == 409]
    assert refused.json()["code"] == "drop_in_full"
    assert await DropInShift.count() == 1


async def test_shifts_and_sessions_share_the_volunteers_time_and_weekly_limit(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a, weekly_cap=1)
    # Thursday 26th 11:00-11:45 is the world's session with vol_a: a drop-in hour at 11:30 overlaps it.
    thursday = (await publish(world, weekday=3, starts="11:30:00", ends="13:00:00")).json()
    busy = await world.apis["vol_a"].put(shift_url(thursday["id"], "2026-11-26"))
    assert busy.status_code == 409 and busy.json()["code"] == "volunteer_busy"

    # The week of 30 November: a shift on Monday 9-11 fills the limit of one, so no session that week.
    monday = (await publish(world, weekday=0, starts="09:00:00", ends="11:00:00")).json()
    taken = await world.apis["vol_a"].put(shift_url(monday["id"], "2026-11-30"))
    assert taken.status_code == 200, taken.text
    slots = await world.apis["resident_2"].get(
        "/api/v1/slots",
        params={
            "topic": world.topic,
            "modality": "help_point",
            "help_point_id": str(world.help_point_a),
            "from": "2026-11-30",
            "to": "2026-11-30",
        },
    )
    assert slots.status_code == 200, slots.text
    assert slots.json() == [], "the shift fills the week's limit: slot search offers nothing"
    booked = await book(world)
    assert booked.status_code == 409, booked.text

    await volunteer_offers(world.ids["vol_a"], world.help_point_a, weekly_cap=3)
    slots = await world.apis["resident_2"].get(
        "/api/v1/slots",
        params={
            "topic": world.topic,
            "modality": "help_point",
            "help_point_id": str(world.help_point_a),
            "from": "2026-11-30",
            "to": "2026-11-30",
        },
    )
    starts = [s["starts_at"] for s in slots.json()]
    assert starts and all(s >= "2026-11-30T09:15:00Z" for s in starts), f"not during the shift or its buffer: {starts}"
    assert (await book(world)).status_code == 409, "09:00 is the shift's"

    wednesday = (await publish(world)).json()
    await volunteer_offers(world.ids["vol_a"], world.help_point_a, weekly_cap=1)
    full = await world.apis["vol_a"].put(shift_url(wednesday["id"], "2026-12-02"))
    assert full.status_code == 409 and full.json()["code"] == "weekly_limit_reached"


async def test_unstaffed_drop_in_hours_show_to_their_coordinators_a_few_days_ahead(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world, volunteers_needed=1)).json()
    url = "/api/v1/drop-in-hours/unstaffed"
    short = await world.apis["coord_a"].get(url)
    assert [s["day"] for s in short.json()] == ["2026-11-25"], "within three days only"
    assert short.json()[0]["staffed"] == 0 and short.json()[0]["volunteers_needed"] == 1
    assert (await world.apis["network"].get(url)).json() == short.json()
    assert (await world.apis["coord_b"].get(url)).json() == [], "another organisation's help point"
    assert (await world.apis["vol_a"].get(url)).status_code == 403
    assert (await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-25"))).status_code == 200
    assert (await world.apis["coord_a"].get(url)).json() == []


async def test_a_removed_drop_in_hour_leaves_the_lists_with_its_coming_shifts(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world)).json()
    assert (await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-25"))).status_code == 200
    removed = await world.apis["coord_a"].delete(f"{hours_url(world)}/{hour['id']}")
    assert removed.status_code == 204
    assert await coming(world) == [] and await shifts(world) == []
    assert await DropInShift.count() == 0
    again = await world.apis["coord_a"].delete(f"{hours_url(world)}/{hour['id']}")
    assert again.status_code == 404 and again.json()["code"] == "drop_in_hour_not_found"
    gone = await world.apis["vol_a"].put(shift_url(hour["id"], "2026-12-02"))
    assert gone.status_code == 404


async def test_a_deactivated_volunteers_coming_shifts_show_as_unstaffed_and_others_can_take_them(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    await volunteer_offers(world.ids["vol_b"], world.help_point_a)
    hour = (await publish(world, volunteers_needed=1)).json()
    for day in ("2026-11-25", "2026-12-09"):
        assert (await world.apis["vol_a"].put(shift_url(hour["id"], day))).status_code == 200
    url = "/api/v1/drop-in-hours/unstaffed"
    assert (await world.apis["coord_a"].get(url)).json() == []
    gone = await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")
    assert gone.status_code == 200, gone.text
    short = (await world.apis["coord_a"].get(url)).json()
    assert [(s["day"], s["staffed"]) for s in short] == [("2026-11-25", 0), ("2026-12-09", 0)], (
        "every coming shift of a volunteer who is gone, not only the next days"
    )
    taken = await world.apis["vol_b"].put(shift_url(hour["id"], "2026-12-09"))
    assert taken.status_code == 200 and taken.json()["staffed"] == 1, taken.text
    assert [s["day"] for s in (await world.apis["coord_a"].get(url)).json()] == ["2026-11-25"]


async def test_the_desk_sees_the_days_drop_in_hours_with_who_is_on_duty(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world, volunteers_needed=2)).json()
    assert (await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-25"))).status_code == 200
    url = f"/api/v1/help-points/{world.help_point_a}/drop-in"
    today = await world.apis["coord_a"].get(url)
    assert today.status_code == 200 and today.json() == [], "Monday: none"
    wednesday = (await world.apis["coord_a"].get(url, params={"day": "2026-11-25"})).json()
    assert [(d["day"], d["staffed"], d["volunteers_needed"], d["volunteers"]) for d in wednesday] == [
        ("2026-11-25", 1, 2, ["Vol_A"])
    ]
    week = (await world.apis["coord_a"].get(url, params={"day": "2026-11-23", "days": 7})).json()
    assert len(week) == 1
    assert (await world.apis["coord_b"].get(url)).status_code == 404
    assert (await world.apis["coord_a"].get(url, params={"days": 8})).status_code in (400, 422)


async def test_the_volunteer_on_shift_records_walk_ins_that_count_in_the_statistics(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    await volunteer_offers(world.ids["vol_b"], world.help_point_a)
    hour = (await publish(world, weekday=0, starts="12:00:00", ends="14:00:00", volunteers_needed=2)).json()
    assert (await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-23"))).status_code == 200
    assert (await world.apis["vol_a"].put(shift_url(hour["id"], "2026-11-30"))).status_code == 200
    visit = {"topic": world.topic, "minutes": 25, "outcomes": ["pay_bill"]}
    recorded = await world.apis["vol_a"].post(shift_url(hour["id"], "2026-11-23") + "/walk-ins", json=visit)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["help_point_id"] == str(world.help_point_a)
    not_on_it = await world.apis["vol_b"].post(shift_url(hour["id"], "2026-11-23") + "/walk-ins", json=visit)
    assert not_on_it.status_code == 404 and not_on_it.json()["code"] == "drop_in_shift_not_found"
    next_week = await world.apis["vol_a"].post(shift_url(hour["id"], "2026-11-30") + "/walk-ins", json=visit)
    assert next_week.status_code == 409 and next_week.json()["code"] == "drop_in_not_today"
    bad = await world.apis["vol_a"].post(
        shift_url(hour["id"], "2026-11-23") + "/walk-ins", json={**visit, "outcomes": ["no_such"]}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "outcome_unknown"
    report = await world.apis["coord_a"].get("/api/v1/statistics", params={"by": "channel"})
    walk_ins = {g["key"]: g["figures"] for g in report.json()["groups"]}["walk-in"]
    assert walk_ins["requests"] == 1 and walk_ins["outcomes"] == {"pay_bill": 1}
    listed = await world.apis["coord_a"].get(f"/api/v1/help-points/{world.help_point_a}/walk-ins")
    assert [w["minutes"] for w in listed.json()] == [25], "the desk sees it too"


async def test_closing_a_day_takes_its_shifts_away_and_other_hours_move_them(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world)).json()
    for day in ("2026-11-25", "2026-12-02"):
        assert (await world.apis["vol_a"].put(shift_url(hour["id"], day))).status_code == 200
    days = f"/api/v1/help-points/{world.help_point_a}/days"
    coord = world.apis["coord_a"]
    closed = await coord.put(f"{days}/2026-11-25", json={"state": "closed", "reason": {"fi": "Koulutus"}})
    assert closed.status_code == 200
    other = await coord.put(
        f"{days}/2026-12-02", json={"state": "hours", "opens": "13:00:00", "closes": "16:00:00", "reason": {"fi": "X"}}
    )
    assert other.status_code == 200
    rows = await DropInShift.select(DropInShift.day, DropInShift.starts_at, DropInShift.ends_at)
    assert [(str(r["day"]), r["starts_at"].isoformat(), r["ends_at"].isoformat()) for r in rows] == [
        ("2026-12-02", "2026-12-02T11:00:00+00:00", "2026-12-02T12:00:00+00:00")
    ], "the closed day's shift keeps nobody's time; the other one is cut to 13-14"
    assert [s["day"] for s in await shifts(world) if s["mine"]] == ["2026-12-02"]
    back = await coord.delete(f"{days}/2026-12-02")
    assert back.status_code == 204
    [row] = await DropInShift.select(DropInShift.starts_at)
    assert row["starts_at"].isoformat() == "2026-12-02T10:00:00+00:00", "back to the weekly hours: 12-14 again"


async def test_a_volunteer_is_told_when_their_shift_goes(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world)).json()
    for day in ("2026-11-25", "2026-12-02"):
        assert (await world.apis["vol_a"].put(shift_url(hour["id"], day))).status_code == 200
    env.sms.sent.clear()
    days = f"/api/v1/help-points/{world.help_point_a}/days"
    closed = await world.apis["coord_a"].put(f"{days}/2026-11-25", json={"state": "closed", "reason": {"fi": "X"}})
    assert closed.status_code == 200
    await env.services.dispatcher.run_due()  # no push subscription: the SMS instead
    [told] = env.sms.to(PHONES["vol_a"])
    assert told.startswith("Apuri: Päivystysvuorosi ke 25.11. klo 12.00, Point a, on peruttu"), told
    assert (await world.apis["coord_a"].delete(f"{hours_url(world)}/{hour['id']}")).status_code == 204
    await env.services.dispatcher.run_due()
    assert any("ke 2.12. klo 12.00" in t for t in env.sms.to(PHONES["vol_a"]))


async def test_a_volunteer_is_reminded_the_day_before_unless_they_gave_the_shift_back(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world)).json()
    for day in ("2026-11-25", "2026-12-02"):
        assert (await world.apis["vol_a"].put(shift_url(hour["id"], day))).status_code == 200
    assert (await world.apis["vol_a"].delete(shift_url(hour["id"], "2026-12-02"))).status_code == 204
    env.sms.sent.clear()
    env.clock.set(env.clock.now() + timedelta(days=1, hours=1))  # Tuesday 12:00, a day before the first
    await env.services.dispatcher.run_due()
    [reminded] = env.sms.to(PHONES["vol_a"])
    assert reminded.startswith("Apuri: Muistutus: päivystysvuorosi ke 25.11. klo 12.00, Point a."), reminded
    env.clock.set(env.clock.now() + timedelta(days=7))  # a day before the one given back: nothing
    await env.services.dispatcher.run_due()
    assert len(env.sms.to(PHONES["vol_a"])) == 1


async def test_other_hours_move_the_reminder_and_a_closed_day_cancels_it(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    hour = (await publish(world)).json()
    for day in ("2026-11-25", "2026-12-02"):
        assert (await world.apis["vol_a"].put(shift_url(hour["id"], day))).status_code == 200
    days = f"/api/v1/help-points/{world.help_point_a}/days"
    coord = world.apis["coord_a"]
    cut = await coord.put(
        f"{days}/2026-11-25", json={"state": "hours", "opens": "13:00:00", "closes": "16:00:00", "reason": {"fi": "X"}}
    )
    assert cut.status_code == 200
    assert (await coord.put(f"{days}/2026-12-02", json={"state": "closed", "reason": {"fi": "X"}})).status_code == 200
    env.sms.sent.clear()
    for _ in range(9):
        env.clock.set(env.clock.now() + timedelta(days=1))
        await env.services.dispatcher.run_due()
    texts = [t for t in env.sms.to(PHONES["vol_a"]) if "Muistutus" in t]
    assert [t.split(",")[0] for t in texts] == ["Apuri: Muistutus: päivystysvuorosi ke 25.11. klo 13.00"], texts
