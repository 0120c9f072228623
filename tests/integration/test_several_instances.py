"""Several instances, one database: two web instances (`apuri serve --no-scheduler` on two ports) and two
`apuri worker` processes on one PostgreSQL database, with Redis for the rate limits, started as an operator starts
them in production (`APURI_ENVIRONMENT=production`, Twilio pointed at a loopback Twilio). Together they behave
exactly like one instance.

Many residents asking for the same volunteer's time at once, half of them through each web instance, make one
booking: one resident gets it, every other one a 409 problem answer, never a 500, and the database holds one
session at that time. A double tap that reaches both instances makes one booking too. The two workers send every
confirmation and reminder of a few dozen bookings exactly once: each message Twilio took is one notification row's,
recorded as sent, and each row that fell due was sent once. The sign-in endpoints' per-client limit counts the
requests to both instances together: the 429 comes after as many requests as with one instance, not twice as
many; so does the limit on sign-in codes per client, which the database keeps. Two volunteers accepting the same
request at once through different instances: one gets it, the other a 409. Every process stops cleanly on SIGTERM
and logs no stack trace.

PostgreSQL only: production is PostgreSQL, and the scale-out path is PostgreSQL's (SQLite is one process's file).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from server.settings import Settings
from tests.fakes.twilio_service import TwilioService
from tests.integration.processes import (
    Browser,
    Process,
    assert_no_stack_trace,
    assert_stopped_cleanly,
    demo_database,
    free_port,
    production_environment,
    require_redis,
    spawn,
    stop_all,
    wait_for,
    wait_healthy,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

# A database of its own in Redis (the production smoke test uses 9), and client addresses of this run's own: the
# rate limits of one test never count another's requests, whatever runs beside it.
REDIS_URL = "redis://127.0.0.1:6379/10"
DRAIN_SECONDS = 60
LIVE = ("scheduled", "checked_in")


@dataclass
class Cluster:
    servers: tuple[str, str]  # the two web instances' base URLs: A and B
    twilio: TwilioService
    database_url: str
    processes: list[Process]
    _addresses: Iterator[int] = field(default_factory=itertools.count)
    _phones: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _run: int = field(default_factory=lambda: random.randrange(256))
    _browsers: list[Browser] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # the new residents' numbers

    @property
    def workers(self) -> list[Process]:
        return [p for p in self.processes if p.name.startswith("worker")]

    def browser(self, server: int) -> Browser:
        """A client of its own (its own address, as a proxy forwards it) talking to web instance `server`."""
        n = next(self._addresses)
        browser = Browser(self.servers[server], client_address=f"10.{self._run}.{n // 200}.{n % 200 + 1}")
        self._browsers.append(browser)
        return browser

    def new_phone(self) -> str:
        """A mobile number nobody in the demo network has: signing in with it makes a new resident."""
        phone = f"+358501{next(self._phones):06d}"
        self.phones.append(phone)
        return phone

    async def sql(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.database_url)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def close_browsers(self) -> None:
        for browser in self._browsers:
            await browser.aclose()


def on(browser: Browser, base_url: str) -> Browser:
    """The same person (the same cookies) on another web instance."""
    browser.http.base_url = httpx.URL(base_url)
    return browser


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    template = request.getfixturevalue("postgres_template")
    await require_redis("the several-instances test")
    folder = tmp_path_factory.mktemp("instances")
    async with (
        demo_database(template, prefix="apuri_multi") as url,
        # Twilio answers each message after 0.1 s, so that a burst keeps a worker busy long enough for the other
        # to claim rows beside it.
        TwilioService(latency=0.1) as twilio,
    ):
        ports = (free_port(), free_port())
        environment = production_environment(url, twilio, ports[0], REDIS_URL)
        processes: list[Process] = []
        phones: list[str] = []
        try:
            for name, port in zip(("serve-a", "serve-b"), ports, strict=True):
                own = {**environment, "APURI_PORT": str(port)}
                processes.append(await spawn(name, ["serve", "--no-scheduler"], own, folder))
            for name in ("worker-1", "worker-2"):
                processes.append(await spawn(name, ["worker"], environment, folder))
            for port in ports:
                await wait_healthy(f"http://127.0.0.1:{port}", processes)
            for worker in processes[2:]:

                async def running(worker: Process = worker) -> bool:
                    return "running scheduled jobs" in worker.text()

                await wait_for(f"{worker.name} to start its jobs", running, processes)
            servers = (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
            cluster = Cluster(servers, twilio, url, processes, phones=phones)
            try:
                yield cluster
            finally:
                await cluster.close_browsers()
        finally:
            codes = await stop_all(processes)
    for p in processes:
        assert_stopped_cleanly(p, codes[p.name])
        assert_no_stack_trace(p)
        for phone in phones:
            assert phone not in p.text(), f"{p.name} logged a full phone number"


def assert_no_stack_traces(cluster: Cluster) -> None:
    for p in cluster.processes:
        assert p.process.returncode is None, f"{p.name} exited:\n{p.text()[-3000:]}"
        assert_no_stack_trace(p)


async def residents(cluster: Cluster, count: int) -> list[Browser]:
    """`count` new residents, signed in through the SMS code: the even ones on A, the odd ones on B."""
    people = [cluster.browser(n % 2) for n in range(count)]
    await asyncio.gather(*(p.sign_in(cluster.new_phone(), cluster.twilio) for p in people))
    return people


def window(days_from: int, days_to: int) -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "from": (today + timedelta(days=days_from)).isoformat(),
        "to": (today + timedelta(days=days_to)).isoformat(),
    }


def problem(response: httpx.Response) -> str:
    """The code of a problem answer (RFC 9457), asserting that it is one."""
    assert response.headers.get("content-type", "").startswith("application/problem+json"), response.text
    code = response.json().get("code")
    assert isinstance(code, str), response.text
    return code


# ---- no double booking ----------------------------------------------------------------------------------------


async def one_volunteers_time(cluster: Cluster, browser: Browser) -> tuple[dict[str, str], str]:
    """A free time at a help point where only one volunteer speaks the language asked for (Swedish or English in
    the demo network), so that exactly one resident can have it; that volunteer's id."""
    only_ones = await cluster.sql(
        """
        SELECT vh.help_point::text AS help_point, lang, min(vh.person::text) AS volunteer
        FROM volunteer_help_point vh
        JOIN volunteer_profile vp ON vp.person = vh.person
        CROSS JOIN LATERAL jsonb_array_elements_text(vp.languages::jsonb) AS lang
        WHERE lang IN ('sv', 'en')
        GROUP BY vh.help_point, lang
        HAVING count(*) = 1
        ORDER BY 1, 2
        """
    )
    topics = [t["code"] for t in (await browser.request("GET", "/api/v1/topics")).json()]
    for row in only_ones:
        way = {"modality": "help_point", "help_point_id": row["help_point"], "language": row["lang"]}
        for topic in topics:
            slots = await browser.request("GET", "/api/v1/slots", params={"topic": topic, **way, **window(2, 14)})
            assert slots.status_code == 200, slots.text
            if slots.json():
                return {"topic": topic, **way, "starts_at": slots.json()[0]["starts_at"]}, row["volunteer"]
    pytest.fail("the demo network has no help point where one volunteer alone speaks Swedish or English")


