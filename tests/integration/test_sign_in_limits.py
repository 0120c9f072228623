"""Send limits that a stranger cannot turn against a number's owner: codes are counted per number and client
address, a small cap per number and day (reset by a successful sign-in) bounds the texts to any one number,
and another client's request never cancels the owner's code. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.conftest import Env

VICTIM = "+358401330001"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.200"
CODE = "/api/v1/auth/code"


async def ask(env: Env, address: str, phone: str = VICTIM) -> Any:
    return await env.client(address).post(CODE, json={"phone": phone})


async def sign_in_from(env: Env, address: str, phone: str = VICTIM) -> int:
    api = env.client(address)
    asked = await api.post(CODE, json={"phone": phone})
    if asked.status_code != 202:
        return int(asked.status_code)
    verified = await api.post(
        "/api/v1/auth/verify", json={"challenge_id": asked.json()["challenge_id"], "code": env.last_code(phone)}
    )
    return int(verified.status_code)


async def test_an_attacker_asking_for_the_victims_codes_does_not_lock_the_victim_out(env: Env) -> None:
    statuses = [(await ask(env, ATTACKER)).status_code for _ in range(5)]
    assert statuses == [202, 202, 202, 429, 429], "the attacker's own allowance for the number runs out"
    assert await sign_in_from(env, OWNER) == 200, "the owner, from another address, still signs in"


async def test_a_day_of_attacks_from_one_address_leaves_the_owner_their_codes(env: Env) -> None:
    """Before: three requests locked the owner out for 15 minutes, and repeating it kept them out all day while
    texting them each time. Now one address gets half a number's daily codes at most."""
    sent_to_attacker = 0
    for _ in range(24 * 4):
        for _ in range(3):
            if (await ask(env, ATTACKER)).status_code == 202:
                sent_to_attacker += 1
        env.clock.advance(timedelta(minutes=15, seconds=1))
        if sent_to_attacker >= 5:
            assert await sign_in_from(env, OWNER) == 200, "the owner signs in in the middle of the attack"
            break
    assert sent_to_attacker == 5
    env.clock.advance(timedelta(minutes=16))
    assert (await ask(env, ATTACKER)).status_code == 429, "the owner's sign-in does not reset the attacker's count"


async def test_many_addresses_together_still_send_a_number_at_most_its_daily_cap(env: Env) -> None:
    """Spreading the requests over addresses cannot flood one number: the cap per number and day holds."""
    for round_ in range(8):
        for n in range(6):
            await ask(env, f"203.0.113.{100 + round_ * 6 + n}")
        env.clock.advance(timedelta(minutes=16))
    assert len(env.sms.to(VICTIM)) == 10


async def test_concurrent_requests_cannot_slip_past_the_caps(env: Env) -> None:
    same_address = await asyncio.gather(*(ask(env, ATTACKER) for _ in range(12)))
    assert sorted(a.status_code for a in same_address) == [202] * 3 + [429] * 9
    other = "+358401330002"
    spread = await asyncio.gather(*(ask(env, f"203.0.113.{10 + n}", other) for n in range(14)))
    assert sorted(a.status_code for a in spread) == [202] * 10 + [429] * 4
    assert len(env.sms.to(VICTIM)) == 3 and len(env.sms.to(other)) == 10


async def test_a_successful_sign_in_resets_the_numbers_daily_cap(env: Env) -> None:
    apps = [env.client(f"203.0.113.{120 + n}") for n in range(10)]
    asked = [await app.post(CODE, json={"phone": VICTIM}) for app in apps]
    assert [a.status_code for a in asked] == [202] * 10
    env.clock.advance(timedelta(minutes=1))
    refused = await ask(env, OWNER)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_codes_phone"
    assert 0 < int(refused.headers["retry-after"]) <= 24 * 3600 + 1
    # The owner reads the latest code on their phone and types it into the app that asked for it.
    verified = await apps[-1].post(
        "/api/v1/auth/verify", json={"challenge_id": asked[-1].json()["challenge_id"], "code": env.last_code(VICTIM)}
    )
    assert verified.status_code == 200
    env.clock.advance(timedelta(minutes=1))
    assert (await ask(env, OWNER)).status_code == 202, "a successful sign-in starts the number's day afresh"


async def test_one_address_asking_again_replaces_its_own_code_but_not_the_owners(env: Env) -> None:
    owner = env.client(OWNER)
    asked = await owner.post(CODE, json={"phone": VICTIM})
    owners_code = env.last_code(VICTIM)
    assert (await ask(env, ATTACKER)).status_code == 202, "the attacker asks right after the owner"
    verified = await owner.post(
        "/api/v1/auth/verify", json={"challenge_id": asked.json()["challenge_id"], "code": owners_code}
    )
    assert verified.status_code == 200, "another address's request did not cancel the owner's code"


async def test_the_same_address_gets_three_codes_per_quarter_hour_then_429_with_retry_after(env: Env) -> None:
    answers = [await ask(env, OWNER) for _ in range(5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    refused = answers[3]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "too_many_codes_phone"
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60 + 1
    assert len(env.sms.to(VICTIM)) == 3
    env.clock.advance(timedelta(minutes=15, seconds=1))
    assert (await ask(env, OWNER)).status_code == 202
