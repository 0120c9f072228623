"""Coordinators through HTTP on both databases: the queues (unmatched with waiting time, routed to my
organisation, sessions at risk), manual assignment with the ranked candidates and the reasons of each score, and
booking on behalf of a resident who phoned. Each is scoped to the coordinator's organisation."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.db import booking as booking_q
from server.db import people as people_q
from server.db import topics as topics_q
from server.db.tables import AuditEvent, HelpRequest, Notification
from server.domain.topics import Topic
from tests.conftest import Env
from tests.integration.test_booking import NINE
from tests.integration.world import PASSWORD, PHONES, World, build_world, volunteer_offers

LANDLINE = "+35888501235"  # 08 850 1235, a caller with no mobile phone
AT_POINT_A = {"topic": "online_banking", "modality": "help_point", "language": "fi"}


async def waiting_at_a(world: World, needs: tuple[str, ...] = ()) -> str:
    """resident_2 asks for help at help point A; nobody can, so it waits open."""
    body = AT_POINT_A | {"help_point_id": str(world.help_point_a), "needs": list(needs)}
    answer = await world.apis["resident_2"].post("/api/v1/requests", json=body)
    assert answer.status_code == 201 and answer.json()["state"] == "open", answer.text
    return str(answer.json()["request_id"])


async def queue(world: World, who: str, name: str) -> list[dict[str, object]]:
    answer = await world.apis[who].get(f"/api/v1/queues/{name}")
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_the_unmatched_queue_shows_waiting_time_and_is_scoped(env: Env) -> None:
    world = await build_world(env)
    request_id = await waiting_at_a(world, needs=("hearing", "memory"))
    env.clock.advance(timedelta(minutes=25))  # within the coordinators' idle limit
    everything = {r["id"]: r for r in await queue(world, "network", "unmatched")}
    assert set(everything) == {request_id, str(world.flexible_request)}
    mine = everything[request_id]
    assert (mine["waiting_minutes"], mine["state"], mine["resident_first_name"]) == (25, "open", "")
    assert sorted(mine["needs"]) == ["hearing", "memory"], "what the helper should know, for the assigning"
    assert everything[str(world.flexible_request)]["pending_offers"] == 1
    assert [r["id"] for r in await queue(world, "coord_a", "unmatched")] == [request_id], "their help point only"
    assert await queue(world, "coord_b", "unmatched") == []
    for who in ("vol_a", "resident_1"):
        assert (await world.apis[who].get("/api/v1/queues/unmatched")).status_code == 403


async def test_candidates_come_ranked_with_the_reasons_and_the_excluded_with_why(env: Env) -> None:
    world = await build_world(env)
    request_id = await waiting_at_a(world)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    await volunteer_offers(world.ids["vol_b"], world.help_point_a, languages=("sv",))
    url = f"/api/v1/requests/{request_id}/candidates"
    network = (await world.apis["network"].get(url, params={"starts_at": NINE})).json()
    by_name = {c["first_name"]: c for c in network}
    assert by_name["Vol_A"]["eligible"] and by_name["Vol_A"]["score"] == sum(
        r["points"] for r in by_name["Vol_A"]["reasons"]
    )
    assert {r["code"] for r in by_name["Vol_A"]["reasons"]} >= {"skill", "fairness"}
    assert not by_name["Vol_B"]["eligible"] and by_name["Vol_B"]["excluded_code"] == "language"
    assert "fi" in by_name["Vol_B"]["excluded_because"]
    own = (await world.apis["coord_a"].get(url, params={"starts_at": NINE})).json()
    assert [c["first_name"] for c in own] == ["Vol_A"], "a partner coordinator sees only their own volunteers"
    assert (await world.apis["coord_b"].get(url)).status_code == 404
    busy = (await world.apis["network"].get(url, params={"starts_at": "2026-11-30T14:00:00Z"})).json()
    assert {c["first_name"]: c["excluded_code"] for c in busy}["Vol_A"] == "busy", "16:00 is after their hours"


async def test_a_coordinator_assigns_a_waiting_request_to_their_volunteer(env: Env) -> None:
    world = await build_world(env)
    request_id = await waiting_at_a(world)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    url = f"/api/v1/requests/{request_id}/assign"
    outside = await world.apis["coord_a"].post(url, json={"volunteer_id": str(world.ids["vol_b"]), "starts_at": NINE})
    assert outside.status_code == 422 and outside.json()["code"] == "volunteer_outside_organisation"
    closed = await world.apis["coord_a"].post(
        url, json={"volunteer_id": str(world.ids["vol_a"]), "starts_at": "2026-11-30T15:00:00Z"}
    )
    assert closed.status_code == 409 and closed.json()["code"] == "slot_closed"
    answer = await world.apis["coord_a"].post(url, json={"volunteer_id": str(world.ids["vol_a"]), "starts_at": NINE})
    assert answer.status_code == 201, answer.text
    assert answer.json()["volunteer_first_name"] == "Vol_A" and answer.json()["starts_at"] == NINE
    assert await queue(world, "coord_a", "unmatched") == []
    again = await world.apis["coord_a"].post(url, json={"volunteer_id": str(world.ids["vol_a"]), "starts_at": NINE})
    assert again.status_code == 409 and again.json()["code"] == "request_assign_not_allowed", again.text
    mine = (await world.apis["resident_2"].get("/api/v1/me/sessions")).json()
    assert [s["starts_at"] for s in mine] == [NINE]
    assert await AuditEvent.count().where(AuditEvent.action == "session.assign") == 1


async def test_assigning_an_ineligible_volunteer_is_refused_with_the_reason(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_b"], world.help_point_b)
    answer = await world.apis["network"].post(
        f"/api/v1/requests/{world.flexible_request}/assign",
        json={"volunteer_id": str(world.ids["vol_b"]), "starts_at": "2026-12-02T12:00:00Z"},
    )
    assert answer.status_code == 409 and answer.json()["code"] == "volunteer_not_eligible", answer.text
    assert "not free" in answer.json()["detail"], "14:00 on Wednesday is before their remote hours"
    offered = await world.apis["network"].post(
        f"/api/v1/requests/{world.flexible_request}/assign",
        json={"volunteer_id": str(world.ids["vol_b"]), "starts_at": "2026-12-02T15:00:00Z"},
    )
    assert offered.status_code == 201, offered.text
    offers = (await world.apis["vol_a"].get("/api/v1/me/offers")).json()
    assert offers == [], "the pending offer was withdrawn when the request was assigned"


async def test_a_coordinator_books_for_a_resident_who_phoned(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    body = AT_POINT_A | {
        "help_point_id": str(world.help_point_a),
        "starts_at": NINE,
        "phone": "050 765 4321",
        "first_name": "Aune",
        "consent": True,
    }
    refused = await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=body | {"consent": False})
    assert refused.status_code == 422 and refused.json()["code"] == "consent_required"
    assert await people_q.get_person_by_phone("+358507654321") is None, "nothing was created"
    abroad = await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=body | {"phone": "+46 8 123 456 78"})
    assert abroad.status_code == 422 and abroad.json()["code"] == "phone_not_fi", abroad.text
    elsewhere = body | {"help_point_id": str(world.help_point_b)}
    other_org = await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=elsewhere)
    assert other_org.status_code == 422 and other_org.json()["code"] == "help_point_outside_organisation"

    answer = await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["session"]["volunteer_first_name"] == "Vol_A"
    assert answer.json()["reminded_by"] == "sms"
    request = await HelpRequest.select().where(HelpRequest.id == uuid.UUID(answer.json()["request_id"]))
    assert (request[0]["channel"], request[0]["booked_by"]) == ("coordinator", world.ids["coord_a"])
    assert request[0]["consent_at"] == env.clock.now()
    person = await people_q.get_person_by_phone("+358507654321")
    assert person is not None and person.first_name == "Aune"
    resident = await env.sign_in("+358507654321")
    assert [s["starts_at"] for s in (await resident.get("/api/v1/me/sessions")).json()] == [NINE]
    assert await AuditEvent.count().where(AuditEvent.action == "resident.create") == 1


async def test_booking_on_behalf_without_a_time_asks_the_volunteers(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    body = {"topic": "online_banking", "modality": "phone", "phone": "0401110006", "first_name": "X", "consent": True}
    answer = await world.apis["network"].post("/api/v1/bookings/on-behalf", json=body)
    assert answer.status_code == 201 and answer.json()["volunteers_asked"] == 1, answer.text
    person = await people_q.get_person_by_phone("+358401110006")
    assert person is not None and person.first_name == "", "an existing resident is not renamed by a caller's word"


async def test_routed_requests_reach_only_the_partner_they_are_routed_to(env: Env) -> None:
    world = await build_world(env)
    await topics_q.insert_topic(
        Topic(
            code="kela_forms",
            names={"fi": "Kela", "sv": "FPA", "en": "Kela"},
            bring={},
            outcomes=[],
            partner_only_organisation_id=world.org_b,
            sort_order=20,
            active=True,
        )
    )
    body = {"topic": "kela_forms", "modality": "phone", "language": "fi"}
    asked = await world.apis["resident_2"].post("/api/v1/requests", json=body)
    assert asked.status_code == 201 and asked.json()["state"] == "routed"
    assert [r["id"] for r in await queue(world, "coord_b", "routed")] == [asked.json()["request_id"]]
    assert await queue(world, "coord_a", "routed") == []
    assert len(await queue(world, "network", "routed")) == 1


async def test_sessions_at_risk_name_the_reason(env: Env) -> None:
    world = await build_world(env)
    assert await queue(world, "coord_a", "at-risk") == []
    deactivated = await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")
    assert deactivated.status_code == 200, deactivated.text
    [risk] = await queue(world, "coord_a", "at-risk")
    assert (risk["session_id"], risk["reason"]) in {
        (str(world.session), "volunteer_left"),
        (str(world.session), "volunteer_inactive"),
    }
    assert await queue(world, "coord_b", "at-risk") == []
    session = await booking_q.session(world.session)
    assert session is not None
    env.clock.set(session.ends_at + timedelta(hours=3))
    world.apis["network"] = await env.sign_in(PHONES["network"], password=PASSWORD)
    [late] = await queue(world, "network", "at-risk")
    assert late["reason"] == "not_recorded"


async def test_a_resident_on_the_phone_has_their_coming_sessions_found_and_one_cancelled(env: Env) -> None:
    world = await build_world(env)
    ask = {"phone": PHONES["resident_1"], "purpose": "helpline call"}
    network = await world.apis["network"].post("/api/v1/residents/sessions", json=ask)
    assert network.status_code == 200, network.text
    assert [s["id"] for s in network.json()] == [str(world.session)]
    mine = await world.apis["coord_a"].post("/api/v1/residents/sessions", json=ask)
    assert [s["id"] for s in mine.json()] == [str(world.session)], "at organisation A's help point"
    other = await world.apis["coord_b"].post("/api/v1/residents/sessions", json=ask)
    assert other.status_code == 200 and other.json() == [], "organisation B oversees none of them"
    unknown = await world.apis["network"].post("/api/v1/residents/sessions", json=ask | {"phone": "+358401119876"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "resident_not_found")
    landline = await world.apis["network"].post("/api/v1/residents/sessions", json=ask | {"phone": "09 3101 6000"})
    assert landline.status_code == 404, "a landline is looked up too (voice-menu residents), found or not"
    invalid = await world.apis["network"].post("/api/v1/residents/sessions", json=ask | {"phone": "12"})
    assert 400 <= invalid.status_code < 500 and invalid.json()["code"] == "phone_invalid"
    assert (await world.apis["vol_a"].post("/api/v1/residents/sessions", json=ask)).status_code == 403
    lookups = await AuditEvent.select(AuditEvent.action).where(AuditEvent.action == "resident.sessions")
    assert len(lookups) == 5, "every lookup by a coordinator is audited"

    url = f"/api/v1/sessions/{world.session}/cancel-for-resident"
    assert (await world.apis["coord_b"].post(url)).status_code == 404
    cancelled = await world.apis["coord_a"].post(url)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled", cancelled.text
    again = await world.apis["coord_a"].post(url)
    assert 400 <= again.status_code < 500, "a second cancel is refused in words, not a 500"
    assert (await world.apis["coord_a"].post("/api/v1/residents/sessions", json=ask)).json() == []
    ledger = (await world.apis["coord_a"].get(f"/api/v1/sessions/{world.session}/notifications")).json()
    assert ("cancelled", "resident") in {(m["kind"], m["to"]) for m in ledger}, "the resident is told"


async def test_a_coordinator_books_for_a_landline_caller_who_hears_of_it_by_calls(env: Env) -> None:
    """A caller with only a landline: booked like anyone (no SMS to it, ever), reminded by a call the day before."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    body = AT_POINT_A | {
        "help_point_id": str(world.help_point_a),
        "starts_at": NINE,
        "phone": "08 850 1235",
        "first_name": "Eino",
        "consent": True,
    }
    answer = await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["reminded_by"] == "call", "the coordinator is told to say the time on the phone"
    person = await people_q.get_person_by_phone(LANDLINE)
    assert person is not None and person.first_name == "Eino"
    session = answer.json()["session"]["id"]
    planned = await Notification.select(Notification.channel, Notification.kind).where(
        (Notification.session == uuid.UUID(session)) & (Notification.person == person.id)
    )
    theirs = {(r["channel"], r["kind"]) for r in planned}
    assert ("voice", "reminder_24h") in theirs, theirs
    assert await Notification.count().where((Notification.phone == LANDLINE) & (Notification.channel == "sms")) == 0
    again = await world.apis["coord_a"].post(
        "/api/v1/bookings/on-behalf", json=body | {"starts_at": None, "modality": "phone", "help_point_id": None}
    )
    assert again.status_code == 201 and again.json()["reminded_by"] == "call", again.text
