"""The whole push path with nothing faked inside Apuri: a browser subscribes through the API, a booking plans a
push, the dispatcher sends it with the real Web Push adapter (VAPID, aes128gcm) to a loopback push service that
checks the signature and decrypts it, and a subscription the service has forgotten turns into an SMS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.adapters.push import generate_vapid_keys
from server.db.tables import PushSubscription
from tests.conftest import Env, base_settings, make_env
from tests.fakes.push_service import PushService
from tests.integration.world import PHONES, World, book, build_world, volunteer_offers

PUBLIC_KEY, PRIVATE_KEY = generate_vapid_keys()


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(
        database_url,
        push_backend="webpush",
        vapid_public_key=PUBLIC_KEY,
        vapid_private_key=PRIVATE_KEY,
        vapid_subject="mailto:digituki@kuusamo.fi",
    )
    async for e in make_env(settings):
        yield e


async def book_session(world: World) -> None:
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    answer = await book(world)
    assert answer.status_code == 201, answer.text


async def test_a_booking_reaches_the_volunteers_browser_signed_and_encrypted(env: Env) -> None:
    world = await build_world(env)
    key = (await world.apis["anonymous"].get("/api/v1/push/key")).json()["public_key"]
    assert key == PUBLIC_KEY
    async with PushService() as service:
        browser = service.subscribe(application_server_key=key)
        subscribed = await world.apis["vol_a"].post(
            "/api/v1/push/subscriptions",
            json={"endpoint": browser.endpoint, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}},
        )
        assert subscribed.status_code == 201, subscribed.text
        env.sms.sent.clear()
        await book_session(world)
        await env.services.dispatcher.run_due()
        [delivery] = service.to(browser)
    assert delivery["body"].startswith("Uusi digitukiaika ma 30.11. klo 9.00")
    assert env.sms.to(PHONES["vol_a"]) == [], "the push arrived: no SMS"


async def test_a_subscription_the_push_service_forgot_is_removed_and_the_volunteer_gets_an_sms(env: Env) -> None:
    world = await build_world(env)
    async with PushService() as service:
        browser = service.subscribe(application_server_key=PUBLIC_KEY)
        await world.apis["vol_a"].post(
            "/api/v1/push/subscriptions",
            json={"endpoint": browser.endpoint, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}},
        )
        service.answer(410, target=browser)
        env.sms.sent.clear()
        await book_session(world)
        await env.services.dispatcher.run_due()
    assert await PushSubscription.count() == 0
    [text] = env.sms.to(PHONES["vol_a"])
    assert text.startswith("Apuri: Sinulle on uusi digitukiaika")
