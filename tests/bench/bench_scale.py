"""Benchmark: a national network on one PostgreSQL, every read a user makes through the real `apuri serve`.

Seeds, with set-based SQL (minutes, not hours), a network of the given size: organisations and help points with
opening hours, eight topics every organisation serves, residents, volunteers with profiles, topics, help points and
weekly hours, two years of history (requests, most with a session: done, missed or cancelled; one SMS per
notification row; an audit row per change), the coming week's sessions, open requests in the queues and requests
routed to partners. Then it starts `apuri serve` (the real command, PostgreSQL pool as configured, no scheduler) on
it and asks each read `--rounds` times after three unmeasured ones, printing milliseconds p50 / p95 and the answer's
size; also the database's size and the time `apuri migrate` takes on it (nothing to do, as after an upgrade with no
new migration) and on an empty database.

The sign-ins (the network coordinator, a partner coordinator, a resident with history, a volunteer) are written
straight into the database with their second factor done: signing in is not what is measured, but every request
still looks its cookie up.

Run:  .venv/bin/python -m tests.bench.bench_scale [--residents 1000000] [--volunteers 10000] [--organisations 50]
          [--help-points 300] [--requests 500000] [--rounds 25] [--database NAME --keep]
      .venv/bin/python -m tests.bench.bench_scale --database NAME --reuse   (measure a kept database again)
      .venv/bin/python -m tests.bench.bench_scale --database NAME --reuse --only statistics   (some reads only)
      (smaller sizes, e.g. --residents 20000 --volunteers 1000 --requests 20000, for a quick look)
      .venv/bin/python -m tests.bench.bench_scale --residents 100000 --volunteers 2000 --requests 100000
          --sqlite /tmp/s100000.sqlite3   (the seeded network copied into an SQLite file and served from it:
          up to what size SQLite serves well)
Needs PostgreSQL at APURI_TEST_POSTGRES_URL (default postgres@127.0.0.1); creates its own database (dropped
afterwards unless --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import decimal
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.conftest import PG_ADMIN_URL, _pg_url

APURI = str(Path(sys.executable).with_name("apuri"))
TOPICS = ("online_banking", "smartphone", "omakanta", "video_calls", "kela", "strong_id", "email", "scams")
TOWNS = 30

SEED_NETWORK = """
INSERT INTO organisation (id, name, kind, municipality, phone, active, created_at)
SELECT gen_random_uuid(), 'Kumppani ' || lpad(i::text, 3, '0'),
       CASE WHEN i = 1 THEN 'municipality' ELSE 'association' END, 'Kunta ' || (i % $2), NULL, true, now()
FROM generate_series(1, $1::int) AS i;
"""
SEED_POINTS = """
WITH o AS (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM organisation)
INSERT INTO help_point (id, organisation, name, street_address, postal_code, municipality, accessibility_notes,
                        active, created_at)
SELECT gen_random_uuid(), o.id, 'Apupiste ' || i, 'Tie ' || i, '93600', 'Kunta ' || (i % $3), '', true, now()
FROM generate_series(1, $1::int) AS i JOIN o ON o.n = i % $2;
"""
SEED_HOURS = """
INSERT INTO opening_hours (id, help_point, weekday, opens, closes)
SELECT gen_random_uuid(), hp.id, d, time '09:00', time '16:00' FROM help_point hp, generate_series(0, 4) AS d;
"""
SEED_TOPICS = """
INSERT INTO topic (code, names, bring, outcomes, partner_only, sort_order, active)
SELECT code, json_build_object('fi', code, 'sv', code, 'en', code), '{}', '[]', NULL, 10 * n, true
FROM unnest($1::text[]) WITH ORDINALITY AS t(code, n);
INSERT INTO organisation_topic (id, organisation, topic)
SELECT gen_random_uuid(), o.id, t.code FROM organisation o CROSS JOIN topic t;
"""
SEED_RESIDENTS = """
CREATE UNLOGGED TABLE bench_res (n int PRIMARY KEY, id uuid NOT NULL);
INSERT INTO bench_res SELECT i, gen_random_uuid() FROM generate_series(1, $1::int) AS i;
INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
SELECT id, 'A' || n, '', '+3584' || lpad(n::text, 8, '0'), 'fi', true, now() - interval '800 days' FROM bench_res;
INSERT INTO membership (id, person, role, organisation, active, created_at)
SELECT gen_random_uuid(), id, 'resident', NULL, true, now() - interval '800 days' FROM bench_res;
"""
SEED_VOLUNTEERS = """
CREATE UNLOGGED TABLE bench_vol (n int PRIMARY KEY, id uuid NOT NULL, help_point uuid, organisation uuid);
INSERT INTO bench_vol
WITH hp AS (SELECT id, organisation, row_number() OVER (ORDER BY id) - 1 AS n FROM help_point),
     c AS (SELECT count(*) AS c FROM help_point)