async def test_residents_booking_one_volunteers_time_at_once_through_both_instances_make_one_booking(
    cluster: Cluster,
) -> None:
    people = await residents(cluster, 16)
    time, volunteer = await one_volunteers_time(cluster, people[0])
    # Each books through the other instance than the one they signed in on: a sign-in is the database's.
    for n, person in enumerate(people):
        on(person, cluster.servers[(n + 1) % 2])
    answers = await asyncio.gather(
        *(
            p.request("POST", "/api/v1/bookings", json=time, headers={"Idempotency-Key": uuid.uuid4().hex})
            for p in people
        )
    )

    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 409: len(people) - 1}, [(a.status_code, a.text[:200]) for a in answers]
    assert {problem(a) for a in answers if a.status_code == 409} == {"slot_taken"}
    [won] = [a.json() for a in answers if a.status_code == 201]
    session = won["session"]
    assert datetime.fromisoformat(session["starts_at"]) == datetime.fromisoformat(time["starts_at"])

    # The database holds that one session at that time for that volunteer, and no volunteer anywhere has two
    # live sessions that overlap.
    at_that_time = await cluster.sql(
        "SELECT id::text AS id FROM help_session WHERE volunteer = $1::uuid AND state = ANY($2::text[]) "
        "AND starts_at < $4 AND blocked_until > $3",
        volunteer,
        list(LIVE),
        datetime.fromisoformat(session["starts_at"]),
        datetime.fromisoformat(session["ends_at"]),
    )
    assert [r["id"] for r in at_that_time] == [session["id"]]
    assert await overlapping_sessions(cluster) == []
    # Neither instance offers the time any more.
    query = {k: v for k, v in time.items() if k != "starts_at"}
    for server in cluster.servers:
        slots = await on(people[0], server).request("GET", "/api/v1/slots", params={**query, **window(2, 14)})
        assert slots.status_code == 200, slots.text
        assert time["starts_at"] not in [s["starts_at"] for s in slots.json()]
    assert_no_stack_traces(cluster)


