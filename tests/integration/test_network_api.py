"""Coordinators manage organisations, help points and members; residents read public help points; staff
reads of resident data are audited."""

from __future__ import annotations

import pytest

from tests.conftest import Env
from tests.integration.world import PHONES, build_world

NEW_POINT = {
    "name": "Kyläkirjasto",
    "street_address": "Kyläntie 5",
    "postal_code": "93830",
    "municipality": "Kuusamo",
    "latitude": 66.28,
    "longitude": 29.15,
    "accessibility_notes": "Ramppi pyydettäessä.",
    "opening_hours": [
        {"weekday": 3, "opens": "12:00:00", "closes": "18:00:00"},
        {"weekday": 1, "opens": "12:00:00", "closes": "18:00:00"},
    ],
}


async def test_a_partner_coordinator_adds_a_help_point_that_residents_then_see(env: Env) -> None:
    world = await build_world(env)
    created = await world.apis["coord_a"].post(f"/api/v1/organisations/{world.org_a}/help-points", json=NEW_POINT)
    assert created.status_code == 201, created.text
    point = created.json()
    assert [h["weekday"] for h in point["opening_hours"]] == [1, 3], "opening hours come back in weekday order"
    public = await env.client().get("/api/v1/help-points", params={"municipality": "kuusamo"})
    assert point["id"] in [p["id"] for p in public.json()]
    shown = await env.client().get(f"/api/v1/help-points/{point['id']}")
    assert shown.status_code == 200 and shown.json()["accessibility_notes"] == "Ramppi pyydettäessä."


async def test_a_deactivated_help_point_disappears_from_the_public_list(env: Env) -> None:
    world = await build_world(env)
    answer = await world.apis["coord_a"].patch(f"/api/v1/help-points/{world.help_point_a}", json={"active": False})
    assert answer.status_code == 200 and answer.json()["active"] is False
    public_ids = [p["id"] for p in (await env.client().get("/api/v1/help-points")).json()]
    assert str(world.help_point_a) not in public_ids and str(world.help_point_b) in public_ids
    assert (await env.client().get(f"/api/v1/help-points/{world.help_point_a}")).status_code == 404


async def test_opening_hours_are_replaced_as_a_whole(env: Env) -> None:
    world = await build_world(env)
    hours = [{"weekday": 4, "opens": "09:30:00", "closes": "11:00:00"}]
    answer = await world.apis["coord_a"].patch(
        f"/api/v1/help-points/{world.help_point_a}", json={"opening_hours": hours}
    )
    assert answer.json()["opening_hours"] == hours


async def test_only_the_network_coordinator_adds_organisations(env: Env) -> None:
    world = await build_world(env)
    body = {"name": "Kuusamon Martat", "kind": "association", "municipality": "Kuusamo", "phone": "08 850 1234"}
    assert (await world.apis["coord_a"].post("/api/v1/organisations", json=body)).status_code == 403
    created = await world.apis["network"].post("/api/v1/organisations", json=body)
    assert created.status_code == 201 and created.json()["phone"] == "+358885012 34".replace(" ", "")
    listed = await world.apis["network"].get("/api/v1/organisations")
    assert len(listed.json()) == 3
    assert len((await world.apis["coord_a"].get("/api/v1/organisations")).json()) == 1


async def test_a_partner_coordinator_cannot_deactivate_their_own_organisation(env: Env) -> None:
    world = await build_world(env)
    answer = await world.apis["coord_a"].patch(f"/api/v1/organisations/{world.org_a}", json={"active": False})
    assert answer.status_code == 403


