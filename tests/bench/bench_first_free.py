"""Benchmark: the next free time of every way and help point (`GET /api/v1/slots/first`) on PostgreSQL.

The hint on the booking tiles is computed for the whole network at once: the volunteers of every help point in
one set of queries, then one grid per help point, a week at a time until a free time is found (off the event
loop). Side by side, the way it could be had without it: the four-week slot search of each help point in turn
(what the app would have to ask once per tile).

The network: `--points` help points in a tenth as many municipalities, open Monday to Friday 9-16; volunteers
spread over them (each at one), every one with the topic, Monday 9-15 and Wednesday 12-16, half of them also by
phone. Measured uncached (the clock moves a minute and a second between rounds, past what is kept).

Run:  .venv/bin/python -m tests.bench.bench_first_free [--points 300] [--sizes 3000 10000] [--rounds 10]
Needs PostgreSQL at APURI_TEST_POSTGRES_URL (default postgres@127.0.0.1); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from server.adapters.clock import FixedClock
from server.adapters.push import MemoryPush
from server.adapters.sms import MemorySms
from server.adapters.voice import MemoryVoice
from server.app import create_app, services_of
from server.db.engine import make_engine, start, stop
from server.db.migrate import migrate
from server.domain.matching import Modality
from server.services.booking import FIRST_FREE_DAYS, BookingQuery
from tests.conftest import PG_ADMIN_URL, _pg_url, base_settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)  # a Monday, 11.00 in Helsinki

POINTS = """
WITH org AS (
  INSERT INTO organisation (id, name, kind, municipality, active, created_at)
  VALUES (gen_random_uuid(), 'Bench', 'library', 'Kunta 0', true, now()) RETURNING id
), points AS (
  INSERT INTO help_point (id, organisation, name, street_address, postal_code, municipality, accessibility_notes,
                          active, created_at)
  SELECT gen_random_uuid(), org.id, 'Point ' || i, 'Tie 1', '93600', 'Kunta ' || (i % GREATEST($1::int / 10, 1)),
         '', true, now()
  FROM org, generate_series(0, $1::int - 1) AS i
  RETURNING id
)
INSERT INTO opening_hours (id, help_point, weekday, opens, closes)
SELECT gen_random_uuid(), points.id, d, time '09:00', time '16:00' FROM points, generate_series(0, 4) AS d
"""

VOLUNTEERS = """
WITH pts AS (
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM help_point
), people AS (
  INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
  SELECT gen_random_uuid(), 'V' || i, '', '+35850' || lpad(i::text, 7, '0'), 'fi', true, now()
  FROM generate_series($1::int, $2::int) AS i
  RETURNING id, substring(phone from 7)::int AS n
), m AS (
  INSERT INTO membership (id, person, role, organisation, active, created_at)
  SELECT gen_random_uuid(), id, 'volunteer', (SELECT id FROM organisation LIMIT 1), true, now() FROM people
), prof AS (
  INSERT INTO volunteer_profile (person, languages, remote, home_visits, travel_radius_km, weekly_cap,
                                 needs_experience, updated_at)
  SELECT id, (CASE WHEN n % 5 = 0 THEN '["fi", "sv"]' ELSE '["fi"]' END)::json, n % 2 = 0, false, 0, 5,
         '[]'::json, now()
  FROM people
), t AS (
  INSERT INTO volunteer_topic (id, person, topic, skill) SELECT gen_random_uuid(), id, 'online_banking', 1 + n % 3
  FROM people
), hp AS (
  INSERT INTO volunteer_help_point (id, person, help_point)
  SELECT gen_random_uuid(), people.id, pts.id FROM people JOIN pts ON pts.k = people.n % $3::int
)
INSERT INTO availability_rule (id, person, weekday, start, "end", remote)
SELECT gen_random_uuid(), id, 0, time '09:00', time '15:00', false FROM people
UNION ALL
SELECT gen_random_uuid(), id, 2, time '12:00', time '16:00', false FROM people
UNION ALL
SELECT gen_random_uuid(), id, 2, time '17:00', time '19:00', true FROM people WHERE n % 2 = 0
"""


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


async def main(points: int, sizes: list[int], rounds: int) -> None:
    name = f"apuri_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    engine = make_engine(url)
    try:
        await start(engine)
        await migrate(engine)
        conn = await asyncpg.connect(url)
        await conn.execute(POINTS, points)
        await conn.execute(
            "INSERT INTO topic (code, names, bring, outcomes, sort_order, active) VALUES "
            """('online_banking', '{"fi": "Pankki", "sv": "Bank", "en": "Bank"}', '{}', '[]', 1, true)"""
        )
        clock = FixedClock(NOW)
        settings = base_settings(url)
        app = create_app(settings, clock=clock, sms=MemorySms(), push=MemoryPush(), voice=MemoryVoice(), engine=engine)
        booking = services_of(app).booking
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM help_point ORDER BY name")]
        print(
            f"the next free time of every choice, {points} help points, PostgreSQL, ms (median / p95 of {rounds}, "
            "uncached)"
        )
        print(f"{'volunteers':>11} {'all at once':>17} {'one search per help point':>27} {'ratio':>7}")
        seeded = 0
        for size in sizes:
            await conn.execute(VOLUNTEERS, seeded + 1, size, points)
            await conn.execute("ANALYZE")
            seeded = size
            await booking.first_free("online_banking", "fi")  # warm: statements prepared, kept profiles
            together = []
            for _ in range(rounds):
                clock.advance(timedelta(seconds=61))
                began = time.perf_counter()
                found = await booking.first_free("online_banking", "fi")
                together.append(time.perf_counter() - began)
            with_times = sum(1 for _, at in found.help_points.values() if at is not None)
            first, last = NOW.date(), NOW.date() + timedelta(days=FIRST_FREE_DAYS - 1)
            began = time.perf_counter()
            for point in ids:
                query = BookingQuery("online_banking", "fi", Modality.HELP_POINT, point)
                await booking.slots(query, first, last)
            one_by_one = time.perf_counter() - began
            median, p95 = stats(together)
            separately = one_by_one * 1000
            print(
                f"{size:>11,} {median:>8.0f} / {p95:>6.0f} {separately:>27.0f} {separately / median:>7.1f}"
                f"   ({with_times} help points with a time)"
            )
        await conn.close()
    finally:
        await stop(engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 10_000])
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.points, arguments.sizes, arguments.rounds))