SELECT i, gen_random_uuid(), hp.id, hp.organisation
FROM generate_series(1, $1::int) AS i CROSS JOIN c JOIN hp ON hp.n = i % c.c;
INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
SELECT id, 'V' || n, '', '+35850' || lpad(n::text, 7, '0'), 'fi', true, now() - interval '800 days' FROM bench_vol;
INSERT INTO membership (id, person, role, organisation, active, created_at)
SELECT gen_random_uuid(), id, 'volunteer', organisation, true, now() - interval '800 days' FROM bench_vol;
INSERT INTO volunteer_profile (person, languages, remote, home_visits, travel_radius_km, weekly_cap, needs_experience,
                               updated_at)
SELECT id, (CASE WHEN n % 5 = 0 THEN '["fi", "sv"]' ELSE '["fi"]' END)::json, n % 2 = 0, false, 0, 5, '[]', now()
FROM bench_vol;
INSERT INTO volunteer_topic (id, person, topic, skill)
SELECT gen_random_uuid(), v.id, ($2::text[])[1 + (v.n + k) % 8], 1 + (v.n + k) % 3
FROM bench_vol v CROSS JOIN generate_series(0, 2) AS k;
INSERT INTO volunteer_help_point (id, person, help_point) SELECT gen_random_uuid(), id, help_point FROM bench_vol;
INSERT INTO availability_rule (id, person, weekday, start, "end", remote)
SELECT gen_random_uuid(), id, d, time '09:00', time '16:00', false FROM bench_vol, generate_series(0, 4) AS d
WHERE (n + d) % 3 = 0
UNION ALL
SELECT gen_random_uuid(), id, 2, time '17:00', time '19:00', true FROM bench_vol WHERE n % 2 = 0;
"""
# Two years of history: a request every so often from a resident, most with a session three days later.
SEED_HISTORY = """
CREATE UNLOGGED TABLE bench_req (n int PRIMARY KEY, id uuid NOT NULL, resident uuid, volunteer uuid,
                                 help_point uuid, organisation uuid, topic text, modality text,
                                 created_at timestamptz);
INSERT INTO bench_req
SELECT i AS n, gen_random_uuid() AS id, r.id AS resident, v.id AS volunteer, v.help_point, v.organisation,
       ($3::text[])[1 + i % 8] AS topic,
       CASE WHEN i % 10 < 6 THEN 'help_point' WHEN i % 10 < 9 THEN 'phone' ELSE 'video' END AS modality,
       $4::timestamptz - (((i::bigint * 7919) % (730 * 24)) || ' hours')::interval AS created_at
FROM generate_series(1, $1::int) AS i
JOIN bench_res r ON r.n = 1 + (i::bigint * 104729) % $2
JOIN bench_vol v ON v.n = 1 + (i::bigint * 31) % $5;
INSERT INTO help_request (id, resident, topic, language, modality, help_point, needs, state, channel, routed_to,
                          created_at, matched_at)
SELECT id, resident, topic, 'fi', modality, CASE WHEN modality = 'help_point' THEN help_point END, '[]',
       CASE WHEN n % 20 = 0 THEN 'cancelled' ELSE 'closed' END, CASE WHEN n % 4 = 0 THEN 'phone' ELSE 'pwa' END,
       NULL, created_at, created_at + ((n % 240) || ' minutes')::interval
FROM bench_req;
INSERT INTO help_session (id, request, resident, volunteer, help_point, modality, starts_at, ends_at, blocked_until,
                          state, version, created_at, minutes_spent, outcomes, note, feedback)