async def test_a_coordinator_adds_a_volunteer_who_can_then_sign_in_as_one(env: Env) -> None:
    world = await build_world(env)
    body = {"role": "volunteer", "phone": "044 555 0101", "first_name": "Selma", "language": "sv"}
    added = await world.apis["coord_a"].post(f"/api/v1/organisations/{world.org_a}/members", json=body)
    assert added.status_code == 201, added.text
    again = await world.apis["coord_a"].post(f"/api/v1/organisations/{world.org_a}/members", json=body)
    assert again.status_code == 409
    volunteer = await env.sign_in("+358445550101")
    roles = (await volunteer.get("/api/v1/auth/session")).json()["roles"]
    assert roles == [{"role": "volunteer", "organisation_id": str(world.org_a)}]
    coordinator = {"role": "partner_coordinator", "phone": "044 555 0102", "first_name": "Ville"}
    assert (
        await world.apis["coord_a"].post(f"/api/v1/organisations/{world.org_a}/members", json=coordinator)
    ).status_code == 403, "only the network coordinator appoints coordinators"


async def test_a_partner_coordinator_removes_a_volunteer_from_their_organisation_only(env: Env) -> None:
    world = await build_world(env)
    await world.apis["network"].post(
        f"/api/v1/organisations/{world.org_b}/members",
        json={"role": "volunteer", "phone": PHONES["vol_a"], "first_name": "Vol_A"},
    )
    removed = await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")
    assert removed.status_code == 200
    assert removed.json()["active"] is True, "the person stays active for organisation B"
    assert removed.json()["roles"] == [], "organisation A's coordinator sees no roles elsewhere"
    session = await world.apis["vol_a"].get("/api/v1/auth/session")
    assert session.status_code == 200, "they still volunteer for B, so their session goes on"
    assert session.json()["roles"] == [{"role": "volunteer", "organisation_id": str(world.org_b)}], "without A"
    assert (await world.apis["coord_a"].get(f"/api/v1/people/{world.ids['vol_a']}")).status_code == 404


async def test_reading_a_residents_data_is_audited_with_who_and_why(env: Env) -> None:
    world = await build_world(env)
    found = await world.apis["coord_a"].post(
        "/api/v1/residents/lookup", json={"phone": PHONES["resident_1"], "purpose": "helpline call: booking"}
    )
    assert found.status_code == 200 and found.json()["id"] == str(world.ids["resident_1"])
    read = await world.apis["network"].get(f"/api/v1/people/{world.ids['resident_1']}")
    assert read.status_code == 200
    trail = (
        await world.apis["network"].get("/api/v1/audit", params={"subject_id": str(world.ids["resident_1"])})
    ).json()
    actions = [(e["action"], e["actor_id"]) for e in trail]
    assert ("resident.lookup", str(world.ids["coord_a"])) in actions
    assert ("resident.read", str(world.ids["network"])) in actions
    lookup = next(e for e in trail if e["action"] == "resident.lookup")
    assert lookup["detail"]["purpose"] == "helpline call: booking"
    assert PHONES["resident_1"] not in str(trail), "the audit trail does not copy phone numbers"


async def test_a_lookup_of_an_unknown_number_is_a_404_and_still_audited(env: Env) -> None:
    world = await build_world(env)
    answer = await world.apis["coord_b"].post(
        "/api/v1/residents/lookup", json={"phone": "0401119876", "purpose": "helpline call"}
    )
    assert answer.status_code == 404
    trail = (await world.apis["network"].get("/api/v1/audit", params={"action": "resident.lookup"})).json()
    assert trail and trail[0]["detail"]["found"] is False


async def test_the_audit_log_refuses_updates_and_deletes(env: Env) -> None:
    await build_world(env)
    from server.db.tables import AuditEvent

    count = await AuditEvent.count()
    assert count > 0
    for attempt in (
        AuditEvent.update({AuditEvent.action: "forged"}, force=True),
        AuditEvent.delete(force=True),
    ):
        with pytest.raises(Exception, match="append-only"):  # each engine raises its own error type
            await attempt
    assert await AuditEvent.count() == count


async def test_me_changes_name_and_language(env: Env) -> None:
    api = await env.sign_in("+358401230100")
    answer = await api.patch("/api/v1/me", json={"first_name": "Aili", "language": "sv"})
    assert answer.status_code == 200 and answer.json()["first_name"] == "Aili"
    assert (await api.get("/api/v1/auth/session")).json()["language"] == "sv"
