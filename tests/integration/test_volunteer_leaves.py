"""When a volunteer is deactivated or leaves (both databases): every coming session of theirs, however far ahead,
is in the at-risk queue, and "keep the time, another volunteer" gives each to the best other volunteer free then
in one call: the resident is not told (the time stands), the new volunteer is, the reminders are planned again."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.db import people as people_q
from server.db.tables import AuditEvent, HelpSession, Notification
from server.domain.roles import Role
from tests.conftest import Env
from tests.integration.world import MONDAY_NINE, World, book, build_world, volunteer_offers

SIXTY_DAYS_ON = MONDAY_NINE + timedelta(weeks=9)  # a Monday nine weeks after the first


async def ready(env: Env) -> World:
    """The world with vol_a at help point A on Mondays."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    return world


async def another_of_as(env: Env, world: World) -> uuid.UUID:
    """Another volunteer of organisation A's, at help point A on Mondays (added after the booking, which would
    otherwise have gone to either of them)."""
    now = env.clock.now()
    other = await people_q.insert_person(
        phone="+358401234599", first_name="Veikko", last_name="", language="fi", now=now
    )
    await people_q.grant(person_id=other, role=Role.VOLUNTEER, organisation_id=world.org_a, now=now)
    await volunteer_offers(other, world.help_point_a)
    return other


async def at_risk(world: World, who: str = "coord_a") -> list[tuple[str, str]]:
    answer = await world.apis[who].get("/api/v1/queues/at-risk")
    assert answer.status_code == 200, answer.text
    return [(r["session_id"], r["reason"]) for r in answer.json()]


async def test_every_coming_session_of_a_deactivated_volunteer_is_at_risk_not_only_this_weeks(env: Env) -> None:
    world = await ready(env)
    soon = (await book(world)).json()["session"]
    later = (await book(world, starts_at=SIXTY_DAYS_ON)).json()["session"]
    assert soon["volunteer_first_name"] and later["volunteer_first_name"]
    assert (await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")).status_code == 200
    risks = await at_risk(world)
    gone = {session for session, reason in risks if reason in ("volunteer_inactive", "volunteer_left")}
    assert {soon["id"], later["id"], str(world.session)} <= gone, "nine weeks ahead too"


async def test_keep_the_time_another_volunteer_tells_only_the_new_volunteer(env: Env) -> None:
    world = await ready(env)
    booked = (await book(world)).json()["session"]
    assert booked["volunteer_first_name"] != "Veikko", "vol_a has it"
    other = await another_of_as(env, world)
    assert (await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")).status_code == 200
    told_before = await Notification.count().where(
        (Notification.session == booked["id"]) & (Notification.person == world.ids["resident_2"])
    )

    given = await world.apis["coord_a"].post(f"/api/v1/sessions/{booked['id']}/another-volunteer")
    assert given.status_code == 200, given.text
    assert given.json()["starts_at"] == booked["starts_at"], "the time stands"
    assert given.json()["volunteer_first_name"] == "Veikko"
    row = (await HelpSession.select().where(HelpSession.id == booked["id"]))[0]
    assert row["volunteer"] == other and row["state"] == "scheduled"

    resident = Notification.select(Notification.kind, Notification.state).where(
        (Notification.session == booked["id"]) & (Notification.person == world.ids["resident_2"])
    )
    written = await resident
    assert len(written) > told_before and not [n for n in written if n["kind"] == "moved"], "no news for the resident"
    pending = [n["kind"] for n in written if n["state"] == "scheduled"]
    assert pending, "the resident's reminders are planned again"
    new = await Notification.select(Notification.kind).where(
        (Notification.session == booked["id"]) & (Notification.person == other)
    )
    assert "new_session" in [n["kind"] for n in new], "the new volunteer is told"
    assert await AuditEvent.count().where(AuditEvent.action == "session.reassign") == 1
    assert booked["id"] not in {s for s, _ in await at_risk(world)}, "no longer at risk"


async def test_nobody_else_free_is_said_and_nothing_changes(env: Env) -> None:
    world = await ready(env)
    booked = (await book(world)).json()["session"]
    assert (await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")).status_code == 200
    answer = await world.apis["coord_a"].post(f"/api/v1/sessions/{booked['id']}/another-volunteer")
    assert answer.status_code == 409 and answer.json()["code"] == "nobody_free", answer.text
    row = (await HelpSession.select().where(HelpSession.id == booked["id"]))[0]
    assert row["volunteer"] == world.ids["vol_a"] and row["version"] == 1


async def test_only_the_sessions_coordinators_give_it_to_another(env: Env) -> None:
    world = await ready(env)
    booked = (await book(world)).json()["session"]
    await another_of_as(env, world)
    url = f"/api/v1/sessions/{booked['id']}/another-volunteer"
    other = await world.apis["coord_b"].post(url)
    assert other.status_code == 404 and other.json()["code"] == "session_not_found"
    for who in ("vol_a", "resident_2"):
        assert (await world.apis[who].post(url)).status_code == 403
    row = (await HelpSession.select().where(HelpSession.id == booked["id"]))[0]
    assert row["version"] == 1
