"""SIGTERM to the real `apuri worker` in the middle of sending, ten times, as every deploy does (issue: stopping the
worker loses nothing and duplicates nothing).

On SIGTERM the worker stops claiming, gives back the rows it had claimed but not started, lets the sends in flight
finish (each gives up after 10 s) and records them, and exits 0. So right after each stop no row is left
`sending`; at the end every message went out exactly once.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.db.engine import AnyEngine, bind, make_engine, start, stop
from server.db.tables import Notification
from tests.fakes.twilio_service import SID, TOKEN, TwilioService
from tests.integration.test_dispatch_crash import seed_due_sms, states

APURI = Path(sys.executable).parent / "apuri"
SEED = 20261206
STOPS = 10
# `make test` sends 2,000 (enough for ten stops in the middle of sending); APURI_STOP_FULL=1 the earlier 4,000.
MESSAGES = 4_000 if os.environ.get("APURI_STOP_FULL") else 2_000
STOP_SECONDS = 20


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AnyEngine]:
    engine = make_engine(database_url)
    await start(engine)
    bind(engine)
    yield engine
    await stop(engine)


def worker_environment(database_url: str, twilio: TwilioService) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("APURI_")}
    return {
        **keep,
        "APURI_ENVIRONMENT": "test",
        "APURI_DATABASE_URL": database_url,
        "APURI_TWILIO_ACCOUNT_SID": SID,
        "APURI_TWILIO_AUTH_TOKEN": TOKEN,
        "APURI_TWILIO_FROM_NUMBER": "+358401234000",
        "APURI_TWILIO_API_BASE": twilio.base_url,
        "APURI_DISPATCH_INTERVAL_SECONDS": "1",
        "APURI_DISPATCH_CONCURRENCY": "10",
        # The worker runs on the real clock at any hour: quiet hours off, so the seeded reminders go now.
        "APURI_QUIET_HOURS_START": "00:00",
        "APURI_QUIET_HOURS_END": "00:00",
    }


async def in_play() -> dict[str, int]:
    found = await states()
    return {state: n for state, n in found.items() if state in ("scheduled", "sending")}


async def until_nothing_in_play() -> None:
    while True:
        if not await in_play():
            return
        await asyncio.sleep(0.2)


async def until_in_flight(twilio: TwilioService, within: float) -> None:
    """Until a send is under way (what a stop mid-send needs), for at most `within` seconds: the random wait before
    it alone left too many stops between two sends on a fast worker."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if twilio.in_flight:
            return
        await asyncio.sleep(0.002)


async def test_sigterm_ten_times_mid_send_loses_nothing_and_sends_nothing_twice(
    engine: AnyEngine, database_url: str, tmp_path: Path
) -> None:
    bodies = await seed_due_sms(MESSAGES)
    rng = random.Random(SEED)
    log = tmp_path / "worker.log"
    mid_send = 0
    async with TwilioService(latency=0.02) as twilio:
        environment = worker_environment(database_url, twilio)
        for n in range(STOPS + 1):
            last = n == STOPS
            with log.open("ab") as out:
                worker = await asyncio.create_subprocess_exec(
                    str(APURI), "worker", env=environment, stdout=out, stderr=out
                )
            sent_before = twilio.count()
            async with asyncio.timeout(60):
                while twilio.count() == sent_before:  # up and sending
                    assert worker.returncode is None, log.read_text()[-3000:]
                    await asyncio.sleep(0.02)
                if last:
                    await until_nothing_in_play()
                else:
                    await asyncio.sleep(rng.uniform(0.05, 0.5))
                    await until_in_flight(twilio, within=1.0)
            mid_send += twilio.in_flight > 0
            worker.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(STOP_SECONDS):
                    code = await worker.wait()
            except TimeoutError:
                worker.kill()
                pytest.fail(f"the worker did not stop within {STOP_SECONDS} s:\n{log.read_text()[-3000:]}")
            assert code == 0, log.read_text()[-3000:]
            sending = await Notification.count().where(Notification.state == "sending")
            assert sending == 0, f"stop {n}: {sending} rows left claimed; they would wait for the lease"
        assert mid_send >= STOPS // 2, f"only {mid_send} of {STOPS} stops came while requests were in flight"
        assert twilio.duplicates() == {}, f"sent twice: {len(twilio.duplicates())}"
        assert sorted(m.body for m in twilio.messages) == sorted(bodies)
    assert await states() == {"sent": MESSAGES}
    assert "Traceback" not in log.read_text()
