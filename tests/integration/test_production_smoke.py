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

import asyncio
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from server.adapters.push import generate_vapid_keys
from server.db import outbox
from server.db.engine import bind, make_engine, start, stop
from server.db.tables import Person
from server.demo import RESIDENT_PHONE, VOLUNTEER_PHONE, load_demo
from tests.conftest import IN_CI, PG_ADMIN_URL, _pg_url
from tests.fakes.push_service import PushService
from tests.fakes.twilio_service import SID, TOKEN, TwilioService

APURI = Path(sys.executable).parent / "apuri"
REDIS_URL = "redis://127.0.0.1:6379/9"
STARTUP_SECONDS = 30
STOP_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _redis_reachable() -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", 6379), 3)
    except (OSError, TimeoutError):
        return False
    writer.close()
    await writer.wait_closed()
    return True


@pytest.fixture
async def production_database(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A migrated PostgreSQL database with the demo network in it (loaded directly: the CLI refuses the demo in
    production, as it should)."""
    template = request.getfixturevalue("postgres_template")
    if not await _redis_reachable():
        if IN_CI:
            pytest.fail("Redis is not reachable at 127.0.0.1:6379 and CI=true: the production smoke test must run")
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    name = f"apuri_prod_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    await conn.close()
    url = _pg_url(name)
    engine = make_engine(url)
    await start(engine)
    bind(engine)
    try:
        await load_demo(engine)
        yield url
    finally:
        await stop(engine)
        conn = await asyncpg.connect(PG_ADMIN_URL)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@dataclass
class Process:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    async def stop(self) -> int:
        """SIGTERM, as a deploy or `docker stop` does; the exit code."""
        if self.process.returncode is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(STOP_SECONDS):
                return await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            pytest.fail(f"{self.name} did not stop within {STOP_SECONDS} s of SIGTERM:\n{self.text()[-3000:]}")


async def spawn(name: str, args: list[str], environment: dict[str, str], folder: Path) -> Process:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(APURI), *args, env=environment, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    return Process(name, process, log)


class Browser:
    """An HTTP client that keeps the server's cookies by hand: production cookies are Secure (`__Host-`), and a
    client on plain loopback http would drop them (a TLS-terminating proxy stands in front in real life)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=15)
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            headers["x-csrftoken"] = self.cookies.get("apuri_csrf", "")
        response = await self.http.request(method, url, headers=headers, **kwargs)
        for line in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return response

    async def sign_in(self, phone: str, twilio: TwilioService) -> None:
        await self.request("GET", "/healthz")  # the CSRF cookie
        asked = await self.request("POST", "/api/v1/auth/code", json={"phone": phone})
        assert asked.status_code == 202, asked.text
        code = twilio.to(phone)[-1].rsplit("#", 1)[1].strip()
        verified = await self.request(
            "POST", "/api/v1/auth/verify", json={"challenge_id": asked.json()["challenge_id"], "code": code}
        )
        assert verified.status_code == 200, verified.text
        assert "__Host-apuri_session" in self.cookies, "production signs in with the __Host- cookie"


async def wait_for(what: str, check: Any, processes: list[Process], seconds: float = STARTUP_SECONDS) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not await check():
                for p in processes:
                    assert p.process.returncode is None, f"{p.name} exited waiting for {what}:\n{p.text()[-3000:]}"
                await asyncio.sleep(0.2)
    except TimeoutError:
        logs = "\n".join(f"--- {p.name}\n{p.text()[-2000:]}" for p in processes)
        pytest.fail(f"timed out waiting for {what}\n{logs}")


def production_environment(database_url: str, twilio: TwilioService, port: int) -> dict[str, str]:
    public, private = generate_vapid_keys()
    keep = {k: v for k, v in os.environ.items() if not k.startswith("APURI_")}
    return {
        **keep,
        "APURI_ENVIRONMENT": "production",
        "APURI_DATABASE_URL": database_url,
        "APURI_PUBLIC_BASE_URL": "https://apuri.example.fi",
        "APURI_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "APURI_HOST": "127.0.0.1",
        "APURI_PORT": str(port),
        "APURI_TWILIO_ACCOUNT_SID": SID,
        "APURI_TWILIO_AUTH_TOKEN": TOKEN,
        "APURI_TWILIO_FROM_NUMBER": "+358401234000",
        "APURI_TWILIO_API_BASE": twilio.base_url,
        "APURI_PUSH_BACKEND": "webpush",
        "APURI_VAPID_PUBLIC_KEY": public,
        "APURI_VAPID_PRIVATE_KEY": private,
        "APURI_VAPID_SUBJECT": "mailto:digituki@example.fi",
        "APURI_RATE_LIMIT_STORE": REDIS_URL,
        "APURI_DISPATCH_INTERVAL_SECONDS": "1",
        # The test runs at any hour: quiet hours off, so that a reminder due now is sent now.
        "APURI_QUIET_HOURS_START": "00:00",
        "APURI_QUIET_HOURS_END": "00:00",
    }


async def a_free_time(browser: Browser) -> dict[str, str]:
    """The first free time in the next two weeks, by phone or at a help point, of any topic: what a resident
    picks in the app."""
    today = datetime.now(UTC).date()
    window = {"from": (today + timedelta(days=2)).isoformat(), "to": (today + timedelta(days=14)).isoformat()}
    topics = [t["code"] for t in (await browser.request("GET", "/api/v1/topics")).json()]
    points = [p["id"] for p in (await browser.request("GET", "/api/v1/help-points")).json()]
    ways = [{"modality": "phone"}] + [{"modality": "help_point", "help_point_id": p} for p in points]
    for way in ways:
        for topic in topics:
            slots = await browser.request("GET", "/api/v1/slots", params={"topic": topic, **way, **window})
            assert slots.status_code == 200, slots.text
            if slots.json():
                return {"topic": topic, **way, "starts_at": slots.json()[0]["starts_at"]}
    pytest.fail("the demo network has no free time in the next two weeks")


async def test_apuri_serve_and_worker_run_in_production_and_stop_cleanly_on_sigterm(
    production_database: str, tmp_path: Path
) -> None:
    async with TwilioService() as twilio, PushService() as push_service:
        port = _free_port()
        environment = production_environment(production_database, twilio, port)
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
