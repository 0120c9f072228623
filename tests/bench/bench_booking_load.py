"""Benchmark: booking under load on PostgreSQL, over real HTTP, against a bare one-INSERT endpoint as the ceiling.

The app runs in a process of its own (uvicorn on loopback, one worker, as `apuri serve` would; the PostgreSQL
pool as configured, APURI_DB_POOL_SIZE) on a fresh database. N concurrent clients (asyncio tasks in this process,
each with its own httpx.AsyncClient and keep-alive connection, like N browsers) send one request after another,
in alternating windows (booking, bare, bare, booking, ...) so that machine noise hits both alike:

  booking  - POST /api/v1/bookings, each with a different resident's session cookie, the CSRF header and an
             Idempotency-Key, for a free slot at a help point: the whole real path (session lookup, idempotency,
             topic and help point checks, candidates and ranking, the serialised write transaction, audit).
  bare     - POST /bench/bare-insert on the same server: the same JSON body parsed into the same input struct,
             then exactly one INSERT through the same Piccolo engine and pool (public route, so no session; CSRF
             still checked). Registered on the app by this script only: the ceiling for a write request here.

Seeded: a help point per client count (so each starts from an empty calendar), open Mon-Fri 09-16, with its own
volunteers (default 30) available then, weekly caps 2-5 as in the demo network; residents whose sessions are
created directly in the database (sign-in is not what is measured; the cookie is still looked up on every
request). The free slots of --weeks weeks come from GET /api/v1/slots; booking k at a help point takes slot
k mod (number of slots), so concurrent clients book different times. 409s are counted apart.

Also reported: CPU of the server process per request, CPU of this load process, the mean number of the app's
PostgreSQL connections waiting on a lock (sampled every 0.1 s), and a check afterwards that every 201 is a row and
that no volunteer has overlapping sessions or more sessions in a week than their weekly cap.

With `--load wrk` the requests come from wrk (Debian's package; one thread, N keep-alive connections, a Lua script
that gives each booking its own resident, slot and Idempotency-Key) instead of this process: a load generator in C
that takes a few per cent of a core, where httpx takes a good part of one that the server and PostgreSQL then
lack. wrk reports percentiles per window, so its median and p95 are the medians over the windows.

Run:  .venv/bin/python -m tests.bench.bench_booking_load [--clients 1 8 32] [--seconds 12] [--rounds 4] [--load wrk]
Needs PostgreSQL at APURI_TEST_POSTGRES_URL (default postgres@127.0.0.1); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import resource
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
from litestar import post
from litestar.params import JSONBody
from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.table import Table

from server.http.booking_routes import BookingIn
from server.http.security import PUBLIC
from tests.conftest import PG_ADMIN_URL, START, _pg_url

FIRST_DAY = date(2026, 11, 30)  # the Monday after START
BARE_PATH = "/bench/bare-insert"
CSRF = "apuri_csrf"
LOCK_WAITERS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND wait_event_type = 'Lock'"
)


# ---- the bare endpoint (server process) -----------------------------------------------------------------------


class BenchWrite(Table, tablename="bench_write"):
    id = UUID(primary_key=True)
    at = Timestamptz()
    topic = Varchar(length=40)
    starts_at = Timestamptz()


class BareOut(msgspec.Struct):
    id: uuid.UUID


@post(BARE_PATH, opt=PUBLIC, status_code=201, include_in_schema=False)
async def bare_insert(data: JSONBody[BookingIn]) -> BareOut:
    """The ceiling: parse the booking body, one INSERT, answer."""
    row_id = uuid.uuid4()
    await BenchWrite.insert(BenchWrite(id=row_id, at=datetime.now(UTC), topic=data.topic, starts_at=data.starts_at))
    return BareOut(id=row_id)


def bench_app() -> Any:
    """The real app (fixed clock at START, memory SMS) plus the bare route, on the database in BENCH_DATABASE_URL:
    what each server process runs (uvicorn imports this in each of --workers processes)."""
    from server.adapters.clock import FixedClock
    from server.adapters.sms import MemorySms
    from server.app import configure_logging, create_app, tune_gc
    from server.db.engine import make_engine
    from tests.conftest import base_settings

    database_url = os.environ["BENCH_DATABASE_URL"]
    settings = base_settings(database_url, log_level="WARNING")
    tune_gc()
    configure_logging(settings)
    engine = make_engine(database_url)
    app = create_app(settings, clock=FixedClock(START), sms=MemorySms(), engine=engine)
    BenchWrite._meta.db = engine
    app.register(bare_insert)
    return app


def serve(database_url: str, port: int, workers: int) -> None:
    """The server: uvicorn with the app of `bench_app`, in one process or, like `apuri serve --workers N`, in N
    processes behind one port."""
    import uvicorn

    os.environ["BENCH_DATABASE_URL"] = database_url
    if workers == 1:
        uvicorn.run(bench_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    else:
        uvicorn.run(
            "tests.bench.bench_booking_load:bench_app",
            factory=True,
            workers=workers,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )


# ---- seeding (this process, asyncpg) --------------------------------------------------------------------------

VOLUNTEERS = """
WITH people AS (
  INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
  SELECT gen_random_uuid(), 'V' || i, '', '+35850' || lpad(i::text, 7, '0'), 'fi', true, $1
  FROM generate_series($2::int, $3::int) AS i
  RETURNING id, substring(phone from 7)::int AS n
), m AS (
  INSERT INTO membership (id, person, role, organisation, active, created_at)
  SELECT gen_random_uuid(), id, 'volunteer', $4::uuid, true, $1 FROM people
), prof AS (
  INSERT INTO volunteer_profile (person, languages, remote, home_visits, travel_radius_km, weekly_cap,
                                 needs_experience, updated_at)
  SELECT id, '["fi"]'::json, false, false, 0, 2 + n % 4, '[]'::json, $1 FROM people
), t AS (
  INSERT INTO volunteer_topic (id, person, topic, skill) SELECT gen_random_uuid(), id, 'online_banking', 1 + n % 3
  FROM people
), hp AS (
  INSERT INTO volunteer_help_point (id, person, help_point) SELECT gen_random_uuid(), id, $5::uuid FROM people
)
INSERT INTO availability_rule (id, person, weekday, start, "end", remote)
SELECT gen_random_uuid(), id, d, time '09:00', time '16:00', false FROM people, generate_series(0, 4) AS d
"""

# Residents signed in already: a session row per resident whose token is 'bench-resident-<n>'.
RESIDENTS = """
WITH people AS (
  INSERT INTO person (id, first_name, last_name, phone, language, active, created_at)
  SELECT gen_random_uuid(), 'R' || i, '', '+35845' || lpad(i::text, 7, '0'), 'fi', true, $1
  FROM generate_series(1, $2::int) AS i
  RETURNING id, substring(phone from 7)::int AS n
), m AS (
  INSERT INTO membership (id, person, role, organisation, active, created_at)
  SELECT gen_random_uuid(), id, 'resident', NULL, true, $1 FROM people
)
INSERT INTO auth_session (id, token_hash, person, lifetime_class, created_at, last_seen_at, expires_at,
                          password_verified_at, password_failures, revoked_at)
