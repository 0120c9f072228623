"""A small network with two partner organisations, used by the role and scoping tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from server.db import applications as applications_q
from server.db import booking as booking_q
from server.db import calls as calls_q
from server.db import feedback as feedback_q
from server.db import network as network_q
from server.db import offers as offers_q
from server.db import people as people_q
from server.db import replies as replies_q
from server.db import topics as topics_q
from server.db import volunteers as volunteers_q
from server.db.tables import HelpRequest
from server.domain.availability import WeeklyRule
from server.domain.network import OpeningPeriod, OrganisationKind
from server.domain.roles import Role
from server.domain.topics import Outcome, Topic
from server.domain.volunteers import VolunteerProfile
from server.services.auth import password_hasher
from server.services.people import provision_staff
from tests.conftest import Api, Env

PASSWORD = "correct horse battery staple"

PHONES = {
    "network": "+358401110001",
    "coord_a": "+358401110002",
    "coord_b": "+358401110003",
    "vol_a": "+358401110004",
    "vol_b": "+358401110005",
    "resident_1": "+358401110006",
    "resident_2": "+358401110007",
}


@dataclass
class World:
    org_a: uuid.UUID
    org_b: uuid.UUID
    help_point_a: uuid.UUID
    help_point_b: uuid.UUID
    ids: dict[str, uuid.UUID]
    apis: dict[str, Api]
    topic: str
    session: uuid.UUID  # resident_1's upcoming session with vol_a at help point a
    offer: uuid.UUID  # resident_1's flexible request, offered to vol_a
    flexible_request: uuid.UUID
    inbox_item: uuid.UUID  # resident_1's SMS reply about `session`, waiting in the inbox
    application: uuid.UUID  # resident_1 asks to volunteer with organisation A
    callback: uuid.UUID  # resident_1 phoned about `session` and waits to be called back
    feedback: uuid.UUID  # accessibility feedback someone sent
    walk_in: uuid.UUID | None = None  # a visitor helped at help point a's desk (tests that need one add it)
    drop_in_hour: uuid.UUID | None = None  # a weekly drop-in hour at help point a (tests that need one add it)
    event: uuid.UUID | None = None  # a group session at help point a (tests that need one add it)
    event_signup: uuid.UUID | None = None  # a place in `event` of a resident who is not one of the callers


async def raw_request(values: dict[str, Any]) -> uuid.UUID:
    """A request row written as is (state, times and all): test set-up that no service would write."""
    request_id = uuid.uuid4()
    await HelpRequest.insert(HelpRequest(id=request_id, **values))
    return request_id


async def booked_session(
    resident: uuid.UUID,
    volunteer: uuid.UUID,
    help_point: uuid.UUID,
    topic: str,
    now: datetime,
    *,
    starts: datetime | None = None,
    state: str = "scheduled",
) -> uuid.UUID:
    """A session at a help point with its matched request, written directly (three days from `now` unless
    `starts` says when)."""
    starts = starts or now + timedelta(days=3)
    request = await raw_request(
        {
            "resident": resident,
            "topic": topic,
            "language": "fi",
            "modality": "help_point",
            "help_point": help_point,
            "state": "matched",
            "created_at": now,
            "matched_at": now,
        }
    )
    return await booking_q.insert_session(
        {
            "request": request,
            "resident": resident,
            "volunteer": volunteer,
            "help_point": help_point,
            "modality": "help_point",
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=45),
            "blocked_until": starts + timedelta(hours=1),
            "state": state,
            "created_at": now,
        }
    )


async def _staff(env: Env, key: str, role: Role, organisation_id: uuid.UUID | None) -> uuid.UUID:
    return await provision_staff(
        env.services.audit,
        engine=env.engine,
        clock=env.clock,
        phone=PHONES[key],
        first_name=key.title(),
        last_name="",
        language="fi",
        role=role,
        organisation_id=organisation_id,
        password=PASSWORD,
        hasher=password_hasher(env.services.settings),
    )


async def build_world(env: Env) -> World:
    now = env.clock.now()
    org_a = await network_q.insert_organisation(
        name="Alpha Library", kind=OrganisationKind.LIBRARY, municipality="Kuusamo", phone=None, now=now
    )
    org_b = await network_q.insert_organisation(
        name="Beta Seniors", kind=OrganisationKind.ASSOCIATION, municipality="Taivalkoski", phone=None, now=now
    )
    help_points = {}
    for key, org in (("a", org_a), ("b", org_b)):
        help_points[key] = await network_q.insert_help_point(
            organisation_id=org,
            values={
                "name": f"Point {key}",
                "street_address": "Tie 1",
                "postal_code": "93600",
                "municipality": "Kuusamo",
            },
            now=now,
        )
        await network_q.replace_opening_hours(help_points[key], [OpeningPeriod(0, time(9), time(15))])
    ids = {
        "network": await _staff(env, "network", Role.NETWORK_COORDINATOR, None),
        "coord_a": await _staff(env, "coord_a", Role.PARTNER_COORDINATOR, org_a),
        "coord_b": await _staff(env, "coord_b", Role.PARTNER_COORDINATOR, org_b),
    }
    for key, org in (("vol_a", org_a), ("vol_b", org_b)):
        ids[key] = await people_q.insert_person(
            phone=PHONES[key], first_name=key.title(), last_name="", language="fi", now=now
        )
        await people_q.grant(person_id=ids[key], role=Role.VOLUNTEER, organisation_id=org, now=now)
    apis: dict[str, Api] = {}
    for key in ("network", "coord_a", "coord_b"):
        apis[key] = await env.sign_in(PHONES[key], password=PASSWORD)
    for key in ("vol_a", "vol_b", "resident_1", "resident_2"):
        apis[key] = await env.sign_in(PHONES[key])
    for key in ("resident_1", "resident_2"):
        found = await people_q.get_person_by_phone(PHONES[key])
        assert found is not None
        ids[key] = found.id
    apis["anonymous"] = env.client()
    topic = Topic(
        code="online_banking",
        names={"fi": "Verkkopankki", "sv": "Nätbank", "en": "Online banking"},
        bring={"fi": ["Oma puhelin"], "sv": ["Egen telefon"], "en": ["Your own phone"]},
        outcomes=[Outcome("pay_bill", {"fi": "Maksaa laskun", "sv": "Betala en räkning", "en": "Pay a bill"})],
        partner_only_organisation_id=None,
        sort_order=10,
        active=True,
    )
    await topics_q.insert_topic(topic)
    await topics_q.replace_organisation_topics(org_a, [topic.code])
    session = await booked_session(ids["resident_1"], ids["vol_a"], help_points["a"], topic.code, now)
    flexible = await raw_request(
        {
            "resident": ids["resident_1"],
            "topic": topic.code,
            "language": "fi",
            "modality": "phone",
            "state": "offering",
            "created_at": now,
        }
    )
    await offers_q.insert_offers(flexible, [ids["vol_a"]], round_=1, now=now, expires_at=now + timedelta(hours=1))
    [offer] = await offers_q.offers_of_volunteer(ids["vol_a"], pending_after=now)
    inbox_item = await replies_q.insert_inbound(
        provider_id=None,
        phone=PHONES["resident_1"],
        person_id=ids["resident_1"],
        session_id=session,
        body="Pääsenkö myöhemmin?",
        action="unknown",
        state="open",
        now=now,
    )
    application = await applications_q.insert(
        person_id=ids["resident_1"], organisation_id=org_a, message="Olen eläkkeellä oleva opettaja.", now=now
    )
    callback = await calls_q.add_callback(
        phone=PHONES["resident_1"],
        person_id=ids["resident_1"],
        language="fi",
        reason="asked",
        tried=["language:1", "menu:0"],
        call_id=None,
        session_id=session,
        now=now,
    )
    feedback = await feedback_q.insert(
        message="Fontti on pieni.", contact="", language="fi", page="", client_hash="x", now=now
    )
    return World(
        feedback=feedback,
        callback=callback,
        inbox_item=inbox_item,
        application=application,
        topic=topic.code,
        session=session,
        offer=offer.id,
        flexible_request=flexible,
        org_a=org_a,
        org_b=org_b,
        help_point_a=help_points["a"],
        help_point_b=help_points["b"],
        ids=ids,
        apis=apis,
    )


async def volunteer_offers(person_id: uuid.UUID, point: uuid.UUID, **changes: object) -> None:
    """Give a volunteer a profile for online banking at `point` (and remote), Monday 9–15 and Wednesday
    17–19 remote."""
    profile = VolunteerProfile(
        person_id=person_id,
        languages=("fi",),
        remote=True,
        home_visits=False,
        home=None,
        travel_radius_km=0,
        weekly_cap=3,
        needs_experience=frozenset(),
        skills={"online_banking": 2},
        help_point_ids=frozenset({point}),
    )
    await volunteers_q.save_profile(replace(profile, **changes), datetime(2026, 11, 20, tzinfo=UTC))  # type: ignore[arg-type]
    rules = [WeeklyRule(0, time(9), time(15)), WeeklyRule(2, time(17), time(19), remote=True)]
    await volunteers_q.replace_availability(person_id, rules, [], keep_before=date(2026, 11, 1))


MONDAY_NINE = datetime(2026, 11, 30, 7, tzinfo=UTC)  # 09:00 in Helsinki, the Monday after the clock's start


async def book(world: World, who: str = "resident_2", starts_at: datetime = MONDAY_NINE) -> Any:
    """`who` books online banking at help point A (where `volunteer_offers` put a volunteer); the response."""
    return await world.apis[who].post(
        "/api/v1/bookings",
        json={
            "topic": "online_banking",
            "modality": "help_point",
            "help_point_id": str(world.help_point_a),
            "starts_at": starts_at.isoformat(),
        },
    )
