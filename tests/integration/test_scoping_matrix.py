"""Authorisation matrix generated from the app's own routes (not a hand-picked list).

* Every route that takes an object id is called, for objects of organisation A, by every principal that must
  not reach them (organisation B's coordinator, volunteers, residents, nobody): each answer is 401, 403 or 404
  and nothing changes. A positive control shows the same call works for organisation A's coordinator.
* Every list route, called by organisation B's coordinator, mentions none of organisation A's objects.
* Every route declares who may call it.

A new route with an id parameter fails these tests until it is added to TARGETS and BODIES below.
"""

from __future__ import annotations

import re
import uuid
from datetime import time, timedelta
from typing import Any

from litestar.routes import HTTPRoute

from server.db import applications as applications_q
from server.db import booking as booking_q
from server.db import calls as calls_q
from server.db import desk as desk_q
from server.db import drop_in as drop_in_q
from server.db import events as events_q
from server.db import feedback as feedback_q
from server.db import message_templates
from server.db import network as network_q
from server.db import offers as offers_q
from server.db import people as people_q
from server.db import replies as replies_q
from server.db import topics as topics_q
from server.db.tables import DropInHour, DropInShift, EventDuty, EventSignup, GroupEvent, WalkIn
from server.domain.events import SignupState
from server.domain.paging import MAX_LIMIT, PageRequest
from tests.conftest import START, Env
from tests.integration.world import World, build_world

FOREIGN_TO_A = ("coord_b", "vol_a", "vol_b", "resident_1", "resident_2", "anonymous")
REFUSED = {401, 403, 404}