SELECT gen_random_uuid(), id, resident, volunteer, CASE WHEN modality = 'help_point' THEN help_point END, modality,
       created_at + interval '3 days', created_at + interval '3 days 45 minutes', created_at + interval '3 days 1 hour',
       CASE WHEN n % 20 = 1 THEN 'no_show' WHEN n % 10 = 2 THEN 'cancelled' ELSE 'done' END, 1, created_at,
       CASE WHEN n % 10 > 2 THEN 40 END,
       -- what the resident can now do alone, recorded on most done sessions; a rating on a third of them
       CASE WHEN n % 20 = 1 OR n % 10 = 2 OR n % 3 = 2 THEN '[]'
            WHEN n % 3 = 0 THEN '["log_in"]' ELSE '["log_in", "pay_bill"]' END::json, '',
       CASE WHEN n % 20 <> 1 AND n % 10 <> 2 AND n % 3 = 0 THEN 1 + (n / 3) % 5 END
FROM bench_req WHERE n % 20 <> 0;
"""
# The coming week: one session a volunteer (so no overlaps), a resident each, at their help point or by phone.
SEED_COMING = """
WITH c AS (
  SELECT v.n, gen_random_uuid() AS request, r.id AS resident, v.id AS volunteer, v.help_point,
         date_trunc('hour', $1::timestamptz) + ((1 + v.n % 6) || ' days')::interval
           + ((v.n % 7) || ' hours')::interval AS starts_at,
         ($2::text[])[1 + v.n % 8] AS topic
  FROM bench_vol v JOIN bench_res r ON r.n = v.n
  WHERE v.n <= $3
), q AS (
  INSERT INTO help_request (id, resident, topic, language, modality, help_point, needs, state, channel, created_at,
                            matched_at)
  SELECT request, resident, topic, 'fi', 'help_point', help_point, '[]', 'matched', 'pwa', $1, $1 FROM c
)
INSERT INTO help_session (id, request, resident, volunteer, help_point, modality, starts_at, ends_at, blocked_until,
                          state, version, created_at, outcomes, note)
SELECT gen_random_uuid(), request, resident, volunteer, help_point, 'help_point', starts_at,
       starts_at + interval '45 minutes', starts_at + interval '1 hour', 'scheduled', 1, $1, '[]', ''
FROM c;
"""
# Waiting requests: open ones in the network's queue (by phone, no time), and some routed to partners.
SEED_WAITING = """
INSERT INTO help_request (id, resident, topic, language, modality, help_point, needs, state, channel, routed_to,
                          created_at)
SELECT gen_random_uuid(), r.id, ($2::text[])[1 + i % 8], 'fi', 'phone', NULL, '[]',
       CASE WHEN i % 5 = 0 THEN 'routed' ELSE 'open' END, 'phone',
       CASE WHEN i % 5 = 0 THEN (SELECT id FROM organisation ORDER BY name OFFSET 1 + i % 10 LIMIT 1) END,
       $1::timestamptz - ((i % 72) || ' hours')::interval
FROM generate_series(1, $3::int) AS i JOIN bench_res r ON r.n = 500000 % $4 + i;
"""
SEED_MESSAGES = """
INSERT INTO notification (id, key, kind, channel, person, phone, session, session_version, language, body, due_at,
                          next_attempt_at, state, attempts, created_at, sent_at, updated_at)
SELECT gen_random_uuid(), 'bench:' || s.id || ':' || k.kind, k.kind, 'sms', s.resident, '+358400000000', s.id, 1,
       'fi', '', s.created_at, s.created_at, 'delivered', 1, s.created_at, s.created_at, s.created_at
