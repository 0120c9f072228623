"""Several dispatchers on one database (REL-NOT-03, REL-NOT-04): through the real Twilio adapter to a loopback
Twilio, every due message is sent exactly once however the claims interleave, and the rows of a worker that died
come back when its lease runs out, not before.

On PostgreSQL the two dispatchers claim concurrently (FOR UPDATE SKIP LOCKED, each claim on its own pooled
connection); on SQLite their claims queue behind the single writer (BEGIN IMMEDIATE), which the same test holds
to the same promise.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from server.adapters.clock import FixedClock
from server.adapters.push import MemoryPush
from server.adapters.sms import MemorySms, SmsError, SmsReceipt, TwilioSms
from server.adapters.voice import MemoryVoice
from server.db import outbox
from server.db.engine import AnyEngine, bind, is_unique_violation, make_engine, start, stop
from server.db.tables import Notification
from server.services.dispatch import Dispatcher, TickResult
from server.settings import Settings
from tests.conftest import START, base_settings
from tests.fakes.twilio_service import HANG, SID, TOKEN, TwilioService

DUE_MESSAGES = 1_000


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioService]:
    async with TwilioService(latency=0.002) as service:
        yield service


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AnyEngine]:
    engine = make_engine(database_url)
    await start(engine)
    bind(engine)
    yield engine
    await stop(engine)


def twilio_settings(database_url: str, twilio: TwilioService) -> Settings:
    return base_settings(
        database_url,
        sms_backend="twilio",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from_number="+358401234000",
        twilio_api_base=twilio.base_url,
    )


async def seed_due_sms(count: int) -> list[str]:
    """`count` SMS reminders due at START (each with its own key and body, no person or session behind them)."""
    drafts = [
        outbox.Draft(
            key=f"load:{i}",
            kind="reminder_24h",
            channel="sms",
            body=f"Muistutus {i}: digituki huomenna klo 10",
            due_at=START,
            not_after=START + timedelta(days=1),
            person_id=None,
            phone=f"+35840{i:07d}",
        )
        for i in range(count)
    ]
    assert await outbox.insert(drafts, START) == count
    return [d.body for d in drafts]


@pytest.fixture
def clock() -> FixedClock:
    """One clock for all dispatchers, fixed at START: no lease runs out unless a test moves it."""
    return FixedClock(START)


@pytest.fixture
async def dispatchers(
    engine: AnyEngine, database_url: str, twilio: TwilioService, clock: FixedClock
) -> AsyncIterator[list[Dispatcher]]:
    """Two dispatchers, each with a Twilio client of its own, as two processes would have."""
    settings = twilio_settings(database_url, twilio)
    clients = [TwilioSms(settings) for _ in range(2)]
    yield [
        Dispatcher(
            settings=settings,
            clock=clock,
            engine=engine,
            sms=sms,
            push=MemoryPush(),
            voice=MemoryVoice(),
            worker=f"worker-{n}",
        )
        for n, sms in enumerate(clients, start=1)
    ]
    for sms in clients:
        await sms.aclose()


async def run_together(dispatchers: list[Dispatcher]) -> list[TickResult]:
    """Run every dispatcher's `run_due()` at once, round after round, until none of them finds anything due."""
    totals = [TickResult() for _ in dispatchers]
    async with asyncio.timeout(120):  # a deadlock fails the test instead of hanging it
        while True:
            results = await asyncio.gather(*(d.run_due() for d in dispatchers))
            for total, result in zip(totals, results, strict=True):
                total.add(result)
            if all(r.claimed == 0 for r in results):
                return totals


def assert_each_sent_once(twilio: TwilioService, bodies: list[str]) -> None:
    assert twilio.duplicates() == {}, "sent more than once"
    assert sorted(set(bodies) - {m.body for m in twilio.messages}) == [], "never sent"
    assert twilio.count() == len(bodies)


async def rows() -> list[dict[str, object]]:
    return list(
        await Notification.select(
            Notification.body, Notification.state, Notification.provider_id, Notification.claimed_by
        )
    )


async def test_two_dispatchers_send_every_due_message_exactly_once(
    dispatchers: list[Dispatcher], twilio: TwilioService
) -> None:
    bodies = await seed_due_sms(DUE_MESSAGES)
    totals = await run_together(dispatchers)
    assert_each_sent_once(twilio, bodies)
    assert sum(t.sent for t in totals) == DUE_MESSAGES
    assert all(t.sent > 0 for t in totals), "both dispatchers took part"
    stored = await rows()
    assert {r["state"] for r in stored} == {"sent"}
    assert {r["provider_id"]: r["body"] for r in stored} == {m.sid: m.body for m in twilio.messages}
    assert {r["claimed_by"] for r in stored} == {"worker-1", "worker-2"}


