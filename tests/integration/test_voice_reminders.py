"""Reminder calls for residents who have only a landline, or whose SMS reminder came back undelivered: placed by
the dispatcher, answered through the signed Voice webhooks, and the keypress acts like an SMS reply would. A call
nobody answers puts the session on the coordinators' at-risk list. Both databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from twilio.request_validator import RequestValidator

from server.db.tables import CallbackRequest, HelpSession, Notification
from tests.conftest import Env, base_settings, make_env
from tests.integration.test_ivr import LANDLINE, PUBLIC, TOKEN, Call, post
from tests.integration.world import PASSWORD, PHONES, World, book, build_world, volunteer_offers

NINE = datetime(2026, 11, 30, 7, tzinfo=UTC)


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(database_url, twilio_auth_token=TOKEN, public_base_url=PUBLIC)
    async for e in make_env(settings):
        yield e


async def landline_booking(env: Env) -> tuple[World, str]:
    """A caller with a landline books Monday 30 November at 9 on the voice menu (saying "next" until it comes)."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    call = Call(env, LANDLINE)
    heard = await call.keys("1", "1", "1", "1", "1")
    while "maanantaina 30. marraskuuta kello 9," not in heard.text:
        heard = await call.press("2")
    assert "Aika on varattu" in (await call.press("1")).text
    [session] = await HelpSession.select(HelpSession.id).where(HelpSession.starts_at == NINE)
    return world, str(session["id"])


async def reminder_rows(session: str) -> list[dict[str, object]]:
    return list(
        await Notification.select(Notification.channel, Notification.kind, Notification.state, Notification.provider_id)
        .where(Notification.session == session)
        .order_by(Notification.due_at)
    )


async def answer(env: Env, sid: str) -> str:
    heard = await post(env, "/api/v1/twilio/voice/reminder", {"CallSid": sid, "To": LANDLINE})
    return heard.text


async def placed_call(env: Env, session: str) -> str:
    env.clock.set(NINE - timedelta(hours=24))
    await env.services.dispatcher.run_due()
    [(to, text)] = env.voice.calls
    assert to == LANDLINE and "Muistutus digitukiajastasi maanantaina 30. marraskuuta kello 9" in text
    [row] = [r for r in await reminder_rows(session) if r["channel"] == "voice"]
    assert row["state"] == "sent"
    return str(row["provider_id"])


async def test_a_landline_gets_the_day_before_reminder_as_a_call_and_no_sms(env: Env) -> None:
    _, session = await landline_booking(env)
    planned = {(r["channel"], r["kind"]) for r in await reminder_rows(session)}
    assert ("voice", "reminder_24h") in planned
    assert not any(channel == "sms" for channel, _ in planned if _ != "new_session")


async def test_pressing_one_on_the_reminder_call_confirms(env: Env) -> None:
    _, session = await landline_booking(env)
    sid = await placed_call(env, session)
    assert "Jos tulet, paina 1" in await answer(env, sid)
    heard = await Call(env, LANDLINE, sid).press("1")
    assert heard.hangs_up and "Kiitos, tervetuloa" in heard.text
    [row] = await HelpSession.select(HelpSession.confirmed_at).where(HelpSession.id == session)
    assert row["confirmed_at"] is not None


async def test_pressing_two_cancels_the_session_and_its_other_reminders(env: Env) -> None:
    _, session = await landline_booking(env)
    sid = await placed_call(env, session)
    await answer(env, sid)
    heard = await Call(env, LANDLINE, sid).press("2")
    assert heard.hangs_up and "Aika on peruttu" in heard.text
    [row] = await HelpSession.select(HelpSession.state).where(HelpSession.id == session)
    assert row["state"] == "cancelled"
    waiting = [
        r for r in await reminder_rows(session) if r["kind"].startswith("reminder") and r["state"] == "scheduled"
    ]
    assert waiting == [], "the volunteer's reminders went with it"


async def test_pressing_three_asks_a_coordinator_to_call(env: Env) -> None:
    _, session = await landline_booking(env)
    sid = await placed_call(env, session)
    await answer(env, sid)
    await Call(env, LANDLINE, sid).press("3")
    [callback] = await CallbackRequest.select(CallbackRequest.reason, CallbackRequest.session).where(
        CallbackRequest.phone == LANDLINE
    )
    assert callback == {"reason": "reminder", "session": uuid.UUID(session)}


async def test_a_reminder_call_nobody_answers_puts_the_session_at_risk(env: Env) -> None:
    _, session = await landline_booking(env)
    sid = await placed_call(env, session)
    path, params = "/api/v1/twilio/voice/status", {"CallSid": sid, "CallStatus": "no-answer"}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    answered = await env.client().http.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert answered.status_code == 200
    [row] = [r for r in await reminder_rows(session) if r["channel"] == "voice"]
    assert row["state"] == "failed"
    network = await env.sign_in(PHONES["network"], password=PASSWORD)  # the world's sign-ins are days old
    risks = (await network.get("/api/v1/queues/at-risk")).json()
    assert any(r["session_id"] == session and r["reason"] == "reminder_failed" for r in risks), risks
    ledger = (await network.get(f"/api/v1/sessions/{session}/notifications")).json()
    assert any(line["channel"] == "voice" and line["last_error"] == "call no answer" for line in ledger)


async def test_an_sms_reminder_that_comes_back_undelivered_is_tried_as_a_call(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    booked = await book(world, "resident_2", NINE)
    session = booked.json()["session"]["id"]
    env.clock.set(NINE - timedelta(hours=24))
    await env.services.dispatcher.run_due()
    [reminder] = await Notification.select(Notification.provider_id).where(
        (Notification.session == session)
        & (Notification.kind == "reminder_24h")
        & (Notification.phone == PHONES["resident_2"])
    )
    path = "/api/v1/twilio/status"
    params = {"MessageSid": reminder["provider_id"], "MessageStatus": "undelivered", "ErrorCode": "30003"}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    await env.client().http.post(path, data=params, headers={"X-Twilio-Signature": signature})
    await env.services.dispatcher.run_due()
    assert [to for to, _ in env.voice.calls] == [PHONES["resident_2"]]


async def test_a_landline_resident_is_called_when_their_session_is_cancelled_for_them(env: Env) -> None:
    world, session = await landline_booking(env)
    env.clock.set(datetime(2026, 11, 26, 20, 30, tzinfo=UTC))  # 22:30 in Helsinki: no calls at night
    given_back = await world.apis["vol_a"].post(f"/api/v1/sessions/{session}/give-back")
    assert given_back.status_code == 200, given_back.text
    await env.services.dispatcher.run_due()
    assert env.voice.calls == [], "not at night"
    env.clock.set(datetime(2026, 11, 27, 6, 0, tzinfo=UTC))  # 08:00
    await env.services.dispatcher.run_due()
    [(to, text)] = env.voice.calls
    assert to == LANDLINE and "on valitettavasti peruttu" in text
    [row] = [r for r in await reminder_rows(session) if r["channel"] == "voice" and r["kind"] == "cancelled"]
    heard = await post(env, "/api/v1/twilio/voice/reminder", {"CallSid": str(row["provider_id"]), "To": LANDLINE})
    assert heard.hangs_up and not heard.gathers and "maanantaina 30. marraskuuta kello 9" in heard.text