FROM help_session s CROSS JOIN (VALUES ('confirmation'), ('reminder_24h'), ('reminder_2h')) AS k(kind)
WHERE s.state <> 'scheduled';
INSERT INTO audit_event (at, actor_id, actor_role, action, object_type, object_id, organisation_id, subject_id, detail)
SELECT s.created_at, s.resident, 'resident', 'session.book', 'session', s.id::text, r.organisation, s.resident, '{}'
FROM help_session s JOIN bench_req r ON r.id = s.request;
"""
SIGN_INS = """
WITH staff AS (
  INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
  VALUES (gen_random_uuid(), 'Verkosto', '', '+358409999001', 'fi', true, now()),
         (gen_random_uuid(), 'Kumppani', '', '+358409999002', 'fi', true, now())
  RETURNING id, phone
), m AS (
  INSERT INTO membership (id, person, role, organisation, active, created_at)
  SELECT gen_random_uuid(), id,
         CASE WHEN phone = '+358409999001' THEN 'network_coordinator' ELSE 'partner_coordinator' END,
         CASE WHEN phone = '+358409999001' THEN NULL ELSE $1::uuid END, true, now()
  FROM staff
)
INSERT INTO auth_session (id, token_hash, person, lifetime_class, created_at, last_seen_at, expires_at,
                          password_verified_at, password_failures)
SELECT gen_random_uuid(), encode(sha256(convert_to('bench-' || phone, 'UTF8')), 'hex'), id, 'coordinator', now(),
       now(), now() + interval '1 day', now(), 0
FROM staff
UNION ALL
SELECT gen_random_uuid(), encode(sha256(convert_to('bench-resident', 'UTF8')), 'hex'), $2::uuid, 'resident', now(),
       now(), now() + interval '1 day', NULL, 0
UNION ALL
SELECT gen_random_uuid(), encode(sha256(convert_to('bench-volunteer', 'UTF8')), 'hex'), $3::uuid, 'volunteer', now(),
       now(), now() + interval '1 day', NULL, 0;
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "APURI_DATABASE_URL": url,
        "APURI_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "APURI_SECRET_KEY": "bench-" + "x" * 40,
        "APURI_LOG_LEVEL": "WARNING",
    }


# Not copied to SQLite: its own migrations' rows, and what `apuri migrate` and the statistics job make there.
NOT_COPIED = {"migration", "matching_version", "statistics_stale", "request_fact", "request_fact_outcome"}


_TO_SQLITE: list[tuple[type | tuple[type, ...], Callable[[Any], object]]] = [
    (uuid.UUID, str),
    (datetime, lambda v: str(v.astimezone(UTC) if v.tzinfo else v)),
    ((date, clock_time), lambda v: v.isoformat()),
    (bool, int),
    (decimal.Decimal, float),
    ((list, dict), json.dumps),
]


def _sqlite_value(value: object) -> object:
    """A PostgreSQL value as Piccolo writes it in SQLite: uuids and JSON as text, times in UTC as `str()` gives."""
    for kind, convert in _TO_SQLITE:
        if isinstance(value, kind):
            return convert(value)
    return value


def _fresh(path: Path) -> None:
    path.unlink(missing_ok=True)


def _megabytes(path: Path) -> float:
    return path.stat().st_size / 1e6


async def _copy_to_sqlite(pg_url: str, path: Path) -> str:
    """The seeded PostgreSQL database copied row by row into a SQLite file that `apuri migrate` made."""
    _fresh(path)
    sqlite_url = f"sqlite:///{path}"
    _migrate(sqlite_url)
    began = time.perf_counter()
    conn = await asyncpg.connect(pg_url)
    db = sqlite3.connect(path)
    copied = 0
    try:
        present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for (table,) in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"):
            if table in NOT_COPIED or table not in present:
                continue
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            listed = ", ".join(f'"{c}"' for c in columns)
            insert = f'INSERT INTO "{table}" ({listed}) VALUES ({", ".join("?" for _ in columns)})'
            async with conn.transaction():
                cursor = await conn.cursor(f'SELECT {listed} FROM "{table}"')
                while rows := await cursor.fetch(20_000):
                    db.executemany(insert, [tuple(_sqlite_value(v) for v in row) for row in rows])
                    copied += len(rows)
        db.execute("UPDATE matching_version SET n = n + 1")
        db.commit()
    finally:
        db.close()
        await conn.close()
    size = _megabytes(path)
    return f"copied {copied:,} rows into SQLite in {time.perf_counter() - began:.0f} s; {size:,.0f} MB"


