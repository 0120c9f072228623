"""Benchmark: the notification dispatcher, through the real adapters, on PostgreSQL (SQLite alongside).

* SMS: N due SMS rows (default 10,000) sent by one Dispatcher with the default batch (100), concurrency (20, or
  --concurrency) and lease (120 s) through the real TwilioSms adapter (the SDK's async client) to the loopback
  Twilio (tests/fakes/twilio_service.py; it answers at once unless --twilio-latency-ms).
* push: N due push rows for --people people (default 1,000, one browser subscription each, saved with
  `save_subscription`) through the real WebPush adapter (pywebpush: VAPID signature and aes128gcm encryption per
  message) to the loopback push service (tests/fakes/push_service.py, which verifies and decrypts each one).
* SMS with hangs (--hang-percent 1): the same SMS run, but every 100th request to the loopback Twilio hangs
  without taking the message until the client gives up (10 s); those rows wait for their retry. Compared with the
  plain SMS run by the rate Twilio took messages (`taken/s`: first to last message of the run), side by side in
  each round, and as medians and a ratio at the end.
* idle tick: `run_due()` when nothing is due, --idle-ticks times; the statements one idle tick sends; the
  EXPLAIN (ANALYZE) of the claim query (PostgreSQL) and the query plan of its selection (SQLite).

The dispatcher runs in a process of its own (this script with --child), as the scheduler would run it, so that
its peak RSS and CPU are its own; the fakes and the seeding run in this process. Reported per run: messages/s
(first claim to the end of the last send), messages Twilio took per second, CPU of the dispatcher process per
message, its RSS before it starts and at its peak. Every run is checked: each message reached the fake exactly
once and every row ended `sent`.
Runs alternate (PostgreSQL SMS, PostgreSQL push, SQLite SMS, ... per round) so machine noise hits all alike.
Rows are kind `reminder_24h` with quiet hours switched off (the dispatcher runs on the real clock). --profile
runs the first round under cProfile (the sending loop only) and prints where the dispatcher's time went.

Run:  .venv/bin/python -m tests.bench.bench_dispatch [--messages 10000] [--people 1000] [--rounds 2]
      [--idle-ticks 500] [--twilio-latency-ms 0] [--concurrency 20] [--channels sms push] [--no-sqlite]
      [--hang-percent 1] [--profile]
Needs PostgreSQL at APURI_TEST_POSTGRES_URL (default postgres@127.0.0.1); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clocktime
from typing import Any

import asyncpg

from server.adapters.push import generate_vapid_keys
from server.db import outbox, push_subscriptions
from server.db.engine import AnyEngine, bind, make_engine, start, stop
from server.db.migrate import migrate
from server.db.tables import Notification, Person
from server.services.notifications import push_body
from server.settings import Settings
from tests.conftest import PG_ADMIN_URL, _pg_url
from tests.fakes.push_service import PushService
from tests.fakes.twilio_service import SID, TOKEN, TwilioService

SUBJECT = "mailto:digituki@example.fi"

# ---- the dispatcher process -----------------------------------------------------------------------------------


def child_settings(database_url: str, twilio_url: str, vapid_public: str, vapid_private: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        sms_backend="twilio",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from_number="+358401234000",
        twilio_api_base=twilio_url,
        push_backend="webpush",
        vapid_public_key=vapid_public,
        vapid_private_key=vapid_private,
        vapid_subject=SUBJECT,
        quiet_hours_start=clocktime(0, 0),  # the same start and end: no quiet hours
        quiet_hours_end=clocktime(0, 0),
        dispatch_concurrency=int(os.environ.get("BENCH_CONCURRENCY") or Settings().dispatch_concurrency),
    )


def rss_kb(field: str = "VmRSS") -> int:
    """This process's resident set (VmRSS), or its peak so far (VmHWM). Not getrusage's ru_maxrss: Linux carries
    that over from the parent across fork and exec, so a child would report the benchmark process's peak."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(f"{field}:"))


