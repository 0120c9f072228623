"""Every list pages, on both databases: `limit` and `cursor`, the next page in `Link: <…>; rel="next"`.

`PAGED` is the one list of paged routes. For each, more rows are made than fit on a page of `LIMIT`, the pages are
walked through the Link header, and the walk must give every item once, in the list's order, with no Link on the
last page; a cursor that was tampered with is a 4xx problem, never a 500. A GET route that answers a JSON list
must be in `PAGED` or in `BOUNDED` (lists that are bounded by nature, each with why), so a new list cannot forget.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from server.app import create_app
from server.db import applications as applications_q
from server.db import booking as booking_q
from server.db import calls as calls_q
from server.db import days as days_q
from server.db import desk as desk_q
from server.db import drop_in as drop_in_q
from server.db import events as events_q
from server.db import feedback as feedback_q
from server.db import network as network_q
from server.db import offers as offers_q
from server.db import people as people_q
from server.db import replies as replies_q
from server.db.paging import fetch_page
from server.db.tables import AccessibilityFeedback, HelpSession, Notification
from server.domain.clocktime import local_date
from server.domain.days import DayState
from server.domain.events import SignupState
from server.domain.network import OrganisationKind
from server.domain.paging import PageRequest, encode_cursor
from server.domain.roles import Role
from server.settings import Settings
from tests.conftest import Api, Env
from tests.integration.world import World, build_world, raw_request, volunteer_offers

LIMIT = 2
MANY = 5  # rows made for each list: with the world's own, more than two pages of LIMIT
NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


@dataclass
class Seeded:
    expected: set[str]  # identities that must be in the list
    hidden: set[str] = field(default_factory=set)  # identities that must not be (another organisation's)


@dataclass(frozen=True)
class Case:
    who: str  # the key of the World's signed-in client
    url: str  # str.format-ed with the World's fields (org_a, …); may carry the list's own query parameters
    seed: Callable[[Env, World], Awaitable[Seeded]]
    ident: Callable[[dict[str, Any]], str] = lambda item: str(item["id"])
    # The list's order as a key of an item, with the id last: the walk must be sorted by it. None: a text order
    # (collations differ between engines), compared with the whole list in one page instead.
    order: Callable[[dict[str, Any]], Any] | None = None
    descending: bool = False


def _time(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda item: (datetime.fromisoformat(item[name]), uuid.UUID(item["id"]))


def _ties(now: datetime) -> list[datetime]:
    """MANY moments, three of them equal: the id decides between those."""
    return [now - timedelta(minutes=50), now - timedelta(minutes=40)] + [now - timedelta(minutes=30)] * 3


async def _person(key: str) -> uuid.UUID:
    return await people_q.insert_person(
        phone=f"+35840{uuid.uuid4().int % 10**7:07d}",
        first_name=key,
        last_name="",
        language="fi",
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )


async def _request(w: World, resident: uuid.UUID, at: datetime, **values: Any) -> uuid.UUID:
    row = {"resident": resident, "topic": w.topic, "language": "fi", "modality": "phone", "created_at": at}
    return await raw_request(row | {"state": "cancelled"} | values)


async def _session(
    w: World, resident: uuid.UUID, starts: datetime, state: str = "scheduled", volunteer: uuid.UUID | None = None
) -> uuid.UUID:
    request = await _request(w, resident, starts - timedelta(days=1), state="matched")
    return await booking_q.insert_session(
        {
            "request": request,
            "resident": resident,
            "volunteer": volunteer,
            "help_point": w.help_point_a,
            "modality": "help_point",
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=45),
            "blocked_until": starts + timedelta(hours=1),
            "state": state,
            "created_at": starts - timedelta(days=1),
        }
    )


def _ids(found: list[uuid.UUID]) -> set[str]:
    return {str(i) for i in found}


# ---- what each list is made of ------------------------------------------------------------------------------


async def seed_my_sessions(env: Env, w: World) -> Seeded:
    now, me = env.clock.now(), w.ids["resident_1"]
    past = now - timedelta(days=10)
    done = [await _session(w, me, past, state="done") for _ in range(3)]  # equal times: done ones may overlap
    coming = [await _session(w, me, now + timedelta(days=d)) for d in (5, 6)]
    return Seeded(_ids(done + coming))


async def seed_my_requests(env: Env, w: World) -> Seeded:
    me = w.ids["resident_1"]
    theirs = await _request(w, w.ids["resident_2"], env.clock.now())
    return Seeded(_ids([await _request(w, me, at) for at in _ties(env.clock.now())]), {str(theirs)})


async def seed_accepted_offers(env: Env, w: World) -> Seeded:
    now, volunteer = env.clock.now(), w.ids["vol_a"]
    taken = []
    for at in _ties(now):
        request = await _request(w, w.ids["resident_2"], at, state="matched")
        [(offer, _)] = await offers_q.insert_offers(request, [volunteer], round_=1, now=at, expires_at=now)
        assert await offers_q.answer(offer, "accepted", at)
        taken.append(offer)
    return Seeded(_ids(taken))


async def seed_unmatched(env: Env, w: World) -> Seeded:
    return Seeded(_ids([await _request(w, w.ids["resident_2"], at, state="open") for at in _ties(env.clock.now())]))


async def seed_candidates(env: Env, w: World) -> Seeded:
    """Organisation A's volunteers for a request routed to A by phone: those who speak Finnish can take it (ranked by
    score), the Swedish-speaking ones cannot (listed after, with why); B's are not A's coordinator's to see."""
    w.ids["routed_request"] = await _request(w, w.ids["resident_2"], env.clock.now(), state="routed", routed_to=w.org_a)
    made = set()
    for n in range(MANY + 1):
        person = await _person(f"v{n}")
        await people_q.grant(person_id=person, role=Role.VOLUNTEER, organisation_id=w.org_a, now=env.clock.now())
        changes: dict[str, Any] = {"languages": ("sv",)} if n % 2 else {"skills": {"online_banking": 1 + n % 3}}
        await volunteer_offers(person, w.help_point_a, **changes)
        made.add(str(person))
    other = await _person("other")
    await people_q.grant(person_id=other, role=Role.VOLUNTEER, organisation_id=w.org_b, now=env.clock.now())
    await volunteer_offers(other, w.help_point_b)
    return Seeded(made, {str(other)})