async def overlapping_sessions(cluster: Cluster) -> list[asyncpg.Record]:
    return await cluster.sql(
        """
        SELECT a.id, b.id FROM help_session a JOIN help_session b ON a.id < b.id
        AND (a.volunteer = b.volunteer OR a.resident = b.resident)
        AND tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)
        WHERE a.state = ANY($1::text[]) AND b.state = ANY($1::text[])
        """,
        list(LIVE),
    )


async def test_a_double_tap_that_reaches_both_instances_makes_one_booking(cluster: Cluster) -> None:
    [tapper] = await residents(cluster, 1)
    time, _ = await one_volunteers_time(cluster, tapper)
    key = uuid.uuid4().hex
    other = Browser(cluster.servers[1], client_address=tapper.client_address)
    other.cookies = tapper.cookies  # the same person: their second tap went through the other instance
    try:
        answers = await asyncio.gather(
            on(tapper, cluster.servers[0]).request(
                "POST", "/api/v1/bookings", json=time, headers={"Idempotency-Key": key}
            ),
            other.request("POST", "/api/v1/bookings", json=time, headers={"Idempotency-Key": key}),
        )
    finally:
        await other.aclose()
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json(), "both taps answer the one booking"
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    booked = answers[0].json()["session"]
    sessions = await cluster.sql(
        "SELECT s.id::text AS id FROM help_session s WHERE s.resident = "
        "(SELECT resident FROM help_session WHERE id = $1::uuid)",
        booked["id"],
    )
    assert [s["id"] for s in sessions] == [booked["id"]], "one session for the resident"
    assert_no_stack_traces(cluster)


# ---- every message once -----------------------------------------------------------------------------------------

BOOKINGS = 30
REMINDERS = ("reminder_24h", "reminder_2h", "reminder_1h")


async def free_times(browser: Browser) -> list[dict[str, str]]:
    """Free times over the next four weeks, by phone and at each help point, of every topic, in a random order:
    what many residents pick in the app."""
    topics = [t["code"] for t in (await browser.request("GET", "/api/v1/topics")).json()]
    points = [p["id"] for p in (await browser.request("GET", "/api/v1/help-points")).json()]
    ways = [{"modality": "phone"}] + [{"modality": "help_point", "help_point_id": p} for p in points]
    found: list[dict[str, str]] = []
    for way in ways:
        for topic in topics:
            slots = await browser.request("GET", "/api/v1/slots", params={"topic": topic, **way, **window(2, 28)})
            assert slots.status_code == 200, slots.text
            found += [{"topic": topic, **way, "starts_at": s["starts_at"]} for s in slots.json()]
    random.shuffle(found)
    return found