async def child(mode: str, database_url: str, twilio_url: str, vapid_public: str, vapid_private: str) -> None:
    """Send everything that is due (mode sms/push), or time idle ticks (mode idle:N); print one JSON line. With
    BENCH_PROFILE set to a file name, sending runs under cProfile (the loop only, not start-up) and the stats are
    written there."""
    from server.adapters.clock import SystemClock
    from server.adapters.push import WebPush
    from server.adapters.sms import TwilioSms
    from server.adapters.voice import MemoryVoice
    from server.services.dispatch import Dispatcher

    settings = child_settings(database_url, twilio_url, vapid_public, vapid_private)
    engine = make_engine(database_url)
    await start(engine)
    bind(engine)
    sms, push = TwilioSms(settings), WebPush(settings)
    voice = MemoryVoice()  # no reminder calls in this benchmark
    dispatcher = Dispatcher(settings=settings, clock=SystemClock(), engine=engine, sms=sms, push=push, voice=voice)
    try:
        out = await (idle_ticks(dispatcher, int(mode.split(":")[1])) if mode.startswith("idle") else drain(dispatcher))
    finally:
        await sms.aclose()
        await push.aclose()
        await stop(engine)
    out["rss_peak_kb"] = rss_kb("VmHWM")
    print(json.dumps(out))


async def drain(dispatcher: Any) -> dict[str, Any]:
    """Send until a run finds nothing due (rows that failed wait for their retry time: not counted here)."""
    import cProfile

    rss_before = rss_kb()
    totals = {"claimed": 0, "sent": 0, "retried": 0, "failed": 0, "skipped": 0}
    profile_to = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile_to else None
    if profiler is not None:
        profiler.enable()
    cpu, began = time.process_time(), time.perf_counter()
    while True:
        result = await dispatcher.run_due(budget=timedelta(hours=1))
        if not result.claimed:
            break
        for key in totals:
            totals[key] += getattr(result, key)
    elapsed = time.perf_counter() - began
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile_to)
    return {**totals, "elapsed": elapsed, "cpu": time.process_time() - cpu, "rss_kb": rss_before}


async def idle_ticks(dispatcher: Any, ticks: int) -> dict[str, Any]:
    for _ in range(20):  # the pool's connections opened, statements prepared
        await dispatcher.run_due()
    times = []
    for _ in range(ticks):
        t0 = time.perf_counter()
        assert (await dispatcher.run_due()).claimed == 0
        times.append(time.perf_counter() - t0)
    statements: list[str] = []
    with Recording(statements):
        await dispatcher.run_due()
    return {"ticks": times, "statements": statements, "rss_kb": rss_kb()}


