"""Volunteering by application through HTTP on both databases: a resident asks, the organisation's coordinator
approves (the volunteer role is granted at once) or declines, and the applicant is told by SMS."""

from __future__ import annotations

from datetime import timedelta

from server.db.tables import AuditEvent
from tests.conftest import Env
from tests.integration.world import PHONES, build_world


async def test_a_resident_applies_and_the_coordinator_approves_making_them_a_volunteer_there(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["resident_2"]
    applied = await api.post(
        "/api/v1/me/volunteer-applications",
        json={"organisation_id": str(world.org_a), "first_name": "Aili", "message": "Osaan verkkopankin hyvin."},
    )
    assert applied.status_code == 201, applied.text
    assert applied.json()["state"] == "pending" and applied.json()["phone"] is None
    again = await api.post("/api/v1/me/volunteer-applications", json={"organisation_id": str(world.org_a)})
    assert again.status_code == 409 and again.json()["code"] == "application_pending"
    waiting = (await world.apis["coord_a"].get("/api/v1/volunteer-applications")).json()
    mine = next(a for a in waiting if a["id"] == applied.json()["id"])
    assert (mine["first_name"], mine["phone"], mine["message"]) == (
        "Aili",
        PHONES["resident_2"],
        "Osaan verkkopankin hyvin.",
    )
    assert all(
        a["id"] != mine["id"] for a in (await world.apis["coord_b"].get("/api/v1/volunteer-applications")).json()
    )
    assert await AuditEvent.count().where(AuditEvent.action == "application.read") >= 2
    assert (await api.get("/api/v1/me/availability")).status_code == 403
    approved = await world.apis["coord_a"].post(f"/api/v1/volunteer-applications/{mine['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    before = await api.get("/api/v1/me/availability")
    assert before.status_code == 200, "the volunteer role applies from the next request"
    me = (await api.get("/api/v1/me")).json()
    assert {"role": "volunteer", "organisation_id": str(world.org_a)} in [
        {"role": r["role"], "organisation_id": r["organisation_id"]} for r in me["roles"]
    ]
    env.sms.sent.clear()
    await env.services.dispatcher.run_due()
    [text] = env.sms.to(PHONES["resident_2"])
    assert text.startswith("Apuri: Tervetuloa vapaaehtoiseksi, Alpha Library!")
    twice = await world.apis["coord_a"].post(f"/api/v1/volunteer-applications/{mine['id']}/decline")
    assert twice.status_code == 409


async def test_a_declined_applicant_is_told_kindly_and_gets_no_role(env: Env) -> None:
    world = await build_world(env)
    declined = await world.apis["coord_a"].post(f"/api/v1/volunteer-applications/{world.application}/decline")
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    env.sms.sent.clear()
    await env.services.dispatcher.run_due()
    [text] = env.sms.to(PHONES["resident_1"])
    assert "Kiitos, että halusit auttaa" in text and "040 1234000" in text
    me = (await world.apis["resident_1"].get("/api/v1/me")).json()
    assert "volunteer" not in {r["role"] for r in me["roles"]}


async def test_an_applicant_can_withdraw_and_apply_again(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["resident_1"]
    withdrawn = await api.post(f"/api/v1/me/volunteer-applications/{world.application}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    env.clock.advance(timedelta(minutes=5))
    again = await api.post(
        "/api/v1/me/volunteer-applications", json={"organisation_id": str(world.org_a), "first_name": "Eino"}
    )
    assert again.status_code == 201
    assert [a["state"] for a in (await api.get("/api/v1/me/volunteer-applications")).json()] == [
        "pending",
        "withdrawn",
    ]


async def test_bad_applications_are_refused(env: Env) -> None:
    world = await build_world(env)
    member = await world.apis["vol_a"].post(
        "/api/v1/me/volunteer-applications", json={"organisation_id": str(world.org_a)}
    )
    assert member.status_code == 409 and member.json()["code"] == "already_member"
    unknown = await world.apis["resident_2"].post(
        "/api/v1/me/volunteer-applications", json={"organisation_id": "00000000-0000-4000-8000-000000000009"}
    )
    assert unknown.status_code == 404
    nameless = await world.apis["resident_2"].post(
        "/api/v1/me/volunteer-applications", json={"organisation_id": str(world.org_b)}
    )
    assert nameless.status_code == 422 and nameless.json()["code"] == "name_required"