async def test_rows_of_a_worker_that_died_are_sent_once_its_lease_runs_out_and_not_before(
    engine: AnyEngine, dispatchers: list[Dispatcher], twilio: TwilioService, clock: FixedClock
) -> None:
    live = dispatchers[0]
    lease = timedelta(seconds=Settings().dispatch_lease_seconds)  # base_settings keeps the default
    bodies = await seed_due_sms(20)
    # A worker claims ten rows and dies before sending any of them.
    dead = await outbox.claim(engine, worker="dead", now=START, lease_until=START + lease, limit=10)
    orphans = {row.body for row in dead}

    first = await live.run_due()
    clock.set(START + lease - timedelta(seconds=1))
    before_the_lease_ends = await live.run_due()
    assert (first.sent, before_the_lease_ends.claimed) == (10, 0)
    assert not orphans & {m.body for m in twilio.messages}, "nothing is taken from a live lease"

    clock.set(START + lease)
    after = await live.run_due()
    assert after.sent == 10
    assert_each_sent_once(twilio, bodies)
    stored = await rows()
    assert {r["state"] for r in stored} == {"sent"} and {r["claimed_by"] for r in stored} == {"worker-1"}
    attempts = await Notification.select(Notification.body, Notification.attempts)
    assert {r["body"]: r["attempts"] for r in attempts if r["body"] in orphans} == dict.fromkeys(orphans, 2)
    # Should the "dead" worker wake up after all, its word no longer counts.
    assert not await outbox.finish(dead[0].id, worker="dead", now=clock.now(), state="failed", last_error="late")


class SlowSms(MemorySms):
    """Each send takes a whole lease on the dispatcher's clock (a provider or database that stalled)."""

    def __init__(self, clock: FixedClock, lease: timedelta) -> None:
        super().__init__()
        self.clock = clock
        self.lease = lease

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        receipt = await super().send(to=to, body=body, validity_seconds=validity_seconds)
        self.clock.advance(self.lease)
        return receipt


async def test_a_claimed_row_whose_lease_would_run_out_mid_send_is_given_back_not_sent_twice(
    engine: AnyEngine, database_url: str, clock: FixedClock
) -> None:
    """A row waits in the dispatcher's queue while the send before it stalls for a whole lease: when its turn
    comes, too little of its claim is left for a send to finish before another worker could take it, so it is
    given back unsent and claimed again (a fresh lease), never sent by two workers."""
    settings = replace(base_settings(database_url), dispatch_concurrency=1)
    lease = timedelta(seconds=settings.dispatch_lease_seconds)
    sms = SlowSms(clock, lease)
    dispatcher = Dispatcher(
        settings=settings, clock=clock, engine=engine, sms=sms, push=MemoryPush(), voice=MemoryVoice(), worker="w"
    )
    bodies = await seed_due_sms(4)
    result = TickResult()
    while (tick := await dispatcher.run_due()).claimed:  # each run ends early: the clock jumps past its budget
        result.add(tick)
    assert result.released > 0, "a row whose claim was nearly over went back"
    assert sorted(b for _, b in sms.sent) == sorted(bodies), "each sent once"
    assert {r["state"] for r in await rows()} == {"sent"}


async def test_a_hung_twilio_connection_times_out_as_a_temporary_failure() -> None:
    async with TwilioService() as hung:
        hung.answer(HANG)
        sms = TwilioSms(twilio_settings("sqlite:///unused", hung), timeout_seconds=0.5)
        try:
            async with asyncio.timeout(5):
                with pytest.raises(SmsError) as failed:
                    await sms.send(to="+358401112233", body="Hei")
        finally:
            await sms.aclose()
    assert failed.value.permanent is False