SELECT gen_random_uuid(), encode(sha256(convert_to('bench-resident-' || n, 'UTF8')), 'hex'), id, 'resident',
       $1, $1, $1 + interval '30 days', NULL, 0, NULL
FROM people
"""


async def seed(url: str, levels: int, volunteers: int, residents: int) -> list[uuid.UUID]:
    """Migrate, then seed; returns one help point per client count."""
    from server.db.engine import make_engine, start, stop
    from server.db.migrate import migrate

    engine = make_engine(url)
    await start(engine)
    await migrate(engine)
    await stop(engine)
    conn = await asyncpg.connect(url)
    try:
        org = await conn.fetchval(
            "INSERT INTO organisation (id, name, kind, municipality, active, created_at) "
            "VALUES (gen_random_uuid(), 'Bench', 'library', 'Kuusamo', true, $1) RETURNING id",
            START,
        )
        await conn.execute(
            "INSERT INTO topic (code, names, bring, outcomes, sort_order, active) VALUES "
            """('online_banking', '{"fi": "Pankki", "sv": "Bank", "en": "Bank"}', '{}', '[]', 1, true)"""
        )
        points = []
        for level in range(levels):
            point = await conn.fetchval(
                "INSERT INTO help_point (id, organisation, name, street_address, postal_code, municipality, "
                "accessibility_notes, active, created_at) VALUES (gen_random_uuid(), $1, $2, 'Tie 1', '93600', "
                "'Kuusamo', '', true, $3) RETURNING id",
                org,
                f"Bench point {level + 1}",
                START,
            )
            await conn.execute(
                "INSERT INTO opening_hours (id, help_point, weekday, opens, closes) SELECT gen_random_uuid(), $1, "
                "d, time '09:00', time '16:00' FROM generate_series(0, 4) AS d",
                point,
            )
            first = level * volunteers + 1
            await conn.execute(VOLUNTEERS, START, first, first + volunteers - 1, org, point)
            points.append(point)
        await conn.execute(RESIDENTS, START, residents)
        await conn.execute(
            "CREATE TABLE bench_write (id uuid PRIMARY KEY, at timestamptz NOT NULL, topic varchar(40) NOT NULL, "
            "starts_at timestamptz NOT NULL)"
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return points


CHECK = """
WITH s AS (SELECT * FROM help_session WHERE help_point = $1 AND state = 'scheduled'),
weeks AS (
  SELECT count(*) AS n, max(vp.weekly_cap) AS cap FROM s JOIN volunteer_profile vp ON vp.person = s.volunteer
  GROUP BY s.volunteer, date_trunc('week', s.starts_at AT TIME ZONE 'Europe/Helsinki')
)
SELECT (SELECT count(*) FROM s) AS sessions,
       (SELECT count(*) FROM help_request WHERE help_point = $1 AND state = 'matched') AS requests,
       (SELECT count(DISTINCT volunteer) FROM s) AS volunteers,
       (SELECT count(*) FROM s a JOIN s b ON a.volunteer = b.volunteer AND a.id < b.id
          AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at) AS overlaps,
       (SELECT count(*) FROM weeks WHERE n > cap) AS over_cap,
       (SELECT coalesce(max(n - cap), 0) FROM weeks) AS worst
