"""What the dispatcher promises about reports and retries, on both databases with a fixed clock: a delivery report
that overtakes Twilio's own answer is kept and applied, and a failing provider is retried for as long as the
message is useful, not a fixed six times."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from server.adapters.sms import SmsError
from server.db.tables import Notification, ProviderReport
from tests.conftest import Env, base_settings, make_env
from tests.integration.test_sms_replies import NINE, PUBLIC, RESIDENT, TOKEN, signed
from tests.integration.world import book, build_world, volunteer_offers

DAY_BEFORE = NINE - timedelta(hours=24)


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(database_url, twilio_auth_token=TOKEN, public_base_url=PUBLIC)
    async for e in make_env(settings):
        yield e


async def booked(env: Env) -> str:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    answer = await book(world, "resident_2", NINE)
    assert answer.status_code == 201, answer.text
    await env.services.dispatcher.run_due()  # the confirmation
    return str(answer.json()["session"]["id"])


async def reminder_row(session: str) -> dict[str, object]:
    [row] = await Notification.select(
        Notification.state, Notification.attempts, Notification.last_error, Notification.provider_status
    ).where(
        (Notification.session == session)
        & (Notification.kind == "reminder_24h")
        & (Notification.channel == "sms")
        & (Notification.phone == RESIDENT)
    )
    return row


async def test_a_report_that_arrives_before_the_send_is_recorded_is_kept_and_applied(env: Env) -> None:
    session = await booked(env)
    path = "/api/v1/twilio/status"

    async def undelivered_at_once(to: str, body: str, sid: str) -> None:
        if to == RESIDENT and "muistuttaa" in body:
            params = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
            answer = await env.client().http.post(path, **signed(path, params))
            assert answer.status_code == 200

    env.sms.before_answer = undelivered_at_once
    env.clock.set(DAY_BEFORE)
    await env.services.dispatcher.run_due()
    row = await reminder_row(session)
    assert (row["state"], row["provider_status"], row["last_error"]) == ("failed", "undelivered", "undelivered (30003)")
    calls = await Notification.select(Notification.kind).where(
        (Notification.session == session) & (Notification.channel == "voice")
    )
    assert calls == [{"kind": "reminder_24h"}], "the undelivered reminder is tried as a call, as for a late report"
    assert await ProviderReport.count() == 0, "the kept report was used up"


async def test_a_report_for_a_message_we_never_sent_is_kept_only_a_day(env: Env) -> None:
    path = "/api/v1/twilio/status"
    params = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered", "ErrorCode": ""}
    assert (await env.client().http.post(path, **signed(path, params))).status_code == 200
    assert await ProviderReport.count() == 1
    env.clock.advance(timedelta(days=1, minutes=1))
    await env.services.messaging.purge()
    assert await ProviderReport.count() == 0


async def test_a_failing_provider_is_retried_while_the_reminder_is_useful_not_six_times(env: Env) -> None:
    session = await booked(env)
    env.sms.fail_to[RESIDENT] = [SmsError("Twilio 503", permanent=False) for _ in range(7)]  # six tries was the limit
    env.clock.set(DAY_BEFORE)
    for _ in range(12):  # every 10 minutes for two hours: the day-before reminder may be two hours late
        await env.services.dispatcher.run_due()
        env.clock.advance(timedelta(minutes=10))
    row = await reminder_row(session)
    assert row["state"] == "sent" and row["attempts"] == 8, row
    assert any("muistuttaa" in t for t in env.sms.to(RESIDENT))


async def test_a_provider_down_past_the_reminders_useful_time_expires_it_in_the_ledger(env: Env) -> None:
    session = await booked(env)
    env.sms.fail_to[RESIDENT] = [SmsError("Twilio 503", permanent=False) for _ in range(100)]
    env.clock.set(DAY_BEFORE)
    for _ in range(16):
        await env.services.dispatcher.run_due()
        env.clock.advance(timedelta(minutes=10))
    row = await reminder_row(session)
    assert row["state"] == "expired" and "too late" in str(row["last_error"])
    assert int(str(row["attempts"])) > 6