BODIES: dict[tuple[str, str], dict[str, Any] | None] = {
    ("GET", "/api/v1/organisations/{organisation_id:uuid}"): None,
    ("PATCH", "/api/v1/organisations/{organisation_id:uuid}"): {"name": "Taken over"},
    ("GET", "/api/v1/organisations/{organisation_id:uuid}/help-points"): None,
    ("POST", "/api/v1/organisations/{organisation_id:uuid}/help-points"): {
        "name": "Rogue desk",
        "street_address": "Tie 2",
        "postal_code": "93600",
        "municipality": "Kuusamo",
    },
    ("GET", "/api/v1/organisations/{organisation_id:uuid}/members"): None,
    ("POST", "/api/v1/organisations/{organisation_id:uuid}/members"): {
        "role": "volunteer",
        "phone": "+358401119999",
        "first_name": "Mallory",
    },
    ("PATCH", "/api/v1/help-points/{help_point_id:uuid}"): {"name": "Taken over"},
    ("GET", "/api/v1/help-points/{help_point_id:uuid}/days"): None,
    ("PUT", "/api/v1/help-points/{help_point_id:uuid}/days/{day:date}"): {
        "state": "closed",
        "reason": {"fi": "Suljettu"},
    },
    ("DELETE", "/api/v1/help-points/{help_point_id:uuid}/days/{day:date}"): None,
    ("GET", "/api/v1/help-points/{help_point_id:uuid}/sessions"): None,
    ("GET", "/api/v1/organisations/{organisation_id:uuid}/sessions"): None,
    ("GET", "/api/v1/help-points/{help_point_id:uuid}/walk-ins"): None,
    ("POST", "/api/v1/help-points/{help_point_id:uuid}/walk-ins"): {"topic": "online_banking", "minutes": 20},
    ("DELETE", "/api/v1/help-points/{help_point_id:uuid}/walk-ins/{walk_in_id:uuid}"): None,
    ("GET", "/api/v1/help-points/{help_point_id:uuid}/drop-in-hours"): None,
    ("PUT", "/api/v1/topics/{code:str}/words"): {"words": ["taken"]},
    ("GET", "/api/v1/help-points/{help_point_id:uuid}/drop-in"): None,
    ("GET", "/api/v1/help-points/{help_point_id:uuid}/events"): None,
    ("POST", "/api/v1/help-points/{help_point_id:uuid}/drop-in-hours"): {
        "weekday": 0,
        "starts": "12:00:00",
        "ends": "13:00:00",
    },
    ("DELETE", "/api/v1/help-points/{help_point_id:uuid}/drop-in-hours/{hour_id:uuid}"): None,
    ("PUT", "/api/v1/drop-in-hours/{hour_id:uuid}/shifts/{day:date}"): None,
    ("DELETE", "/api/v1/drop-in-hours/{hour_id:uuid}/shifts/{day:date}"): None,
    ("POST", "/api/v1/drop-in-hours/{hour_id:uuid}/shifts/{day:date}/walk-ins"): {
        "topic": "online_banking",
        "minutes": 20,
    },
    ("POST", "/api/v1/events/{event_id:uuid}/cancel"): None,
    ("PATCH", "/api/v1/events/{event_id:uuid}"): {"title": "Taken over"},
    ("GET", "/api/v1/events/{event_id:uuid}/signups"): None,
    ("POST", "/api/v1/events/{event_id:uuid}/signups"): {"phone": "040 999 1111", "first_name": "M", "consent": True},
    ("POST", "/api/v1/events/{event_id:uuid}/signup"): None,
    ("DELETE", "/api/v1/events/{event_id:uuid}/signup"): None,
    ("POST", "/api/v1/events/{event_id:uuid}/signup/keep"): None,
    ("POST", "/api/v1/events/{event_id:uuid}/signups/{signup_id:uuid}/cancel"): None,
    ("PUT", "/api/v1/events/{event_id:uuid}/signups/{signup_id:uuid}/attendance"): {"attended": True},
    ("PUT", "/api/v1/events/{event_id:uuid}/duty"): None,
    ("DELETE", "/api/v1/events/{event_id:uuid}/duty"): None,
    ("GET", "/api/v1/people/{person_id:uuid}"): None,
    ("POST", "/api/v1/people/{person_id:uuid}/deactivate"): None,
    ("POST", "/api/v1/people/{person_id:uuid}/reactivate"): None,
    ("GET", "/api/v1/people/{person_id:uuid}/volunteer-profile"): None,
    ("GET", "/api/v1/people/{person_id:uuid}/availability"): None,
    ("PUT", "/api/v1/people/{person_id:uuid}/volunteer-profile"): {
        "languages": ["fi"],
        "remote": True,
        "home_visits": False,
        "travel_radius_km": 0,
        "weekly_cap": 1,
        "needs_experience": [],
        "topics": [],
    },
    ("PUT", "/api/v1/people/{person_id:uuid}/availability"): {"rules": [], "overrides": []},
    ("GET", "/api/v1/organisations/{organisation_id:uuid}/topics"): None,
    ("PUT", "/api/v1/organisations/{organisation_id:uuid}/topics"): {"topics": []},
    ("PUT", "/api/v1/topics/{code:str}"): {"names": {"fi": "x", "sv": "x", "en": "x"}, "active": False},
    ("POST", "/api/v1/sessions/{session_id:uuid}/cancel"): None,
    ("POST", "/api/v1/sessions/{session_id:uuid}/cancel-for-resident"): None,
    ("POST", "/api/v1/sessions/{session_id:uuid}/move-for-resident"): {"starts_at": "2026-11-30T09:00:00Z"},
    ("POST", "/api/v1/sessions/{session_id:uuid}/another-volunteer"): None,
    ("POST", "/api/v1/sessions/{session_id:uuid}/refer"): {
        "organisation_id": "00000000-0000-4000-8000-000000000001",
        "consent": True,
    },
    ("POST", "/api/v1/offers/{offer_id:uuid}/accept"): None,
    ("POST", "/api/v1/offers/{offer_id:uuid}/decline"): None,
    ("POST", "/api/v1/sessions/{session_id:uuid}/move"): {"starts_at": "2026-11-30T09:00:00Z"},
    ("POST", "/api/v1/sessions/{session_id:uuid}/check-in"): None,
    ("POST", "/api/v1/sessions/{session_id:uuid}/done"): {},
    ("POST", "/api/v1/sessions/{session_id:uuid}/no-show"): {},
    ("POST", "/api/v1/sessions/{session_id:uuid}/give-back"): None,
    ("POST", "/api/v1/requests/{request_id:uuid}/session"): {"starts_at": "2026-12-01T12:00:00Z"},
    ("GET", "/api/v1/requests/{request_id:uuid}/candidates"): None,
    ("POST", "/api/v1/requests/{request_id:uuid}/cancel"): None,
    ("POST", "/api/v1/requests/{request_id:uuid}/refer"): {"organisation_id": "00000000-0000-4000-8000-000000000001"},
    ("POST", "/api/v1/requests/{request_id:uuid}/handled"): {"outcome": "helped"},
    ("POST", "/api/v1/requests/{request_id:uuid}/assign"): {
        "volunteer_id": "00000000-0000-4000-8000-000000000001",
        "starts_at": "2026-12-02T15:00:00Z",
    },
    ("GET", "/api/v1/sessions/{session_id:uuid}/notifications"): None,
    ("POST", "/api/v1/inbox/{item_id:uuid}/handle"): {"outcome": "cancelled"},
    ("PUT", "/api/v1/templates/{name:str}/{language:str}"): {"body": "Call 0700 {when}", "link_free": True},
    ("DELETE", "/api/v1/templates/{name:str}/{language:str}"): None,
    ("POST", "/api/v1/templates/{name:str}/{language:str}/preview"): {"body": "Call 0700 {when}", "link_free": True},
    ("POST", "/api/v1/me/volunteer-applications/{application_id:uuid}/withdraw"): None,
    ("POST", "/api/v1/volunteer-applications/{application_id:uuid}/approve"): None,
    ("POST", "/api/v1/volunteer-applications/{application_id:uuid}/decline"): None,
    ("POST", "/api/v1/callbacks/{callback_id:uuid}/handle"): {"outcome": "advised"},
    ("POST", "/api/v1/accessibility-feedback/{feedback_id:uuid}/answered"): {"note": "taken"},
}