def _candidate_order(item: dict[str, Any]) -> Any:
    return (0 if item["eligible"] else 1, -(item["score"] or 0), uuid.UUID(item["volunteer_id"]))


async def seed_routed(env: Env, w: World) -> Seeded:
    """Routed to organisation A; one routed to B but at A's help point is B's, not A's."""
    resident = w.ids["resident_2"]
    mine = [await _request(w, resident, at, state="routed", routed_to=w.org_a) for at in _ties(env.clock.now())]
    other = await _request(w, resident, env.clock.now(), state="routed", routed_to=w.org_b, help_point=w.help_point_a)
    return Seeded(_ids(mine), {str(other)})


async def seed_at_risk(env: Env, w: World) -> Seeded:
    """Three coming sessions at one time with nobody to help (one also with a failed reminder: two items), two past
    ones never recorded."""
    now = env.clock.now()
    coming = [await _session(w, await _person(f"r{i}"), now + timedelta(days=2)) for i in range(3)]
    await Notification.insert(
        Notification(
            id=uuid.uuid4(),
            key=f"paging-{coming[1]}",
            kind="reminder_24h",
            channel="sms",
            session=coming[1],
            due_at=now - timedelta(hours=1),
            next_attempt_at=now - timedelta(hours=1),
            state="failed",
            created_at=now - timedelta(hours=2),
            updated_at=now - timedelta(hours=1),
        )
    )
    past = [await _session(w, await _person(f"p{i}"), now - timedelta(days=1), volunteer=w.ids["vol_a"]) for i in (0,)]
    past.append(await _session(w, await _person("p1"), now - timedelta(days=2)))
    return Seeded(
        {f"{s}:no_volunteer" for s in coming} | {f"{coming[1]}:reminder_failed"} | {f"{s}:not_recorded" for s in past}
    )


async def seed_affected(env: Env, w: World) -> Seeded:
    """Five coming sessions (three at one time) at help point A on a day it is then closed."""
    starts = env.clock.now() + timedelta(days=3)
    times = [starts, starts + timedelta(hours=1)] + [starts + timedelta(hours=2)] * 3
    found = [await _session(w, await _person(f"c{i}"), at) for i, at in enumerate(times)]
    await days_q.save(
        w.help_point_a,
        local_date(starts),
        state=DayState.CLOSED,
        opens=None,
        closes=None,
        reason={"fi": "Suljettu"},
        source="coordinator",
        now=env.clock.now(),
        by=None,
    )
    return Seeded(_ids(found))


async def seed_inbox(env: Env, w: World) -> Seeded:
    made = [
        await replies_q.insert_inbound(
            provider_id=None,
            phone="+358401110006",
            person_id=w.ids["resident_1"],
            session_id=w.session,
            body=f"Viesti {i}",
            action="unknown",
            state="handled",
            now=at,
        )
        for i, at in enumerate(_ties(env.clock.now()))
    ]
    return Seeded(_ids(made))


async def seed_callbacks(env: Env, w: World) -> Seeded:
    made = [
        await calls_q.add_callback(
            phone="+358401110007",
            person_id=w.ids["resident_2"],
            language="fi",
            reason="asked",
            tried=["menu:0"],
            call_id=None,
            session_id=None,
            now=at,
        )
        for at in _ties(env.clock.now())
    ]
    return Seeded(_ids(made))


