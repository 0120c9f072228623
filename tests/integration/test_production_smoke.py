"""Production, started as an operator starts it: the real `apuri serve --no-scheduler` and `apuri worker` commands
as processes of their own, `APURI_ENVIRONMENT=production`, PostgreSQL, Redis for the rate limits, Twilio pointed at
a loopback Twilio and real VAPID keys with a loopback push service.

The web process answers /healthz, sends a sign-in code through Twilio while the resident waits and takes a
booking; the worker sends the booking's confirmation, a due reminder and a push; both stop cleanly on SIGTERM and
their logs hold no phone number, code or stack trace. This is the test that would have caught `apuri serve`
failing to start when Twilio was configured (the app was built before uvicorn's event loop ran).

PostgreSQL only: production is PostgreSQL (SQLite is the embedded default, covered by every other test).
"""

from __future__ import annotations

import signal
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from server.db import outbox
from server.db.engine import bind, make_engine, start, stop
from server.db.tables import Person
from server.demo import RESIDENT_PHONE, VOLUNTEER_PHONE
from tests.fakes.push_service import PushService
from tests.fakes.twilio_service import TwilioService
from tests.integration.processes import (
    Browser,
    a_free_time,
    demo_database,
    free_port,
    production_environment,
    require_redis,
    spawn,
    wait_for,
)

REDIS_URL = "redis://127.0.0.1:6379/9"


@pytest.fixture
async def production_database(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A migrated PostgreSQL database with the demo network in it (loaded directly: the CLI refuses the demo in
    production, as it should)."""
    template = request.getfixturevalue("postgres_template")
    await require_redis("the production smoke test")
    async with demo_database(template) as url:
        yield url


async def test_apuri_serve_and_worker_run_in_production_and_stop_cleanly_on_sigterm(
    production_database: str, tmp_path: Path
) -> None:
    async with TwilioService() as twilio, PushService() as push_service:
        port = free_port()
        environment = production_environment(production_database, twilio, port, REDIS_URL)
        web = await spawn("serve", ["serve", "--no-scheduler"], environment, tmp_path)
        worker = await spawn("worker", ["worker"], environment, tmp_path)
        processes = [web, worker]
        browser = Browser(f"http://127.0.0.1:{port}")
        try:

            async def healthy() -> bool:
                try:
                    return (await browser.http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_for("/healthz", healthy, processes)

            # A resident signs in: the code goes out through Twilio while they wait (the web process sends it).
            await browser.sign_in(RESIDENT_PHONE, twilio)
            assert twilio.to(RESIDENT_PHONE), "the sign-in code reached Twilio"

            # … and books a phone time; the worker sends the confirmation.
            booked = await browser.request(
                "POST",
                "/api/v1/bookings",
                json=await a_free_time(browser),
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert booked.status_code == 201, booked.text

            # A volunteer subscribes to push on their phone (the loopback push service plays the browser).
            volunteer = Browser(f"http://127.0.0.1:{port}")
            await volunteer.sign_in(VOLUNTEER_PHONE, twilio)
            key = (await volunteer.request("GET", "/api/v1/push/key")).json()["public_key"]
            target = push_service.subscribe(application_server_key=key)
            subscribed = await volunteer.request(
                "POST",
                "/api/v1/push/subscriptions",
                json={"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
            )
            assert subscribed.status_code == 201, subscribed.text
            await volunteer.http.aclose()

            # A reminder and a push fall due; the worker sends both.
            reminder, push_title = "Muistutus: digituki tänään klo 14. Koodisana: KUUSI", "Apuri"
            await due_now(production_database, reminder)

            async def confirmed_reminded_and_pushed() -> bool:
                texts = twilio.to(RESIDENT_PHONE)
                return len(texts) >= 3 and reminder in texts and bool(push_service.to(target))

            await wait_for("the worker's SMS and push", confirmed_reminded_and_pushed, processes)
            assert push_service.to(target)[0]["title"] == push_title
            assert push_service.refused == []
            assert twilio.duplicates() == {}
        finally:
            await browser.http.aclose()
            codes = {}
            try:
                for p in processes:
                    codes[p.name] = await p.stop()
            finally:
                for p in processes:  # never leave a process behind, whatever failed
                    if p.process.returncode is None:
                        p.process.kill()
                        await p.process.wait()

    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (the Unix convention for "stopped by
    # a signal"; Docker reports 143): that is a clean stop once the application's shutdown has completed.
    assert codes["serve"] in (0, -signal.SIGTERM), web.text()[-3000:]
    assert "Application shutdown complete" in web.text() and "Finished server process" in web.text()
    assert codes["worker"] == 0, worker.text()[-3000:]
    for p in processes:
        log = p.text()
        assert "Traceback" not in log, f"{p.name} logged a stack trace:\n{log[-3000:]}"
        assert "Twilio API Request" not in log, f"{p.name} let the Twilio SDK log its requests (numbers, bodies)"
        for phone in (RESIDENT_PHONE, VOLUNTEER_PHONE, RESIDENT_PHONE.replace("+358", "0")):
            assert phone not in log, f"{p.name} logged a full phone number"


async def due_now(database_url: str, reminder: str) -> None:
    """A resident's reminder and a volunteer's push that fall due now, written as the booking service writes
    them (the outbox)."""
    engine = make_engine(database_url)
    await start(engine)
    bind(engine)
    try:
        people = {
            r["phone"]: r["id"]
            for r in await Person.select(Person.id, Person.phone).where(
                Person.phone.is_in([RESIDENT_PHONE, VOLUNTEER_PHONE])
            )
        }
        now = datetime.now(UTC)
        await outbox.insert(
            [
                outbox.Draft(
                    key=f"smoke:reminder:{uuid.uuid4()}",
                    kind="reminder_2h",
                    channel="sms",
                    body=reminder,
                    due_at=now,
                    not_after=now + timedelta(hours=2),
                    person_id=people[RESIDENT_PHONE],
                    phone=RESIDENT_PHONE,
                ),
                outbox.Draft(
                    key=f"smoke:push:{uuid.uuid4()}",
                    kind="reminder_1h",
                    channel="push",
                    body='{"title": "Apuri", "body": "Digituki alkaa tunnin kuluttua"}',
                    due_at=now,
                    not_after=now + timedelta(hours=1),
                    person_id=people[VOLUNTEER_PHONE],
                    phone=VOLUNTEER_PHONE,
                ),
            ],
            now,
        )
    finally:
        await stop(engine)
