"""Push subscriptions, pushes that fall back to SMS, offers that escalate from push to SMS, and people's own
message settings, through HTTP on both databases."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta

from server.adapters.push import PushError
from server.db.tables import Notification, PushSubscription
from tests.conftest import Env
from tests.integration.world import PHONES, World, book, build_world, volunteer_offers

NINE = datetime(2026, 11, 30, 7, tzinfo=UTC)


def keys() -> dict[str, str]:
    p256dh = base64.urlsafe_b64encode(b"\x04" + os.urandom(64)).decode().rstrip("=")
    return {"p256dh": p256dh, "auth": base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")}


async def subscribe(world: World, who: str, endpoint: str) -> None:
    answer = await world.apis[who].post("/api/v1/push/subscriptions", json={"endpoint": endpoint, "keys": keys()})
    assert answer.status_code == 201, answer.text


async def book_session(world: World) -> str:
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    answer = await book(world, "resident_2", NINE)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["session"]["id"])


async def test_a_volunteer_with_push_gets_the_new_session_as_a_push_not_an_sms(env: Env) -> None:
    world = await build_world(env)
    await subscribe(world, "vol_a", "https://push.example.org/send/phone-1")
    env.sms.sent.clear()
    await book_session(world)
    await env.services.dispatcher.run_due()
    [push] = env.push.to("https://push.example.org/send/phone-1")
    assert push["title"] == "Apuri" and push["body"].startswith("Uusi digitukiaika ma 30.11. klo 9.00")
    assert push["url"].startswith("/#/sessions/")
    assert env.sms.to(PHONES["vol_a"]) == []
    assert env.push.sent[0].ttl == 24 * 3600 and env.push.sent[0].urgency == "normal"


async def test_a_gone_subscription_is_removed_and_the_message_goes_by_sms(env: Env) -> None:
    world = await build_world(env)
    endpoint = "https://push.example.org/send/old-phone"
    await subscribe(world, "vol_a", endpoint)
    env.push.mark_gone(endpoint, 410)
    env.sms.sent.clear()
    session = await book_session(world)
    await env.services.dispatcher.run_due()
    await env.services.dispatcher.run_due()
    assert await PushSubscription.count().where(PushSubscription.endpoint == endpoint) == 0
    [text] = env.sms.to(PHONES["vol_a"])
    assert text.startswith("Apuri: Sinulle on uusi digitukiaika")
    [row] = await Notification.select(Notification.state, Notification.last_error).where(
        (Notification.session == session) & (Notification.kind == "new_session") & (Notification.channel == "push")
    )
    assert row["state"] == "cancelled" and "sent by SMS" in row["last_error"]


async def test_a_push_service_that_is_down_is_retried_not_replaced_by_sms(env: Env) -> None:
    world = await build_world(env)
    await subscribe(world, "vol_a", "https://push.example.org/send/phone-1")
    env.push.fail_next(PushError("503", permanent=False, status=503, retry_after=60))
    env.sms.sent.clear()
    await book_session(world)
    await env.services.dispatcher.run_due()
    assert env.push.sent == [] and env.sms.to(PHONES["vol_a"]) == []
    env.clock.advance(timedelta(seconds=61))
    await env.services.dispatcher.run_due()
    assert len(env.push.to("https://push.example.org/send/phone-1")) == 1


async def test_subscribing_again_replaces_the_device_and_only_the_owner_can_remove_it(env: Env) -> None:
    world = await build_world(env)
    endpoint = "https://push.example.org/send/shared-tablet"
    await subscribe(world, "vol_a", endpoint)
    await subscribe(world, "vol_b", endpoint)  # another person signed in on the same device
    [row] = await PushSubscription.select(PushSubscription.person).where(PushSubscription.endpoint == endpoint)
    assert row["person"] == world.ids["vol_b"]
    removed = await world.apis["vol_a"].post("/api/v1/push/subscriptions/remove", json={"endpoint": endpoint})
    assert removed.status_code == 200
    assert await PushSubscription.count().where(PushSubscription.endpoint == endpoint) == 1
    removed = await world.apis["vol_b"].post("/api/v1/push/subscriptions/remove", json={"endpoint": endpoint})
    assert removed.json() == {"subscriptions": 0}


async def test_bad_subscriptions_are_refused_with_a_clear_error(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["vol_a"]
    for body in (
        {"endpoint": "javascript:alert(1)", "keys": keys()},
        {"endpoint": "https://push.example.org/x", "keys": {"p256dh": "short", "auth": "x"}},
        {"endpoint": "https://push.example.org/x"},
        {"endpoint": "https://push.example.org/x", "keys": keys(), "owner": "someone else"},
    ):
        answer = await api.post("/api/v1/push/subscriptions", json=body)
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("application/problem+json")
    assert await PushSubscription.count() == 0
    assert (await world.apis["anonymous"].post("/api/v1/push/subscriptions", json={})).status_code in (401, 403)


async def test_an_offer_is_pushed_at_once_then_texted_if_nobody_answers_in_ten_minutes(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    await subscribe(world, "vol_a", "https://push.example.org/send/phone-1")
    env.sms.sent.clear()
    asked = await world.apis["resident_2"].post(
        "/api/v1/requests", json={"topic": "online_banking", "modality": "phone"}
    )
    assert asked.status_code == 201 and asked.json()["volunteers_asked"] == 1, asked.text
    await env.services.dispatcher.run_due()
    [push] = env.push.to("https://push.example.org/send/phone-1")
    assert push["body"].startswith("Uusi avunpyyntö: Verkkopankki") and push["url"] == "/#/offers"
    assert env.push.sent[0].urgency == "high"
    env.clock.advance(timedelta(minutes=10))
    await env.services.dispatcher.run_due()
    [text] = env.sms.to(PHONES["vol_a"])
    assert "avunpyyntö" in text and "Verkkopankki" not in text, "an SMS names no topic"


async def test_an_answered_offer_is_not_texted(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    env.sms.sent.clear()
    await world.apis["resident_2"].post("/api/v1/requests", json={"topic": "online_banking", "modality": "phone"})
    [offer] = (await world.apis["vol_a"].get("/api/v1/me/offers")).json()[-1:]
    assert (await world.apis["vol_a"].post(f"/api/v1/offers/{offer['id']}/accept")).status_code == 200
    env.clock.advance(timedelta(minutes=11))
    await env.services.dispatcher.run_due()
    await env.services.dispatcher.run_due()
    texts = env.sms.to(PHONES["vol_a"])
    assert not any("avunpyyntö" in t for t in texts), texts
    [sms] = await Notification.select(Notification.state).where(
        (Notification.offer == offer["id"]) & (Notification.kind == "offer_sms")
    )
    assert sms["state"] == "cancelled"


async def test_a_code_word_goes_into_every_sms_to_the_resident(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["resident_2"]
    assert (await api.get("/api/v1/me/messages")).json() == {"code_word": "", "sms": True}
    saved = await api.put("/api/v1/me/messages", json={"code_word": "  Mustikka  "})
    assert saved.json() == {"code_word": "Mustikka", "sms": True}
    refused = await api.put("/api/v1/me/messages", json={"code_word": "👍👍"})
    assert refused.status_code == 422 and refused.json()["code"] == "code_word_invalid"
    env.sms.sent.clear()
    await book_session(world)
    await env.services.dispatcher.run_due()
    [text] = env.sms.to(PHONES["resident_2"])
    assert text.endswith("\nTunnussanasi: Mustikka")
