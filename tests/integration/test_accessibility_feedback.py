"""Accessibility feedback (the law's feedback channel, answered within 14 days), on both databases."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Env
from tests.integration.world import PASSWORD, PHONES, build_world


async def test_anyone_gives_feedback_and_the_network_coordinator_sees_what_is_overdue(env: Env) -> None:
    world = await build_world(env)
    sent = await world.apis["anonymous"].post(
        "/api/v1/accessibility-feedback",
        json={"message": "Painikkeet ovat liian pieniä.", "contact": "040 765 4321", "page": "#/aika"},
    )
    assert sent.status_code == 201 and sent.json()["answer_within_days"] == 14
    env.clock.advance(timedelta(days=15))
    network = await env.sign_in(PHONES["network"], password=PASSWORD)  # the world's sign-in has expired
    waiting = (await network.get("/api/v1/accessibility-feedback")).json()
    item = next(f for f in waiting if f["message"] == "Painikkeet ovat liian pieniä.")
    assert item["overdue"] is True and item["contact"] == "040 765 4321" and item["page"] == "#/aika"
    done = await network.post(f"/api/v1/accessibility-feedback/{item['id']}/answered", json={"note": "Soitettu."})
    assert done.status_code == 200 and done.json()["answered_at"] is not None and not done.json()["overdue"]
    assert item["id"] not in {f["id"] for f in (await network.get("/api/v1/accessibility-feedback")).json()}
    answered = (await network.get("/api/v1/accessibility-feedback", params={"answered": "true"})).json()
    assert [f["answer_note"] for f in answered] == ["Soitettu."]
    again = await network.post(f"/api/v1/accessibility-feedback/{item['id']}/answered", json={})
    assert again.status_code == 409


async def test_feedback_is_read_only_by_the_network_coordinator(env: Env) -> None:
    world = await build_world(env)
    for who in ("coord_a", "vol_a", "resident_1", "anonymous"):
        assert (await world.apis[who].get("/api/v1/accessibility-feedback")).status_code in (401, 403)


async def test_one_client_cannot_flood_the_feedback(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["anonymous"]
    answers = [
        (await api.post("/api/v1/accessibility-feedback", json={"message": f"Palaute {n}"})).status_code
        for n in range(7)
    ]
    assert answers == [201] * 5 + [429] * 2
    empty = await api.post("/api/v1/accessibility-feedback", json={"message": ""})
    assert empty.status_code == 400
