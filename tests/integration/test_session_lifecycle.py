"""A session after booking, through HTTP on both databases: the resident moves it; the volunteer checks in,
records done (minutes, outcomes, a note that must not hold secrets) or no-show, or gives it back; a flexible
request that a volunteer took gets its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.db import booking as booking_q
from server.db import requests as requests_q
from server.db.tables import AuditEvent
from tests.conftest import Api, Env
from tests.integration.test_booking import NINE, booking, ready, slots
from tests.integration.world import World, build_world, volunteer_offers

ELEVEN = "2026-11-30T09:00:00Z"  # 11:00 in Helsinki


async def booked(world: World) -> dict[str, object]:
    answer = await world.apis["resident_2"].post("/api/v1/bookings", json=booking(world))
    assert answer.status_code == 201, answer.text
    return dict(answer.json()["session"])


async def test_a_resident_moves_a_session_and_keeps_the_volunteer(env: Env) -> None:
    world = await ready(env)
    session = await booked(world)
    api = world.apis["resident_2"]
    moved = await api.post(f"/api/v1/sessions/{session['id']}/move", json={"starts_at": ELEVEN})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["id"], body["starts_at"], body["volunteer_first_name"]) == (session["id"], ELEVEN, "Vol_A")
    free = await slots(env, world)
    assert NINE in free and ELEVEN not in free, "the old time is free again, the new one taken"
    assert await AuditEvent.count().where(AuditEvent.action == "session.move") == 1


async def test_moving_an_hour_later_is_not_blocked_by_the_session_itself(env: Env) -> None:
    world = await ready(env)
    session = await booked(world)
    later = await world.apis["resident_2"].post(
        f"/api/v1/sessions/{session['id']}/move", json={"starts_at": "2026-11-30T08:00:00Z"}
    )
    assert later.status_code == 200 and later.json()["volunteer_first_name"] == "Vol_A", later.text


async def test_a_move_to_a_time_the_volunteer_is_busy_goes_to_another_volunteer(env: Env) -> None:
    world = await ready(env)
    await volunteer_offers(world.ids["vol_b"], world.help_point_a)
    first = await booked(world)
    other = await world.apis["resident_1"].post("/api/v1/bookings", json=booking(world, ELEVEN))
    assert other.status_code == 201
    taken_by = other.json()["session"]["volunteer_first_name"]
    moved = await world.apis["resident_2"].post(f"/api/v1/sessions/{first['id']}/move", json={"starts_at": ELEVEN})
    assert moved.status_code == 200, moved.text
    assert moved.json()["volunteer_first_name"] not in (taken_by, None)


@pytest.mark.parametrize(
    ("starts_at", "status", "code"),
    [
        ("2026-11-30T07:30:00Z", 409, "slot_closed"),
        ("2026-11-23T08:00:00Z", 422, "slot_past"),
        ("2026-12-01T09:00:00Z", 409, "slot_closed"),  # Tuesday: the help point is closed
    ],
)
async def test_bad_moves_change_nothing(env: Env, starts_at: str, status: int, code: str) -> None:
    world = await ready(env)
    session = await booked(world)
    answer = await world.apis["resident_2"].post(
        f"/api/v1/sessions/{session['id']}/move", json={"starts_at": starts_at}
    )
    assert answer.status_code == status and answer.json()["code"] == code, answer.text
    again = await booking_q.session(session["id"])  # type: ignore[arg-type]
    assert again is not None and again.starts_at == datetime(2026, 11, 30, 7, tzinfo=UTC) and again.version == 1


async def test_only_the_resident_moves_and_only_a_scheduled_session(env: Env) -> None:
    world = await ready(env)
    session = await booked(world)
    url = f"/api/v1/sessions/{session['id']}/move"
    assert (await world.apis["resident_1"].post(url, json={"starts_at": ELEVEN})).status_code == 404
    await world.apis["resident_2"].post(f"/api/v1/sessions/{session['id']}/cancel")
    answer = await world.apis["resident_2"].post(url, json={"starts_at": ELEVEN})
    assert answer.status_code == 409 and answer.json()["code"] == "session_move_not_allowed"


async def at_session(env: Env, world: World, minutes: int = 0) -> str:
    found = await booking_q.session(world.session)
    assert found is not None
    env.clock.set(found.starts_at + timedelta(minutes=minutes))
    return f"/api/v1/sessions/{world.session}"


async def test_the_volunteer_checks_in_and_records_what_the_resident_learnt(env: Env) -> None:
    world = await build_world(env)
    url = f"/api/v1/sessions/{world.session}"
    vol = world.apis["vol_a"]
    early = await vol.post(f"{url}/check-in")
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    await at_session(env, world, -30)
    assert (await vol.post(f"{url}/check-in")).json()["state"] == "checked_in"
    env.clock.advance(timedelta(minutes=75))
    done = await vol.post(f"{url}/done", json={"minutes": 50, "outcomes": ["pay_bill"], "note": "Harjoiteltiin."})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["state"], body["minutes_spent"], body["outcomes"], body["note"]) == (
        "done",
        50,
        ["pay_bill"],
        "Harjoiteltiin.",
    )
    mine = (await world.apis["resident_1"].get("/api/v1/me/sessions")).json()
    mine_now = next(s for s in mine if s["id"] == str(world.session))
    assert mine_now["outcomes"] == ["pay_bill"] and mine_now["note"] is None, "the note is the volunteer's"
    again = await vol.post(f"{url}/done", json={})
    assert again.status_code == 409 and again.json()["code"] == "session_done_not_allowed"
    found = await booking_q.session(world.session)
    assert found is not None
    request = await requests_q.get(found.request_id)
    assert request is not None and request.state == "closed"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"note": "Salasana: Kissa2024"}, "note_looks_secret"),
        ({"note": "PIN 4812, muista"}, "note_looks_secret"),
        ({"note": "hetu 131052-308T"}, "note_looks_secret"),
        ({"outcomes": ["fly_a_plane"]}, "outcome_unknown"),
        ({"minutes": 0}, "validation_failed"),
    ],
)
async def test_a_record_with_a_secret_or_a_wrong_outcome_is_refused_and_saves_nothing(
    env: Env, body: dict[str, object], code: str
) -> None:
    world = await build_world(env)
    url = await at_session(env, world, 50)
    answer = await world.apis["vol_a"].post(f"{url}/done", json=body)
    assert answer.status_code in (400, 422) and answer.json()["code"] == code, answer.text
    assert "Kissa2024" not in answer.text and "4812" not in answer.text, "the secret is not echoed back"
    found = await booking_q.session(world.session)
    assert found is not None and (found.state, found.note, found.version) == ("scheduled", "", 1)


async def test_no_show_only_after_the_start_and_only_by_the_sessions_volunteer(env: Env) -> None:
    world = await build_world(env)
    url = f"/api/v1/sessions/{world.session}"
    early = await world.apis["vol_a"].post(f"{url}/no-show", json={})
    assert early.status_code == 409 and early.json()["code"] == "session_not_started"
    await at_session(env, world, 20)
    assert (await world.apis["vol_b"].post(f"{url}/no-show", json={})).status_code == 404
    assert (await world.apis["resident_1"].post(f"{url}/no-show", json={})).status_code == 403
    answer = await world.apis["vol_a"].post(f"{url}/no-show", json={"note": "Ei tullut, soitin kahdesti."})
    assert answer.status_code == 200 and answer.json()["state"] == "no_show"


async def test_a_volunteer_who_cannot_come_gives_the_session_back_to_the_coordinators(env: Env) -> None:
    world = await build_world(env)
    answer = await world.apis["vol_a"].post(f"/api/v1/sessions/{world.session}/give-back")
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled"
    found = await booking_q.session(world.session)
    assert found is not None
    request = await requests_q.get(found.request_id)
    assert request is not None and request.state == "open"


async def accept_world_offer(world: World) -> Api:
    vol = world.apis["vol_a"]
    assert (await vol.post(f"/api/v1/offers/{world.offer}/accept")).status_code == 200
    return vol


async def test_the_volunteer_who_took_a_request_puts_down_the_agreed_time(env: Env) -> None:
    world = await build_world(env)
    vol = await accept_world_offer(world)
    [taken] = (await vol.get("/api/v1/me/offers/accepted")).json()
    assert taken["resident_phone"] == "+358401110006"
    url = f"/api/v1/requests/{taken['request_id']}/session"
    assert (await world.apis["vol_b"].post(url, json={"starts_at": ELEVEN})).status_code == 404
    answer = await vol.post(url, json={"starts_at": "2026-12-01T12:00:00Z"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["resident_first_name"] == "" and answer.json()["modality"] == "phone"
    again = await vol.post(url, json={"starts_at": "2026-12-02T12:00:00Z"})
    assert again.status_code == 409 and again.json()["code"] == "request_has_session"
    mine = (await world.apis["resident_1"].get("/api/v1/me/sessions")).json()
    assert "2026-12-01T12:00:00Z" in [s["starts_at"] for s in mine]


async def test_the_agreed_time_cannot_clash_with_the_volunteers_other_session(env: Env) -> None:
    world = await build_world(env)
    vol = await accept_world_offer(world)
    existing = await booking_q.session(world.session)
    assert existing is not None
    answer = await vol.post(
        f"/api/v1/requests/{(await vol.get('/api/v1/me/offers/accepted')).json()[0]['request_id']}/session",
        json={"starts_at": existing.starts_at.isoformat()},
    )
    assert answer.status_code == 409 and answer.json()["code"] in ("volunteer_busy", "resident_busy"), answer.text


async def test_a_coordinator_moves_a_session_on_the_residents_word(env: Env) -> None:
    world = await ready(env)
    session = await booked(world)
    url = f"/api/v1/sessions/{session['id']}/move-for-resident"
    assert (await world.apis["coord_b"].post(url, json={"starts_at": ELEVEN})).status_code == 404, "not theirs"
    assert (await world.apis["vol_a"].post(url, json={"starts_at": ELEVEN})).status_code == 403
    moved = await world.apis["coord_a"].post(url, json={"starts_at": ELEVEN})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["starts_at"], moved.json()["volunteer_first_name"]) == (ELEVEN, "Vol_A")
    ledger = (await world.apis["coord_a"].get(f"/api/v1/sessions/{session['id']}/notifications")).json()
    assert ("moved", "resident") in {(m["kind"], m["to"]) for m in ledger}, "the resident is told"
    audited = await AuditEvent.select(AuditEvent.actor_id).where(AuditEvent.action == "session.move")
    assert [a["actor_id"] for a in audited] == [world.ids["coord_a"]]
    bad = await world.apis["coord_a"].post(url, json={"starts_at": "not a time"})
    assert bad.status_code == 400, "bad input is a clear 4xx"