"""


# ---- the load (this process, httpx) ---------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds of this (load) process
    app_cpu: float = 0.0  # CPU seconds of the server process
    lock_waits: list[int] = field(default_factory=list)  # samples: the app's connections waiting on a lock
    windows: list[tuple[float, float]] = field(default_factory=list)  # wrk: (median, p95) seconds of each window

    def median_p95(self) -> tuple[float, float]:
        if self.windows:
            return (
                statistics.median(w[0] for w in self.windows) * 1000,
                statistics.median(w[1] for w in self.windows) * 1000,
            )
        ordered = sorted(self.latencies)
        return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def per_second(self, status: int | None = None) -> float:
        count = self.requests if status is None else self.statuses[status]
        return count / self.elapsed


@dataclass
class Level:
    """One client count: its help point's slots and a counter that spreads bookings over them."""

    base_url: str
    server_pid: int
    watch: asyncpg.Connection
    csrf: str
    point: uuid.UUID
    slots: list[str]
    residents: itertools.count[int]
    max_resident: int
    next_booking: itertools.count[int] = field(default_factory=itertools.count)
    next_bare: itertools.count[int] = field(default_factory=itertools.count)

    def body(self, k: int) -> dict[str, Any]:
        return {
            "topic": "online_banking",
            "modality": "help_point",
            "help_point_id": str(self.point),
            "starts_at": self.slots[k % len(self.slots)],
            "language": "fi",
        }


async def book_once(client: httpx.AsyncClient, level: Level, tally: Tally) -> bool:
    resident = next(level.residents)
    if resident > level.max_resident:
        return False
    headers = {
        "cookie": f"apuri_session=bench-resident-{resident}; {CSRF}={level.csrf}",
        "x-csrftoken": level.csrf,
        "idempotency-key": uuid.uuid4().hex,
    }
    began = time.perf_counter()
    response = await client.post("/api/v1/bookings", json=level.body(next(level.next_booking)), headers=headers)
    tally.latencies.append(time.perf_counter() - began)
    record(response, tally)
    return True


async def bare_once(client: httpx.AsyncClient, level: Level, tally: Tally) -> bool:
    headers = {"cookie": f"{CSRF}={level.csrf}", "x-csrftoken": level.csrf}
    began = time.perf_counter()
    response = await client.post(BARE_PATH, json=level.body(next(level.next_bare)), headers=headers)
    tally.latencies.append(time.perf_counter() - began)
    record(response, tally)
    return True


