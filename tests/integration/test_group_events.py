"""Group sessions (both databases): a coordinator publishes an event with a capacity; residents sign up and join a
waitlist when it is full; a freed place goes to the first in line, who keeps or gives it up by text (no answer in
time passes it on); a landline in line gets the place and a call; a cancelled event tells everyone and sends no
reminders; volunteers staff events within their weekly limit; nobody is double-booked; everything scoped.

The clock starts on Monday 23 November 2026 at 11:00 in Helsinki (09:00 UTC; winter time, UTC+2)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from server.db import events as events_q
from server.db import people as people_q
from server.db.tables import AuditEvent, EventSignup, Notification
from server.domain.roles import Grant, Principal, Role
from tests.conftest import Env
from tests.integration.world import PASSWORD, PHONES, World, book, build_world, volunteer_offers

WEDNESDAY_ONE = "2026-11-25T13:00:00+02:00"  # 11:00 UTC
_sid = iter(range(1, 100_000))


def event_body(world: World, **body: Any) -> dict[str, Any]:
    return {
        "title": "Digikahvila",
        "starts_at": WEDNESDAY_ONE,
        "minutes": 90,
        "capacity": 3,
        "help_point_id": str(world.help_point_a),
        "topics": [world.topic],
        "bring": "Oma puhelin ja sen tunnusluku",
        **body,
    }


async def publish(world: World, who: str = "coord_a", **body: Any) -> Any:
    return await world.apis[who].post("/api/v1/events", json=event_body(world, **body))


async def published(world: World, **body: Any) -> dict[str, Any]:
    answer = await publish(world, **body)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def residents(env: Env, count: int, *, first: int = 0) -> list[Principal]:
    """`count` residents with mobile numbers +358402220000…, as the service sees a signed-in resident."""
    found = []
    for n in range(first, first + count):
        person = await people_q.insert_person(
            phone=f"+35840222{n:04d}", first_name=f"Asukas{n}", last_name="", language="fi", now=env.clock.now()
        )
        await people_q.grant(person_id=person, role=Role.RESIDENT, organisation_id=None, now=env.clock.now())
        found.append(
            Principal(
                person_id=person,
                sign_in_id=uuid.uuid4(),
                first_name=f"Asukas{n}",
                language="fi",
                grants=frozenset({Grant(Role.RESIDENT, None)}),
            )
        )
    return found


def phone_of(n: int) -> str:
    return f"+35840222{n:04d}"


async def texts(env: Env, phone: str) -> list[str]:
    await env.services.dispatcher.run_due()
    return env.sms.to(phone)


async def reply(env: Env, phone: str, body: str) -> str:
    """Text `body` from `phone`; the answer it got."""
    before = len(env.sms.to(phone))
    await env.services.replies.receive(phone=phone, body=body, provider_id=f"SM{next(_sid):032d}")
    await env.services.dispatcher.run_due()
    [answer] = env.sms.to(phone)[before:]
    return answer


async def states(event_id: str) -> list[tuple[str, str]]:
    rows = (
        await EventSignup.select(EventSignup.person.phone.as_alias("phone"), EventSignup.state)
        .where(EventSignup.event == uuid.UUID(event_id))
        .order_by(EventSignup.queue_no)
    )
    return [(r["phone"], r["state"]) for r in rows]


async def test_an_event_is_published_listed_for_everyone_and_managed_only_by_its_organisation(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, description="Kysy mitä vain puhelimesta.")
    assert event["places_left"] == 3 and event["waitlisted"] == 0 and event["state"] == "scheduled"
    assert event["starts_at"] == "2026-11-25T11:00:00Z" and event["ends_at"] == "2026-11-25T12:30:00Z"
    assert event["help_point_name"] == "Point a" and event["municipality"] == "Kuusamo" and not event["remote"]

    anyone = world.apis["anonymous"]
    listed = (await anyone.get("/api/v1/events")).json()
    assert [e["id"] for e in listed] == [event["id"]]
    assert (await anyone.get(f"/api/v1/events/{event['id']}")).json()["bring"] == "Oma puhelin ja sen tunnusluku"
    assert (await anyone.get("/api/v1/events", params={"municipality": "Taivalkoski"})).json() == []
    assert (await anyone.get("/api/v1/events", params={"topic": "video_calls"})).json() == []
    assert (await anyone.get("/api/v1/events", params={"remote": "true"})).json() == []
    assert (await anyone.get("/api/v1/events/municipalities")).json() == ["Kuusamo"]

    remote = await publish(world, help_point_id=None, organisation_id=str(world.org_a), title="OmaKanta-kurssi")
    assert remote.status_code == 201 and remote.json()["remote"] is True, remote.text
    assert [e["title"] for e in (await anyone.get("/api/v1/events", params={"remote": "true"})).json()] == [
        "OmaKanta-kurssi"
    ]

    # Another organisation's coordinator can neither publish at this help point nor see or cancel its events.
    refused = await publish(world, "coord_b")
    assert refused.status_code == 404 and refused.json()["code"] == "help_point_not_found"
    assert (await world.apis["coord_b"].get("/api/v1/events/managed")).json() == []
    assert (await world.apis["coord_b"].post(f"/api/v1/events/{event['id']}/cancel")).status_code == 404
    assert (await world.apis["coord_b"].get(f"/api/v1/events/{event['id']}/signups")).status_code == 404
    assert len((await world.apis["coord_a"].get("/api/v1/events/managed")).json()) == 2
    assert len((await world.apis["network"].get("/api/v1/events/managed")).json()) == 2
    for who in ("vol_a", "resident_1", "anonymous"):
        assert (await publish(world, who)).status_code in (401, 403)
    assert await AuditEvent.count().where(AuditEvent.action == "group_event.create") == 2


async def test_bad_events_are_refused_in_words_and_a_closed_day_has_none(env: Env) -> None:
    world = await build_world(env)
    for body, code in (
        ({"starts_at": "2026-11-20T13:00:00+02:00"}, "event_in_past"),
        ({"topics": ["no_such_topic"]}, "topic_unknown"),
        ({"help_point_id": None}, "event_place_required"),
        ({"title": "   "}, "event_title_required"),
    ):
        refused = await publish(world, **body)
        assert refused.status_code == 422 and refused.json()["code"] == code, refused.text
    for body in ({"capacity": 0}, {"minutes": 5}, {"starts_at": "2026-11-25T13:00:00"}, {"title": "a\x00b"}):
        assert (await publish(world, **body)).status_code in (400, 422), body
    closed = await world.apis["coord_a"].put(
        f"/api/v1/help-points/{world.help_point_a}/days/2026-11-25",
        json={"state": "closed", "reason": {"fi": "Koulutuspäivä"}},
    )
    assert closed.status_code == 200, closed.text
    on_closed_day = await publish(world)
    assert on_closed_day.status_code == 409 and on_closed_day.json()["code"] == "event_on_closed_day"
    assert (await world.apis["anonymous"].get("/api/v1/events")).json() == []


async def test_n_plus_five_signing_up_at_once_get_n_places_and_five_places_in_line(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=4)
    people = await residents(env, 9)
    event_id = uuid.UUID(event["id"])
    done = await asyncio.gather(*(env.services.events.sign_up(p, event_id) for p in people))
    confirmed = [d for d in done if d.position == 0]
    waiting = sorted(d.position for d in done if d.position)
    assert len(confirmed) == 4 and waiting == [1, 2, 3, 4, 5]
    rows = await EventSignup.select(EventSignup.state, EventSignup.queue_no).where(EventSignup.event == event_id)
    by_queue = sorted(rows, key=lambda r: r["queue_no"])
    assert [r["state"] for r in by_queue] == ["confirmed"] * 4 + ["waitlisted"] * 5, "places go in signing-up order"
    assert len({r["queue_no"] for r in rows}) == 9
    listed = (await world.apis["anonymous"].get(f"/api/v1/events/{event['id']}")).json()
    assert listed["places_left"] == 0 and listed["waitlisted"] == 5

    # Signing up again changes nothing; each was told by SMS (a place, or where in line).
    again = await env.services.events.sign_up(people[0], event_id)
    assert again.already and await EventSignup.count().where(EventSignup.event == event_id) == 9
    told = [await texts(env, phone_of(n)) for n in range(9)]
    assert sum("Sinulla on paikka ryhmätapaamisessa ke 25.11. klo 13.00" in t[0] for t in told) == 4
    assert sum("Olet jonossa sijalla" in t[0] for t in told) == 5
    assert all(len(t) == 1 for t in told)


async def test_a_freed_place_goes_to_the_first_in_line_who_keeps_it_by_text(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    first, second, third = await residents(env, 3)
    event_id = uuid.UUID(event["id"])
    for p in (first, second, third):
        await env.services.events.sign_up(p, event_id)
    await texts(env, phone_of(0))
    assert "PERU" in env.sms.to(phone_of(0))[0]

    # The one with the place cancels by text: exactly one place is offered, to the first in line.
    assert (await reply(env, phone_of(0), "peru")).startswith("Apuri: Paikkasi ryhmätapaamisessa ke 25.11.")
    assert await states(event["id"]) == [
        (phone_of(0), "cancelled"),
        (phone_of(1), "offered"),
        (phone_of(2), "waitlisted"),
    ]
    [offer] = (await texts(env, phone_of(1)))[1:]
    assert "vapautui paikka sinulle" in offer and "Vastaa 1" in offer and "ti 24.11. klo 8.00" not in offer
    assert "asti" in offer
    listed = (await world.apis["anonymous"].get(f"/api/v1/events/{event['id']}")).json()
    assert listed["places_left"] == 0, "a place held for someone is not free for others"

    kept = await reply(env, phone_of(1), "1")
    assert kept.startswith("Apuri: Kiitos! Paikkasi ryhmätapaamisessa ke 25.11. klo 13.00 on vahvistettu.")
    assert (await states(event["id"]))[1] == (phone_of(1), "confirmed")
    assert (await reply(env, phone_of(1), "1")).startswith("Apuri: Kiitos!"), "a second yes changes nothing"
    reminders = await Notification.select(Notification.kind, Notification.due_at).where(
        (Notification.phone == phone_of(1)) & (Notification.state == "scheduled")
    )
    assert sorted(r["kind"] for r in reminders) == ["reminder_24h", "reminder_2h"]

    # The third is still in line, and nobody else was offered anything.
    assert (await states(event["id"]))[2] == (phone_of(2), "waitlisted")
    assert len(await texts(env, phone_of(2))) == 1


async def test_a_place_given_up_or_left_unanswered_passes_to_the_next_in_line(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    people = await residents(env, 4)
    event_id = uuid.UUID(event["id"])
    for p in people:
        await env.services.events.sign_up(p, event_id)
    await env.services.events.leave(people[0], event_id)
    await texts(env, phone_of(1))
    assert (await reply(env, phone_of(1), "2")).startswith("Apuri: Selvä, paikka annetaan seuraavalle jonossa.")
    assert [s for _, s in await states(event["id"])] == ["cancelled", "declined", "offered", "waitlisted"]
    [offer] = (await texts(env, phone_of(2)))[1:]
    assert "Vastaa 1" in offer

    # Nobody answers: when the hold runs out, the place passes on (the expired holder's 1 comes too late).
    [held] = await EventSignup.select(EventSignup.offered_until).where(EventSignup.state == "offered")
    assert held["offered_until"] - env.clock.now() == timedelta(hours=12)
    assert await env.services.events.expire_offers() == 0
    env.clock.set(held["offered_until"] + timedelta(seconds=1))
    assert await env.services.events.expire_offers() == 1
    assert [s for _, s in await states(event["id"])] == ["cancelled", "declined", "declined", "offered"]
    assert (await reply(env, phone_of(2), "1")).startswith("Apuri: Paikka ei ole enää varattu sinulle.")
    assert [s for _, s in await states(event["id"])][2] == "declined"
    assert await env.services.events.expire_offers() == 0


async def test_no_place_is_offered_so_close_to_the_start_that_nobody_could_plan_for_it(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    people = await residents(env, 2)
    event_id = uuid.UUID(event["id"])
    for p in people:
        await env.services.events.sign_up(p, event_id)
    env.clock.set(env.clock.now() + timedelta(days=2, hours=-1))  # Wednesday 10:00, three hours before
    await env.services.events.leave(people[0], event_id)
    assert [s for _, s in await states(event["id"])] == ["cancelled", "waitlisted"]
    assert (await world.apis["anonymous"].get(f"/api/v1/events/{event['id']}")).json()["places_left"] == 1


async def test_a_landline_in_line_gets_the_freed_place_and_a_call(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    [mobile] = await residents(env, 1)
    event_id = uuid.UUID(event["id"])
    await env.services.events.sign_up(mobile, event_id)
    landline = "+35886123456"
    signed = await world.apis["coord_a"].post(
        f"/api/v1/events/{event['id']}/signups",
        json={"phone": "08 6123 456", "first_name": "Aino", "consent": True},
    )
    assert signed.status_code == 201 and signed.json()["state"] == "waitlisted", signed.text
    assert signed.json()["position"] == 1
    await env.services.events.leave(mobile, event_id)
    assert await states(event["id"]) == [(phone_of(0), "cancelled"), (landline, "confirmed")]
    await env.services.dispatcher.run_due()
    [(to, said)] = env.voice.calls
    assert to == landline and "vapautui paikka, ja se on nyt sinun" in said
    planned = await Notification.select(Notification.kind, Notification.channel).where(
        (Notification.phone == landline) & (Notification.state == "scheduled")
    )
    assert [(r["kind"], r["channel"]) for r in planned] == [("reminder_24h", "voice")]


async def test_a_cancelled_event_tells_everyone_and_no_reminder_of_it_is_ever_sent(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    event = await published(world, capacity=1)
    people = await residents(env, 2)
    event_id = uuid.UUID(event["id"])
    for p in people:
        await env.services.events.sign_up(p, event_id)
    took = await world.apis["vol_a"].put(f"/api/v1/events/{event['id']}/duty")
    assert took.status_code == 200, took.text
    await env.services.dispatcher.run_due()
    cancelled = await world.apis["coord_a"].post(f"/api/v1/events/{event['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert [s for _, s in await states(event["id"])] == ["cancelled", "cancelled"]
    for n in range(2):
        assert "Ryhmätapaaminen ke 25.11. klo 13.00 on valitettavasti peruttu." in (await texts(env, phone_of(n)))[-1]
    assert any("on peruttu" in t for t in env.sms.to(PHONES["vol_a"])), "the volunteer on duty is told (SMS: no push)"
    again = await world.apis["coord_a"].post(f"/api/v1/events/{event['id']}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "event_cancelled"
    assert (await env.services.events.event(event_id)).state.value == "cancelled"
    # Walk to the start: nothing more is sent to anyone about it.
    before = {n: len(env.sms.to(phone_of(n))) for n in range(2)}
    for _ in range(8):
        env.clock.set(env.clock.now() + timedelta(hours=6))
        await env.services.dispatcher.run_due()
    assert {n: len(env.sms.to(phone_of(n))) for n in range(2)} == before
    assert (await world.apis["anonymous"].get("/api/v1/events")).json() == []


async def test_a_resident_is_never_double_booked_between_a_session_and_an_event(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    monday = await published(world, starts_at="2026-11-30T09:30:00+02:00")
    signed = await world.apis["resident_2"].post(f"/api/v1/events/{monday['id']}/signup")
    assert signed.status_code == 201 and signed.json()["state"] == "confirmed", signed.text
    again = await world.apis["resident_2"].post(f"/api/v1/events/{monday['id']}/signup")
    assert again.status_code == 200 and again.json()["id"] == signed.json()["id"]
    booked = await book(world)  # Monday 9:00-9:45 at help point A
    assert booked.status_code == 409 and booked.json()["code"] == "resident_busy", booked.text
    left = await world.apis["resident_2"].delete(f"/api/v1/events/{monday['id']}/signup")
    assert left.status_code == 200 and left.json()["state"] == "cancelled"
    assert (await book(world)).status_code == 201
    refused = await world.apis["resident_2"].post(f"/api/v1/events/{monday['id']}/signup")
    assert refused.status_code == 409 and refused.json()["code"] == "resident_busy"
    mine = (await world.apis["resident_2"].get("/api/v1/me/event-signups")).json()
    assert [(s["state"], s["event"]["title"]) for s in mine] == [("cancelled", "Digikahvila")]


async def test_volunteers_staff_events_which_keep_their_time_and_count_towards_their_week(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a, weekly_cap=1)
    vol = world.apis["vol_a"]
    monday = await published(world, starts_at="2026-11-30T09:00:00+02:00", volunteers_needed=1)
    other = await published(world, starts_at="2026-12-02T13:00:00+02:00", volunteers_needed=2)
    duties = (await vol.get("/api/v1/me/event-duties")).json()
    assert [(d["id"], d["mine"]) for d in duties] == [(monday["id"], False), (other["id"], False)]
    assert (await world.apis["vol_b"].get("/api/v1/me/event-duties")).json() == [], "not at their help points"
    slots = "/api/v1/slots"
    query = {"topic": "online_banking", "modality": "help_point", "help_point_id": str(world.help_point_a)}
    query |= {"from": "2026-11-30", "to": "2026-11-30"}
    free_before = [s["starts_at"] for s in (await world.apis["anonymous"].get(slots, params=query)).json()]
    took = await vol.put(f"/api/v1/events/{monday['id']}/duty")
    assert took.status_code == 200 and took.json()["mine"] is True and took.json()["staffed"] == 1, took.text
    assert (await vol.put(f"/api/v1/events/{monday['id']}/duty")).status_code == 200, "taking it again is fine"
    free_after = [s["starts_at"] for s in (await world.apis["anonymous"].get(slots, params=query)).json()]
    assert "2026-11-30T07:00:00Z" in free_before and "2026-11-30T07:00:00Z" not in free_after
    assert len(free_after) < len(free_before)
    full_week = await vol.put(f"/api/v1/events/{other['id']}/duty")
    assert full_week.status_code == 409 and full_week.json()["code"] == "weekly_limit_reached", full_week.text
    gave_back = await vol.delete(f"/api/v1/events/{monday['id']}/duty")
    assert gave_back.status_code == 204
    assert (await vol.put(f"/api/v1/events/{other['id']}/duty")).status_code == 200
    taken = await world.apis["vol_b"].put(f"/api/v1/events/{monday['id']}/duty")
    assert taken.status_code == 404, "an event at another organisation's help point"
    assert (await vol.delete(f"/api/v1/events/{monday['id']}/duty")).status_code == 404


async def test_coordinators_sign_up_callers_and_the_volunteer_on_duty_marks_who_came(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    event = await published(world, capacity=2)
    url = f"/api/v1/events/{event['id']}/signups"
    coord = world.apis["coord_a"]
    no_consent = await coord.post(url, json={"phone": "040 333 4444", "first_name": "Aino", "consent": False})
    assert no_consent.status_code == 422 and no_consent.json()["code"] == "consent_required"
    signed = await coord.post(url, json={"phone": "040 333 4444", "first_name": "Aino", "consent": True})
    assert signed.status_code == 201 and signed.json()["state"] == "confirmed", signed.text
    assert (
        await world.apis["coord_b"].post(url, json={"phone": "040 333 5555", "first_name": "B", "consent": True})
    ).status_code == 404
    listed = (await coord.get(url)).json()
    assert [(s["first_name"], s["phone"], s["channel"]) for s in listed] == [("Aino", "+358403334444", "phone")]

    # The volunteer not (yet) on duty sees nothing; on duty, first names only, and marks attendance once it begins.
    assert (await world.apis["vol_a"].get(url)).status_code == 404
    assert (await world.apis["vol_a"].put(f"/api/v1/events/{event['id']}/duty")).status_code == 200
    seen = (await world.apis["vol_a"].get(url)).json()
    assert [(s["first_name"], s["phone"]) for s in seen] == [("Aino", None)]
    mark = f"{url}/{seen[0]['id']}/attendance"
    early = await world.apis["vol_a"].put(mark, json={"attended": True})
    assert early.status_code == 409 and early.json()["code"] == "event_not_begun"
    env.clock.set(env.clock.now() + timedelta(days=2, hours=2))  # Wednesday 13:00
    marked = await world.apis["vol_a"].put(mark, json={"attended": True})
    assert marked.status_code == 200 and marked.json()["attendance"] == "attended", marked.text
    assert (await world.apis["vol_b"].put(mark, json={"attended": False})).status_code == 404
    coord = await env.sign_in(PHONES["coord_a"], password=PASSWORD)  # two days on: signed in again
    cancel = await coord.post(f"{url}/{seen[0]['id']}/cancel")
    assert cancel.status_code == 409 and cancel.json()["code"] == "event_started"


async def test_a_residents_data_shows_their_group_sessions_and_erasure_passes_their_place_on(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    api = world.apis["resident_2"]
    assert (await api.post(f"/api/v1/events/{event['id']}/signup")).status_code == 201
    [next_in_line] = await residents(env, 1)
    await env.services.events.sign_up(next_in_line, uuid.UUID(event["id"]))

    exported = (await api.get("/api/v1/me/data")).json()["data"]
    [group] = [c for c in exported["children"] if c["key"] == "GROUP_SESSIONS"]
    fields = {f["key"]: f.get("value") for f in group["children"][0]["children"]}
    assert fields["TITLE"] == "Digikahvila" and fields["STATE"] == "confirmed" and fields["PLACE"] == "Point a"

    asked = await api.post("/api/v1/me/data/erasure/code")
    assert asked.status_code == 201, asked.text
    code = next(w for w in env.sms.to(PHONES["resident_2"])[-1].replace("\n", " ").split() if w.isdigit())
    erased = await api.post(
        "/api/v1/me/data/erasure", json={"challenge_id": asked.json()["challenge_id"], "code": code}
    )
    assert erased.status_code == 200, erased.text
    assert [s for _, s in await states(event["id"])] == ["cancelled", "offered"], "the place went to the next in line"


async def test_an_event_on_a_day_that_closes_takes_no_sign_ups_and_its_coordinators_see_why(env: Env) -> None:
    world = await build_world(env)
    event = await published(world)
    closed = await world.apis["coord_a"].put(
        f"/api/v1/help-points/{world.help_point_a}/days/2026-11-25",
        json={"state": "closed", "reason": {"fi": "Vesivahinko"}},
    )
    assert closed.status_code == 200, closed.text
    assert (await world.apis["anonymous"].get("/api/v1/events")).json() == [], "no sign-ups offered on a closed day"
    refused = await world.apis["resident_1"].post(f"/api/v1/events/{event['id']}/signup")
    assert refused.status_code == 409 and refused.json()["code"] == "event_on_closed_day"
    [managed] = (await world.apis["coord_a"].get("/api/v1/events/managed")).json()
    assert managed["closed_day"] is True and managed["attended"] == 0 and managed["no_shows"] == 0
    reopened = await world.apis["coord_a"].delete(f"/api/v1/help-points/{world.help_point_a}/days/2026-11-25")
    assert reopened.status_code in (200, 204), reopened.text
    assert (await world.apis["resident_1"].post(f"/api/v1/events/{event['id']}/signup")).status_code == 201


async def test_the_event_counts_who_came_and_who_did_not(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=3)
    people = await residents(env, 3)
    for p in people:
        await env.services.events.sign_up(p, uuid.UUID(event["id"]))
    env.clock.set(env.clock.now() + timedelta(days=2, hours=2))  # Wednesday 13:00
    coord = await env.sign_in(PHONES["coord_a"], password=PASSWORD)
    listed = (await coord.get(f"/api/v1/events/{event['id']}/signups")).json()
    for signup, came in zip(listed, (True, True, False), strict=True):
        marked = await coord.put(
            f"/api/v1/events/{event['id']}/signups/{signup['id']}/attendance", json={"attended": came}
        )
        assert marked.status_code == 200, marked.text
    [managed] = (await coord.get("/api/v1/events/managed")).json()
    assert (managed["attended"], managed["no_shows"]) == (2, 1)
    figures = (await coord.get("/api/v1/statistics", params={"from": "2026-11-23", "to": "2026-11-29"})).json()
    assert figures["group_sessions"] == {
        "events": 1,
        "cancelled": 0,
        "places": 3,
        "taken": 3,
        "waitlisted": 0,
        "attended": 2,
        "no_shows": 1,
        "attendance_rate": 0.667,
    }
    other = await env.sign_in(PHONES["coord_b"], password=PASSWORD)
    theirs = (await other.get("/api/v1/statistics", params={"from": "2026-11-23", "to": "2026-11-29"})).json()
    assert theirs["group_sessions"]["events"] == 0, "another organisation's events are not in its figures"


async def test_two_duties_taken_at_once_never_pass_the_weekly_limit(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a, weekly_cap=1)
    first = await published(world, starts_at="2026-11-30T09:00:00+02:00")
    second = await published(world, starts_at="2026-12-02T13:00:00+02:00")
    volunteer = Principal(
        person_id=world.ids["vol_a"],
        sign_in_id=uuid.uuid4(),
        first_name="Vol_A",
        language="fi",
        grants=frozenset({Grant(Role.VOLUNTEER, world.org_a)}),
    )
    done = await asyncio.gather(
        *(env.services.events.take_duty(volunteer, uuid.UUID(e["id"])) for e in (first, second)),
        return_exceptions=True,
    )
    refused = [d for d in done if isinstance(d, Exception)]
    assert len(refused) == 1 and getattr(refused[0], "code", "") == "weekly_limit_reached", done
    duties = (await world.apis["vol_a"].get("/api/v1/me/event-duties")).json()
    assert sum(d["mine"] for d in duties) == 1


async def test_events_short_of_volunteers_and_a_departed_volunteers_duties_are_in_the_coordinators_queue(
    env: Env,
) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    soon = await published(world)  # Wednesday: within three days, nobody on it
    later = await published(world, starts_at="2026-12-09T13:00:00+02:00")
    unneeded = await published(world, starts_at="2026-11-24T13:00:00+02:00", volunteers_needed=0)
    queue = "/api/v1/events/unstaffed"
    assert [e["id"] for e in (await world.apis["coord_a"].get(queue)).json()] == [soon["id"]]
    assert (await world.apis["coord_b"].get(queue)).json() == [], "another organisation's events"
    assert (await world.apis["vol_a"].put(f"/api/v1/events/{later['id']}/duty")).status_code == 200
    assert (await world.apis["vol_a"].put(f"/api/v1/events/{soon['id']}/duty")).status_code == 200
    assert (await world.apis["coord_a"].get(queue)).json() == []
    gone = await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")
    assert gone.status_code == 200, gone.text
    short = (await world.apis["coord_a"].get(queue)).json()
    assert [(e["id"], e["staffed"], e["volunteers_gone"]) for e in short] == [(soon["id"], 0, 1), (later["id"], 0, 1)]
    assert unneeded["id"] not in {e["id"] for e in short}


async def test_a_coordinator_corrects_an_event_and_more_places_go_to_the_waiting_list(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    people = await residents(env, 3)
    for p in people:
        await env.services.events.sign_up(p, uuid.UUID(event["id"]))
    url = f"/api/v1/events/{event['id']}"
    coord = world.apis["coord_a"]
    smaller = await coord.patch(url, json={"capacity": 1, "title": "Digikahvila kirjastolla"})
    assert smaller.status_code == 200 and smaller.json()["title"] == "Digikahvila kirjastolla", smaller.text
    assert smaller.json()["residents_told"] == 0, "a new name is no news to send"
    bigger = await coord.patch(url, json={"capacity": 2})
    assert bigger.status_code == 200 and bigger.json()["places_left"] == 0 and bigger.json()["waitlisted"] == 1
    assert [s for _, s in await states(event["id"])] == ["confirmed", "offered", "waitlisted"]
    refused = await coord.patch(url, json={"capacity": 1})
    assert refused.status_code == 409 and refused.json()["code"] == "capacity_below_taken"
    assert (await world.apis["coord_b"].patch(url, json={"title": "x"})).status_code == 404
    foreign = await coord.patch(url, json={"help_point_id": str(world.help_point_b)})
    assert foreign.status_code == 404 and foreign.json()["code"] == "help_point_not_found"


async def test_moving_an_event_tells_everyone_and_takes_off_whoever_is_busy_at_the_new_time(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    event = await published(world, capacity=3)
    free, busy = await residents(env, 2)
    for p in (free, busy):
        await env.services.events.sign_up(p, uuid.UUID(event["id"]))
    assert (await world.apis["vol_a"].put(f"/api/v1/events/{event['id']}/duty")).status_code == 200
    await env.services.dispatcher.run_due()
    env.clock.advance(timedelta(minutes=5))
    # The second resident has another group session on Monday at 9; vol_a has resident_1's session on Thursday at 11
    # (the world's).
    thursday = "2026-11-26T11:00:00+02:00"
    monday = await published(world, starts_at="2026-11-30T09:00:00+02:00", volunteers_needed=0)
    await env.services.events.sign_up(busy, uuid.UUID(monday["id"]))
    moved = await world.apis["coord_a"].patch(
        f"/api/v1/events/{event['id']}", json={"starts_at": "2026-11-30T09:00:00+02:00", "minutes": 60}
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["residents_told"], body["residents_dropped"], body["volunteers_dropped"]) == (1, 1, 0), body
    assert body["starts_at"] == "2026-11-30T07:00:00Z" and body["ends_at"] == "2026-11-30T08:00:00Z"
    assert [s for _, s in await states(event["id"])] == ["confirmed", "cancelled"]
    told = (await texts(env, phone_of(0)))[-1]
    assert "aika tai paikka muuttui. Uusi aika: ma 30.11. klo 9.00." in told, told
    assert any("Paikkasi ryhmätapaamisessa ke 25.11." in t and "on peruttu" in t for t in await texts(env, phone_of(1)))
    reminders = await Notification.select(Notification.kind, Notification.due_at).where(
        (Notification.phone == phone_of(0)) & (Notification.state == "scheduled")
    )
    assert {r["kind"] for r in reminders} == {"reminder_24h", "reminder_2h"}
    assert all(r["due_at"] > datetime(2026, 11, 29, tzinfo=UTC) for r in reminders), "planned for the new time"
    assert (await world.apis["vol_a"].get("/api/v1/me/event-duties")).json()[0]["mine"] is True

    # Moved onto the volunteer's Thursday session: they come off it and are told.
    again = await world.apis["coord_a"].patch(f"/api/v1/events/{event['id']}", json={"starts_at": thursday})
    assert again.status_code == 200 and again.json()["volunteers_dropped"] == 1, again.text
    assert again.json()["staffed"] == 0
    await env.services.dispatcher.run_due()
    assert any("vuorosi" in t.casefold() for t in env.sms.to(PHONES["vol_a"])), env.sms.to(PHONES["vol_a"])


async def test_the_desk_sees_the_days_group_sessions_with_who_is_coming_and_who_is_on_duty(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    event = await published(world, capacity=1)
    people = await residents(env, 2)
    for p in people:
        await env.services.events.sign_up(p, uuid.UUID(event["id"]))
    assert (await world.apis["vol_a"].put(f"/api/v1/events/{event['id']}/duty")).status_code == 200
    desk = f"/api/v1/help-points/{world.help_point_a}/events"
    assert (await world.apis["coord_a"].get(desk)).json() == [], "Monday: nothing today"
    [day] = (await world.apis["coord_a"].get(desk, params={"day": "2026-11-25"})).json()
    assert day["id"] == event["id"] and day["volunteers"] == ["Vol_A"]
    assert [(p["first_name"], p["state"], p["position"]) for p in day["participants"]] == [
        ("Asukas0", "confirmed", 0),
        ("Asukas1", "waitlisted", 1),
    ]
    assert len((await world.apis["coord_a"].get(desk, params={"days": 7})).json()) == 1
    assert (await world.apis["coord_b"].get(desk)).status_code == 404


async def test_a_resident_takes_a_place_offered_to_them_in_the_app_while_it_is_held(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    [first] = await residents(env, 1)
    await env.services.events.sign_up(first, uuid.UUID(event["id"]))
    api = world.apis["resident_2"]
    assert (await api.post(f"/api/v1/events/{event['id']}/signup")).json()["state"] == "waitlisted"
    keep = f"/api/v1/events/{event['id']}/signup/keep"
    early = await api.post(keep)
    assert early.status_code == 409 and early.json()["code"] == "event_offer_gone", "nothing offered yet"
    await env.services.events.leave(first, uuid.UUID(event["id"]))
    [mine] = (await api.get("/api/v1/me/event-signups")).json()
    assert mine["state"] == "offered" and mine["offered_until"] is not None
    kept = await api.post(keep)
    assert kept.status_code == 200 and kept.json()["state"] == "confirmed", kept.text
    assert (await api.post(keep)).status_code == 200, "keeping it again changes nothing"
    assert (await world.apis["resident_1"].post(keep)).status_code == 404


async def test_a_place_offered_and_given_up_in_the_app_is_declined_as_by_text(env: Env) -> None:
    world = await build_world(env)
    event = await published(world, capacity=1)
    first, second = await residents(env, 2)
    for p in (first, second):
        await env.services.events.sign_up(p, uuid.UUID(event["id"]))
    await env.services.events.leave(first, uuid.UUID(event["id"]))
    await env.services.events.leave(second, uuid.UUID(event["id"]))
    assert [s for _, s in await states(event["id"])] == ["cancelled", "declined"]


async def test_a_departed_volunteers_duty_months_ahead_is_in_the_queue_too(env: Env) -> None:
    world = await build_world(env)
    far = await published(world, starts_at="2027-09-01T13:00:00+02:00")  # nine months ahead
    starts = datetime(2027, 9, 1, 10, tzinfo=UTC)
    await events_q.insert_duty(
        event_id=uuid.UUID(far["id"]),
        volunteer_id=world.ids["vol_a"],
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        now=env.clock.now(),
    )
    assert (await world.apis["coord_a"].get("/api/v1/events/unstaffed")).json() == []
    assert (await world.apis["coord_a"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")).status_code == 200
    assert [e["id"] for e in (await world.apis["coord_a"].get("/api/v1/events/unstaffed")).json()] == [far["id"]]