async def book_somewhere(person: Browser, times: list[dict[str, str]]) -> dict[str, Any]:
    """Book the next free time on the list; a time taken meanwhile (409) makes the resident pick the next."""
    while times:
        time = times.pop()
        answer = await person.request(
            "POST", "/api/v1/bookings", json=time, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        if answer.status_code == 201:
            session: dict[str, Any] = answer.json()["session"]
            return session
        assert answer.status_code == 409, answer.text
    pytest.fail("the demo network ran out of free times")


async def drained(cluster: Cluster) -> bool:
    """Nothing due is waiting in the outbox, and nothing is being sent."""
    [row] = await cluster.sql(
        "SELECT count(*) FILTER (WHERE state = 'sending') AS sending, "
        "count(*) FILTER (WHERE state = 'scheduled' AND next_attempt_at <= now()) AS due FROM notification"
    )
    return bool(row["sending"] == 0 and row["due"] == 0)


async def test_two_workers_send_each_confirmation_and_reminder_exactly_once(cluster: Cluster) -> None:
    people = await residents(cluster, BOOKINGS)
    times = await free_times(people[0])
    # Half book through each instance (the other one than they signed in on), all at once.
    for n, person in enumerate(people):
        on(person, cluster.servers[(n + 1) % 2])
    sessions = await asyncio.gather(*(book_somewhere(p, times) for p in people))
    session_ids = [s["id"] for s in sessions]
    assert len(set(session_ids)) == BOOKINGS

    # The reminders, planned for a day and an hour or two before each session, fall due now: a hundred and twenty
    # rows at once, on top of the confirmations.
    made_due = await cluster.sql(
        "UPDATE notification SET due_at = now(), next_attempt_at = now() "
        "WHERE session = ANY($1::uuid[]) AND state = 'scheduled' AND kind = ANY($2::text[]) RETURNING id",
        session_ids,
        list(REMINDERS),
    )
    assert len(made_due) == 4 * BOOKINGS, "the resident's 24 h and 2 h SMS, the volunteer's 24 h and 1 h push"

    await wait_for("the workers to send everything due", lambda: drained(cluster), cluster.processes, DRAIN_SECONDS)

    rows = await cluster.sql(
        "SELECT id, key, kind, channel, phone, body, state, provider_id, claimed_by, session::text AS session "
        "FROM notification"
    )
    assert [(r["kind"], r["state"]) for r in rows if r["state"] in ("failed", "expired")] == []
    sent = [r for r in rows if r["channel"] == "sms" and r["state"] in ("sent", "delivered")]
    twilio = {m.sid: m for m in cluster.twilio.messages}
    # Every message Twilio took is one sent row's, and every sent row's message reached Twilio: a row sent twice
    # would leave a message no row holds.
    assert len({r["provider_id"] for r in sent}) == len(sent), "two rows claim one message"
    assert sorted(twilio) == sorted(r["provider_id"] for r in sent), "Twilio took messages no row was sent as"
    for r in sent:
        if r["kind"] != "sign_in_code":  # the code is never kept
            assert (twilio[r["provider_id"]].to, twilio[r["provider_id"]].body) == (r["phone"], r["body"]), r["key"]

    # Each booking's six messages: the resident's confirmation and two reminders by SMS; the volunteer's news and
    # two reminders by push, which, with no push subscription, each became one SMS.
    ours = [r for r in rows if r["session"] in set(session_ids)]
    for session_id in session_ids:
        mine = [r for r in ours if r["session"] == session_id]
        by_sms = Counter(r["kind"] for r in mine if r["channel"] == "sms" and r["state"] == "sent")
        assert by_sms == {
            "confirmation": 1,
            "reminder_24h": 2,
            "reminder_2h": 1,
            "reminder_1h": 1,
            "new_session": 1,
        }, [(r["kind"], r["channel"], r["state"]) for r in mine]
        assert {r["state"] for r in mine if r["channel"] == "push"} == {"cancelled"}
    # Nothing went to anyone twice: no number got the same words twice.
    to_twice = Counter((m.to, m.body) for m in cluster.twilio.messages)
    assert [k for k, n in to_twice.items() if n > 1] == []
    for person in people:
        assert person.phone is not None
        assert len(cluster.twilio.to(person.phone)) == 1 + 3, "the code, the confirmation, two reminders"

    # Both workers sent, and only workers did (the web instances run no jobs).
    pids = {int(r["claimed_by"].split(":")[1]) for r in ours if r["state"] == "sent"}
    assert pids == {w.process.pid for w in cluster.workers}, "both workers sent, side by side"
    assert await overlapping_sessions(cluster) == []
    assert_no_stack_traces(cluster)


# ---- rate limits -------------------------------------------------------------------------------------------------

LIMIT = Settings().auth_requests_per_minute


async def answers_to_wrong_codes(browsers: list[Browser], count: int) -> list[httpx.Response]:
    """`count` sign-in attempts with a code that is wrong, one after another, going round `browsers`."""
    answers = []
    for n in range(count):
        browser = browsers[n % len(browsers)]
        answers.append(
            await browser.request(
                "POST", "/api/v1/auth/verify", json={"challenge_id": str(uuid.uuid4()), "code": "123456"}
            )
        )
    return answers


def first_refused(answers: list[httpx.Response]) -> int:
    """How many were answered before the first 429; every one after it is a 429 too."""
    statuses = [a.status_code for a in answers]
    assert 429 in statuses, f"no 429 in {len(statuses)} requests (each instance counting on its own?): {statuses}"
    first = statuses.index(429)
    assert set(statuses[first:]) == {429}, statuses
    assert all(s < 500 for s in statuses), statuses
    return first


async def test_the_sign_in_limit_per_client_counts_requests_to_both_instances_together(cluster: Cluster) -> None:
    # One client on one instance: the baseline.
    alone = cluster.browser(0)
    await alone.request("GET", "/healthz")  # the CSRF cookie
    alone_answers = await answers_to_wrong_codes([alone], LIMIT + 4)

    # Another client going back and forth between the two instances.
    a = cluster.browser(0)
    await a.request("GET", "/healthz")
    b = Browser(cluster.servers[1], client_address=a.client_address)
    b.cookies = a.cookies
    try:
        both_answers = await answers_to_wrong_codes([a, b], LIMIT + 4)
    finally:
        await b.aclose()

    assert first_refused(alone_answers) == LIMIT
    assert first_refused(both_answers) == LIMIT, "with a limit per instance the 429 would come twice as late"
    # The count each instance reports is the shared one.
    remaining = [int(r.headers["RateLimit-Remaining"]) for r in both_answers[:LIMIT]]
    assert remaining == list(range(LIMIT - 1, -1, -1))
    refused = both_answers[LIMIT:]
    assert {r.url.port for r in refused} == {a.http.base_url.port, b.http.base_url.port}, "both instances refuse"
    for r in refused:
        assert int(r.headers["Retry-After"]) > 0
    assert_no_stack_traces(cluster)


async def test_the_sign_in_code_limit_per_client_counts_codes_asked_from_both_instances(cluster: Cluster) -> None:
    a = cluster.browser(0)
    await a.request("GET", "/healthz")
    b = Browser(cluster.servers[1], client_address=a.client_address)
    b.cookies = a.cookies
    per_hour = Settings().otp_per_client_hour
    try:
        answers = []
        for n in range(per_hour + 2):
            asker = (a, b)[n % 2]
            answers.append(await asker.request("POST", "/api/v1/auth/code", json={"phone": cluster.new_phone()}))
    finally:
        await b.aclose()
    assert first_refused(answers) == per_hour
    assert {problem(r) for r in answers[per_hour:]} == {"too_many_codes_client"}
    assert_no_stack_traces(cluster)


# ---- offers ------------------------------------------------------------------------------------------------------


async def a_request_offered_to_two(resident: Browser) -> httpx.Response:
    """The resident asks for help without a time (at a help point, of a topic) until a request is offered to two
    volunteers or more at once; the ones offered to fewer are cancelled."""
    topics = [t["code"] for t in (await resident.request("GET", "/api/v1/topics")).json()]
    points = [p["id"] for p in (await resident.request("GET", "/api/v1/help-points")).json()]
    seen = []
    for point in points:
        for topic in topics:
            asked = await resident.request(
                "POST",
                "/api/v1/requests",
                json={"topic": topic, "modality": "help_point", "help_point_id": point, "language": "fi"},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert asked.status_code == 201, asked.text
            if asked.json()["volunteers_asked"] >= 2:
                return asked
            seen.append((topic, asked.json()["volunteers_asked"]))
            cancelled = await resident.request("POST", f"/api/v1/requests/{asked.json()['request_id']}/cancel")
            assert cancelled.status_code == 200, cancelled.text
    pytest.fail(f"no request is offered to two volunteers at once in the demo network: {seen}")


async def test_two_volunteers_accepting_one_request_at_once_through_both_instances_one_gets_it(
    cluster: Cluster,
) -> None:
    [resident] = await residents(cluster, 1)
    asked = await a_request_offered_to_two(resident)
    request_id = asked.json()["request_id"]
    offers = await cluster.sql(
        "SELECT o.id::text AS id, p.phone FROM offer o JOIN person p ON p.id = o.volunteer "
        "WHERE o.request = $1::uuid AND o.state = 'pending' ORDER BY p.phone LIMIT 2",
        request_id,
    )
    volunteers = [cluster.browser(0), cluster.browser(1)]
    for volunteer, offer in zip(volunteers, offers, strict=True):
        await volunteer.sign_in(offer["phone"], cluster.twilio)

    answers = await asyncio.gather(
        *(v.request("POST", f"/api/v1/offers/{o['id']}/accept") for v, o in zip(volunteers, offers, strict=True))
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    [refused] = [a for a in answers if a.status_code == 409]
    assert problem(refused) == "offer_taken"
    [won] = [o["id"] for a, o in zip(answers, offers, strict=True) if a.status_code == 200]
    accepted = await cluster.sql(
        "SELECT id::text AS id FROM offer WHERE request = $1::uuid AND state = 'accepted'", request_id
    )
    assert [r["id"] for r in accepted] == [won], "the one who was told yes has the request, nobody else"
    [request_row] = await cluster.sql("SELECT state FROM help_request WHERE id = $1::uuid", request_id)
    assert request_row["state"] == "matched"
    assert_no_stack_traces(cluster)