async def seed_applications(env: Env, w: World) -> Seeded:
    made = [
        await applications_q.insert(person_id=await _person(f"a{i}"), organisation_id=w.org_a, message="", now=at)
        for i, at in enumerate(_ties(env.clock.now()))
    ]
    other = await applications_q.insert(
        person_id=w.ids["resident_2"], organisation_id=w.org_b, message="", now=env.clock.now()
    )
    return Seeded(_ids(made), {str(other)})


async def seed_my_applications(env: Env, w: World) -> Seeded:
    """Asked, withdrew and asked again: history piles up."""
    made = []
    for at in _ties(env.clock.now()):
        made.append(
            await applications_q.insert(person_id=w.ids["resident_2"], organisation_id=w.org_b, message="", now=at)
        )
        assert await applications_q.decide(made[-1], state="withdrawn", by=w.ids["resident_2"], now=at)
    return Seeded(_ids(made))


async def seed_feedback(env: Env, w: World) -> Seeded:
    made = [
        await feedback_q.insert(message=f"Palaute {i}", contact="", language="fi", page="", client_hash="p", now=at)
        for i, at in enumerate(_ties(env.clock.now()))
    ]
    return Seeded(_ids(made))


async def seed_members(env: Env, w: World) -> Seeded:
    now = env.clock.now()
    made = []
    for name in ("Pia", "Pia", "Pia", "Aaro", "Ukko"):
        made.append(await _person(name))
        await people_q.grant(person_id=made[-1], role=Role.VOLUNTEER, organisation_id=w.org_a, now=now)
    return Seeded(_ids(made), {str(w.ids["vol_b"])})


async def seed_organisations(env: Env, w: World) -> Seeded:
    made = [
        await network_q.insert_organisation(
            name=name, kind=OrganisationKind.NGO, municipality="Posio", phone=None, now=env.clock.now()
        )
        for name in ("Gamma", "Gamma", "Gamma", "Delta", "Omega")
    ]
    return Seeded(_ids(made))


async def _points(env: Env, organisation: uuid.UUID, places: list[tuple[str, str]]) -> list[uuid.UUID]:
    return [
        await network_q.insert_help_point(
            organisation_id=organisation,
            values={"name": name, "street_address": "Tie 2", "postal_code": "93600", "municipality": town},
            now=env.clock.now(),
        )
        for town, name in places
    ]


async def seed_public_help_points(env: Env, w: World) -> Seeded:
    """Asked for by `municipality=kuusamo`: the case does not matter, and Posio's are not listed."""
    made = await _points(env, w.org_b, [("Kuusamo", "Kirjasto")] * 3 + [("Kuusamo", "Asema"), ("Kuusamo", "Tori")])
    posio = await _points(env, w.org_b, [("Posio", "Kirjasto")])
    return Seeded(_ids([*made, w.help_point_a, w.help_point_b]), _ids(posio))


async def seed_organisation_help_points(env: Env, w: World) -> Seeded:
    made = await _points(env, w.org_a, [("Kuusamo", "Kirjasto")] * 3 + [("Posio", "Asema"), ("Kuusamo", "Tori")])
    return Seeded(_ids([*made, w.help_point_a]), _ids([w.help_point_b, *await _points(env, w.org_b, [("A", "B")])]))


# The desk's week: from the clock's Monday (help point A; B is another organisation's).
DESK_WEEK = "day=2026-11-23&days=7"


async def seed_desk_sessions(env: Env, w: World) -> Seeded:
    """Help point A's week: three held at one time (held ones may overlap), two coming, and the world's own; a
    cancelled one and help point B's are not on the list."""
    now, me = env.clock.now(), w.ids["resident_1"]
    held = [await _session(w, me, now - timedelta(hours=1), state="done") for _ in range(3)]
    coming = [await _session(w, me, now + timedelta(days=d, hours=3)) for d in (1, 2)]
    cancelled = await _session(w, w.ids["resident_2"], now + timedelta(days=1), state="cancelled")
    elsewhere = await _session(w, w.ids["resident_2"], now + timedelta(days=2))
    await HelpSession.update({HelpSession.help_point: w.help_point_b}).where(HelpSession.id == elsewhere)
    return Seeded(_ids([*held, *coming, w.session]), _ids([cancelled]))


async def seed_organisation_sessions(env: Env, w: World) -> Seeded:
    """The organisation's week: its help point's sessions, and a remote one of its volunteer (no help point)."""
    found = await seed_desk_sessions(env, w)
    remote = await _session(
        w, w.ids["resident_2"], env.clock.now() + timedelta(days=3, hours=4), volunteer=w.ids["vol_a"]
    )
    await HelpSession.update({HelpSession.help_point: None, HelpSession.modality: "phone"}).where(
        HelpSession.id == remote
    )
    return Seeded(found.expected | _ids([remote]), found.hidden)