# Objects owned by a person rather than an organisation: everyone but the owner must be refused.
# (A session belongs to its resident and its volunteer; each side's routes refuse the other by role.)
PERSONAL = {
    "session_id": ("resident_1", "vol_a"),
    "offer_id": ("vol_a",),
    "request_id": ("resident_1", "vol_a"),
    "application_id": ("resident_1",),
}
# Any resident may sign up for any group session: for that route, residents are not foreign callers.
RESIDENTS_MAY = {("POST", "/api/v1/events/{event_id:uuid}/signup")}
EVERYONE = ("network", "coord_a", "coord_b", "vol_a", "vol_b", "resident_1", "resident_2", "anonymous")


async def scoped_world(env: Env) -> World:
    """The shared world, with a walk-in recorded at help point A (the desk's objects)."""
    world = await build_world(env)
    found = await desk_q.insert_walk_in(
        help_point_id=world.help_point_a, topic=world.topic, language="fi", minutes=20, outcomes=[], at=START, by=None
    )
    world.walk_in = found.id
    world.drop_in_hour = await drop_in_q.insert(
        help_point_id=world.help_point_a,
        weekday=0,
        starts=time(9),
        ends=time(11),
        topics=[],
        languages=["fi"],
        minutes_per_visitor=30,
        volunteers_needed=1,
        now=START,
    )
    world.event = await events_q.insert_event(
        organisation_id=world.org_a,
        help_point_id=world.help_point_a,
        title="Digikahvila",
        description="",
        topics=[],
        language="fi",
        starts_at=START + timedelta(days=7),
        ends_at=START + timedelta(days=7, hours=1),
        capacity=10,
        volunteers_needed=1,
        bring="",
        created_by=world.ids["coord_a"],
        now=START,
    )
    # A place held by a resident who is none of the callers (they may only ever reach their own).
    someone = await people_q.insert_person(
        phone="+358401110099", first_name="Someone", last_name="", language="fi", now=START
    )
    world.event_signup = await events_q.insert_signup(
        event_id=world.event,
        person_id=someone,
        state=SignupState.CONFIRMED,
        queue_no=1,
        channel="pwa",
        consent_at=None,
        now=START,
    )
    return world


def targets(world: World) -> dict[str, list[uuid.UUID]]:
    """Objects of organisation A for each id parameter (and a resident, who is nobody's member)."""
    return {
        "organisation_id": [world.org_a],
        "help_point_id": [world.help_point_a],
        "person_id": [world.ids["vol_a"], world.ids["coord_a"], world.ids["resident_1"]],
        "code": [world.topic],  # network-level: only the network coordinator may change it
        "session_id": [world.session],
        "offer_id": [world.offer],
        "request_id": [world.flexible_request],
        "item_id": [world.inbox_item],
        "application_id": [world.application],
        "callback_id": [world.callback],
        "feedback_id": [world.feedback],  # network-level: only the network coordinator answers
        "walk_in_id": [world.walk_in] if world.walk_in else [],
        "hour_id": [world.drop_in_hour] if world.drop_in_hour else [],
        "event_id": [world.event] if world.event else [],
        "signup_id": [world.event_signup] if world.event_signup else [],
        "name": ["resident.confirmation"],  # network-level, like topics
        "language": ["fi"],
        "day": ["2026-12-28"],  # a Monday ahead (help point A opens on Mondays)
    }


