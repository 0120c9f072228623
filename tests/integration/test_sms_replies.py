"""Residents' SMS replies and Twilio's delivery reports through the signed webhooks, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from twilio.request_validator import RequestValidator

from server.db.tables import HelpSession, InboundMessage, Notification, Person
from tests.conftest import Env, base_settings, make_env
from tests.integration.world import PASSWORD, PHONES, World, book, build_world, volunteer_offers

TOKEN = "loopback-auth-token-0123456789abcdef"
PUBLIC = "http://apuri.example.fi"  # what Twilio calls; the app itself is reached as http://testserver
NINE = datetime(2026, 11, 30, 7, tzinfo=UTC)
RESIDENT = PHONES["resident_2"]


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(database_url, twilio_auth_token=TOKEN, public_base_url=PUBLIC)
    async for e in make_env(settings):
        yield e


def signed(path: str, params: dict[str, str], *, url: str | None = None, token: str = TOKEN) -> dict[str, object]:
    signature = RequestValidator(token).compute_signature(url or PUBLIC + path, params)
    return {"data": params, "headers": {"X-Twilio-Signature": signature}}


async def text(env: Env, body: str, *, sid: str | None = None, phone: str = RESIDENT) -> int:
    params = {"From": phone, "To": "+358401234000", "Body": body, "MessageSid": sid or f"SM{hash(body) & 0xFFFF:032x}"}
    answer = await env.client().http.post("/api/v1/twilio/sms", **signed("/api/v1/twilio/sms", params))
    return answer.status_code


async def booked(env: Env) -> tuple[World, str]:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    answer = await book(world, "resident_2", NINE)
    assert answer.status_code == 201, answer.text
    env.clock.set(NINE - timedelta(hours=24))
    await env.services.dispatcher.run_due()  # the confirmation and the day-before reminder go out
    env.sms.sent.clear()
    for key in ("coord_a", "coord_b"):  # a coordinator's session lasts 30 idle minutes; the clock moved days
        world.apis[key] = await env.sign_in(PHONES[key], password=PASSWORD)
    env.sms.sent.clear()
    return world, answer.json()["session"]["id"]


async def session_row(session_id: str) -> dict[str, object]:
    [row] = await HelpSession.select(HelpSession.state, HelpSession.confirmed_at, HelpSession.feedback).where(
        HelpSession.id == session_id
    )
    return row


async def answered(env: Env) -> list[str]:
    await env.services.dispatcher.run_due()
    return env.sms.to(RESIDENT)


async def test_yes_confirms_the_session_the_reminder_asked_about(env: Env) -> None:
    _, session = await booked(env)
    assert await text(env, "Kyllä kiitos!") == 200
    assert (await session_row(session))["confirmed_at"] == env.clock.now()
    [reply] = await answered(env)
    assert reply.startswith("Apuri: Kiitos! Tervetuloa ma 30.11. klo 9.00")


async def test_peru_cancels_and_tells_the_volunteer_and_the_resident_how_to_rebook(env: Env) -> None:
    _, session = await booked(env)
    assert await text(env, "peru") == 200
    assert (await session_row(session))["state"] == "cancelled"
    [reply] = await answered(env)
    assert "on peruttu" in reply and "040 1234000" in reply
    await env.services.dispatcher.run_due()  # the volunteer's push has no subscription: SMS instead
    assert any("on peruttu" in t for t in env.sms.to(PHONES["vol_a"]))


@pytest.mark.parametrize(("digit", "state", "confirmed"), [("1", "scheduled", True), ("2", "cancelled", False)])
async def test_one_and_two_answer_a_reminder(env: Env, digit: str, state: str, confirmed: bool) -> None:
    _, session = await booked(env)
    await text(env, digit)
    row = await session_row(session)
    assert row["state"] == state and (row["confirmed_at"] is not None) is confirmed


async def test_a_digit_after_a_session_is_its_rating_once(env: Env) -> None:
    world, session = await booked(env)
    env.clock.set(NINE + timedelta(minutes=50))
    done = await world.apis["vol_a"].post(f"/api/v1/sessions/{session}/done", json={"minutes": 45})
    assert done.status_code == 200, done.text
    env.clock.advance(timedelta(minutes=10))
    await env.services.dispatcher.run_due()
    assert "1-5" in env.sms.to(RESIDENT)[-1]
    await text(env, "5", sid="SM1")
    await text(env, "1", sid="SM2")
    assert (await session_row(session))["feedback"] == 5, "the first rating counts; '1' is not a confirmation here"


async def test_stop_ends_sms_and_start_brings_them_back(env: Env) -> None:
    _, session = await booked(env)
    await text(env, "LOPETA", sid="SM-stop")
    [reply] = await answered(env)
    assert "START" in reply, "the STOP is confirmed, once"
    env.clock.set(datetime(2026, 11, 29, 18, tzinfo=UTC))  # the 2-hour reminder is due
    assert await answered(env) == [reply], "nothing else after STOP"
    [reminder] = await Notification.select(Notification.state).where(
        (Notification.session == session) & (Notification.kind == "reminder_2h")
    )
    assert reminder["state"] == "failed"
    await text(env, "start", sid="SM-start")
    [row] = await Person.select(Person.sms_opt_out).where(Person.phone == RESIDENT)
    assert row["sms_opt_out"] is False


async def test_an_unclear_reply_goes_to_the_inbox_of_the_right_coordinator_and_is_never_a_cancellation(
    env: Env,
) -> None:
    world, session = await booked(env)
    await text(env, "En pääse, voiko siirtää keskiviikolle?")
    assert (await session_row(session))["state"] == "scheduled"
    [reply] = await answered(env)
    assert "koordinaattorille" in reply
    answer = await world.apis["coord_a"].get("/api/v1/inbox")
    assert answer.status_code == 200, answer.text
    mine = answer.json()
    item = next(i for i in mine if i["body"].startswith("En pääse"))
    assert item["session_id"] == session and item["phone"] == RESIDENT
    others = (await world.apis["coord_b"].get("/api/v1/inbox")).json()
    assert all(i["id"] != item["id"] for i in others)
    foreign = await world.apis["coord_b"].post(f"/api/v1/inbox/{item['id']}/handle", json={"outcome": "noted"})
    assert foreign.status_code == 404
    handled = await world.apis["coord_a"].post(f"/api/v1/inbox/{item['id']}/handle", json={"outcome": "cancelled"})
    assert handled.status_code == 200 and handled.json()["state"] == "handled"
    assert (await session_row(session))["state"] == "cancelled"
    again = await world.apis["coord_a"].post(f"/api/v1/inbox/{item['id']}/handle", json={"outcome": "noted"})
    assert again.status_code == 409


async def test_a_webhook_delivered_twice_is_acted_on_once(env: Env) -> None:
    await booked(env)
    assert await text(env, "peru", sid="SMsame") == 200
    assert await text(env, "peru", sid="SMsame") == 200
    assert await InboundMessage.count().where(InboundMessage.provider_id == "SMsame") == 1
    assert len(await answered(env)) == 1


async def test_forty_texts_from_one_number_get_at_most_one_automatic_answer_a_minute(env: Env) -> None:
    await booked(env)
    for n in range(40):
        await text(env, f"viesti {n}", sid=f"SMloop{n}")
    assert len(await answered(env)) == 1


@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "wrong token", "changed body", "internal url"],
)
async def test_a_forged_or_unsigned_webhook_changes_nothing(env: Env, tamper: str) -> None:
    _, session = await booked(env)
    path = "/api/v1/twilio/sms"
    params = {"From": RESIDENT, "To": "+358401234000", "Body": "PERU", "MessageSid": "SMforged"}
    if tamper == "unsigned":
        request: dict[str, object] = {"data": params}
    elif tamper == "wrong token":
        request = signed(path, params, token="not-the-token")
    elif tamper == "changed body":
        request = signed(path, params | {"Body": "KYLLÄ"})
        request["data"] = params
    else:  # signed for the address the app sees behind the proxy, not the public one Twilio called
        request = signed(path, params, url="http://testserver" + path)
    answer = await env.client().http.post(path, **request)  # type: ignore[arg-type]
    assert answer.status_code == 403 and answer.json()["code"] == "twilio_signature_invalid"
    assert (await session_row(session))["state"] == "scheduled"
    assert await InboundMessage.count().where(InboundMessage.provider_id == "SMforged") == 0


async def test_delivery_reports_apply_in_order_and_a_final_state_stays(env: Env) -> None:
    _, session = await booked(env)
    [reminder] = await Notification.select(Notification.id, Notification.provider_id).where(
        (Notification.session == session) & (Notification.kind == "reminder_24h") & (Notification.phone == RESIDENT)
    )
    path = "/api/v1/twilio/status"

    async def report(status: str, code: str = "") -> None:
        params = {"MessageSid": reminder["provider_id"], "MessageStatus": status, "ErrorCode": code}
        assert (await env.client().http.post(path, **signed(path, params))).status_code == 200

    await report("delivered")
    await report("sent")  # late and out of order
    await report("delivered")  # again
    [row] = await Notification.select(Notification.state, Notification.provider_status).where(
        Notification.id == reminder["id"]
    )
    assert row == {"state": "delivered", "provider_status": "delivered"}
    forged = await env.client().http.post(path, data={"MessageSid": reminder["provider_id"], "MessageStatus": "failed"})
    assert forged.status_code == 403


async def test_an_undelivered_reminder_shows_in_the_ledger_and_puts_the_session_at_risk(env: Env) -> None:
    world, session = await booked(env)
    [reminder] = await Notification.select(Notification.provider_id).where(
        (Notification.session == session) & (Notification.kind == "reminder_24h") & (Notification.phone == RESIDENT)
    )
    path = "/api/v1/twilio/status"
    params = {"MessageSid": reminder["provider_id"], "MessageStatus": "undelivered", "ErrorCode": "30003"}
    await env.client().http.post(path, **signed(path, params))
    ledger = (await world.apis["coord_a"].get(f"/api/v1/sessions/{session}/notifications")).json()
    line = next(x for x in ledger if x["kind"] == "reminder_24h" and x["channel"] == "sms")
    assert (line["state"], line["last_error"], line["to"]) == ("failed", "undelivered (30003)", "resident")
    assert "+358" not in str(ledger), "the ledger names who, never the number"
    assert (await world.apis["coord_b"].get(f"/api/v1/sessions/{session}/notifications")).status_code == 404
    risks = (await world.apis["coord_a"].get("/api/v1/queues/at-risk")).json()
    assert any(r["session_id"] == session and r["reason"] == "reminder_failed" for r in risks), risks


async def test_the_drop_in_keyword_answers_with_the_next_drop_in_hours_in_the_named_municipality(env: Env) -> None:
    world = await build_world(env)
    other = await world.apis["network"].post(
        f"/api/v1/organisations/{world.org_b}/help-points",
        json={
            "name": "Kirjasto",
            "street_address": "Koulutie 2",
            "postal_code": "93100",
            "municipality": "Pudasjärvi",
            "opening_hours": [],
        },
    )
    assert other.status_code == 201, other.text
    for point, weekday in ((world.help_point_a, 2), (other.json()["id"], 3)):
        added = await world.apis["network"].post(
            f"/api/v1/help-points/{point}/drop-in-hours",
            json={"weekday": weekday, "starts": "12:00:00", "ends": "14:00:00", "minutes_per_visitor": 20},
        )
        assert added.status_code == 201, added.text
    stranger = "+358451112233"
    assert await text(env, "PÄIVYSTYS pudasjarvella?", phone=stranger) == 200
    await env.services.dispatcher.run_due()
    [answer] = env.sms.to(stranger)
    assert answer.startswith("Apuri: Digitukea ilman ajanvarausta, tule paikalle:\nto 26.11. klo 12.00-14, Kirjasto")
    assert "Koulutie 2, Pudasjärvi (enintään 20 min / asiakas)" in answer and "Kuusamo" not in answer
    assert "http" not in answer and "–" not in answer
    [row] = await InboundMessage.select(InboundMessage.action, InboundMessage.state).where(
        InboundMessage.phone == stranger
    )
    assert row == {"action": "drop_in", "state": "handled"}, "not a matter for the inbox"

    env.sms.sent.clear()  # the sign-in codes of the world's people
    assert await text(env, "jour", phone=RESIDENT, sid="SM" + "7" * 32) == 200
    await env.services.dispatcher.run_due()
    [swedish] = env.sms.to(RESIDENT)
    assert swedish.startswith("Apuri: Digitalt stöd utan tidsbokning"), "the keyword's language"
    assert "ons 25.11. kl. 12.00-14, Point a" in swedish and swedish.count("\n") == 4, "three hours: anywhere"