async def seed_walk_ins(env: Env, w: World) -> Seeded:
    def record(point: uuid.UUID, at: datetime) -> Awaitable[Any]:
        return desk_q.insert_walk_in(
            help_point_id=point, topic=w.topic, language="fi", minutes=20, outcomes=[], at=at, by=None
        )

    made = [(await record(w.help_point_a, at)).id for at in _ties(env.clock.now())]
    other = await record(w.help_point_b, env.clock.now())
    return Seeded(_ids(made), _ids([other.id]))


async def _drop_in_hours(env: Env, point: uuid.UUID, weekdays: list[int], **changes: Any) -> list[uuid.UUID]:
    """Drop-in hours at `point`, two of them at the same time on the first weekday (the hour's id decides)."""
    made = []
    for weekday in [weekdays[0], *weekdays]:
        made.append(
            await drop_in_q.insert(
                help_point_id=point,
                weekday=weekday,
                starts=time(12),
                ends=time(14),
                topics=[],
                languages=["fi"],
                minutes_per_visitor=30,
                volunteers_needed=changes.get("volunteers_needed", 1),
                now=env.clock.now(),
            )
        )
    return made


def _dated(item: dict[str, Any]) -> str:
    return f"{item['hour_id']}:{item['day']}"


def _dated_order(item: dict[str, Any]) -> Any:
    return datetime.fromisoformat(item["starts_at"]), uuid.UUID(item["hour_id"])


def _dates(hours: list[uuid.UUID], days: list[str]) -> set[str]:
    return {f"{h}:{d}" for h in hours for d in days}


async def seed_drop_in_hours(env: Env, w: World) -> Seeded:
    """Two weeks ahead of Monday 23 November: Tuesdays and Wednesdays; a removed hour shows nowhere."""
    made = await _drop_in_hours(env, w.help_point_a, [1, 2])
    removed = (await _drop_in_hours(env, w.help_point_a, [3]))[0]
    await drop_in_q.end(removed, w.help_point_a)
    shown = _dates(made[:2], ["2026-11-24", "2026-12-01"]) | _dates(made[2:], ["2026-11-25", "2026-12-02"])
    return Seeded(shown, _dates([removed], ["2026-11-26", "2026-12-03"]))


async def seed_unstaffed(env: Env, w: World) -> Seeded:
    """Within three days (Monday 23rd after 11:00 to Wednesday 25th): help point A's; B's belong to the other
    organisation."""
    made = await _drop_in_hours(env, w.help_point_a, [1, 2, 2, 2])
    other = await _drop_in_hours(env, w.help_point_b, [1])
    shown = _dates(made[:2], ["2026-11-24"]) | _dates(made[2:], ["2026-11-25"])
    return Seeded(shown, _dates(other, ["2026-11-24"]))


async def seed_shifts(env: Env, w: World) -> Seeded:
    """vol_a works at help point A: its drop-in hours in the next four weeks; B's are not theirs."""
    await volunteer_offers(w.ids["vol_a"], w.help_point_a)
    made = await _drop_in_hours(env, w.help_point_a, [1])
    other = await _drop_in_hours(env, w.help_point_b, [1])
    return Seeded(_dates(made, ["2026-11-24", "2026-12-01"]), _dates(other, ["2026-11-24"]))


WEEK_AHEAD = datetime(2026, 11, 30, 9, tzinfo=UTC)


async def _events(w: World, point: uuid.UUID | None, **changes: Any) -> list[uuid.UUID]:
    """MANY group sessions at `point` (None: remote, organisation A's) a week ahead, three at the same time."""
    made = []
    for n, starts in enumerate([WEEK_AHEAD, WEEK_AHEAD + timedelta(hours=1)] + [WEEK_AHEAD + timedelta(days=1)] * 3):
        values: dict[str, Any] = {
            "organisation_id": w.org_a if point in (None, w.help_point_a) else w.org_b,
            "help_point_id": point,
            "title": f"Kahvila {n}",
            "description": "",
            "topics": [],
            "language": "fi",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "capacity": 5,
            "volunteers_needed": 1,
            "bring": "",
            "created_by": w.ids["coord_a"],
            "now": datetime(2026, 11, 1, tzinfo=UTC),
        }
        made.append(await events_q.insert_event(**(values | changes)))
    return made


async def seed_events(env: Env, w: World) -> Seeded:
    """Everyone sees the coming events of a municipality; a cancelled one shows nowhere."""
    made = await _events(w, w.help_point_a)
    gone = (await _events(w, w.help_point_a))[0]
    await events_q.cancel_event(gone, env.clock.now())
    return Seeded({str(e) for e in made}, {str(gone)})