def foreign_callers(opt: dict[str, Any], param: str) -> tuple[str, ...]:
    """Who must be refused: everyone outside organisation A, and for network-only routes A's coordinator too;
    for a personal object, everyone but its owner."""
    staff_route = bool(opt.get("roles")) and {str(r) for r in opt["roles"]} <= {
        "partner_coordinator",
        "network_coordinator",
    }
    if param in PERSONAL and not staff_route:
        return tuple(who for who in EVERYONE if who not in PERSONAL[param])
    network_only = {str(r) for r in opt.get("roles", ())} == {"network_coordinator"}
    return (*FOREIGN_TO_A, "coord_a") if network_only else FOREIGN_TO_A


def http_routes(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method in ("HEAD", "OPTIONS"):
                    continue
                found.append((method, route.path, handler.opt))
    return found


def fill(path: str, params: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(params[m.group(1)]), path)


async def snapshot(world: World) -> tuple[object, ...]:
    organisation = await network_q.get_organisation(world.org_a)
    help_point = await network_q.get_help_point(world.help_point_a)
    found = await people_q.list_members(PageRequest(MAX_LIMIT), within={world.org_a}, role=None, include_inactive=True)
    members = found.items
    people = [await people_q.get_person(world.ids[k]) for k in ("vol_a", "coord_a", "resident_1")]
    topic = await topics_q.get_topic(world.topic)
    served = await topics_q.organisation_topics(world.org_a)
    session = await booking_q.session(world.session)
    offer = await offers_q.offer(world.offer)
    inbox = await replies_q.inbox_item(world.inbox_item, None)
    application = await applications_q.get(world.application)
    callback = await calls_q.callback(world.callback, None)
    feedback = await feedback_q.get(world.feedback)
    templates = await message_templates.templates()
    walk_ins = await WalkIn.count()
    drop_in = (await DropInHour.count().where(DropInHour.active == True), await DropInShift.count())  # noqa: E712
    events = (
        tuple(await GroupEvent.select(GroupEvent.id, GroupEvent.state)),
        tuple(await EventSignup.select(EventSignup.id, EventSignup.state, EventSignup.attendance)),
        await EventDuty.count(),
    )
    return (
        events,
        walk_ins,
        drop_in,
        organisation,
        help_point,
        tuple(members),
        tuple(people),
        topic,
        tuple(served),
        session,
        offer,
        inbox,
        application,
        callback,
        feedback,
        tuple(sorted(templates.items())),
    )


async def test_every_route_declares_who_may_call_it(env: Env) -> None:
    undeclared = [
        (method, path)
        for method, path, opt in http_routes(env.app)
        if not (opt.get("public") or opt.get("signed_in") or opt.get("roles"))
    ]
    assert undeclared == []


async def test_no_principal_reaches_another_organisations_objects(env: Env) -> None:
    world = await scoped_world(env)
    object_routes = [(m, p, o) for m, p, o in http_routes(env.app) if "{" in p and not o.get("public")]
    assert object_routes, "the matrix found no routes; the introspection is broken"
    missing = [(m, p) for m, p, _ in object_routes if (m, p) not in BODIES]
    assert missing == [], "add new id routes to BODIES and TARGETS"

    before = await snapshot(world)
    calls = 0
    for method, path, opt in object_routes:
        params_list = targets(world)
        names = re.findall(r"\{(\w+)", path)
        for value in params_list[names[0]]:
            url = fill(path, {n: params_list[n][0] for n in names} | {names[0]: value})
            for who in foreign_callers(opt, names[0]):
                if (method, path) in RESIDENTS_MAY and who.startswith("resident"):
                    continue
                answer = await world.apis[who].request(method, url, json=BODIES[(method, path)])
                calls += 1
                assert answer.status_code in REFUSED, f"{who} {method} {url}: {answer.status_code} {answer.text}"
                assert str(value) not in answer.text
    assert calls >= len(object_routes) * len(FOREIGN_TO_A)
    assert await snapshot(world) == before, "a refused call changed something"

    # Partner coordinators never read residents: only the network coordinator does (and it is audited).
    for who in ("coord_a", "coord_b"):
        answer = await world.apis[who].get(f"/api/v1/people/{world.ids['resident_1']}")
        assert answer.status_code == 404, who


async def test_the_same_calls_work_for_the_owning_coordinator(env: Env) -> None:
    """Positive control: without it, a matrix of refusals could pass because every URL was wrong."""
    world = await scoped_world(env)
    for method, path, opt in http_routes(env.app):
        if method != "GET" or "{" not in path or opt.get("public"):
            continue
        if any(name in PERSONAL for name in re.findall(r"\{(\w+)", path)):
            continue
        names = re.findall(r"\{(\w+)", path)
        answer = await world.apis["coord_a"].get(fill(path, {n: targets(world)[n][0] for n in names}))
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text}"


