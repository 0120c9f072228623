"""Flexible requests ("call me when someone can help") and their offers, through HTTP on both databases: the
best few volunteers are asked, exactly one acceptance wins, unanswered offers expire and the next volunteers
are asked, and with nobody left the request waits in the coordinators' queue."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from server.db import offers as offers_q
from server.services.offers import OFFER_TIME, OFFERS_PER_ROUND
from tests.conftest import Api, Env
from tests.integration.world import PHONES, World, build_world, volunteer_offers

ASK = {"topic": "online_banking", "modality": "phone", "language": "fi"}


async def volunteers(env: Env, world: World, count: int) -> list[tuple[uuid.UUID, Api]]:
    """`count` more volunteers of organisation A who help with online banking by phone."""
    from server.db import people as people_q
    from server.domain.roles import Role

    made = []
    for n in range(count):
        phone = f"+3584016000{n:02d}"
        person = await people_q.insert_person(
            phone=phone, first_name=f"Helper{n}", last_name="", language="fi", now=env.clock.now()
        )
        await people_q.grant(person_id=person, role=Role.VOLUNTEER, organisation_id=world.org_a, now=env.clock.now())
        await volunteer_offers(person, world.help_point_a)
        made.append((person, await env.sign_in(phone)))
    return made


async def pending(api: Api) -> list[dict[str, object]]:
    answer = await api.get("/api/v1/me/offers")
    assert answer.status_code == 200, answer.text
    return [o for o in answer.json() if o["state"] == "pending"]


async def ask(world: World) -> dict[str, object]:
    answer = await world.apis["resident_2"].post("/api/v1/requests", json=ASK)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_a_request_is_offered_to_the_best_few_who_see_no_name_or_number(env: Env) -> None:
    world = await build_world(env)
    helpers = await volunteers(env, world, OFFERS_PER_ROUND + 2)
    asked = await ask(world)
    assert (asked["state"], asked["volunteers_asked"]) == ("offering", OFFERS_PER_ROUND)
    inboxes = [await pending(api) for _, api in helpers]
    offered = [i for i in inboxes if i]
    assert len(offered) == OFFERS_PER_ROUND
    offer = offered[0][0]
    assert offer["request_id"] == asked["request_id"] and offer["topic"] == "online_banking"
    assert offer["resident_first_name"] is None and offer["resident_phone"] is None, "not before accepting"
    mine = (await world.apis["resident_2"].get("/api/v1/me/requests")).json()
    assert [(r["id"], r["state"]) for r in mine] == [(asked["request_id"], "offering")]


async def test_three_volunteers_accepting_at_once_make_exactly_one_winner(env: Env) -> None:
    world = await build_world(env)
    helpers = await volunteers(env, world, OFFERS_PER_ROUND)
    asked = await ask(world)
    offers = [(api, (await pending(api))[0]) for _, api in helpers]
    answers = await asyncio.gather(*(api.post(f"/api/v1/offers/{o['id']}/accept") for api, o in offers))
    assert sorted(a.status_code for a in answers) == [200, 409, 409], [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"offer_taken"}
    winner = next(a.json() for a in answers if a.status_code == 200)
    assert winner["state"] == "accepted"
    assert (winner["resident_first_name"], winner["resident_phone"]) == ("", "+358401110007"), "now it is theirs"
    states = sorted(o.state for o in await offers_q.offers_of_request(uuid.UUID(str(asked["request_id"]))))
    assert states == ["accepted", "withdrawn", "withdrawn"]
    mine = (await world.apis["resident_2"].get("/api/v1/me/requests")).json()
    assert mine[0]["state"] == "matched"


async def test_unanswered_offers_expire_and_the_next_volunteers_are_asked(env: Env) -> None:
    world = await build_world(env)
    helpers = await volunteers(env, world, OFFERS_PER_ROUND + 1)
    asked = await ask(world)
    first_round = {i for i, (_, api) in enumerate(helpers) if await pending(api)}
    env.clock.advance(OFFER_TIME - timedelta(seconds=1))
    assert await env.services.offers.expire() == (0, 0), "not yet"
    env.clock.advance(timedelta(seconds=1))
    late_id, late_api = helpers[min(first_round)]
    late_offer = (await late_api.get("/api/v1/me/offers")).json()
    assert late_offer == [], "an offer past its time is no longer in the inbox"
    touched, offered = await env.services.offers.expire()
    assert (touched, offered) == (1, 1), "the one volunteer left is asked"
    second_round = {i for i, (_, api) in enumerate(helpers) if await pending(api)}
    assert len(second_round) == 1 and not second_round & first_round
    request_id = uuid.UUID(str(asked["request_id"]))
    [expired] = [o for o in await offers_q.offers_of_request(request_id) if o.volunteer_id == late_id]
    assert expired.state == "expired"
    answer = await late_api.post(f"/api/v1/offers/{expired.id}/accept")
    assert answer.status_code == 409 and answer.json()["code"] == "offer_accept_not_allowed", answer.text
    env.clock.advance(OFFER_TIME)
    await env.services.offers.expire()
    assert [o.state for o in await offers_q.offers_of_request(request_id)] == ["expired"] * (OFFERS_PER_ROUND + 1)
    mine = (await world.apis["resident_2"].get("/api/v1/me/requests")).json()
    assert mine[0]["state"] == "open", "nobody left: the request waits for a coordinator"


async def test_declining_asks_the_next_volunteer_at_once(env: Env) -> None:
    world = await build_world(env)
    helpers = await volunteers(env, world, OFFERS_PER_ROUND + 1)
    await ask(world)
    asked = [api for _, api in helpers if await pending(api)]
    [waiting] = [api for _, api in helpers if api not in asked]
    [offer] = await pending(asked[0])
    declined = await asked[0].post(f"/api/v1/offers/{offer['id']}/decline")
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert len(await pending(waiting)) == 1, "the next volunteer is asked at once"
    assert await pending(asked[0]) == []
    again = await asked[0].post(f"/api/v1/offers/{offer['id']}/decline")
    assert again.status_code == 409 and again.json()["code"] == "offer_decline_not_allowed"


async def test_nobody_to_ask_leaves_the_request_open_for_the_coordinators(env: Env) -> None:
    world = await build_world(env)
    asked = await ask(world)
    assert (asked["state"], asked["volunteers_asked"]) == ("open", 0)


async def test_only_the_volunteer_an_offer_was_made_to_can_answer_it(env: Env) -> None:
    world = await build_world(env)
    for key in ("vol_b", "coord_a", "resident_1"):
        answer = await world.apis[key].post(f"/api/v1/offers/{world.offer}/accept")
        assert answer.status_code in (403, 404), (key, answer.status_code)
    assert (await world.apis["vol_a"].post(f"/api/v1/offers/{world.offer}/accept")).status_code == 200


async def test_a_home_visit_is_offered_only_to_volunteers_whose_travel_radius_reaches_the_home(env: Env) -> None:
    from server.domain.matching import Place

    world = await build_world(env)
    near = Place(65.9667, 29.1833)  # Kuusamo centre
    await volunteer_offers(world.ids["vol_a"], world.help_point_a, home_visits=True, home=near, travel_radius_km=10)
    home = {"address": "Kitkantie 5, Kuusamo", "latitude": 65.99, "longitude": 29.20}  # about 3 km away
    body = {"topic": "online_banking", "modality": "home_visit", "language": "fi", "needs": ["mobility"]}
    missing = await world.apis["resident_2"].post("/api/v1/requests", json=body)
    assert missing.status_code == 422 and missing.json()["code"] == "home_required"
    asked = await world.apis["resident_2"].post("/api/v1/requests", json=body | {"home": home})
    assert asked.status_code == 201 and asked.json()["volunteers_asked"] == 1, asked.text
    far = home | {"latitude": 66.5, "longitude": 29.2}  # about 60 km north
    unreachable = await world.apis["resident_2"].post("/api/v1/requests", json=body | {"home": far})
    assert unreachable.json()["state"] == "open", "nobody travels that far: the coordinators take it up"
    [offer] = [o for o in await pending(world.apis["vol_a"]) if o["modality"] == "home_visit"]
    assert offer["home_address"] is None, "the address only after accepting"
    assert offer["needs"] == ["mobility"], "what to be ready for, before accepting"
    accepted = await world.apis["vol_a"].post(f"/api/v1/offers/{offer['id']}/accept")
    assert accepted.json()["home_address"] == "Kitkantie 5, Kuusamo"
    scheduled = await world.apis["vol_a"].post(
        f"/api/v1/requests/{offer['request_id']}/session", json={"starts_at": "2026-11-25T10:00:00Z"}
    )
    assert scheduled.status_code == 201, scheduled.text
    assert scheduled.json()["home_address"] == "Kitkantie 5, Kuusamo", "the session keeps where it is"
    mine = (await world.apis["resident_2"].get("/api/v1/me/sessions")).json()
    assert [s["home_address"] for s in mine] == ["Kitkantie 5, Kuusamo"]


async def test_a_resident_cancels_a_waiting_request_and_its_offers_are_withdrawn(env: Env) -> None:
    world = await build_world(env)
    url = f"/api/v1/requests/{world.flexible_request}/cancel"
    assert (await world.apis["resident_2"].post(url)).status_code == 404, "not theirs"
    answer = await world.apis["resident_1"].post(url)
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled", answer.text
    assert [o.state for o in await offers_q.offers_of_request(world.flexible_request)] == ["withdrawn"]
    assert await pending(world.apis["vol_a"]) == []
    again = await world.apis["resident_1"].post(url)
    assert again.status_code == 409 and again.json()["code"] == "request_cancel_not_allowed"


async def test_expired_offers_are_in_the_audit_log(env: Env) -> None:
    from server.db.tables import AuditEvent

    world = await build_world(env)
    env.clock.advance(timedelta(hours=1))
    assert (await env.services.offers.expire())[0] == 1
    [event] = await AuditEvent.select().where(AuditEvent.action == "offer.expire")
    assert event["object_id"] == str(world.flexible_request)


async def test_a_repeated_idempotency_key_returns_the_first_request_instead_of_asking_twice(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    api = world.apis["resident_2"]
    body = {"topic": "online_banking", "modality": "phone"}
    key = {"Idempotency-Key": "ask-7c1d2e3f"}
    first = await api.post("/api/v1/requests", json=body, headers=key)
    again = await api.post("/api/v1/requests", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json()["request_id"] == first.json()["request_id"] and again.headers["idempotent-replayed"] == "true"
    assert len((await api.get("/api/v1/me/requests")).json()) == 1
    other = await api.post("/api/v1/requests", json=body | {"modality": "video"}, headers=key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"


async def test_asking_without_a_time_is_confirmed_by_sms_at_once_even_at_night(env: Env) -> None:
    world = await build_world(env)
    await world.apis["resident_2"].put("/api/v1/me/messages", json={"code_word": "Mustikka"})
    env.clock.set(env.clock.now().replace(hour=21, minute=30))  # 23:30 in Helsinki: quiet hours
    env.sms.sent.clear()
    asked = await ask(world)
    await env.services.dispatcher.run_due()
    texts = env.sms.to(PHONES["resident_2"])
    assert len(texts) == 1 and "Saimme avunpyyntösi" in texts[0], texts
    assert "Mustikka" in texts[0] and "http" not in texts[0], "link-free, with the code word"
    again = await world.apis["resident_2"].post(f"/api/v1/requests/{asked['request_id']}/cancel")
    assert again.status_code == 200