async def seed_managed_events(env: Env, w: World) -> Seeded:
    """Organisation A's events (remote ones too); B's are not A's coordinators'."""
    made = await _events(w, w.help_point_a) + (await _events(w, None))[:1]
    other = await _events(w, w.help_point_b)
    return Seeded({str(e) for e in made}, {str(e) for e in other})


async def seed_unstaffed_events(env: Env, w: World) -> Seeded:
    """Organisation A's events within three days, nobody on them; B's are not A's, nor one needing no volunteer."""
    soon = datetime(2026, 11, 25, 9, tzinfo=UTC)
    made = await _events(w, w.help_point_a, starts_at=soon)
    unneeded = (await _events(w, w.help_point_a, starts_at=soon, volunteers_needed=0))[0]
    other = (await _events(w, w.help_point_b, starts_at=soon))[0]
    return Seeded({str(e) for e in made}, {str(unneeded), str(other)})


async def seed_my_event_signups(env: Env, w: World) -> Seeded:
    """resident_1's sign-ups; another resident's are not theirs."""
    made = await _events(w, w.help_point_a)
    mine, others = set(), set()
    for n, event in enumerate(made):
        for person, into in ((w.ids["resident_1"], mine), (w.ids["resident_2"], others)):
            signup = await events_q.insert_signup(
                event_id=event,
                person_id=person,
                state=SignupState.CONFIRMED,
                queue_no=n + 1 if into is mine else n + 100,
                channel="pwa",
                consent_at=None,
                now=datetime(2026, 11, 1, tzinfo=UTC),
            )
            into.add(str(signup))
    return Seeded(mine, others)


async def seed_event_duties(env: Env, w: World) -> Seeded:
    """vol_a works at help point A: its events that need volunteers; B's are not theirs, nor one needing none."""
    await volunteer_offers(w.ids["vol_a"], w.help_point_a)
    made = await _events(w, w.help_point_a)
    unneeded = (await _events(w, w.help_point_a, volunteers_needed=0))[0]
    other = (await _events(w, w.help_point_b))[0]
    return Seeded({str(e) for e in made}, {str(unneeded), str(other)})


async def seed_event_signups(env: Env, w: World) -> Seeded:
    """One event's residents, places and the waiting list; another event's are not in it."""
    w.event, other = (await _events(w, w.help_point_a))[:2]
    made, hidden = set(), set()
    for n in range(MANY):
        for event, into in ((w.event, made), (other, hidden)):
            signup = await events_q.insert_signup(
                event_id=event,
                person_id=await _person(f"p{n}"),
                state=SignupState.CONFIRMED if n < 3 else SignupState.WAITLISTED,
                queue_no=n + 1,
                channel="phone",
                consent_at=None,
                now=datetime(2026, 11, 1, tzinfo=UTC),
            )
            into.add(str(signup))
    return Seeded(made, hidden)


def _my_signup_order(item: dict[str, Any]) -> Any:
    return datetime.fromisoformat(item["event"]["starts_at"]), uuid.UUID(item["event"]["id"])


def _risk(item: dict[str, Any]) -> str:
    return f"{item['session_id']}:{item['reason']}"


