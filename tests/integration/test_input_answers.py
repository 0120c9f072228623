"""Input that once gave a 500 is answered in words (4xx problem details), and nothing is half-written; on both
databases. Each case stands for its class: deep JSON, a date-time without an offset, dates at the end of time, odd
paths, ids that point nowhere, one idempotency key sent twice at once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from server.db import people as people_q
from server.db.tables import AuditEvent, HelpRequest, Person
from tests.conftest import Env
from tests.integration.world import MONDAY_NINE, PHONES, World, build_world, volunteer_offers


def _problem(answer: Any, status: int | tuple[int, ...] = (400, 404, 409, 422)) -> None:
    allowed = (status,) if isinstance(status, int) else status
    assert answer.status_code in allowed, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.headers
    assert answer.json().get("code"), answer.text


async def test_json_nested_thousands_deep_is_refused_in_words(env: Env) -> None:
    api = env.client()
    deep = "[" * 3000 + "]" * 3000
    answer = await api.post(
        "/api/v1/auth/code",
        content=f'{{"phone": "0401234567", "x": {deep}}}',
        headers={"content-type": "application/json"},
    )
    _problem(answer, 400)


@pytest.fixture
async def world(env: Env) -> World:
    built = await build_world(env)
    await volunteer_offers(built.ids["vol_a"], built.help_point_a)
    return built


NAIVE = "2026-11-30T09:00:00"  # no offset: which 09:00?


async def test_a_date_time_without_an_offset_is_refused_in_words_everywhere(env: Env, world: World) -> None:
    booking = {
        "topic": "online_banking",
        "modality": "help_point",
        "help_point_id": str(world.help_point_a),
        "starts_at": NAIVE,
    }
    _problem(await world.apis["resident_2"].post("/api/v1/bookings", json=booking), (400, 422))
    on_behalf = booking | {"phone": "050 765 4321", "first_name": "Aune", "consent": True}
    _problem(await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=on_behalf), (400, 422))
    _problem(
        await world.apis["resident_1"].post(f"/api/v1/sessions/{world.session}/move", json={"starts_at": NAIVE}),
        (400, 422),
    )
    _problem(
        await world.apis["coord_a"].post(
            f"/api/v1/sessions/{world.session}/move-for-resident", json={"starts_at": NAIVE}
        ),
        (400, 422),
    )
    _problem(
        await world.apis["coord_a"].get(f"/api/v1/requests/{world.flexible_request}/candidates?starts_at={NAIVE}"),
        (400, 422),
    )
    _problem(
        await world.apis["coord_a"].post(
            f"/api/v1/requests/{world.flexible_request}/assign",
            json={"volunteer_id": str(world.ids["vol_a"]), "starts_at": NAIVE},
        ),
        (400, 422),
    )


async def test_dates_at_the_end_of_time_are_refused_in_words(env: Env, world: World) -> None:
    far = "9999-12-31T23:00:00+00:00"
    booking = {"topic": "online_banking", "modality": "help_point", "help_point_id": str(world.help_point_a)}
    _problem(await world.apis["resident_2"].post("/api/v1/bookings", json=booking | {"starts_at": far}), (400, 422))
    slots = await env.client().get(
        f"/api/v1/slots?topic=online_banking&modality=help_point&help_point_id={world.help_point_a}&from=9999-12-31"
    )
    assert slots.status_code in (200, 400, 422), slots.text
    if slots.status_code != 200:
        _problem(slots, (400, 422))


async def test_an_odd_path_is_a_404_not_a_500(env: Env) -> None:
    for path in ("/index.html%00.js", "/app.js%00", "/%00", "/api/v1/%00"):
        answer = await env.client().get(path)
        assert answer.status_code in (400, 404), (path, answer.status_code, answer.text[:200])


async def test_adding_a_member_to_an_organisation_that_does_not_exist_is_a_404(env: Env, world: World) -> None:
    answer = await world.apis["network"].post(
        f"/api/v1/organisations/{uuid.uuid4()}/members",
        json={"phone": "0501112233", "first_name": "Veera", "role": "volunteer"},
    )
    _problem(answer, 404)
    assert await people_q.get_person_by_phone("+358501112233") is None, "nobody was created"


async def test_a_refused_booking_for_a_caller_creates_nobody_and_records_no_consent(env: Env, world: World) -> None:
    audit_before = await AuditEvent.count()
    body = {
        "topic": "online_banking",
        "modality": "help_point",
        "help_point_id": str(world.help_point_a),
        "starts_at": "2026-11-30T03:00:00Z",  # 05:00 in Helsinki: the help point is closed
        "phone": "050 765 4321",
        "first_name": "Aune",
        "consent": True,
    }
    refused = await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=body)
    _problem(refused, (409, 422))
    assert await people_q.get_person_by_phone("+358507654321") is None, "the resident was not created"
    assert await AuditEvent.count() == audit_before, "no consent or creation was recorded"


async def test_one_idempotency_key_sent_many_times_at_once_gets_the_first_answer(env: Env, world: World) -> None:
    api = world.apis["resident_2"]
    key = {"Idempotency-Key": "tap-" + uuid.uuid4().hex[:20]}
    body = {"topic": "online_banking", "modality": "phone"}
    answers = await asyncio.gather(*(api.post("/api/v1/requests", json=body, headers=key) for _ in range(8)))
    assert {a.status_code for a in answers} == {201}, [(a.status_code, a.text[:120]) for a in answers]
    assert len({a.json()["request_id"] for a in answers}) == 1
    mine = await HelpRequest.count().where(HelpRequest.resident == world.ids["resident_2"])
    assert mine == 1

    key = {"Idempotency-Key": "tap-" + uuid.uuid4().hex[:20]}
    booking = {
        "topic": "online_banking",
        "modality": "help_point",
        "help_point_id": str(world.help_point_a),
        "starts_at": MONDAY_NINE.isoformat(),
    }
    resident_1 = world.apis["resident_1"]
    answers = await asyncio.gather(*(resident_1.post("/api/v1/bookings", json=booking, headers=key) for _ in range(6)))
    assert {a.status_code for a in answers} == {201}, [(a.status_code, a.text[:120]) for a in answers]
    assert len({a.json()["session"]["id"] for a in answers}) == 1
    assert await Person.count().where(Person.phone == PHONES["resident_1"]) == 1