def record(response: httpx.Response, tally: Tally) -> None:
    tally.statuses[response.status_code] += 1
    if response.status_code != 201:
        try:
            tally.codes[str(response.json().get("code", response.status_code))] += 1
        except ValueError:
            tally.codes[str(response.status_code)] += 1


async def window(clients: list[httpx.AsyncClient], level: Level, kind: str, seconds: float, tally: Tally) -> None:
    """One task per client, each sending one request after another until the window closes."""
    call = book_once if kind == "booking" else bare_once
    deadline = time.perf_counter() + seconds

    async def one_client(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            if not await call(client, level, tally):
                return

    began, client_cpu, app_cpu = time.perf_counter(), time.process_time(), cpu_seconds(level.server_pid)
    await asyncio.gather(sample_locks(level, deadline, tally), *(one_client(client) for client in clients))
    tally.elapsed += time.perf_counter() - began
    tally.client_cpu += time.process_time() - client_cpu
    tally.app_cpu += cpu_seconds(level.server_pid) - app_cpu


async def sample_locks(level: Level, deadline: float, tally: Tally) -> None:
    while time.perf_counter() < deadline:
        tally.lock_waits.append(await level.watch.fetchval(LOCK_WAITERS))
        await asyncio.sleep(0.1)


# wrk's script: one thread, so one Lua state whose counters every connection shares. The first resident and slot
# index and the slots are filled in per window; `done` prints what the window did.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) k = 0; n201 = 0; n409 = 0; nother = 0 end
local slots = {%(slots)s}
function request()
  local n = %(first)d + k
  local body = string.format(
    '{"topic":"online_banking","modality":"help_point","help_point_id":"%(point)s","starts_at":"%%s","language":"fi"}',
    slots[((%(slot0)d + k) %% #slots) + 1])
  k = k + 1
  local headers = {["content-type"] = "application/json", ["x-csrftoken"] = "%(csrf)s",
                   ["idempotency-key"] = string.format("%(run)s-%%d", n)}
  if %(booking)s then
    headers["cookie"] = string.format("apuri_session=bench-resident-%%d; %(csrf_cookie)s=%(csrf)s", n)
  else
    headers["cookie"] = "%(csrf_cookie)s=%(csrf)s"
  end
  return wrk.format("POST", "%(path)s", headers, body)
end
function response(status, headers, body)
  if status == 201 then n201 = n201 + 1 elseif status == 409 then n409 = n409 + 1 else nother = nother + 1 end
end
function done(summary, latency, requests)
  local t = threads[1]
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", latency:percentile(50), latency:percentile(95),
    t:get("k"), t:get("n201"), t:get("n409"), t:get("nother")))
end
"""


async def wrk_window(clients: int, level: Level, kind: str, seconds: float, tally: Tally) -> None:
    """The window with wrk as the load: `clients` connections, each sending one request after another."""
    booking = kind == "booking"
    counter = level.residents if booking else level.next_bare
    first = next(counter)
    slot0 = next(level.next_booking) if booking else first
    script = WRK_SCRIPT % {
        "slots": ", ".join(f'"{slot}"' for slot in level.slots),
        "first": first,
        "slot0": slot0,
        "point": level.point,
        "csrf": level.csrf,
        "csrf_cookie": CSRF,
        "run": uuid.uuid4().hex[:12],
        "booking": "true" if booking else "false",
        "path": "/api/v1/bookings" if booking else BARE_PATH,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began, app_cpu = time.perf_counter(), cpu_seconds(level.server_pid)
        wrk = await asyncio.create_subprocess_exec(
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{seconds:g}s",
            "--timeout",
            "30s",
            "-s",
            lua.name,
            level.base_url,
            stdout=asyncio.subprocess.PIPE,
        )
        locks = asyncio.create_task(sample_locks(level, time.perf_counter() + seconds, tally))
        out, _ = await wrk.communicate()
        await locks
        tally.elapsed += time.perf_counter() - began
        tally.app_cpu += cpu_seconds(level.server_pid) - app_cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tally.client_cpu += after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    result = next(line for line in out.decode().splitlines() if line.startswith("RESULT "))
    median, p95, sent, created, conflicts, other = (int(v) for v in result.split()[1:])
    tally.windows.append((median / 1e6, p95 / 1e6))
    tally.statuses[201] += created
    tally.statuses[409] += conflicts
    if other:
        tally.statuses[0] += other
        tally.codes["not 201/409"] += other
    # Every request wrk made (answered or still in flight when the window closed) used its resident and slot.
    for _ in range(sent - 1):
        next(counter)
        if booking:
            next(level.next_booking)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children (the web processes of --workers; Linux /proc)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def run_level(
    level: Level, clients: int, seconds: float, rounds: int, warmup: float, load: str = "httpx"
) -> tuple[dict[str, Tally], Counter[str]]:
    """Warm-up, then the alternating windows; returns the measured tallies and all 201s (warm-up included)."""
    created: Counter[str] = Counter()
    async with contextlib.AsyncExitStack() as stack:
        if load == "wrk":

            async def run(kind: str, seconds: float, tally: Tally) -> None:
                await wrk_window(clients, level, kind, seconds, tally)

        else:
            # A client of its own (one keep-alive connection) per simulated user, like a browser each: one shared
            # httpx pool of many connections costs the load generator several times more CPU per request.
            users = [
                await stack.enter_async_context(
                    httpx.AsyncClient(base_url=level.base_url, limits=httpx.Limits(max_connections=1), timeout=120)
                )
                for _ in range(clients)
            ]

            async def run(kind: str, seconds: float, tally: Tally) -> None:
                await window(users, level, kind, seconds, tally)

        for kind in ("booking", "bare"):
            warm = Tally()
            await run(kind, warmup, warm)
            created[kind] += warm.statuses[201]
        tallies = {"booking": Tally(), "bare": Tally()}
        for n in range(rounds):
            # Alternating windows, the order swapped every round (AB BA AB ...), so drift hits both alike.
            for kind in ("booking", "bare") if n % 2 == 0 else ("bare", "booking"):
                await run(kind, seconds / rounds, tallies[kind])
    for kind, tally in tallies.items():
        created[kind] += tally.statuses[201]
    return tallies, created


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until_up(base_url: str, server: asyncio.subprocess.Process) -> str:
    """Poll /healthz until the server answers; returns a CSRF token (valid for every request: it is signed)."""
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url) as client:
        while True:
            if server.returncode is not None:
                raise RuntimeError("the server process exited")
            try:
                response = await client.get("/healthz")
                return response.cookies[CSRF]
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                await asyncio.sleep(0.2)


async def free_slots(base_url: str, point: uuid.UUID, weeks: int) -> list[str]:
    """The help point's free slots for `weeks` weeks from FIRST_DAY, four weeks per search (the API allows 31 days)."""
    found: list[str] = []
    async with httpx.AsyncClient(base_url=base_url) as client:
        for first in range(0, weeks, 4):
            response = await client.get(
                "/api/v1/slots",
                params={
                    "topic": "online_banking",
                    "modality": "help_point",
                    "from": (FIRST_DAY + timedelta(weeks=first)).isoformat(),
                    "to": (FIRST_DAY + timedelta(weeks=min(first + 4, weeks), days=-1)).isoformat(),
                    "language": "fi",
                    "help_point_id": str(point),
                },
            )
            response.raise_for_status()
            found += [s["starts_at"] for s in response.json()]
    return found


def _fmt_codes(tally: Tally) -> str:
    return ", ".join(f"{code}: {count}" for code, count in tally.codes.most_common()) or "-"


async def main(
    clients: list[int],
    seconds: float,
    rounds: int,
    volunteers: int,
    weeks: int,
    residents: int,
    workers: int = 1,
    load: str = "httpx",
) -> None:
    if load == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("--load wrk needs wrk on the PATH (apt-get install wrk)")
    name = f"apuri_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    server: asyncio.subprocess.Process | None = None
    watch: asyncpg.Connection | None = None
    try:
        began = time.perf_counter()
        points = await seed(url, len(clients), volunteers, residents)
        print(
            f"seeded {len(clients)} help points x {volunteers} volunteers, {residents:,} signed-in residents "
            f"in {time.perf_counter() - began:.0f} s"
        )
        port = _free_port()
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bench.bench_booking_load",
            "--serve",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        )
        base_url = f"http://127.0.0.1:{port}"
        csrf = await wait_until_up(base_url, server)
        watch = await asyncpg.connect(url)
        resident_numbers = itertools.count(1)
        warmup = 1.0
        print(
            f"PostgreSQL, uvicorn ({workers} process{'es' if workers > 1 else ''}) on loopback, {seconds:g} s per "
            f"endpoint per client count in {rounds} alternating windows (+{warmup:g} s warm-up each); "
            f"pool APURI_DB_POOL_SIZE={os.environ.get('APURI_DB_POOL_SIZE', '10')}; load from {load}"
        )
        print(
            f"{'clients':>7} {'endpoint':>8} {'req/s':>7} {'201/s':>7} {'median ms':>9} {'p95 ms':>7} "
            f"{'201':>5} {'409':>4} {'other':>5} {'app CPU ms/req':>14} {'load CPU':>8} {'lock waits':>10}  non-201"
        )
        summary = []
        created: Counter[str] = Counter()
        for index, (count, point) in enumerate(zip(clients, points, strict=True)):
            slots = await free_slots(base_url, point, weeks)
            level = Level(base_url, server.pid, watch, csrf, point, slots, resident_numbers, residents)
            tallies, made = await run_level(level, count, seconds, rounds, warmup, load)
            created[f"booking{index}"] += made["booking"]
            created["bare"] += made["bare"]
            for kind, tally in tallies.items():
                median, p95 = tally.median_p95()
                other = sum(tally.statuses.values()) - tally.statuses[201] - tally.statuses[409]
                print(
                    f"{count:>7} {kind:>8} {tally.per_second():>7.1f} {tally.per_second(201):>7.1f} "
                    f"{median:>9.1f} {p95:>7.1f} {tally.statuses[201]:>5} {tally.statuses[409]:>4} {other:>5} "
                    f"{tally.app_cpu / tally.requests * 1000:>14.2f} {tally.client_cpu / tally.elapsed:>8.0%} "
                    f"{statistics.mean(tally.lock_waits):>10.1f}  "
                    f"{_fmt_codes(tally)}"
                )
            booking, bare = tallies["booking"], tallies["bare"]
            summary.append(
                (count, booking.per_second(201) / bare.per_second(201), booking.median_p95(), bare.median_p95())
            )
        print("booking vs bare INSERT: throughput (201/s) as a share of the bare one; latency as a multiple of it")
        print(f"{'clients':>7} {'throughput':>10} {'median':>7} {'p95':>7}")
        for count, ratio, (b_median, b_p95), (i_median, i_p95) in summary:
            print(f"{count:>7} {ratio:>10.1%} {b_median / i_median:>6.1f}x {b_p95 / i_p95:>6.1f}x")
        if next(resident_numbers) - 1 > residents:
            print(f"!! ran out of residents ({residents:,}): raise --residents")
        # Every 201 must be a row (sessions and matched requests; the bare endpoint's rows), and the booking
        # rules must have held: no overlapping sessions of a volunteer, nobody over their weekly cap.
        for index, (count, point) in enumerate(zip(clients, points, strict=True)):
            row = await watch.fetchrow(CHECK, point)
            print(
                f"check, {count} clients: {row['sessions']} scheduled sessions ({created[f'booking{index}']} "
                f"201s incl. warm-up), {row['requests']} matched requests, {row['volunteers']} volunteers booked, "
                f"{row['overlaps']} overlapping pairs, {row['over_cap']} volunteer-weeks over the weekly cap "
                f"(worst: {row['worst']} more than the cap)"
            )
        bare_rows = await watch.fetchval("SELECT count(*) FROM bench_write")
        print(f"check, bare: {bare_rows} rows ({created['bare']} 201s incl. warm-up)")
    finally:
        if watch is not None:
            await watch.close()
        if server is not None and server.returncode is None:
            server.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(server.wait(), timeout=30)
            except TimeoutError:
                server.kill()
                await server.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=12.0, help="per endpoint per client count")
    parser.add_argument("--rounds", type=int, default=4, help="alternating windows the seconds are split into")
    parser.add_argument("--volunteers", type=int, default=30, help="at each help point")
    parser.add_argument("--weeks", type=int, default=12, help="of slots to spread the bookings over")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1, help="server processes behind the port")
    parser.add_argument("--load", choices=["httpx", "wrk"], default="httpx", help="what sends the requests")
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    arguments: Any = parser.parse_args()
    if arguments.serve:
        serve(arguments.serve, arguments.port, arguments.workers)
    else:
        asyncio.run(
            main(
                arguments.clients,
                arguments.seconds,
                arguments.rounds,
                arguments.volunteers,
                arguments.weeks,
                arguments.residents,
                arguments.workers,
                arguments.load,
            )
        )