PAGED: dict[str, Case] = {
    "/api/v1/help-points/{help_point_id}/sessions": Case(
        "coord_a",
        f"/api/v1/help-points/{{help_point_a}}/sessions?{DESK_WEEK}",
        seed_desk_sessions,
        order=_time("starts_at"),
    ),
    "/api/v1/organisations/{organisation_id}/sessions": Case(
        "coord_a",
        f"/api/v1/organisations/{{org_a}}/sessions?{DESK_WEEK}",
        seed_organisation_sessions,
        order=_time("starts_at"),
    ),
    "/api/v1/help-points/{help_point_id}/walk-ins": Case(
        "coord_a", "/api/v1/help-points/{help_point_a}/walk-ins", seed_walk_ins, order=_time("recorded_at")
    ),
    "/api/v1/drop-in-hours": Case(
        "anonymous", "/api/v1/drop-in-hours?municipality=Kuusamo", seed_drop_in_hours, _dated, _dated_order
    ),
    "/api/v1/drop-in-hours/unstaffed": Case(
        "coord_a", "/api/v1/drop-in-hours/unstaffed", seed_unstaffed, _dated, _dated_order
    ),
    "/api/v1/me/drop-in-shifts": Case("vol_a", "/api/v1/me/drop-in-shifts", seed_shifts, _dated, _dated_order),
    "/api/v1/events": Case("anonymous", "/api/v1/events?municipality=Kuusamo", seed_events, order=_time("starts_at")),
    "/api/v1/events/unstaffed": Case(
        "coord_a", "/api/v1/events/unstaffed", seed_unstaffed_events, order=_time("starts_at")
    ),
    "/api/v1/events/managed": Case("coord_a", "/api/v1/events/managed", seed_managed_events, order=_time("starts_at")),
    "/api/v1/me/event-signups": Case(
        "resident_1", "/api/v1/me/event-signups", seed_my_event_signups, order=_my_signup_order
    ),
    "/api/v1/me/event-duties": Case("vol_a", "/api/v1/me/event-duties", seed_event_duties, order=_time("starts_at")),
    "/api/v1/events/{event_id}/signups": Case("coord_a", "/api/v1/events/{event}/signups", seed_event_signups),
    "/api/v1/me/sessions": Case("resident_1", "/api/v1/me/sessions", seed_my_sessions, order=_time("starts_at")),
    "/api/v1/me/requests": Case("resident_1", "/api/v1/me/requests", seed_my_requests, order=_time("created_at")),
    "/api/v1/me/offers/accepted": Case("vol_a", "/api/v1/me/offers/accepted", seed_accepted_offers),
    "/api/v1/queues/unmatched": Case("network", "/api/v1/queues/unmatched", seed_unmatched, order=_time("created_at")),
    "/api/v1/queues/routed": Case("coord_a", "/api/v1/queues/routed", seed_routed, order=_time("created_at")),
    "/api/v1/requests/{request_id}/candidates": Case(
        "coord_a",
        "/api/v1/requests/{ids[routed_request]}/candidates",
        seed_candidates,
        ident=lambda item: str(item["volunteer_id"]),
        order=_candidate_order,
    ),
    "/api/v1/queues/at-risk": Case("network", "/api/v1/queues/at-risk", seed_at_risk, ident=_risk),
    "/api/v1/inbox": Case(
        "network", "/api/v1/inbox?state=handled", seed_inbox, order=_time("received_at"), descending=True
    ),
    "/api/v1/queues/callbacks": Case(
        "network", "/api/v1/queues/callbacks?state=open", seed_callbacks, order=_time("created_at")
    ),
    "/api/v1/volunteer-applications": Case(
        "coord_a", "/api/v1/volunteer-applications", seed_applications, order=_time("created_at")
    ),
    "/api/v1/me/volunteer-applications": Case(
        "resident_2",
        "/api/v1/me/volunteer-applications",
        seed_my_applications,
        order=_time("created_at"),
        descending=True,
    ),
    "/api/v1/accessibility-feedback": Case(
        "network", "/api/v1/accessibility-feedback", seed_feedback, order=_time("created_at")
    ),
    "/api/v1/organisations/{organisation_id}/members": Case(
        "coord_a", "/api/v1/organisations/{org_a}/members?role=volunteer", seed_members
    ),
    "/api/v1/organisations": Case("network", "/api/v1/organisations", seed_organisations),
    "/api/v1/organisations/partners": Case("coord_a", "/api/v1/organisations/partners", seed_organisations),
    "/api/v1/catalogue": Case("anonymous", "/api/v1/catalogue?language=sv", seed_organisations),
    "/api/v1/help-points": Case("anonymous", "/api/v1/help-points?municipality=kuusamo", seed_public_help_points),
    "/api/v1/organisations/{organisation_id}/help-points": Case(
        "coord_a", "/api/v1/organisations/{org_a}/help-points", seed_organisation_help_points
    ),
    "/api/v1/closures/affected": Case(
        "coord_a",
        "/api/v1/closures/affected",
        seed_affected,
        ident=lambda item: str(item["session"]["id"]),
        order=lambda item: (datetime.fromisoformat(item["session"]["starts_at"]), uuid.UUID(item["session"]["id"])),
    ),
}

# Lists bounded by nature, not paged. Keep this short: anything that grows with use pages.
BOUNDED = {
    "/api/v1/topics": "the network's topic list, kept by hand by the network coordinator",
    "/api/v1/templates": "one per message and language, fixed in the code",
    "/api/v1/slots": "free times within a date range the route caps",
    "/api/v1/sessions/{session_id}/notifications": "one session's messages: a handful per version of it",
    "/api/v1/me/offers": "offers waiting for my answer: each expires within 30 minutes",
    "/api/v1/help-points/{help_point_id}/days": "one help point's days, at most one a day, in a range the route caps",
    "/api/v1/help-points/{help_point_id}/drop-in-hours": "at most 20 weekly drop-in hours a help point",
    "/api/v1/drop-in-hours/municipalities": "the municipalities of the network's help points",
    "/api/v1/help-points/{help_point_id}/drop-in": "one help point's at most 20 weekly drop-in hours on at most 7 days",
    "/api/v1/events/municipalities": "the municipalities of the network's help points",
    "/api/v1/help-points/{help_point_id}/events": "one help point's group sessions on at most 7 days",
}
# Lists that grow and do not page yet: each one is a debt, to page as above (and then to move to PAGED).
NOT_YET_PAGED: dict[str, str] = {}
# Paged before this convention, by `before_id` (the audit log's serial id), with the same Link header.
BEFORE_ID = {"/api/v1/audit"}


