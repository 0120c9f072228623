"""Limits on sending sign-in codes: per number, per client address, and a daily budget (HTTP 429)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from tests.conftest import Env, base_settings, make_env


async def test_one_client_asking_for_fifty_numbers_reaches_the_sms_port_at_most_ten_times(env: Env) -> None:
    api = env.client("203.0.113.50")
    statuses = [
        (await api.post("/api/v1/auth/code", json={"phone": f"+3584012{n:05d}"})).status_code for n in range(50)
    ]
    assert len(env.sms.sent) == 10
    assert statuses.count(202) == 10 and statuses.count(429) == 40


async def test_the_same_number_gets_three_codes_per_quarter_hour_then_429_with_retry_after(env: Env) -> None:
    """From one client (another client's allowance for the number is its own: test_sign_in_limits.py)."""
    phone = "+358401300001"
    api = env.client("203.0.113.60")
    answers = [await api.post("/api/v1/auth/code", json={"phone": phone}) for _ in range(5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    refused = answers[3]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "too_many_codes_phone"
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60 + 1
    assert len(env.sms.to(phone)) == 3
    env.clock.advance(timedelta(minutes=15, seconds=1))
    assert (await api.post("/api/v1/auth/code", json={"phone": phone})).status_code == 202


async def test_a_number_gets_at_most_ten_codes_a_day(env: Env) -> None:
    phone = "+358401300002"
    sent = 0
    for _ in range(8):
        for _ in range(3):
            if (await env.client().post("/api/v1/auth/code", json={"phone": phone})).status_code == 202:
                sent += 1
        env.clock.advance(timedelta(minutes=16))
    assert sent == 10 == len(env.sms.to(phone))


async def test_concurrent_requests_cannot_slip_past_the_limit(env: Env) -> None:
    phone = "+358401300003"
    api = env.client("203.0.113.61")
    answers = await asyncio.gather(*(api.post("/api/v1/auth/code", json={"phone": phone}) for _ in range(12)))
    assert sorted(a.status_code for a in answers) == [202] * 3 + [429] * 9
    assert len(env.sms.to(phone)) == 3


async def test_the_daily_sms_budget_stops_all_codes_until_midnight(database_url: str) -> None:
    settings = replace(base_settings(database_url), sms_daily_budget=4)
    async for env in make_env(settings):
        statuses = [
            (await env.client().post("/api/v1/auth/code", json={"phone": f"+35840140{n:04d}"})).status_code
            for n in range(6)
        ]
        assert statuses == [202, 202, 202, 202, 429, 429]
        assert len(env.sms.sent) == 4
        env.clock.advance(timedelta(days=1))
        assert (await env.client().post("/api/v1/auth/code", json={"phone": "+358401409999"})).status_code == 202


async def test_litestar_rate_limit_guards_the_sign_in_routes_per_client(database_url: str) -> None:
    settings = replace(base_settings(database_url), auth_requests_per_minute=5)
    async for env in make_env(settings):
        api = env.client("203.0.113.77")
        statuses = [
            (
                await api.post(
                    "/api/v1/auth/verify",
                    json={"challenge_id": "7d8c1b34-5f4e-4bde-9a51-1f0f3a3c9b10", "code": "000000"},
                )
            ).status_code
            for _ in range(7)
        ]
        assert statuses[:5] == [422] * 5 and statuses[5:] == [429, 429]
        other = env.client("203.0.113.78")
        assert (await other.get("/api/v1/auth/session")).status_code == 401, "another client is not limited"


async def test_a_landline_or_foreign_number_never_reaches_the_sms_port(env: Env) -> None:
    for phone, code in (
        ("09 1234567", "phone_not_mobile"),
        ("+46 70 123 45 67", "phone_not_fi"),
        ("12", "phone_invalid"),
        ("not a number", "phone_invalid"),
    ):
        answer = await env.client().post("/api/v1/auth/code", json={"phone": phone})
        assert answer.status_code == 422 and answer.json()["code"] == code, phone
    assert env.sms.sent == []
