"""Benchmark: the desk's day and week of a busy help point (`GET /api/v1/help-points/{id}/sessions`) on PostgreSQL.

The help point has `--volunteers` volunteers (200: the issue's figure), each with one session a weekday for a year
(so 200 a day, 1,000 a week); the rest of the network holds `--others` help points with a session a weekday at
each. What is measured is what the route does: the service call (the scope check, the range, one keyset page of
100 with the resident's and the volunteer's first names, the help point's name and the topic) and the answer
encoded as JSON, for a day and for a week (its first page), the median and p95 of `--rounds`.

Run:  .venv/bin/python -m tests.bench.bench_desk_day [--volunteers 200] [--others 300] [--rounds 200]
Needs PostgreSQL at APURI_TEST_POSTGRES_URL (default postgres@127.0.0.1); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, date, datetime

import asyncpg
import msgspec

from server.adapters.clock import FixedClock
from server.adapters.push import MemoryPush
from server.adapters.sms import MemorySms
from server.adapters.voice import MemoryVoice
from server.app import create_app, services_of
from server.db.engine import make_engine, start, stop
from server.db.migrate import migrate
from server.domain.paging import DEFAULT_LIMIT, PageRequest
from server.domain.roles import Grant, Principal, Role
from server.http.desk_routes import VisitOut
from tests.conftest import PG_ADMIN_URL, _pg_url, base_settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)  # a Monday, 11.00 in Helsinki
DAY = date(2026, 11, 24)  # the Tuesday after

SEED = """
WITH org AS (
  INSERT INTO organisation (id, name, kind, municipality, active, created_at)
  VALUES (gen_random_uuid(), 'Bench', 'library', 'Kuusamo', true, now()) RETURNING id
), points AS (
  INSERT INTO help_point (id, organisation, name, street_address, postal_code, municipality, accessibility_notes,
                          active, created_at)
  SELECT gen_random_uuid(), org.id, 'Point ' || i, 'Tie 1', '93600', 'Kuusamo', '', true, now()
  FROM org, generate_series(0, $1::int) AS i
  RETURNING id, name
)
SELECT id, name FROM points
"""

# One row per session: the busy point's volunteers every weekday, one volunteer at each other point. Residents,
# requests and sessions get ids made from the row number (one resident per session: nobody overlaps).
SESSIONS = [
    """
    CREATE TEMP TABLE slot AS
    SELECT row_number() OVER () AS k, p.id AS point, v.n, d::date AS day,
           md5(CASE WHEN p.name = 'Point 0' THEN 'v' || v.n ELSE 'w' || p.id END)::uuid AS volunteer
    FROM help_point p
    JOIN generate_series(0, {volunteers} - 1) AS v(n) ON p.name = 'Point 0' OR v.n = 0
    CROSS JOIN generate_series(date '2026-06-01', date '2027-06-01', interval '1 day') AS d
    WHERE extract(isodow FROM d) < 6
    """,
    """
    INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
    SELECT md5('p' || k)::uuid, 'R' || k, '', '+35840' || lpad(k::text, 7, '0'), 'fi', true, now() FROM slot
    """,
    """
    INSERT INTO help_request (id, resident, topic, language, modality, help_point, needs, state, channel,
                              created_at)
    SELECT md5('r' || k)::uuid, md5('p' || k)::uuid, 'online_banking', 'fi', 'help_point', point, '[]'::json,
           'matched', 'pwa', now()
    FROM slot
    """,
    """
    INSERT INTO help_session (id, request, resident, volunteer, help_point, modality, starts_at, ends_at,
                              blocked_until, state, version, created_at, outcomes, note)
    SELECT md5('s' || k)::uuid, md5('r' || k)::uuid, md5('p' || k)::uuid, volunteer, point, 'help_point',
           (day + time '07:00' + (n % 7) * interval '1 hour') AT TIME ZONE 'UTC',
           (day + time '07:45' + (n % 7) * interval '1 hour') AT TIME ZONE 'UTC',
           (day + time '08:00' + (n % 7) * interval '1 hour') AT TIME ZONE 'UTC',
           'scheduled', 1, now(), '[]'::json, ''
    FROM slot
    """,
]

VOLUNTEERS = """
INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
SELECT md5('v' || i)::uuid, 'V' || i, '', '+35850' || lpad(i::text, 7, '0'), 'fi', true, now()
FROM generate_series(0, $1::int - 1) AS i
UNION ALL
SELECT md5('w' || id)::uuid, 'W', '', '+35845' || lpad((row_number() OVER ())::text, 7, '0'), 'fi', true, now()
FROM help_point WHERE name <> 'Point 0'
"""


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


async def main(volunteers: int, others: int, rounds: int) -> None:
    name = f"apuri_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    engine = make_engine(url)
    try:
        await start(engine)
        await migrate(engine)
        conn = await asyncpg.connect(url)
        await conn.execute(
            "INSERT INTO topic (code, names, bring, outcomes, sort_order, active) VALUES "
            """('online_banking', '{"fi": "Pankki", "sv": "Bank", "en": "Bank"}', '{}', '[]', 1, true)"""
        )
        points = {r["name"]: r["id"] for r in await conn.fetch(SEED, others)}
        await conn.execute(VOLUNTEERS, volunteers)
        await conn.execute(SESSIONS[0].format(volunteers=int(volunteers)))
        for statement in SESSIONS[1:]:
            await conn.execute(statement)
        await conn.execute("ANALYZE")
        total = await conn.fetchval("SELECT count(*) FROM help_session")
        busy = points["Point 0"]
        organisation = await conn.fetchval("SELECT organisation FROM help_point WHERE id = $1", busy)
        await conn.close()

        app = create_app(
            base_settings(url),
            clock=FixedClock(NOW),
            sms=MemorySms(),
            push=MemoryPush(),
            voice=MemoryVoice(),
            engine=engine,
        )
        desk = services_of(app).desk
        coordinator = Principal(
            person_id=uuid.uuid4(),
            sign_in_id=uuid.uuid4(),
            first_name="Desk",
            language="fi",
            grants=frozenset({Grant(Role.PARTNER_COORDINATOR, organisation)}),
            second_factor=True,
        )
        encoder = msgspec.json.Encoder()

        async def answer(days: int) -> int:
            page = await desk.help_point_day(coordinator, busy, DAY, days, PageRequest(DEFAULT_LIMIT))
            return len(encoder.encode([VisitOut.of(v) for v in page.items]))

        print(
            f"the desk's day of a help point with {volunteers} volunteers ({volunteers} sessions a day), "
            f"{others + 1} help points, {total:,} sessions in all, PostgreSQL, ms (median / p95 of {rounds})"
        )
        for days, label in ((1, "a day"), (7, "a week (first page of 100)")):
            await answer(days)  # warm: statements prepared
            samples = []
            for _ in range(rounds):
                began = time.perf_counter()
                await answer(days)
                samples.append(time.perf_counter() - began)
            median, p95 = stats(samples)
            print(f"{label:>28} {median:>7.1f} / {p95:>6.1f}")
    finally:
        await stop(engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--others", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.volunteers, arguments.others, arguments.rounds))