async def test_a_send_that_timed_out_after_twilio_took_it_is_recorded_not_sent_again(
    engine: AnyEngine, database_url: str, clock: FixedClock
) -> None:
    """Twilio takes the message but the answer never comes (the client gives up): the message may be out. The
    retry first asks Twilio's message list, finds it, and records it as sent with Twilio's sid."""
    async with TwilioService() as hung:
        hung.answer(HANG, accepted=True, times=1)
        settings = twilio_settings(database_url, hung)
        sms = TwilioSms(settings, timeout_seconds=0.5)
        dispatcher = Dispatcher(
            settings=settings, clock=clock, engine=engine, sms=sms, push=MemoryPush(), voice=MemoryVoice()
        )
        try:
            [body] = await seed_due_sms(1)
            first = await dispatcher.run_due()
            assert first.retried == 1 and hung.count(body=body) == 1
            hung.release()
            clock.advance(timedelta(minutes=1))
            second = await dispatcher.run_due()
        finally:
            await sms.aclose()
    assert second.sent == 1 and hung.lists == 1, "the retry asked Twilio first"
    assert hung.count(body=body) == 1, "and did not send it again"
    [row] = await Notification.select(Notification.state, Notification.provider_id, Notification.in_doubt)
    assert row["state"] == "sent" and row["provider_id"] == hung.messages[0].sid and not row["in_doubt"]


class HeldSms(MemorySms):
    """Sends wait until the test lets them go: a provider slow enough that a stop arrives mid-send."""

    def __init__(self) -> None:
        super().__init__()
        self.go = asyncio.Event()
        self.first = asyncio.Event()
        self.waiting = 0

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        self.waiting += 1
        self.first.set()
        await self.go.wait()
        return await super().send(to=to, body=body, validity_seconds=validity_seconds)


async def test_stop_while_a_send_is_in_flight_finishes_it_and_gives_back_the_rest_unsent(
    engine: AnyEngine, database_url: str, clock: FixedClock
) -> None:
    settings = replace(base_settings(database_url), dispatch_concurrency=1)
    sms = HeldSms()
    dispatcher = Dispatcher(
        settings=settings, clock=clock, engine=engine, sms=sms, push=MemoryPush(), voice=MemoryVoice(), worker="w"
    )
    await seed_due_sms(5)
    run = asyncio.create_task(dispatcher.run_due())
    async with asyncio.timeout(10):
        await sms.first.wait()
    stopping = asyncio.create_task(dispatcher.stop())
    await asyncio.sleep(1.5)  # the held send has stepped out of the window; the loop must not start another
    assert sms.waiting == 1 and not stopping.done(), "the stop waits for the send in flight"
    sms.go.set()
    async with asyncio.timeout(10):
        await stopping
        result = await run
    assert (len(sms.sent), result.sent) == (1, 1), "the send in flight finished and was recorded"
    states = [r["state"] for r in await rows()]
    assert sorted(states) == ["scheduled"] * 4 + ["sent"], "the rest went back unsent, none left claimed"
    assert (await dispatcher.run_due()).claimed == 0, "a stopped dispatcher claims nothing more"


async def test_a_message_twilio_already_has_counts_for_one_row_only(
    engine: AnyEngine, database_url: str, clock: FixedClock
) -> None:
    """Two rows in doubt with the same words to the same number (two offers at one help point), and one such
    message at Twilio: it is the first row's; the second is sent. And the database refuses one sid on two rows."""
    sms = MemorySms()
    dispatcher = Dispatcher(
        settings=base_settings(database_url),
        clock=clock,
        engine=engine,
        sms=sms,
        push=MemoryPush(),
        voice=MemoryVoice(),
    )
    drafts = [
        outbox.Draft(
            key=f"twin:{n}",
            kind="offer_sms",
            channel="sms",
            body="Apuri: Sinulle on avunpyyntö (Kirjasto).",
            due_at=START,
            not_after=START + timedelta(hours=1),
            person_id=None,
            phone="+358401112233",
        )
        for n in (1, 2)
    ]
    await outbox.insert(drafts, START)
    await Notification.update({Notification.in_doubt: True}).where(Notification.key.like("twin:%"))
    await sms.send(to="+358401112233", body=drafts[0].body)  # the one Twilio took before an answer was lost
    result = await dispatcher.run_due()
    assert result.sent == 2 and len(sms.sent) == 2, "one recorded from Twilio's list, one sent"
    stored = await Notification.select(Notification.provider_id).where(Notification.key.like("twin:%"))
    assert len({r["provider_id"] for r in stored}) == 2
    [first, second] = await Notification.select(Notification.id, Notification.provider_id).where(
        Notification.key.like("twin:%")
    )
    with pytest.raises(Exception) as refused:  # noqa: PT011 - the driver's own error, checked below
        await Notification.update({Notification.provider_id: first["provider_id"]}).where(
            Notification.id == second["id"]
        )
    assert is_unique_violation(refused.value)