async def _keep_statistics(url: str) -> str:
    """What `apuri worker`'s statistics job does after an upgrade or a seed: every request marked changed brought
    into the kept facts (migration 0030), a thousand marks per transaction, timed."""
    from server.db import engine as db_engine
    from server.db import statistics as statistics_q

    engine = db_engine.make_engine(url)
    db_engine.bind(engine)
    await db_engine.start(engine)
    began, marks = time.perf_counter(), 0
    try:
        while taken := await statistics_q.bring_up_to_date(engine):
            marks += taken
        # As autovacuum would soon after: the planner learns the filled tables' sizes.
        if db_engine.is_sqlite(engine):
            await statistics_q.HelpRequest.raw("ANALYZE")
        else:
            await statistics_q.HelpRequest.raw("ANALYZE request_fact, request_fact_outcome, statistics_stale")
    finally:
        await db_engine.stop(engine)
    return f"{marks:,} changes brought into the kept statistics facts in {time.perf_counter() - began:.1f} s"


async def _statistics_side_by_side(url: str, rounds: int) -> None:
    """The same reports worked out from the start (as before migration 0030, and still after an upgrade until the
    job has caught up) and summed from the kept facts, one after the other in this process, on the same database;
    each pair must be equal."""
    from server.adapters.clock import SystemClock
    from server.db import engine as db_engine
    from server.db import statistics as statistics_q
    from server.domain import statistics as rules
    from server.domain.roles import Grant, Principal, Role
    from server.services.audit import AuditService
    from server.services.statistics import StatisticsService

    engine = db_engine.make_engine(url)
    db_engine.bind(engine)
    await db_engine.start(engine)
    clock = SystemClock()
    service = StatisticsService(clock=clock, engine=engine, audit=AuditService(clock))
    network = Principal(uuid.uuid4(), uuid.uuid4(), "Bench", "fi", frozenset({Grant(Role.NETWORK_COORDINATOR, None)}))
    partner_id = (await statistics_q.HelpRequest.raw("SELECT id FROM organisation ORDER BY name LIMIT 1"))[0]["id"]
    partner = Principal(
        uuid.uuid4(), uuid.uuid4(), "Bench", "fi", frozenset({Grant(Role.PARTNER_COORDINATOR, partner_id)})
    )
    today = datetime.now(UTC).date()
    cases = [
        ("12 weeks by topic, network", network, rules.GroupBy.TOPIC, None),
        ("12 weeks by topic, partner", partner, rules.GroupBy.TOPIC, None),
        ("366 days by week, network", network, rules.GroupBy.WEEK, today - timedelta(days=365)),
    ]
    print("\nstatistics in-process, side by side    from the start    from the kept facts   ratio (medians)")
    try:
        for label, caller, by, first in cases:
            full: list[float] = []
            kept: list[float] = []
            for _ in range(rounds):
                began = time.perf_counter()
                a = await service.report(caller, by, first, None)
                kept.append(time.perf_counter() - began)
                began = time.perf_counter()
                period = rules.period(first, None, today=today)
                rows = await service._requests(caller, *period)  # the path before the kept facts
                b = await asyncio.to_thread(rules.report, rows, by, first=period[0], last=period[1], language="fi")
                full.append(time.perf_counter() - began)
                assert (a.groups, a.total) == (b.groups, b.total), label
            f, k = statistics.median(full) * 1000, statistics.median(kept) * 1000
            print(f"{label:<38} {f:>12.0f} ms {k:>17.0f} ms {f / k:>10.1f}×")
    finally:
        await db_engine.stop(engine)


def _migrate(url: str) -> float:
    began = time.perf_counter()
    subprocess.run([APURI, "migrate"], env=_env(url, 8000), check=True, capture_output=True)  # noqa: S603
    return time.perf_counter() - began


