"""The WebPush adapter against a loopback push service that decrypts what it receives and verifies the VAPID token
(tests/fakes/push_service.py), and the keys `apuri vapid-keys` prints."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from server.adapters.push import MAX_PAYLOAD_BYTES, PushError, PushTarget, WebPush, generate_vapid_keys
from server.cli import main
from server.settings import Settings, SettingsError
from tests.fakes.push_service import HANG, PushService

SUBJECT = "mailto:digituki@example.fi"
REMINDER = {"title": "Muistutus", "body": "Digituki huomenna klo 10 – Kirjasto, 2. krs", "url": "/bookings/42"}


def webpush_settings(public: str, private: str, **overrides: Any) -> Settings:
    base = Settings(push_backend="webpush", vapid_public_key=public, vapid_private_key=private, vapid_subject=SUBJECT)
    return replace(base, **overrides)


@pytest.fixture
def keys() -> tuple[str, str]:
    return generate_vapid_keys()


@pytest.fixture
async def push() -> AsyncIterator[PushService]:
    async with PushService() as service:
        yield service


@pytest.fixture
async def sender(keys: tuple[str, str]) -> AsyncIterator[WebPush]:
    adapter = WebPush(webpush_settings(*keys), timeout_seconds=0.5)
    yield adapter
    await adapter.aclose()


async def failure(sender: WebPush, target: PushTarget, payload: dict[str, str] = REMINDER) -> PushError:
    with pytest.raises(PushError) as failed:
        await sender.send(target=target, payload=payload, ttl=3600)
    assert target.endpoint.rsplit("/", 1)[-1] not in str(failed.value), "errors never name the secret endpoint"
    return failed.value


async def test_the_browser_decrypts_exactly_the_payload_that_was_sent(push: PushService, sender: WebPush) -> None:
    target = push.subscribe()
    receipt = await sender.send(target=target, payload=REMINDER, ttl=3600)
    assert push.to(target) == [REMINDER]
    assert receipt.provider_id.startswith(f"{push.origin}/m/")


async def test_ttl_urgency_and_topic_reach_the_push_service(push: PushService, sender: WebPush) -> None:
    target = push.subscribe()
    await sender.send(target=target, payload=REMINDER, ttl=86400, urgency="high", topic="booking-42")
    await sender.send(target=target, payload=REMINDER, ttl=0, urgency="very-low")
    first, second = push.received
    assert (first.ttl, first.urgency, first.topic) == (86400, "high", "booking-42")
    assert (second.ttl, second.urgency, second.topic) == (0, "very-low", None)


async def test_a_topic_outside_the_header_alphabet_goes_out_as_a_stable_digest(
    push: PushService, sender: WebPush
) -> None:
    target = push.subscribe()
    for _ in range(2):
        await sender.send(target=target, payload=REMINDER, ttl=60, topic="reminder:2026-11-23T09:00+02:00")
    first, second = (d.topic for d in push.received)
    assert first is not None and len(first) == 32 and first == second
    assert push.refused == []


async def test_urgency_and_ttl_are_checked_before_sending(push: PushService, sender: WebPush) -> None:
    target = push.subscribe()
    with pytest.raises(ValueError, match="urgency"):
        await sender.send(target=target, payload=REMINDER, ttl=60, urgency="urgent")
    with pytest.raises(ValueError, match="ttl"):
        await sender.send(target=target, payload=REMINDER, ttl=-1)
    assert push.requests == 0


async def test_the_vapid_token_is_signed_by_the_configured_key_for_the_endpoints_origin(
    push: PushService, sender: WebPush, keys: tuple[str, str]
) -> None:
    target = push.subscribe(application_server_key=keys[0])
    await sender.send(target=target, payload=REMINDER, ttl=60)
    [delivery] = push.received
    assert delivery.vapid_key == keys[0]
    assert delivery.claims["aud"] == push.origin
    assert delivery.claims["sub"] == SUBJECT
    assert time.time() < delivery.claims["exp"] <= time.time() + 24 * 3600


async def test_each_push_service_gets_a_token_for_its_own_origin(push: PushService, sender: WebPush) -> None:
    async with PushService() as other:
        assert other.origin != push.origin
        for service in (push, other, push):
            await sender.send(target=service.subscribe(), payload=REMINDER, ttl=60)
        assert [d.claims["aud"] for d in push.received] == [push.origin, push.origin]
        assert [d.claims["aud"] for d in other.received] == [other.origin]
    assert push.refused == other.refused == []


async def test_a_subscription_made_for_another_server_key_is_refused_for_good(
    push: PushService, sender: WebPush
) -> None:
    target = push.subscribe(application_server_key=generate_vapid_keys()[0])
    error = await failure(sender, target)
    assert (error.status, error.permanent, error.gone) == (403, True, False)


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_reported_as_gone(push: PushService, sender: WebPush, status: int) -> None:
    target = push.subscribe()
    push.answer(status, target=target)
    error = await failure(sender, target)
    assert (error.status, error.gone, error.permanent) == (status, True, True)
    await sender.send(target=push.subscribe(), payload=REMINDER, ttl=60)  # other subscriptions still work


async def test_an_unknown_subscription_is_gone(push: PushService, sender: WebPush) -> None:
    target = push.subscribe()
    error = await failure(sender, replace(target, endpoint=f"{push.origin}/push/unsubscribed"))
    assert (error.status, error.gone) == (404, True)


async def test_a_payload_the_service_finds_too_large_is_not_retried(push: PushService, sender: WebPush) -> None:
    push.answer(413)
    error = await failure(sender, push.subscribe())
    assert (error.status, error.permanent, error.gone) == (413, True, False)


async def test_an_oversized_payload_is_refused_before_any_request_is_made(push: PushService, sender: WebPush) -> None:
    error = await failure(sender, push.subscribe(), payload={"title": "x", "body": "ä" * (MAX_PAYLOAD_BYTES // 2)})
    assert error.permanent is True
    assert push.requests == 0


async def test_the_largest_allowed_payload_fits_the_push_services_limit(push: PushService, sender: WebPush) -> None:
    target = push.subscribe()
    overhead = len('{"title":"x","body":""}')
    await sender.send(target=target, payload={"title": "x", "body": "y" * (MAX_PAYLOAD_BYTES - overhead)}, ttl=60)
    assert len(push.received) == 1


async def test_rate_limiting_is_transient_and_says_when_to_retry(push: PushService, sender: WebPush) -> None:
    target = push.subscribe()
    push.answer(429, retry_after="120")
    error = await failure(sender, target)
    assert (error.status, error.permanent, error.retry_after) == (429, False, 120.0)

    push.answer(429, retry_after=format_datetime(datetime.now(UTC) + timedelta(minutes=5), usegmt=True))
    error = await failure(sender, target)
    assert error.retry_after is not None and 280 <= error.retry_after <= 300


async def test_a_server_error_is_transient(push: PushService, sender: WebPush) -> None:
    push.answer(500)
    error = await failure(sender, push.subscribe())
    assert (error.status, error.permanent, error.gone, error.retry_after) == (500, False, False, None)


async def test_a_push_service_that_does_not_answer_times_out_as_transient(push: PushService, sender: WebPush) -> None:
    push.answer(HANG)
    started = time.monotonic()
    error = await failure(sender, push.subscribe())
    assert error.permanent is False and error.gone is False
    assert time.monotonic() - started < 5


async def test_an_unreachable_push_service_is_transient(push: PushService, sender: WebPush) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    target = push.subscribe()
    error = await failure(sender, replace(target, endpoint=f"http://127.0.0.1:{closed_port}/push/abc"))
    assert error.permanent is False


async def test_a_subscription_with_broken_keys_is_refused_without_sending(push: PushService, sender: WebPush) -> None:
    error = await failure(sender, replace(push.subscribe(), p256dh="bm90IGEga2V5"))
    assert error.permanent is True
    assert push.requests == 0


def test_mismatched_keys_and_made_up_subjects_stop_the_adapter_at_start(keys: tuple[str, str]) -> None:
    other_public = generate_vapid_keys()[0]
    with pytest.raises(SettingsError, match="APURI_VAPID_PUBLIC_KEY"):
        WebPush(webpush_settings(other_public, keys[1]))
    with pytest.raises(SettingsError, match="APURI_VAPID_PRIVATE_KEY"):
        WebPush(webpush_settings(keys[0], "not-a-key"))
    for subject in ("digituki@example.fi", "mailto:admin@localhost", "https://apuri.example.fi/contact"):
        with pytest.raises(SettingsError, match="APURI_VAPID_SUBJECT"):
            WebPush(webpush_settings(*keys, vapid_subject=subject))


async def test_the_keys_apuri_vapid_keys_prints_sign_pushes_the_browser_accepts(
    push: PushService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["vapid-keys"]) == 0
    lines = capsys.readouterr().out.splitlines()
    printed = dict(line.split("=", 1) for line in lines if line.startswith("APURI_"))
    assert set(printed) == {"APURI_VAPID_PUBLIC_KEY", "APURI_VAPID_PRIVATE_KEY", "APURI_VAPID_SUBJECT"}
    assert any("invalidates every existing" in line for line in lines if line.startswith("#"))
    env = {**printed, "APURI_PUSH_BACKEND": "webpush"}
    settings = Settings.from_env(env)
    target = push.subscribe(application_server_key=settings.vapid_public_key)  # the browser got the public key
    adapter = WebPush(settings)
    try:
        await adapter.send(target=target, payload=REMINDER, ttl=60)
    finally:
        await adapter.aclose()
    assert push.to(target) == [REMINDER]
    assert push.received[0].vapid_key == printed["APURI_VAPID_PUBLIC_KEY"]
