"""Session lifetimes per role, lifetimes that follow role changes, cookie attributes, and the password
lockout under parallel tries."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from tests.conftest import Env, base_settings, make_env
from tests.integration.world import PASSWORD, PHONES, build_world


async def test_a_resident_session_survives_six_idle_days_but_not_eight(env: Env) -> None:
    api = await env.sign_in("+358401230200")
    env.clock.advance(timedelta(days=6, hours=23))
    assert (await api.get("/api/v1/me")).status_code == 200
    env.clock.advance(timedelta(days=7, minutes=1))
    assert (await api.get("/api/v1/me")).status_code == 401


async def test_a_volunteer_stays_signed_in_on_their_phone_for_two_idle_weeks(env: Env) -> None:
    world = await build_world(env)
    env.clock.advance(timedelta(days=13))
    assert (await world.apis["vol_a"].get("/api/v1/me")).status_code == 200
    env.clock.advance(timedelta(days=14, minutes=1))
    assert (await world.apis["vol_a"].get("/api/v1/me")).status_code == 401


async def test_a_resident_made_coordinator_gets_coordinator_lifetimes_in_the_same_session(env: Env) -> None:
    world = await build_world(env)
    added = await world.apis["network"].post(
        f"/api/v1/organisations/{world.org_a}/members",
        json={"role": "partner_coordinator", "phone": PHONES["resident_2"], "first_name": "Resident_2"},
    )
    assert added.status_code == 201
    api = world.apis["resident_2"]
    assert (await api.post("/api/v1/auth/password", json={"password": "a brand new password"})).status_code == 200
    assert (await api.get("/api/v1/organisations")).status_code == 200
    env.clock.advance(timedelta(minutes=31))
    assert (await api.get("/api/v1/organisations")).status_code == 401, "30 minutes idle, as for coordinators"


async def test_a_resident_made_coordinator_is_bound_by_the_twelve_hour_limit(env: Env) -> None:
    world = await build_world(env)
    env.clock.advance(timedelta(hours=13))
    api = world.apis["resident_1"]
    assert (await api.get("/api/v1/me")).status_code == 200, "13 hours is fine for a resident"
    network = await env.sign_in(PHONES["network"], password=PASSWORD)  # their own session has ended meanwhile
    added = await network.post(
        f"/api/v1/organisations/{world.org_a}/members",
        json={"role": "partner_coordinator", "phone": PHONES["resident_1"], "first_name": "Resident_1"},
    )
    assert added.status_code == 201
    assert (await api.get("/api/v1/me")).status_code == 401, "but the session is older than a coordinator's may be"


async def test_parallel_wrong_passwords_still_end_the_session(env: Env) -> None:
    await build_world(env)
    api = await env.sign_in(PHONES["coord_b"])
    answers = await asyncio.gather(
        *(api.post("/api/v1/auth/password", json={"password": f"wrong password {n}"}) for n in range(12))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(422) <= 4 and 401 in statuses
    assert (await api.get("/api/v1/auth/session")).status_code == 401
    right = await api.post("/api/v1/auth/password", json={"password": PASSWORD})
    assert right.status_code == 401, "the right password no longer helps"


async def test_on_https_the_session_cookie_is_host_only_secure_and_http_only(database_url: str) -> None:
    settings = replace(base_settings(database_url), public_base_url="https://apuri.example.fi")
    async for env in make_env(settings):
        api = env.client()
        api.http.base_url = "https://testserver"  # type: ignore[assignment]
        asked = await api.post("/api/v1/auth/code", json={"phone": "0401230300"})
        verified = await api.post(
            "/api/v1/auth/verify",
            json={"challenge_id": asked.json()["challenge_id"], "code": env.last_code("+358401230300")},
        )
        assert verified.status_code == 200
        cookie = next(c for c in verified.headers.get_list("set-cookie") if "apuri_session" in c)
        assert cookie.startswith("__Host-apuri_session=")
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path=/", "samesite=lax"} <= flags
        assert not any(flag.startswith("domain") for flag in flags)
        assert (await api.get("/api/v1/me")).status_code == 200
