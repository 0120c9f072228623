"""Coordinators take care of their volunteers (both databases): a volunteer who will not fill in forms tells
their coordinator, who changes their profile and weekly hours for them; audited with the volunteer as the
subject; only the volunteer's own organisation's coordinators (and the network coordinator) may; a partner
coordinator adds only their own help points."""

from __future__ import annotations

from server.db.tables import AuditEvent
from tests.conftest import Env
from tests.integration.test_topics_and_volunteers import AVAILABILITY, PROFILE
from tests.integration.world import World, build_world


def profile_url(world: World, who: str = "vol_a") -> str:
    return f"/api/v1/people/{world.ids[who]}/volunteer-profile"


def availability_url(world: World, who: str = "vol_a") -> str:
    return f"/api/v1/people/{world.ids[who]}/availability"


async def test_a_coordinator_changes_a_volunteers_profile_for_them_and_the_volunteer_sees_it(env: Env) -> None:
    world = await build_world(env)
    body = PROFILE | {"help_point_ids": [str(world.help_point_a)], "weekly_cap": 2}
    saved = await world.apis["coord_a"].put(profile_url(world), json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["weekly_cap"] == 2 and saved.json()["help_point_ids"] == [str(world.help_point_a)]
    own = (await world.apis["vol_a"].get("/api/v1/me/volunteer-profile")).json()
    assert own == saved.json(), "the volunteer sees what the coordinator saved"
    events = await AuditEvent.select().where(AuditEvent.action == "volunteer.profile")
    assert [(e["actor_id"], e["subject_id"]) for e in events] == [(world.ids["coord_a"], world.ids["vol_a"])]


async def test_a_coordinator_sets_a_volunteers_weekly_hours_and_days_off(env: Env) -> None:
    world = await build_world(env)
    saved = await world.apis["coord_a"].put(availability_url(world), json=AVAILABILITY)
    assert saved.status_code == 200, saved.text
    assert len(saved.json()["rules"]) == 2 and len(saved.json()["overrides"]) == 2
    own = (await world.apis["vol_a"].get("/api/v1/me/availability")).json()
    assert own == saved.json()
    mine = (await world.apis["coord_a"].get("/api/v1/me/availability")).status_code
    assert mine == 403, "the coordinator's own availability was not touched (they are no volunteer)"
    events = await AuditEvent.select().where(AuditEvent.action == "volunteer.availability")
    assert [(e["actor_id"], e["subject_id"]) for e in events] == [(world.ids["coord_a"], world.ids["vol_a"])]


async def test_only_the_volunteers_own_coordinators_change_them(env: Env) -> None:
    world = await build_world(env)
    before = (await world.apis["vol_a"].get("/api/v1/me/volunteer-profile")).json()
    body = PROFILE | {"help_point_ids": [str(world.help_point_a)]}
    for who, status in (("coord_b", 404), ("vol_b", 403), ("resident_1", 403), ("anonymous", 401)):
        assert (await world.apis[who].put(profile_url(world), json=body)).status_code == status, who
        assert (await world.apis[who].put(availability_url(world), json=AVAILABILITY)).status_code == status, who
    resident = await world.apis["coord_a"].put(profile_url(world, "resident_1"), json=body)
    assert resident.status_code == 404 and resident.json()["code"] == "volunteer_not_found"
    assert (await world.apis["vol_a"].get("/api/v1/me/volunteer-profile")).json() == before
    assert await AuditEvent.count().where(AuditEvent.action.like("volunteer.%")) == 0


async def test_a_partner_coordinator_adds_only_their_own_help_points(env: Env) -> None:
    world = await build_world(env)
    other = PROFILE | {"help_point_ids": [str(world.help_point_a), str(world.help_point_b)]}
    refused = await world.apis["coord_a"].put(profile_url(world), json=other)
    assert refused.status_code == 422 and refused.json()["code"] == "help_point_not_yours", refused.text
    assert (await world.apis["vol_a"].get("/api/v1/me/volunteer-profile")).json()["help_point_ids"] == []
    network = await world.apis["network"].put(profile_url(world), json=other)
    assert network.status_code == 200, network.text
    kept = PROFILE | {"help_point_ids": [str(world.help_point_a), str(world.help_point_b)], "weekly_cap": 5}
    again = await world.apis["coord_a"].put(profile_url(world), json=kept)
    assert again.status_code == 200, "a help point the volunteer already has elsewhere is kept"
    assert sorted(again.json()["help_point_ids"]) == sorted([str(world.help_point_a), str(world.help_point_b)])