class Recording:
    """Record the SQL the database drivers are handed (asyncpg and aiosqlite), BEGIN and COMMIT included."""

    def __init__(self, into: list[str]) -> None:
        import aiosqlite

        self.into = into
        self.patched = [
            (asyncpg.connection.Connection, "execute"),
            (asyncpg.connection.Connection, "_execute"),
            (aiosqlite.Connection, "execute"),
        ]
        self.originals = [getattr(cls, name) for cls, name in self.patched]

    def __enter__(self) -> None:
        for (cls, name), original in zip(self.patched, self.originals, strict=True):
            setattr(cls, name, self._wrap(original))

    def __exit__(self, *exc: object) -> None:
        for (cls, name), original in zip(self.patched, self.originals, strict=True):
            setattr(cls, name, original)

    def _wrap(self, original: Any) -> Any:
        def wrapper(connection: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if not (original.__name__ == "execute" and args and isinstance(connection, asyncpg.Connection)):
                self.into.append(" ".join(str(query).split()))  # asyncpg's execute with arguments calls _execute
            return original(connection, query, *args, **kwargs)

        return wrapper


# ---- seeding and checking (this process) ----------------------------------------------------------------------


async def seed_people(push: PushService, people: int, vapid_public: str, now: datetime) -> list[tuple[uuid.UUID, str]]:
    found = []
    for i in range(people):
        person_id, phone = uuid.uuid4(), f"+35850{i:07d}"
        await Person.insert(Person(id=person_id, first_name=f"P{i}", phone=phone, created_at=now))
        target = push.subscribe(application_server_key=vapid_public)
        await push_subscriptions.save_subscription(
            person_id=person_id, endpoint=target.endpoint, p256dh=target.p256dh, auth=target.auth, now=now
        )
        found.append((person_id, phone))
    return found


async def seed_due(channel: str, run: str, count: int, people: list[tuple[uuid.UUID, str]], now: datetime) -> set[str]:
    """`count` due rows of `channel`, with bodies unique to this run (the fakes count them)."""
    texts = [f"{run} {i}: digituki huomenna klo 10, Kirjasto 2. krs" for i in range(count)]
    drafts = []
    for i, text in enumerate(texts):
        person_id, phone = people[i % len(people)] if channel == "push" else (None, f"+35840{i:07d}")
        body = push_body(text, url="/#/sessions", tag=f"s-{i}") if channel == "push" else text
        drafts.append(
            outbox.Draft(
                key=f"{run}:{i}",
                kind="reminder_24h",
                channel=channel,
                body=body,
                due_at=now,
                not_after=now + timedelta(days=1),
                person_id=person_id,
                phone=phone,
            )
        )
    for first in range(0, count, 1000):
        await outbox.insert(drafts[first : first + 1000], now)
    return set(texts)


async def check(run: str, texts: set[str], delivered: list[str], *, hung: int = 0) -> str:
    """Each text delivered exactly once and every row of the run `sent` (with `hung`: all but that many, which
    wait for their retry); returns '' or what is wrong."""
    mine = [t for t in delivered if t.startswith(f"{run} ")]
    states = Counter(
        r["state"] for r in await Notification.select(Notification.state).where(Notification.key.like(f"{run}:%"))
    )
    problems = []
    if len(mine) != len(set(mine)) or not set(mine) <= texts or len(mine) != states["sent"]:
        problems.append(f"{len(mine)} deliveries of {len(set(mine))} distinct texts for {states['sent']} sent rows")
    waiting = states["scheduled"]  # hung requests wait for their retry (some were retried within the run)
    if waiting > hung or states["sent"] + waiting != len(texts):
        problems.append(f"row states {dict(states)}")
    return "; ".join(problems) or (f"ok: each once; {waiting} wait for a retry" if hung else "")


def acceptance_rate(twilio: TwilioService, run: str) -> float:
    """Messages Twilio took per second, from the first of the run until it had taken 90 % of them: the retries of
    hung requests (which wait 15-30 s by design) come after that and would stretch a first-to-last measure."""
    times = sorted(m.at for m in twilio.messages if m.body.startswith(f"{run} "))
    last = int(len(times) * 0.9) - 1
    return last / (times[last] - times[0]) if last > 0 else 0.0


async def run_child(
    mode: str, database_url: str, twilio: TwilioService, keys: tuple[str, str], *, profile: str, concurrency: int
) -> Any:
    """Run the dispatcher process (with `profile`, a file name, under cProfile) and return what it measured."""
    command = ["-m", "tests.bench.bench_dispatch", "--child", mode, database_url, twilio.base_url, *keys]
    env = {**os.environ, "BENCH_PROFILE": profile, "BENCH_CONCURRENCY": str(concurrency)}
    process = await asyncio.create_subprocess_exec(sys.executable, *command, stdout=asyncio.subprocess.PIPE, env=env)
    stdout, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the dispatcher process failed ({process.returncode})")
    return json.loads(stdout.decode().strip().splitlines()[-1])


AREAS = {  # a function's own time goes to the first area whose key is in its file (or built-in's) name
    "select.epoll": "waiting in epoll (the loop had nothing to run)",
    "piccolo/": "Piccolo (query building, results)",
    "asyncpg/": "asyncpg",
    "aiosqlite/": "aiosqlite",
    "twilio/": "Twilio SDK",
    "aiohttp/": "aiohttp, yarl, multidict",
    "yarl/": "aiohttp, yarl, multidict",
    "multidict/": "aiohttp, yarl, multidict",
    "pywebpush/": "pywebpush, py_vapid, http_ece, cryptography",
    "py_vapid/": "pywebpush, py_vapid, http_ece, cryptography",
    "http_ece/": "pywebpush, py_vapid, http_ece, cryptography",
    "cryptography": "pywebpush, py_vapid, http_ece, cryptography",
    "ec.": "pywebpush, py_vapid, http_ece, cryptography",
    "/server/": "server/ (dispatcher, queries, adapters)",
    "asyncio/": "asyncio",
    "_contextvars": "asyncio",
    "socket": "socket send/recv",
}
PATHS = {  # what each step costs, all it calls included (coroutines: only while running, not while suspended)
    ("server/adapters/sms.py", "send"): "TwilioSms.send",
    ("server/adapters/push.py", "send"): "WebPush.send",
    ("server/db/outbox.py", "finish"): "outbox.finish (mark the row)",
    ("server/db/outbox.py", "claim"): "outbox.claim (claim + read the batch)",
    ("server/db/outbox.py", "recipients"): "outbox.recipients",
    ("server/db/push_subscriptions.py", "subscriptions_of"): "push_subscriptions.subscriptions_of",
    ("server/db/push_subscriptions.py", "push_worked"): "push_subscriptions.push_worked",
}


def print_profile(path: str) -> None:
    import pstats

    stats: Any = pstats.Stats(path)
    by_area: dict[str, float] = {}
    paths: dict[str, float] = {}
    total = 0.0
    for (file, _, function), (_, _, own, cumulative, _) in stats.stats.items():
        area = next((name for key, name in AREAS.items() if key in f"{file} {function}"), "other (stdlib, builtins)")
        by_area[area] = by_area.get(area, 0.0) + own
        total += own
        step = next((name for (f, fn), name in PATHS.items() if file.endswith(f) and function == fn), None)
        if step is not None:
            paths[step] = paths.get(step, 0.0) + cumulative
    print(f"  cProfile of the sending loop: {total:.1f} s, own time by area:")
    for area, seconds in sorted(by_area.items(), key=lambda item: -item[1]):
        print(f"    {seconds / total:>5.0%}  {area}")
    print("  and by step (cumulative; steps overlap nothing but themselves):")
    for step, seconds in sorted(paths.items(), key=lambda item: -item[1]):
        print(f"    {seconds / total:>5.0%}  {step}")


def ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


async def explain_postgres(url: str) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the claim, rolled back: as the runs left the table, then after a VACUUM (which
    autovacuum would do in time) has removed the index entries of rows that left `scheduled`/`sending`."""
    sql = outbox._CLAIM_POSTGRES
    for n in range(1, 6):
        sql = sql.replace("{}", f"${n}", 1)
    conn = await asyncpg.connect(url)
    lines: list[str] = []
    try:
        for vacuumed in (False, True):
            if vacuumed:
                await conn.execute("VACUUM notification")
                lines.append("after VACUUM notification:")
            now = datetime.now(UTC)
            transaction = conn.transaction()
            await transaction.start()
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", "explain", now, now, now, 100)
            await transaction.rollback()
            plan = [r[0] for r in rows]
            lines += plan if not vacuumed else [line for line in plan if "Buffers" in line or "Time" in line][:1]
            lines += [line for line in plan if line.startswith("Execution Time")] if vacuumed else []
    finally:
        await conn.close()
    return lines


async def explain_sqlite(engine: AnyEngine) -> list[str]:
    select = outbox._CLAIM_SQLITE.split("WHERE id IN (", 1)[1].rsplit(")", 1)[0]
    rows = await Notification.raw(f"EXPLAIN QUERY PLAN {select}", datetime.now(UTC), 100)
    return [str(r.get("detail")) for r in rows]


async def main(args: argparse.Namespace) -> None:
    name = f"apuri_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    folder = tempfile.mkdtemp(prefix="apuri-bench-")
    databases = {"PostgreSQL": _pg_url(name)}
    if args.sqlite:
        databases["SQLite"] = f"sqlite:///{folder}/bench.sqlite3"
    engines: dict[str, AnyEngine] = {}
    keys = generate_vapid_keys()
    now = datetime.now(UTC)
    try:
        async with TwilioService(latency=args.twilio_latency_ms / 1000) as twilio, PushService() as push:
            people: dict[str, list[tuple[uuid.UUID, str]]] = {}
            for label, url in databases.items():
                engines[label] = engine = make_engine(url)
                await start(engine)
                await migrate(engine)
                people[label] = await seed_people(push, args.people, keys[0], now)
            print(
                f"{args.messages:,} messages per run, {args.people:,} people with a push subscription each; "
                f"dispatcher defaults (batch 100, lease 120 s), concurrency {args.concurrency}; loopback Twilio "
                f"latency {args.twilio_latency_ms:g} ms"
            )
            print(
                f"{'database':>10} {'channel':>9} {'msg/s':>7} {'taken/s':>7} {'CPU ms/msg':>10} {'fakes CPU':>9} "
                f"{'RSS start MB':>12} {'RSS peak MB':>11}  check"
            )
            channels = list(args.channels) + (["sms-hang"] if args.hang_percent else [])
            runs = [(label, ch) for label in databases for ch in channels if label == "PostgreSQL" or ch != "push"]
            rates: dict[tuple[str, str], list[float]] = {}
            for round_ in range(args.rounds):
                for label, channel in runs:
                    bind(engines[label])
                    run = f"r{round_}-{label[:2]}-{channel}"
                    texts = await seed_due(channel.split("-")[0], run, args.messages, people[label], now)
                    twilio.hang_one_in = round(100 / args.hang_percent) if channel == "sms-hang" else 0
                    hung_before = twilio.hung
                    cpu = time.process_time()
                    profile = f"{folder}/{run}.prof" if args.profile and round_ == 0 else ""
                    out = await run_child(
                        channel.split("-")[0],
                        databases[label],
                        twilio,
                        keys,
                        profile=profile,
                        concurrency=args.concurrency,
                    )
                    fakes_cpu = (time.process_time() - cpu) / out["elapsed"]
                    delivered = (
                        [m.body for m in twilio.messages]
                        if channel != "push"
                        else [d.payload["body"] for d in push.received]
                    )
                    problems = await check(run, texts, delivered, hung=twilio.hung - hung_before)
                    taken = acceptance_rate(twilio, run) if channel != "push" else 0.0
                    rates.setdefault((label, channel), []).append(taken)
                    print(
                        f"{label:>10} {channel:>9} {out['sent'] / out['elapsed']:>7.0f} {taken:>7.0f} "
                        f"{out['cpu'] / out['sent'] * 1000:>10.2f} {fakes_cpu:>9.0%} {out['rss_kb'] / 1024:>12.0f} "
                        f"{out['rss_peak_kb'] / 1024:>11.0f}  {problems or 'ok: each once, all sent'}"
                    )
                    if profile:
                        print_profile(profile)
            twilio.hang_one_in = 0
            twilio.release()  # hung requests end (their clients gave up long ago)
            if args.hang_percent:
                share = f"{args.hang_percent:g} %"
                print(f"\nSMS taken per second, median of {args.rounds} rounds, without and with {share} of")
                print("requests hanging until the client gives up (10 s), and the ratio:")
                for label in databases:
                    plain = statistics.median(rates[(label, "sms")])
                    hanging = statistics.median(rates[(label, "sms-hang")])
                    pairs = [h / p for p, h in zip(rates[(label, "sms")], rates[(label, "sms-hang")], strict=True)]
                    print(
                        f"  {label}: {plain:.0f} and {hanging:.0f} SMS/s: {hanging / plain:.0%} "
                        f"(per round: {', '.join(f'{r:.0%}' for r in pairs)})"
                    )
            for label, url in databases.items():
                bind(engines[label])
                # Rows of hung requests still wait for their retry: not part of an idle tick.
                await Notification.update({Notification.state: "cancelled"}).where(
                    Notification.state.is_in(["scheduled", "sending"])
                )
                await Notification.raw("ANALYZE notification" if label == "PostgreSQL" else "ANALYZE")
                out = await run_child(
                    f"idle:{args.idle_ticks}", url, twilio, keys, profile="", concurrency=args.concurrency
                )
                median, p95 = ms(out["ticks"])
                rows = await Notification.count()
                print(
                    f"\n{label}: idle tick (nothing due, {rows:,} rows in the table) over {args.idle_ticks} ticks: "
                    f"median {median:.2f} ms, p95 {p95:.2f} ms; the statements of one tick:"
                )
                for statement in out["statements"]:
                    print(f"    {statement[:150]}")
                plan = await (explain_postgres(url) if label == "PostgreSQL" else explain_sqlite(engines[label]))
                print(
                    f"  plan of the claim ({'EXPLAIN ANALYZE, rolled back' if label == 'PostgreSQL' else 'selection'}):"
                )
                for line in plan:
                    print(f"    {line}")
    finally:
        for engine in engines.values():
            await stop(engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        asyncio.run(child(*sys.argv[2:7]))
        raise SystemExit
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000, help="per run")
    parser.add_argument("--people", type=int, default=1_000, help="with one push subscription each")
    parser.add_argument("--rounds", type=int, default=2, help="of alternating runs")
    parser.add_argument("--idle-ticks", type=int, default=500)
    parser.add_argument("--twilio-latency-ms", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=Settings().dispatch_concurrency, help="of sends")
    parser.add_argument("--channels", nargs="+", choices=["sms", "push"], default=["sms", "push"])
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    parser.add_argument("--profile", action="store_true", help="cProfile the first round's runs (slower)")
    parser.add_argument(
        "--hang-percent", type=float, default=0.0, help="also run SMS with this share of requests hanging"
    )
    asyncio.run(main(parser.parse_args()))
