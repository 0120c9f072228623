"""Benchmark: matching and slot search on PostgreSQL.

* matching: load the candidates for one request at a help point at a given time and rank them, among 1,000 /
  10,000 / 100,000 volunteers (worst case: every volunteer helps with the topic; a tenth work at the help point).
  Reported separately: the pure ranking (domain only) and the whole path (queries + calendars + ranking).
* slot search: 14 days of slots at a help point with 200 volunteers, through BookingService.slots.

Who is eligible and their weekly hours are kept between requests while nothing they depend on changes
(`matching_version`, see migrations/apuri_0012_matching_version.py), so the whole path is measured twice: as
repeated requests find it ("kept"), and with a volunteer's profile changed before each request (untimed), so
that every request reads them again ("after a change": the first request after any such write).

Each measurement is preceded by `--warmup` unmeasured rounds (default 10), as in a running server: asyncpg
prepares each statement once per connection, and PostgreSQL plans a prepared statement's sixth execution twice
(it weighs a generic plan once), so the first rounds of a fresh process are not what later requests pay.

With `--days-and-shifts`, the last size is measured before and after a year of public holidays and closures at
every help point and drop-in shifts for a tenth of the volunteers are added, each state with the calendar query
as it was (sessions only) and as it is (sessions and drop-in shifts), alternating round by round.

Run:  .venv/bin/python -m tests.bench.bench_matching [--sizes 1000 10000 100000] [--rounds 30] [--warmup 10]
      .venv/bin/python -m tests.bench.bench_matching --sizes 10000 --days-and-shifts
Needs PostgreSQL at APURI_TEST_POSTGRES_URL (default postgres@127.0.0.1); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg

from server.adapters.clock import FixedClock
from server.adapters.push import MemoryPush
from server.adapters.sms import MemorySms
from server.adapters.voice import MemoryVoice
from server.app import create_app, services_of, tune_gc
from server.db import candidates as q
from server.db.engine import bind, make_engine, start, stop
from server.db.migrate import migrate
from server.domain.clocktime import Interval
from server.domain.matching import Modality, Request, rank
from server.services.booking import BookingQuery
from tests.conftest import PG_ADMIN_URL, _pg_url, base_settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
DAY = date(2026, 11, 30)  # a Monday
WHEN = Interval(datetime(2026, 11, 30, 8, tzinfo=UTC), datetime(2026, 11, 30, 8, 45, tzinfo=UTC))

SEED = """
WITH people AS (
  INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
  SELECT gen_random_uuid(), 'V' || i, '', '+35850' || lpad(i::text, 7, '0'), 'fi', true, now()
  FROM generate_series($1::int, $2::int) AS i
  RETURNING id, substring(phone from 7)::int AS n
), m AS (
  INSERT INTO membership (id, person, role, organisation, active, created_at)
  SELECT gen_random_uuid(), id, 'volunteer', $3::uuid, true, now() FROM people
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
  SELECT gen_random_uuid(), id, CASE WHEN n % 10 = 0 THEN $4::uuid ELSE $5::uuid END FROM people
)
INSERT INTO availability_rule (id, person, weekday, start, "end", remote)
SELECT gen_random_uuid(), id, 0, time '09:00', time '15:00', false FROM people
UNION ALL
SELECT gen_random_uuid(), id, 2, time '12:00', time '16:00', false FROM people
"""


async def seed_base(conn: asyncpg.Connection) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    org = await conn.fetchval(
        "INSERT INTO organisation (id, name, kind, municipality, active, created_at) "
        "VALUES (gen_random_uuid(), 'Bench', 'library', 'Kuusamo', true, now()) RETURNING id"
    )
    points = []
    for name in ("Measured point", "Other point"):
        point = await conn.fetchval(
            "INSERT INTO help_point (id, organisation, name, street_address, postal_code, municipality, "
            "accessibility_notes, active, created_at) VALUES (gen_random_uuid(), $1, $2, 'Tie 1', '93600', "
            "'Kuusamo', '', true, now()) RETURNING id",
            org,
            name,
        )
        await conn.execute(
            "INSERT INTO opening_hours (id, help_point, weekday, opens, closes) SELECT gen_random_uuid(), $1, d, "
            "time '09:00', time '16:00' FROM generate_series(0, 4) AS d",
            point,
        )
        points.append(point)
    await conn.execute(
        "INSERT INTO topic (code, names, bring, outcomes, sort_order, active) VALUES "
        """('online_banking', '{"fi": "Pankki", "sv": "Bank", "en": "Bank"}', '{}', '[]', 1, true)"""
    )
    return org, points[0], points[1]


def stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{statistics.median(ordered) * 1000:8.1f} / {p95 * 1000:8.1f}"


# A write that matching depends on (untimed, before each "after a change" round): one volunteer's profile.
TOUCH = "UPDATE volunteer_profile SET updated_at = now() WHERE person = (SELECT person FROM volunteer_profile LIMIT 1)"


async def measure_matching(
    conn: asyncpg.Connection, point: uuid.UUID, rounds: int, warmup: int
) -> tuple[str, str, str, int]:
    request = Request(
        topic="online_banking", language="fi", modality=Modality.HELP_POINT, help_point_id=point, when=WHEN
    )
    samples: dict[bool, list[float]] = {False: [], True: []}
    pure = []
    ranked = 0
    for changed in (False, True):
        for _ in range(warmup + rounds):
            if changed:
                await conn.execute(TOUCH)
            began = time.perf_counter()
            people = await q.candidates(
                topic="online_banking",
                modality=Modality.HELP_POINT,
                help_point_id=point,
                first=DAY,
                last=DAY,
                now=NOW,
            )
            middle = time.perf_counter()
            ranking = rank(request, people)
            ended = time.perf_counter()
            samples[changed].append(ended - began)
            if not changed:
                pure.append(ended - middle)
            ranked = len(ranking.ranked)
    return stats(samples[False][warmup:]), stats(samples[True][warmup:]), stats(pure[warmup:]), ranked


async def _sessions_only(fetch: q.Fetch, ids: str, params: list[object], window: q._SessionWindow) -> q.Rows:
    """The calendar query before drop-in shifts (sessions only): the "before" of `--days-and-shifts`."""
    bounds = [window.since, window.until, window.recent_since, window.now]
    return await fetch(q._SESSIONS + ids, [*bounds, *params])


async def _sessions_and_shifts(fetch: q.Fetch, ids: str, params: list[object], window: q._SessionWindow) -> q.Rows:
    """The calendar query before group-session duties (sessions and drop-in shifts)."""
    bounds = [window.since, window.until, window.recent_since, window.now]
    return await fetch(q._SESSIONS + ids + q._SHIFTS + ids, [*bounds, *params, *bounds, *params])


# A year of the days that differ at every help point: the Finnish public holidays (closed), and a coordinator's
# closure on the first Wednesday of each month and other hours on its Thursday. One drop-in hour a weekday at
# every help point; a tenth of the volunteers on a shift in each of the next four weeks (Tuesday 12-14).
DAYS_SQL = """
INSERT INTO help_point_day (id, help_point, day, state, opens, closes, reason, source, updated_at)
SELECT gen_random_uuid(), hp.id, d.day, d.state, d.opens, d.closes, '{"fi": "Suljettu"}', d.source, now()
FROM help_point hp CROSS JOIN (
  SELECT unnest($1::date[]) AS day, 'closed' AS state, NULL::time AS opens, NULL::time AS closes, 'holiday' AS source
  UNION ALL
  SELECT m::date + ((10 - extract(isodow FROM m)::int) % 7), 'closed', NULL, NULL, 'coordinator'
  FROM generate_series(date '2026-12-01', date '2027-11-01', interval '1 month') AS m
  UNION ALL
  SELECT m::date + ((11 - extract(isodow FROM m)::int) % 7), 'hours', time '12:00', time '15:00', 'coordinator'
  FROM generate_series(date '2026-12-01', date '2027-11-01', interval '1 month') AS m
) AS d
ON CONFLICT DO NOTHING
"""
HOURS_SQL = """
INSERT INTO drop_in_hour (id, help_point, weekday, starts, ends, topics, languages, minutes_per_visitor,
                          volunteers_needed, active, created_at)