# ---- walking -------------------------------------------------------------------------------------------------


def _with(url: str, **params: str | int) -> str:
    return url + ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in params.items())


async def _walk(api: Api, url: str, limit: int = LIMIT) -> tuple[list[list[dict[str, Any]]], list[str]]:
    """Every page of `url` by `limit`, following Link rel="next"; the pages and the links followed."""
    pages: list[list[dict[str, Any]]] = []
    links: list[str] = []
    address: str | None = _with(url, limit=limit)
    while address is not None:
        assert len(pages) < 50, "the walk does not end"
        answer = await api.get(address)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        link = answer.headers.get("link")
        if link is None:
            address = None
        else:
            found = NEXT.match(link)
            assert found, link
            address = found.group(1)
            links.append(address)
    return pages, links


@pytest.fixture
async def world(env: Env) -> World:
    return await build_world(env)


@pytest.mark.parametrize("path", sorted(PAGED))
async def test_every_list_walks_page_by_page_and_refuses_a_bad_cursor_or_limit(
    env: Env, world: World, path: str
) -> None:
    """One seeding per list (a world and its rows cost more than the checks): the walk, then the bad cursors."""
    case = PAGED[path]
    seeded = await case.seed(env, world)
    api = world.apis[case.who]
    url = case.url.format(**vars(world))

    pages, links = await _walk(api, url)
    walked = [item for page in pages for item in page]
    ids = [case.ident(item) for item in walked]
    assert len(pages) >= 3, f"{len(walked)} items: make more rows than two pages"
    assert all(len(page) == LIMIT for page in pages[:-1]), [len(p) for p in pages]
    assert 1 <= len(pages[-1]) <= LIMIT
    assert len(ids) == len(set(ids)), "no item twice"
    assert seeded.expected <= set(ids), "none missing"
    assert not seeded.hidden & set(ids), "nothing from outside the caller's scope"

    whole = await api.get(_with(url, limit=500))
    assert whole.status_code == 200 and "link" not in whole.headers
    assert [case.ident(item) for item in whole.json()] == ids, "the pages are the list, in its order"
    if case.order is not None:
        keys = [case.order(item) for item in walked]
        assert keys == sorted(keys, reverse=case.descending)
    default = await api.get(url)
    assert default.json() == whole.json()[:100]

    base = urlsplit(url)
    for link in links:
        parts = urlsplit(link)
        query = parse_qs(parts.query)
        assert parts.path == base.path and not parts.scheme and not parts.netloc, link
        assert query["limit"] == [str(LIMIT)] and len(query["cursor"]) == 1
        for name, values in parse_qs(base.query).items():
            assert query[name] == values, "the list's own parameters are kept"

    await _refuses_bad_cursors_and_limits(api, url)


NOT_ANY_KEY: list[Any] = ["\x00", "\ud800", None, True, 1.5, 2**63, {"a": 1}, []]  # no part of a key is one of these
NOT_A_TIME = [
    "2026-13-01T00:00:00+00:00",
    "2026-11-23T09:00:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:00:00-02:00",
]
NOT_A_UUID = ["z" * 36, "0" * 32]


def _tampered(cursor: str) -> list[str]:
    """Cursors a client could make of a real one: each part of another type or out of range, a part left out or
    added, and text that is no cursor at all."""
    values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    wrong: list[list[Any]] = [values[:-1], [*values, 1]]
    for i, value in enumerate(values):
        bad = list(NOT_ANY_KEY)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
            bad += NOT_A_TIME
        if isinstance(value, str) and re.fullmatch(r"[0-9a-f-]{36}", value):
            bad += NOT_A_UUID
        wrong += [[*values[:i], b, *values[i + 1 :]] for b in bad]
    encoded = [base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("=") for v in wrong]
    return [*encoded, "AAAA", "bm90IGpzb24", "x" * 601, "not+a/cursor=", "W10", "e30"]