async def seed(url: str, args: argparse.Namespace, now: datetime) -> dict[str, object]:
    conn = await asyncpg.connect(url)
    timings: dict[str, float] = {}

    async def step(name: str, sql: str, *params: object) -> None:
        """Each statement of `sql` with the parameters it uses ($1 … $k of `params`)."""
        began = time.perf_counter()
        for statement in [s for s in sql.split(";\n") if s.strip()]:
            used = sorted({int(p) for p in re.findall(r"\$(\d+)", statement)})
            numbered = re.sub(r"\$(\d+)", lambda m, u=used: f"${u.index(int(m.group(1))) + 1}", statement)
            await conn.execute(numbered, *[params[i - 1] for i in used])
        timings[name] = time.perf_counter() - began

    try:
        await step("organisations", SEED_NETWORK, args.organisations, TOWNS)
        await step("help points", SEED_POINTS, args.help_points, args.organisations, TOWNS)
        await step("opening hours", SEED_HOURS)
        await step("topics", SEED_TOPICS, list(TOPICS))
        await step("residents", SEED_RESIDENTS, args.residents)
        await step("volunteers", SEED_VOLUNTEERS, args.volunteers, list(TOPICS))
        await step("history", SEED_HISTORY, args.requests, args.residents, list(TOPICS), now, args.volunteers)
        coming = min(args.volunteers, args.residents, 3000)
        await step("coming week", SEED_COMING, now, list(TOPICS), coming)
        waiting = min(2500, args.residents // 4)
        await step("waiting requests", SEED_WAITING, now, list(TOPICS), waiting, args.residents - waiting)
        await step("messages and audit", SEED_MESSAGES)
        partner = await conn.fetchval("SELECT id FROM organisation ORDER BY name OFFSET 1 LIMIT 1")
        resident = await conn.fetchval(
            "SELECT resident FROM help_session GROUP BY resident ORDER BY count(*) DESC LIMIT 1"
        )
        volunteer = await conn.fetchval("SELECT id FROM bench_vol WHERE n = 2")
        await step("sign-ins", SIGN_INS, partner, resident, volunteer)
        for table in ("bench_res", "bench_vol", "bench_req"):
            await conn.execute(f"DROP TABLE {table}")
        began = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - began
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("person", "help_request", "help_session", "notification", "audit_event")
        }
        request = await conn.fetchval(
            "SELECT id FROM help_request WHERE state = 'open' AND modality = 'phone' ORDER BY created_at LIMIT 1"
        )
        point = await conn.fetchval("SELECT id FROM help_point ORDER BY name LIMIT 1")
        town = await conn.fetchval("SELECT municipality FROM help_point ORDER BY name LIMIT 1")
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return {"timings": timings, "counts": counts, "request": request, "point": point, "town": town, "size": size}
    finally:
        await conn.close()