SELECT gen_random_uuid(), hp.id, w, time '12:00', time '14:00', '[]', '["fi"]', 30, 10, true, now()
FROM help_point hp CROSS JOIN generate_series(0, 4) AS w
"""
# A group session at the measured help point every Thursday of the next four weeks (12-14), staffed by another
# tenth of the volunteers: 4,000 duties more in the calendars.
DUTIES_SQL = """
WITH events AS (
  INSERT INTO group_event (id, organisation, help_point, title, starts_at, ends_at, capacity, volunteers_needed,
                           state, created_at)
  SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'Digikahvila', d + time '10:00', d + time '12:00', 20, 2000,
         'scheduled', now()
  FROM generate_series(timestamp '2026-11-26', timestamp '2026-12-17', interval '7 days') AS d
  RETURNING id, starts_at, ends_at
)
INSERT INTO event_duty (id, event, volunteer, starts_at, ends_at, taken_at)
SELECT gen_random_uuid(), e.id, v.person, e.starts_at, e.ends_at, now()
FROM (SELECT person, row_number() OVER () AS n FROM volunteer_help_point) AS v CROSS JOIN events AS e
WHERE v.n % 10 = 5
"""
SHIFTS_SQL = """
INSERT INTO drop_in_shift (id, drop_in_hour, day, volunteer, starts_at, ends_at, taken_at)
SELECT gen_random_uuid(), h.id, d::date, v.person, d + time '10:00', d + time '12:00', now()
FROM (SELECT person, row_number() OVER () AS n FROM volunteer_help_point) AS v
JOIN LATERAL (SELECT id FROM drop_in_hour WHERE weekday = 1 ORDER BY id LIMIT 1) AS h ON true
CROSS JOIN generate_series(timestamp '2026-11-24', timestamp '2026-12-15', interval '7 days') AS d
WHERE v.n % 10 = 0
"""


async def measure_days_and_shifts(
    conn: asyncpg.Connection,
    org: uuid.UUID,
    point: uuid.UUID,
    service: object,
    slots_point: uuid.UUID,
    rounds: int,
    warmup: int,
) -> None:
    from server.domain.days import finnish_holidays

    async def one_state(
        label: str, before: object = _sessions_only, names: tuple[str, str] = ("sessions only", "with shifts")
    ) -> None:
        request_args = {
            "topic": "online_banking",
            "modality": Modality.HELP_POINT,
            "help_point_id": point,
            "first": DAY,
            "last": DAY,
            "now": NOW,
        }
        query = BookingQuery("online_banking", "fi", Modality.HELP_POINT, slots_point)
        new_calendar = q._calendar_rows
        samples: dict[str, dict[str, list[float]]] = {
            k: {"before": [], "after": []} for k in ("kept", "changed", "slots")
        }
        for n in range(warmup + rounds):
            for version in ("before", "after") if n % 2 else ("after", "before"):
                q._calendar_rows = before if version == "before" else new_calendar  # type: ignore[assignment]
                try:
                    began = time.perf_counter()
                    await q.candidates(**request_args)  # type: ignore[arg-type]
                    kept = time.perf_counter() - began
                    began = time.perf_counter()
                    await service.slots(query, DAY, DAY + timedelta(days=13))  # type: ignore[attr-defined]
                    slots = time.perf_counter() - began
                    await conn.execute(TOUCH)
                    began = time.perf_counter()
                    await q.candidates(**request_args)  # type: ignore[arg-type]
                    changed = time.perf_counter() - began
                    await service.slots(query, DAY, DAY + timedelta(days=13))  # type: ignore[attr-defined]
                finally:
                    q._calendar_rows = new_calendar  # type: ignore[assignment]
                if n >= warmup:
                    samples["kept"][version].append(kept)
                    samples["changed"][version].append(changed)
                    samples["slots"][version].append(slots)
        for kind, title in (("kept", "matching, kept"), ("changed", "after a change"), ("slots", "slot search, kept")):
            print(
                f"{label:<34} {title:<16} {names[0]} {stats(samples[kind]['before'])}"
                f"   {names[1]} {stats(samples[kind]['after'])}"
            )

    print("\nholidays, closures and drop-in shifts: ms median / p95, the calendar query before and after, alternating")
    await one_state("no days off, no shifts")
    holidays = [d for d, _ in finnish_holidays(date(2026, 11, 23), date(2027, 12, 31))]
    await conn.execute(DAYS_SQL, holidays)
    await conn.execute(HOURS_SQL)
    await conn.execute(SHIFTS_SQL)
    await conn.execute("ANALYZE")
    days = await conn.fetchval("SELECT count(*) FROM help_point_day")
    shifts = await conn.fetchval("SELECT count(*) FROM drop_in_shift")
    print(
        f"(added {days} days off or with other hours at {await conn.fetchval('SELECT count(*) FROM help_point')} "
        f"help points, {shifts} drop-in shifts)"
    )
    await one_state("a year of days off, shifts")
    await conn.execute(DUTIES_SQL, org, point)
    await conn.execute("ANALYZE")
    duties = await conn.fetchval("SELECT count(*) FROM event_duty")
    print(f"(added {duties} group-session duties)")
    await one_state("and group-session duties", _sessions_and_shifts, ("sessions and shifts", "and duties (as now)"))


async def main(sizes: list[int], rounds: int, warmup: int, days_and_shifts: bool = False) -> None:
    tune_gc()  # as `apuri serve` does
    name = f"apuri_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(_pg_url(name))
    try:
        await start(engine)
        await migrate(engine)
        bind(engine)
        conn = await asyncpg.connect(_pg_url(name))
        org, point, other = await seed_base(conn)
        print(
            "matching on PostgreSQL: one request at a help point, ms median / p95 "
            f"({rounds} rounds after {warmup} unmeasured; every volunteer has the topic, 1 in 10 works at the point)"
        )
        print(f"{'volunteers':>11} {'whole path, kept':>19} {'after a change':>19} {'ranking only':>19} {'ranked':>7}")
        seeded = 0
        for size in sizes:
            began = time.perf_counter()
            await conn.execute(SEED, seeded + 1, size, org, point, other)
            await conn.execute("ANALYZE")
            seeded = size
            whole, changed, pure, ranked = await measure_matching(conn, point, rounds, warmup)
            print(
                f"{size:>11,} {whole:>19} {changed:>19} {pure:>19} {ranked:>7}"
                f"   (seeded in {time.perf_counter() - began:.0f} s)"
            )
        # Slot search: a fresh help point with 200 volunteers, 14 days.
        slots_point = await conn.fetchval(
            "INSERT INTO help_point (id, organisation, name, street_address, postal_code, municipality, "
            "accessibility_notes, active, created_at) VALUES (gen_random_uuid(), $1, 'Slots', 'Tie 2', '93600', "
            "'Kuusamo', '', true, now()) RETURNING id",
            org,
        )
        await conn.execute(
            "INSERT INTO opening_hours (id, help_point, weekday, opens, closes) SELECT gen_random_uuid(), $1, d, "
            "time '09:00', time '16:00' FROM generate_series(0, 4) AS d",
            slots_point,
        )
        await conn.execute(
            "UPDATE volunteer_help_point SET help_point = $1 WHERE person IN "
            "(SELECT person FROM volunteer_help_point WHERE help_point = $2 LIMIT 200)",
            slots_point,
            point,
        )
        await conn.close()
        app = create_app(
            base_settings(_pg_url(name)),
            clock=FixedClock(NOW),
            sms=MemorySms(),
            push=MemoryPush(),
            voice=MemoryVoice(),
            engine=engine,
        )
        service = services_of(app).booking
        query = BookingQuery("online_banking", "fi", Modality.HELP_POINT, slots_point)
        samples, found = [], 0
        for _ in range(warmup + rounds):
            began = time.perf_counter()
            found = len(await service.slots(query, DAY, DAY + timedelta(days=13)))
            samples.append(time.perf_counter() - began)
        print(
            f"slot search, 14 days, help point with 200 volunteers: {stats(samples[warmup:])} ms median / p95, "
            f"{found} slots (with {seeded:,} volunteers in the network)"
        )
        if days_and_shifts:
            conn = await asyncpg.connect(_pg_url(name))
            try:
                await measure_days_and_shifts(conn, org, point, service, slots_point, rounds, warmup)
            finally:
                await conn.close()
    finally:
        await stop(engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--days-and-shifts", action="store_true")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sizes, arguments.rounds, arguments.warmup, arguments.days_and_shifts))