async def _refuses_bad_cursors_and_limits(api: Api, url: str) -> None:
    """A cursor that was tampered with, or a limit out of range, is a 4xx problem, never a 500."""
    first = await api.get(_with(url, limit=LIMIT))
    found = NEXT.match(first.headers["link"])
    assert found
    cursor = parse_qs(urlsplit(found.group(1)).query)["cursor"][0]
    for bad in _tampered(cursor):
        answer = await api.get(url, params={"cursor": bad, "limit": LIMIT})
        assert 400 <= answer.status_code < 500, (bad, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"], answer.text
        if re.fullmatch(r"[A-Za-z0-9_-]{1,600}", bad):  # could be a cursor: the server reads it, and refuses it
            assert (answer.status_code, answer.json()["code"]) == (422, "invalid_cursor"), (bad, answer.text)
    for limit in (0, 501, -1):
        answer = await api.get(_with(url, limit=limit))
        assert answer.status_code == 400 and answer.json()["code"], answer.text


async def test_a_page_may_end_between_two_risks_of_one_session(env: Env, world: World) -> None:
    """At risk for two reasons is two items; by one item a page, the walk ends a page between them."""
    seeded = await seed_at_risk(env, world)
    api = world.apis["network"]
    pages, _ = await _walk(api, "/api/v1/queues/at-risk", limit=1)
    walked = [_risk(page[0]) for page in pages]
    assert all(len(page) == 1 for page in pages)
    assert walked == [_risk(item) for item in (await api.get("/api/v1/queues/at-risk")).json()]
    assert set(walked) == seeded.expected
    two = [i for i, key in enumerate(walked) if key.endswith(("no_volunteer", "reminder_failed"))]
    reasons = [k.split(":")[1] for k in walked]
    assert reasons[-2:] == ["not_recorded"] * 2, "coming ones first, then past ones"
    failed = reasons.index("reminder_failed")
    assert walked[failed - 1].split(":")[0] == walked[failed].split(":")[0], "a session's risks stay together"
    assert len(two) == 4


async def test_the_audit_log_pages_by_before_id_with_the_same_link(env: Env, world: World) -> None:
    api = world.apis["network"]
    pages, links = await _walk(api, "/api/v1/audit")
    ids = [item["id"] for page in pages for item in page]
    assert len(pages) >= 3 and len(ids) == len(set(ids)) and ids == sorted(ids, reverse=True)
    assert ids == [item["id"] for item in (await api.get("/api/v1/audit?limit=500")).json()]
    assert all("before_id=" in link for link in links)


async def test_keys_order_alike_on_both_engines(env: Env) -> None:
    """uuids order as their bytes and times as instants, whatever their offset or fraction of a second, on SQLite
    as on PostgreSQL: the keyset condition and ORDER BY agree with Python's own order."""
    base = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    helsinki = timezone(timedelta(hours=2))
    times = [
        base,
        base + timedelta(microseconds=1),
        base + timedelta(microseconds=500000),
        (base + timedelta(seconds=1)).astimezone(helsinki),
        base - timedelta(microseconds=1),
        base.astimezone(helsinki),  # the same instant as `base`, written with another offset
    ]
    ids = [uuid.UUID(h * 32) for h in "0f8a9b"] + [uuid.UUID("00000000-0000-0000-0000-0000000000ff")]
    made = []
    for i, at in enumerate(times):
        for row_id in (ids[i], ids[(i + 3) % len(ids)]):
            if row_id not in {r for r, _ in made}:
                made.append((row_id, at))
                await AccessibilityFeedback.insert(
                    AccessibilityFeedback(id=row_id, message="x", client_hash="k", created_at=at)
                )
    expected = sorted(made, key=lambda r: (r[1], r[0]))
    key = (AccessibilityFeedback.created_at, AccessibilityFeedback.id)
    for ascending in (True, False):
        walked: list[tuple[uuid.UUID, datetime]] = []
        asked: PageRequest | None = PageRequest(1)
        while asked is not None:
            page = await fetch_page(AccessibilityFeedback.select(), asked, *key, ascending=ascending)
            walked += [(r["id"], r["created_at"]) for r in page.items]
            asked = page.next
        assert walked == (expected if ascending else expected[::-1])


def test_every_list_in_the_api_pages_or_is_bounded_by_nature() -> None:
    document = create_app(Settings.from_env({})).openapi_schema.to_schema()
    lists = set()
    for path, item in document["paths"].items():
        answer = item.get("get", {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") == "array":
            lists.add(path)
            parameters = {p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"}
            if path in PAGED:
                assert {"limit", "cursor"} <= parameters, path
            if path in PAGED or path in BEFORE_ID:
                assert "Link" in answer.get("headers", {}), path
    unpaged = lists - set(PAGED) - BEFORE_ID - set(BOUNDED) - set(NOT_YET_PAGED)
    assert not unpaged, f"lists that neither page nor are bounded by nature: {sorted(unpaged)}"
    assert set(PAGED) | BEFORE_ID | set(BOUNDED) | set(NOT_YET_PAGED) <= lists, "a listed route is no longer a list"


def test_a_cursor_is_opaque_base64url() -> None:
    token = encode_cursor([datetime(2026, 11, 23, 11, tzinfo=timezone(timedelta(hours=2))), uuid.UUID(int=1)])
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert json.loads(base64.urlsafe_b64decode(token + "==")) == [
        "2026-11-23T09:00:00+00:00",
        "00000000-0000-0000-0000-000000000001",
    ]
