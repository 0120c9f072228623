"""Benchmark: what server-side sessions and the sign-in limits cost per request, on SQLite and PostgreSQL.

Measured in-process (httpx over ASGI, no sockets) so the figures are the app's own work:
  healthz  - no session lookup (the floor: routing, middleware, CSRF, headers)
  session  - GET /api/v1/auth/session with a session cookie (token hash lookup + roles, every request pays it)
  code     - POST /api/v1/auth/code (serialised write: three limit counts, budget count, insert) with
             100,000 older challenges in the table, as after a busy year

Run:  .venv/bin/python -m tests.bench.bench_auth [--rounds 400]
Needs PostgreSQL at APURI_TEST_POSTGRES_URL (default postgres@127.0.0.1) for the PostgreSQL column.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import httpx

from server.adapters.clock import FixedClock
from server.adapters.sms import MemorySms
from server.app import create_app
from server.db.engine import make_engine, start, stop
from server.db.migrate import migrate
from server.db.tables import SignInChallenge
from tests.conftest import PG_ADMIN_URL, START, _pg_url, base_settings, running

OLD_CHALLENGES = 100_000


async def seed_old_challenges(count: int) -> None:
    old = START - timedelta(days=200)
    batch = []
    for n in range(count):
        batch.append(
            SignInChallenge(
                id=uuid.uuid4(),
                phone=f"+35850{n % 9_000_000 + 1_000_000:07d}",
                code_hash="0" * 64,
                client_hash=f"{n % 5000:064d}",
                created_at=old + timedelta(seconds=n),
                expires_at=old + timedelta(seconds=n + 600),
                attempts=0,
                status="used",
            )
        )
        if len(batch) == 1000:
            await SignInChallenge.insert(*batch)
            batch = []
    if batch:
        await SignInChallenge.insert(*batch)


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


async def measure(url: str, rounds: int) -> dict[str, tuple[float, float]]:
    engine = make_engine(url)
    await start(engine)
    await migrate(engine)
    await seed_old_challenges(OLD_CHALLENGES)
    await stop(engine)
    clock = FixedClock(START)
    sms = MemorySms()
    settings = base_settings(url, auth_requests_per_minute=10**9, otp_per_client_hour=10**9, sms_daily_budget=10**9)
    app = create_app(settings, clock=clock, sms=sms)
    results: dict[str, list[float]] = {"healthz": [], "session": [], "code": []}
    async with running(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.1", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await client.get("/healthz")
            headers = {"x-csrftoken": client.cookies["apuri_csrf"]}
            asked = await client.post("/api/v1/auth/code", json={"phone": "0401999999"}, headers=headers)
            code = sms.to("+358401999999")[-1].rsplit("#", 1)[1]
            await client.post(
                "/api/v1/auth/verify",
                json={"challenge_id": asked.json()["challenge_id"], "code": code},
                headers=headers,
            )
            for n in range(rounds):
                # Interleaved, so machine noise hits all three alike.
                for name, call in (
                    ("healthz", lambda: client.get("/healthz")),
                    ("session", lambda: client.get("/api/v1/auth/session")),
                    (
                        "code",
                        lambda n=n: client.post("/api/v1/auth/code", json={"phone": f"+35844{n:07d}"}, headers=headers),
                    ),
                ):
                    began = time.perf_counter()
                    response = await call()
                    results[name].append(time.perf_counter() - began)
                    assert response.status_code in (200, 202), (name, response.status_code, response.text)
                clock.advance(timedelta(seconds=1))
    return {name: summary(samples) for name, samples in results.items()}


async def main(rounds: int) -> None:
    table: dict[str, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        table["SQLite"] = await measure(f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}", rounds)
    name = f"apuri_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        table["PostgreSQL"] = await measure(_pg_url(name), rounds)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(f"rounds={rounds}, {OLD_CHALLENGES:,} older challenges; milliseconds per request, median / p95")
    print(f"{'':10}" + "".join(f"{db:>24}" for db in table))
    for row in ("healthz", "session", "code"):
        print(f"{row:10}" + "".join(f"{table[db][row][0]:>11.2f} / {table[db][row][1]:>8.2f}" for db in table))
    for db, rows in table.items():
        print(
            f"{db}: session lookup adds {rows['session'][0] - rows['healthz'][0]:.2f} ms to the median request "
            f"({rows['session'][0] / rows['healthz'][0]:.1f}x healthz)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=400)
    arguments: Any = parser.parse_args()
    asyncio.run(main(arguments.rounds))