async def kept(url: str) -> dict[str, object]:
    """What the reads need of a database seeded earlier (its sign-ins made fresh again: staff ones idle out)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "UPDATE auth_session SET created_at = now(), last_seen_at = now(), expires_at = now() + interval '1 day', "
            "password_verified_at = CASE WHEN password_verified_at IS NOT NULL THEN now() END"
        )
        return {
            "request": await conn.fetchval(
                "SELECT id FROM help_request WHERE state = 'open' AND modality = 'phone' ORDER BY created_at LIMIT 1"
            ),
            "point": await conn.fetchval("SELECT id FROM help_point ORDER BY name LIMIT 1"),
            "town": await conn.fetchval("SELECT municipality FROM help_point ORDER BY name LIMIT 1"),
            "size": await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))"),
        }
    finally:
        await conn.close()


ONLY: list[str] = []  # --only: measure just the reads whose label contains one of these


def reads(found: dict[str, object], today: date) -> list[tuple[str, str, str]]:
    """(who, label, path) of every read measured (those of --only, if given)."""
    return [r for r in _reads(found, today) if not ONLY or any(part in r[1] for part in ONLY)]


def _reads(found: dict[str, object], today: date) -> list[tuple[str, str, str]]:
    fourteen = f"from={today.isoformat()}&to={(today + timedelta(days=13)).isoformat()}"
    twelve_weeks = f"from={(today - timedelta(weeks=12)).isoformat()}&to={today.isoformat()}"
    a_year = f"from={(today - timedelta(days=365)).isoformat()}&to={today.isoformat()}"
    point, request, town = found["point"], found["request"], found["town"]
    return [
        ("anyone", "slots, phone (remote), 14 days", f"/api/v1/slots?topic=online_banking&modality=phone&{fourteen}"),
        (
            "anyone",
            "slots, help point, 14 days",
            f"/api/v1/slots?topic=online_banking&modality=help_point&help_point_id={point}&{fourteen}",
        ),
        ("anyone", "first free times of a topic", "/api/v1/slots/first?topic=online_banking"),
        ("anyone", "help points of a municipality", f"/api/v1/help-points?municipality={town}"),
        ("anyone", "topics", "/api/v1/topics"),
        ("anyone", "group sessions coming", "/api/v1/events"),
        ("anyone", "drop-in hours coming", "/api/v1/drop-in-hours"),
        ("anyone", "catalogue of partners", "/api/v1/catalogue"),
        ("network", "statistics, 12 weeks by topic, network", f"/api/v1/statistics?by=topic&{twelve_weeks}"),
        ("network", "statistics.csv, 12 weeks, network", f"/api/v1/statistics.csv?by=topic&{twelve_weeks}"),
        ("partner", "statistics, 12 weeks, partner", f"/api/v1/statistics?by=topic&{twelve_weeks}"),
        ("network", "statistics, 366 days by week, network", f"/api/v1/statistics?by=week&{a_year}"),
        ("network", "demand-supply, 12 weeks by topic, network", f"/api/v1/statistics/demand-supply?{twelve_weeks}"),
        (
            "partner",
            "demand-supply, 12 weeks by topic, partner",
            f"/api/v1/statistics/demand-supply?{twelve_weeks}",
        ),
        (
            "network",
            "demand-supply, 12 weeks by hour, network",
            f"/api/v1/statistics/demand-supply?by=hour&{twelve_weeks}",
        ),
        (
            "network",
            "chart demand by area, 12 weeks, network",
            f"/api/v1/statistics/charts/demand-area.svg?{twelve_weeks}",
        ),
        (
            "network",
            "chart time to match, 12 weeks, network",
            f"/api/v1/statistics/charts/time-to-match.svg?{twelve_weeks}",
        ),
        ("network", "chart outcomes, 12 weeks, network", f"/api/v1/statistics/charts/outcomes.svg?{twelve_weeks}"),
        ("network", "candidates of an open phone request", f"/api/v1/requests/{request}/candidates"),
        ("network", "queue unmatched, network", "/api/v1/queues/unmatched"),
        ("partner", "queue unmatched, partner", "/api/v1/queues/unmatched"),
        ("partner", "queue routed, partner", "/api/v1/queues/routed"),
        ("network", "queue at-risk, network", "/api/v1/queues/at-risk"),
        ("network", "queue callbacks", "/api/v1/queues/callbacks?state=open"),
        ("network", "inbox", "/api/v1/inbox"),
        ("network", "audit trail", "/api/v1/audit"),
        ("network", "organisations", "/api/v1/organisations"),
        ("network", "group sessions, managed", "/api/v1/events/managed"),
        ("resident", "my sessions", "/api/v1/me/sessions"),
        ("resident", "my requests", "/api/v1/me/requests"),
        ("volunteer", "my sessions (volunteer)", "/api/v1/me/sessions?as=volunteer"),
        ("volunteer", "my offers", "/api/v1/me/offers"),
        ("volunteer", "my drop-in shifts", "/api/v1/me/drop-in-shifts"),
        ("anyone", "health", "/healthz"),
    ]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"{statistics.median(ordered) * 1000:8.1f} / {p95 * 1000:8.1f}"


async def measure(base_url: str, found: dict[str, object], rounds: int, today: date) -> None:
    cookies = {
        "anyone": "",
        "network": "apuri_session=bench-+358409999001",
        "partner": "apuri_session=bench-+358409999002",
        "resident": "apuri_session=bench-resident",
        "volunteer": "apuri_session=bench-volunteer",
    }
    print(f"\n{'read':<42} {'p50 / p95 ms':>19} {'bytes':>9} status")
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        for who, label, path in reads(found, today):
            headers = {"cookie": cookies[who]} if cookies[who] else {}
            samples, size, status = [], 0, 0
            for n in range(3 + rounds):
                began = time.perf_counter()
                response = await client.get(path, headers=headers)
                spent = time.perf_counter() - began
                size, status = len(response.content), response.status_code
                if n >= 3:
                    samples.append(spent)
            print(f"{label:<42} {_ms(samples):>19} {size:>9} {status}")
        await health_while_heavy(client, cookies, found, today)


# The heaviest reads, public and staff: while each runs (three times in a row), /healthz is asked every 25 ms.
HEAVY = (
    "slots, phone (remote), 14 days",
    "catalogue of partners",
    "statistics, 12 weeks by topic, network",
    "statistics.csv, 12 weeks, network",
    "statistics, 366 days by week, network",
    "demand-supply, 12 weeks by topic, network",
    "candidates of an open phone request",
)


async def health_while_heavy(
    client: httpx.AsyncClient, cookies: dict[str, str], found: dict[str, object], today: date
) -> None:
    """Does anything hold up the server? /healthz's answer times while each heavy read runs."""
    print(f"\n{'/healthz while … runs':<42} {'p50 / p95 ms':>19} {'max ms':>9} asked")
    for who, label, path in reads(found, today):
        if label not in HEAVY:
            continue
        headers = {"cookie": cookies[who]} if cookies[who] else {}
        done = asyncio.Event()
        samples: list[float] = []

        async def heavy(path: str = path, headers: dict[str, str] = headers, done: asyncio.Event = done) -> None:
            for _ in range(3):
                await client.get(path, headers=headers)
            done.set()

        async def health(done: asyncio.Event = done, samples: list[float] = samples) -> None:
            await asyncio.sleep(0.01)
            while not done.is_set():
                began = time.perf_counter()
                await client.get("/healthz")
                samples.append(time.perf_counter() - began)
                await asyncio.sleep(0.025)

        await asyncio.gather(heavy(), health())
        print(f"{label:<42} {_ms(samples):>19} {max(samples) * 1000:>9.1f} {len(samples)}")