# Lists that name every organisation on purpose: the partners a coordinator can refer a request to (their names,
# municipalities and numbers; the public help point list names the organisations too).
DIRECTORIES = {"/api/v1/organisations/partners"}


async def test_the_partner_directory_names_organisations_and_nothing_else(env: Env) -> None:
    world = await scoped_world(env)
    answer = await world.apis["coord_b"].get("/api/v1/organisations/partners")
    assert answer.status_code == 200, answer.text
    assert {o["id"] for o in answer.json()} == {str(world.org_a), str(world.org_b)}
    # Names, numbers and what each helps with (in three languages) are public: the catalogue shows them too.
    public = {"id", "name", "kind", "municipality", "phone", "active", "description", "translations"}
    assert {k for o in answer.json() for k in o} == public
    assert (await world.apis["vol_a"].get("/api/v1/organisations/partners")).status_code == 403


async def test_list_routes_never_show_another_organisations_objects(env: Env) -> None:
    world = await scoped_world(env)
    # Give organisation A some history in the audit trail too.
    await world.apis["coord_a"].patch(f"/api/v1/help-points/{world.help_point_a}", json={"name": "Renamed"})
    secrets_of_a = {
        str(world.org_a),
        str(world.help_point_a),
        str(world.ids["vol_a"]),
        str(world.ids["coord_a"]),
        str(world.ids["resident_1"]),
        str(world.ids["resident_2"]),
    }
    lists = [
        p
        for m, p, o in http_routes(env.app)
        if m == "GET" and "{" not in p and not o.get("public") and p not in DIRECTORIES
    ]
    assert "/api/v1/organisations" in lists and "/api/v1/audit" in lists
    for path in lists:
        answer = await world.apis["coord_b"].get(path)
        assert answer.status_code in (200, 403), f"{path}: {answer.status_code}"
        leaked = [s for s in secrets_of_a if s in answer.text]
        assert leaked == [], f"{path} shows organisation A's objects to organisation B"
    # Statistics grouped by partner would name organisation A (its booked request) if scoping failed.
    for path in ("/api/v1/statistics?by=partner", "/api/v1/statistics.csv?by=partner"):
        answer = await world.apis["coord_b"].get(path)
        assert answer.status_code == 200, f"{path}: {answer.status_code}"
        assert str(world.org_a) not in answer.text, f"{path} shows organisation A's figures to organisation B"
    members = await world.apis["coord_b"].get(f"/api/v1/organisations/{world.org_b}/members")
    assert sorted(p["id"] for p in members.json()) == sorted([str(world.ids["coord_b"]), str(world.ids["vol_b"])])


async def test_role_matrix_residents_and_volunteers_reach_no_coordinator_route(env: Env) -> None:
    world = await scoped_world(env)
    own_role = {"vol_a": "volunteer", "resident_1": "resident"}
    coordinator_routes = [(m, p, o) for m, p, o in http_routes(env.app) if o.get("roles")]
    assert coordinator_routes
    for method, path, opt in coordinator_routes:
        names = re.findall(r"\{(\w+)", path)
        url = fill(path, {n: targets(world)[n][0] for n in names}) if names else path
        body = BODIES.get(
            (method, path), {"phone": "0401234567", "purpose": "helpline call"} if method != "GET" else None
        )
        for who in ("vol_a", "resident_1"):
            if own_role[who] in {str(r) for r in opt["roles"]}:
                continue
            answer = await world.apis[who].request(method, url, json=body)
            assert answer.status_code == 403, f"{who} {method} {url}: {answer.status_code}"
