"""Apuri run as an operator runs it, for the tests that start the real commands (`apuri serve --no-scheduler`,
`apuri worker`) as processes of their own: a migrated PostgreSQL database with the demo network, the production
environment pointed at a loopback Twilio and push service, the processes and their logs, and an HTTP client that
keeps the production (`__Host-`, Secure) cookies by hand."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from server.adapters.push import generate_vapid_keys
from server.db.engine import bind, make_engine, start, stop
from server.demo import load_demo
from tests.conftest import IN_CI, PG_ADMIN_URL, _pg_url
from tests.fakes.twilio_service import SID, TOKEN, TwilioService

APURI = Path(sys.executable).parent / "apuri"
STARTUP_SECONDS = 30
STOP_SECONDS = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def redis_reachable() -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", 6379), 3)
    except (OSError, TimeoutError):
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def require_redis(what: str) -> None:
    """Skip without Redis locally; under CI=true its absence is a failure."""
    if not await redis_reachable():
        if IN_CI:
            pytest.fail(f"Redis is not reachable at 127.0.0.1:6379 and CI=true: {what} must run")
        pytest.skip("Redis not reachable on 127.0.0.1:6379")


@contextlib.asynccontextmanager
async def demo_database(template: str, prefix: str = "apuri_prod") -> AsyncIterator[str]:
    """A PostgreSQL database of its own, copied from the migrated template, with the demo network in it (loaded
    directly: the CLI refuses the demo in production, as it should); dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    await conn.close()
    url = _pg_url(name)
    try:
        engine = make_engine(url)
        await start(engine)
        bind(engine)
        try:
            await load_demo(engine)
        finally:
            await stop(engine)
        yield url
    finally:
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


async def stop_all(processes: list[Process]) -> dict[str, int]:
    """SIGTERM to each, in turn; the exit codes by name. Whatever fails, no process is left behind."""
    codes: dict[str, int] = {}
    try:
        for p in processes:
            codes[p.name] = await p.stop()
    finally:
        for p in processes:
            if p.process.returncode is None:
                p.process.kill()
                await p.process.wait()
    return codes


def assert_stopped_cleanly(process: Process, code: int) -> None:
    """uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (the Unix convention for "stopped by a
    signal"; Docker reports 143): that is a clean stop once the application's shutdown has completed. A worker
    exits 0."""
    log = process.text()
    if process.name.startswith("serve"):
        assert code in (0, -signal.SIGTERM), f"{process.name} exited {code}:\n{log[-3000:]}"
        assert "Application shutdown complete" in log and "Finished server process" in log, log[-3000:]
    else:
        assert code == 0, f"{process.name} exited {code}:\n{log[-3000:]}"


def assert_no_stack_trace(process: Process) -> None:
    log = process.text()
    assert "Traceback" not in log, f"{process.name} logged a stack trace:\n{log[-3000:]}"


class Browser:
    """An HTTP client that keeps the server's cookies by hand: production cookies are Secure (`__Host-`), and a
    client on plain loopback http would drop them (a TLS-terminating proxy stands in front in real life).

    With `client_address` every request carries it in X-Forwarded-For, as the proxy would: the server trusts
    loopback's forwarded address (APURI_FORWARDED_ALLOW_IPS), so each Browser can be a client of its own for the
    per-client limits. `base_url` can be changed between requests: the same person, another web instance."""

    def __init__(self, base_url: str, *, client_address: str | None = None) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.cookies: dict[str, str] = {}
        self.client_address = client_address
        self.phone: str | None = None  # whose phone signed in

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            headers["x-csrftoken"] = self.cookies.get("apuri_csrf", "")
        if self.client_address is not None:
            headers["x-forwarded-for"] = self.client_address
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
        # The last sign-in code (WebOTP's last line, "@host #123456"): other messages to the phone may come after it.
        code = [m for m in twilio.to(phone) if re.search(r"#\d{6}$", m)][-1].rsplit("#", 1)[1]
        verified = await self.request(
            "POST", "/api/v1/auth/verify", json={"challenge_id": asked.json()["challenge_id"], "code": code}
        )
        assert verified.status_code == 200, verified.text
        assert "__Host-apuri_session" in self.cookies, "production signs in with the __Host- cookie"
        self.phone = phone

    async def aclose(self) -> None:
        await self.http.aclose()


async def wait_for(
    what: str, check: Callable[[], Awaitable[bool]], processes: list[Process], seconds: float = STARTUP_SECONDS
) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not await check():
                for p in processes:
                    assert p.process.returncode is None, f"{p.name} exited waiting for {what}:\n{p.text()[-3000:]}"
                await asyncio.sleep(0.2)
    except TimeoutError:
        logs = "\n".join(f"--- {p.name}\n{p.text()[-2000:]}" for p in processes)
        pytest.fail(f"timed out waiting for {what}\n{logs}")


async def wait_healthy(base_url: str, processes: list[Process]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:

        async def healthy() -> bool:
            try:
                return (await http.get("/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_for(f"{base_url}/healthz", healthy, processes)


def production_environment(database_url: str, twilio: TwilioService, port: int, redis_url: str) -> dict[str, str]:
    """What an operator sets for production: every process of one installation gets the same one (the secret key
    keys the sign-in codes and CSRF tokens, so web instances must share it), only the port differs."""
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
        "APURI_RATE_LIMIT_STORE": redis_url,
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