async def _ready(url: str, args: argparse.Namespace) -> str:
    """The database to measure (with --sqlite, a SQLite copy of the seeded one), its statistics facts kept."""
    if args.sqlite:
        # The same network in SQLite, the embedded default: measured through `apuri serve` on the file.
        print(await _copy_to_sqlite(url, Path(args.sqlite)))
        url = f"sqlite:///{args.sqlite}"
    print(await _keep_statistics(url))
    if not args.only or any("statistics" in o for o in args.only):
        await _statistics_side_by_side(url, min(args.rounds, 7))
    return url


async def main(args: argparse.Namespace) -> None:
    name = args.database or f"apuri_scale_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    if not args.reuse:
        await admin.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    server: subprocess.Popen[bytes] | None = None
    try:
        now = datetime.now(UTC)
        if args.reuse:
            # A database kept by an earlier run (--keep): migrated to the current code, measured again.
            print(f"apuri migrate on the kept database {name}: {_migrate(url):.1f} s")
            found = await kept(url)
        else:
            print(f"apuri migrate on an empty database: {_migrate(url):.1f} s")
            began = time.perf_counter()
            found = await seed(url, args, now)
            timings: dict[str, float] = found["timings"]  # type: ignore[assignment]
            counts: dict[str, int] = found["counts"]  # type: ignore[assignment]
            took = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
            print(f"seeded in {time.perf_counter() - began:.0f} s: {took}")
            print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()), f"; database {found['size']}")
            print(f"apuri migrate on it (nothing to do): {_migrate(url):.1f} s")
        url = await _ready(url, args)
        port = _free_port()
        # The real command, in a process of its own.
        server = subprocess.Popen(  # noqa: ASYNC220, S603
            [APURI, "serve", "--no-scheduler", "--port", str(port)], env=_env(url, port)
        )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=base_url) as client:
            while True:
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("apuri serve did not start")
                await asyncio.sleep(0.3)
        await measure(base_url, found, args.rounds, now.date())
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep and not args.reuse:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"kept the database {name}")
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--help-points", type=int, default=300)
    parser.add_argument("--requests", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--database", help="the name of the database to create (default: a new random one)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure the kept --database again, without seeding")
    parser.add_argument("--sqlite", metavar="FILE", help="measure a copy of the seeded network in this SQLite file")
    parser.add_argument("--only", nargs="+", default=[], help="just the reads whose name contains one of these")
    arguments = parser.parse_args()
    ONLY.extend(arguments.only)
    asyncio.run(main(arguments))
