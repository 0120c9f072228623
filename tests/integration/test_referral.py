"""Referral (both databases): a coordinator passes a waiting request to a partner with a note for them; the
partner's queue gets it with the note, the resident is told by SMS who will help, open offers are withdrawn; the
partner's staff mark it handled or pass it on; the statistics count it per partner; everything scoped and
audited, and a note with credentials in it is refused."""

from __future__ import annotations

from typing import Any

from server.db.tables import AuditEvent, HelpRequest, Notification, Offer, RequestReferral
from tests.conftest import Env
from tests.integration.world import World, build_world

NOTE = "Haluaa apua pankin sovelluksen käyttöönottoon; kuulee huonosti, puhu hitaasti."


def refer_url(world: World) -> str:
    return f"/api/v1/requests/{world.flexible_request}/refer"


def handled_url(world: World) -> str:
    return f"/api/v1/requests/{world.flexible_request}/handled"


async def routed(world: World, who: str) -> list[dict[str, Any]]:
    answer = await world.apis[who].get("/api/v1/queues/routed")
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_a_request_passed_to_a_partner_reaches_their_queue_and_the_resident_is_told(env: Env) -> None:
    world = await build_world(env)
    referred = await world.apis["network"].post(
        refer_url(world), json={"organisation_id": str(world.org_b), "note": NOTE}
    )
    assert referred.status_code == 200, referred.text
    assert referred.json() == {
        "request_id": str(world.flexible_request),
        "state": "routed",
        "routed_to_organisation_id": str(world.org_b),
    }
    [item] = await routed(world, "coord_b")
    assert item["id"] == str(world.flexible_request) and item["referral_note"] == NOTE
    assert await routed(world, "coord_a") == []
    assert await Offer.count().where((Offer.request == world.flexible_request) & (Offer.state == "pending")) == 0

    [sms] = await Notification.select().where(
        (Notification.person == world.ids["resident_1"]) & (Notification.kind == "referred")
    )
    assert "Beta Seniors" in sms["body"] and sms["channel"] == "sms" and "http" not in sms["body"]
    assert await AuditEvent.count().where(AuditEvent.action == "request.refer") == 1

    report = await world.apis["network"].get("/api/v1/statistics", params={"by": "partner"})
    partners = {g["key"]: g["figures"] for g in report.json()["groups"]}
    assert partners[str(world.org_b)]["referred"] == 1
    assert report.json()["total"]["referred"] == 1


async def test_the_partner_marks_it_handled_or_passes_it_on(env: Env) -> None:
    world = await build_world(env)
    body = {"organisation_id": str(world.org_b), "note": NOTE}
    assert (await world.apis["network"].post(refer_url(world), json=body)).status_code == 200
    not_theirs = await world.apis["coord_a"].post(handled_url(world), json={"outcome": "helped"})
    assert not_theirs.status_code == 404, "only the partner it is routed to"

    onward = await world.apis["coord_b"].post(refer_url(world), json={"organisation_id": str(world.org_a)})
    assert onward.status_code == 200, onward.text
    assert [r["id"] for r in await routed(world, "coord_a")] == [str(world.flexible_request)]
    assert await routed(world, "coord_b") == []
    rows = await RequestReferral.select().order_by(RequestReferral.referred_at)
    assert [(r["from_organisation"], r["to_organisation"]) for r in rows][-1] == (world.org_b, world.org_a)

    done = await world.apis["coord_a"].post(handled_url(world), json={"outcome": "helped"})
    assert done.status_code == 200 and done.json()["state"] == "closed", done.text
    assert await routed(world, "coord_a") == []
    [row] = await HelpRequest.select(HelpRequest.handled_outcome).where(HelpRequest.id == world.flexible_request)
    assert row["handled_outcome"] == "helped"
    again = await world.apis["coord_a"].post(handled_url(world), json={"outcome": "helped"})
    assert again.status_code == 409 and again.json()["code"] == "request_handle_not_allowed"
    assert await AuditEvent.count().where(AuditEvent.action == "request.handled") == 1


async def test_referrals_are_scoped_and_bad_ones_change_nothing(env: Env) -> None:
    world = await build_world(env)
    body = {"organisation_id": str(world.org_b), "note": NOTE}
    outside = await world.apis["coord_b"].post(refer_url(world), json=body)
    assert outside.status_code == 404 and outside.json()["code"] == "request_not_found"
    for who in ("vol_a", "resident_1"):
        assert (await world.apis[who].post(refer_url(world), json=body)).status_code == 403
    network = world.apis["network"]
    for change, status, code in (
        ({"note": "Pankkitunnukset 123456 ja PIN 1234"}, 422, "note_looks_secret"),
        ({"organisation_id": "00000000-0000-4000-8000-000000000001"}, 404, "organisation_not_found"),
        ({"note": "x" * 501}, 400, None),
    ):
        answer = await network.post(refer_url(world), json=body | change)
        assert answer.status_code == status, answer.text
        if code:
            assert answer.json()["code"] == code
    [row] = await HelpRequest.select(HelpRequest.state).where(HelpRequest.id == world.flexible_request)
    assert row["state"] == "offering"
    assert await RequestReferral.count() == 0
    assert await Notification.count().where(Notification.kind == "referred") == 0

    assert (await network.post(refer_url(world), json=body)).status_code == 200
    same = await network.post(refer_url(world), json=body)
    assert same.status_code == 422 and same.json()["code"] == "already_there"
    [session] = await HelpRequest.select(HelpRequest.id).where(
        (HelpRequest.resident == world.ids["resident_1"]) & (HelpRequest.state == "matched")
    )
    booked = await network.post(f"/api/v1/requests/{session['id']}/refer", json=body)
    assert booked.status_code == 409, booked.text


async def test_the_volunteer_on_a_session_passes_the_need_to_the_partner_whose_job_it_is(env: Env) -> None:
    world = await build_world(env)
    url = f"/api/v1/sessions/{world.session}/refer"
    body = {"organisation_id": str(world.org_b), "note": NOTE, "consent": True}
    no_consent = await world.apis["vol_a"].post(url, json={**body, "consent": False})
    assert no_consent.status_code == 422 and no_consent.json()["code"] == "consent_required"
    secret = await world.apis["vol_a"].post(url, json={**body, "note": "Tunnusluku on 1234"})
    assert secret.status_code == 422, "a note with a PIN in it is refused"
    assert (await world.apis["vol_b"].post(url, json=body)).status_code == 404, "not their session"
    assert (await world.apis["coord_a"].post(url, json=body)).status_code == 403
    referred = await world.apis["vol_a"].post(url, json=body)
    assert referred.status_code == 201, referred.text
    assert referred.json()["state"] == "routed" and referred.json()["routed_to_organisation_id"] == str(world.org_b)
    [item] = [r for r in await routed(world, "coord_b") if r["id"] == referred.json()["request_id"]]
    assert item["channel"] == "referral"
    [row] = await RequestReferral.select().where(RequestReferral.request == referred.json()["request_id"])
    assert row["note"] == NOTE and row["referred_by"] == world.ids["vol_a"]
    told = await Notification.select(Notification.body).where(
        (Notification.person == world.ids["resident_1"]) & (Notification.kind == "referred")
    )
    assert len(told) == 1 and "Beta Seniors" in told[0]["body"]
    session = await HelpRequest.select(HelpRequest.state).where(HelpRequest.id == world.flexible_request)
    assert session, "the resident's other request is untouched"
    assert await AuditEvent.count().where(AuditEvent.action == "request.refer") == 1
