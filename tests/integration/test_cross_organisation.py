"""People who belong to several organisations, or have left one: a partner coordinator sees and changes only
what concerns their own organisation (findings of a review, each once reproducible)."""

from __future__ import annotations

from tests.conftest import Env
from tests.integration.world import PHONES, build_world


async def test_a_partner_coordinator_cannot_adopt_an_existing_number(env: Env) -> None:
    world = await build_world(env)
    for key in ("vol_b", "coord_b", "resident_1"):
        answer = await world.apis["coord_a"].post(
            f"/api/v1/organisations/{world.org_a}/members",
            json={"role": "volunteer", "phone": PHONES[key], "first_name": "Someone"},
        )
        assert answer.status_code == 409 and answer.json()["code"] == "person_exists", key
        assert key.title() not in answer.text and str(world.ids[key]) not in answer.text
    still = await world.apis[("vol_b")].get("/api/v1/auth/session")
    assert still.status_code == 200 and [r["role"] for r in still.json()["roles"]] == ["volunteer"]


async def test_a_shared_volunteer_shows_only_the_callers_organisation(env: Env) -> None:
    world = await build_world(env)
    added = await world.apis["network"].post(
        f"/api/v1/organisations/{world.org_a}/members",
        json={"role": "volunteer", "phone": PHONES["vol_b"], "first_name": "Vol_B"},
    )
    assert added.status_code == 201
    assert len(added.json()["roles"]) == 2, "the network coordinator sees both"
    seen = await world.apis["coord_a"].get(f"/api/v1/people/{world.ids['vol_b']}")
    assert seen.json()["roles"] == [{"role": "volunteer", "organisation_id": str(world.org_a)}]
    members = await world.apis["coord_a"].get(f"/api/v1/organisations/{world.org_a}/members")
    assert str(world.org_b) not in members.text


async def test_someone_who_left_is_no_longer_visible_to_the_organisation(env: Env) -> None:
    world = await build_world(env)
    await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")
    assert (await world.apis["coord_a"].get(f"/api/v1/people/{world.ids['vol_a']}")).status_code == 404
    again = await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")
    assert again.status_code == 404


async def test_a_partners_resident_lookup_is_in_its_own_audit_trail(env: Env) -> None:
    world = await build_world(env)
    found = await world.apis["coord_a"].post(
        "/api/v1/residents/lookup", json={"phone": PHONES["resident_1"], "purpose": "helpline call"}
    )
    assert found.status_code == 200
    assert [r["role"] for r in found.json()["roles"]] == ["resident"]
    trail = (await world.apis["coord_a"].get("/api/v1/audit", params={"action": "resident.lookup"})).json()
    assert [e["subject_id"] for e in trail] == [str(world.ids["resident_1"])]
    assert (await world.apis["coord_b"].get("/api/v1/audit", params={"action": "resident.lookup"})).json() == []
