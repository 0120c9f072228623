"""Sign-in by SMS code for every role, and the rules a code must follow, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher

from server.domain.roles import Role
from server.services.auth import password_hasher
from server.services.people import provision_staff
from tests.conftest import Env
from tests.integration.world import PASSWORD, PHONES, build_world


async def ask_code(env: Env, phone: str, address: str | None = None) -> tuple[object, str]:
    api = env.client(address)
    asked = await api.post("/api/v1/auth/code", json={"phone": phone})
    assert asked.status_code == 202, asked.text
    return api, asked.json()["challenge_id"]


async def test_a_new_resident_signs_in_with_a_code_and_gets_a_resident_session(env: Env) -> None:
    api = env.client()
    asked = await api.post("/api/v1/auth/code", json={"phone": "050 765 4321", "language": "sv"})
    assert asked.status_code == 202
    assert "inloggningskod" in env.sms.to("+358507654321")[0]
    code = env.last_code("+358507654321")
    verified = await api.post("/api/v1/auth/verify", json={"challenge_id": asked.json()["challenge_id"], "code": code})
    assert verified.status_code == 200
    assert [r["role"] for r in verified.json()["roles"]] == ["resident"]
    cookie = verified.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = await api.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["phone"] == "+358507654321"


async def test_each_role_signs_in_and_reaches_only_its_own_endpoints(env: Env) -> None:
    world = await build_world(env)
    expectations = {
        "network": ({"network_coordinator"}, 200),
        "coord_a": ({"partner_coordinator"}, 200),
        "vol_a": ({"volunteer"}, 403),
        "resident_1": ({"resident"}, 403),
    }
    for key, (roles, organisations_status) in expectations.items():
        session = await world.apis[key].get("/api/v1/auth/session")
        assert {r["role"] for r in session.json()["roles"]} == roles, key
        listed = await world.apis[key].get("/api/v1/organisations")
        assert listed.status_code == organisations_status, key


async def test_a_coordinator_needs_the_password_before_coordinator_routes(env: Env) -> None:
    await build_world(env)
    api = await env.sign_in(PHONES["coord_a"])
    session = await api.get("/api/v1/auth/session")
    assert session.json()["second_factor_required"] is True
    refused = await api.get("/api/v1/organisations")
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required"
    wrong = await api.post("/api/v1/auth/password", json={"password": "not the password"})
    assert wrong.status_code == 422
    before = api.session_token
    right = await api.post("/api/v1/auth/password", json={"password": PASSWORD})
    assert right.status_code == 200
    assert api.session_token != before, "the session id is rotated on step-up"
    assert (await api.get("/api/v1/organisations")).status_code == 200
    stale = env.client()
    stale.http.cookies.set("apuri_session", before or "")
    assert (await stale.get("/api/v1/auth/session")).status_code == 401


async def test_five_wrong_passwords_end_the_session(env: Env) -> None:
    await build_world(env)
    api = await env.sign_in(PHONES["coord_b"])
    statuses = [
        (await api.post("/api/v1/auth/password", json={"password": f"wrong password {i}"})).status_code
        for i in range(5)
    ]
    assert statuses == [422, 422, 422, 422, 401]
    assert (await api.get("/api/v1/auth/session")).status_code == 401


async def coordinator_without_password_step(env: Env, phone: str = "+358401110099") -> Any:
    """A network coordinator signed in by code, before the password step."""
    await provision_staff(
        env.services.audit,
        engine=env.engine,
        clock=env.clock,
        phone=phone,
        first_name="Nina",
        last_name="",
        language="fi",
        role=Role.NETWORK_COORDINATOR,
        organisation_id=None,
        password=PASSWORD,
        hasher=password_hasher(env.services.settings),
    )
    return await env.sign_in(phone)


class CountingHasher:
    """The service's argon2 hasher, recording every verification (True when the password was right)."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        self.checks: list[bool] = []

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        try:
            self._hasher.verify(hashed, password)
        except Exception:
            self.checks.append(False)
            raise
        self.checks.append(True)
        return True


def count_password_checks(env: Env, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    counting = CountingHasher(env.services.auth._hasher)  # the one place that checks passwords
    monkeypatch.setattr(env.services.auth, "_hasher", counting)
    return counting.checks


async def test_parallel_password_guesses_cannot_get_past_the_limit(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty wrong passwords and the right one, all at once in one sign-in: at most five wrong ones are even
    checked, and afterwards neither the old token nor any token handed out on the way works."""
    api = await coordinator_without_password_step(env)
    old_token = api.session_token
    checks = count_password_checks(env, monkeypatch)
    passwords = [f"wrong password {i:02d}" for i in range(20)]
    passwords.insert(3, PASSWORD)
    answers = await asyncio.gather(*(api.post("/api/v1/auth/password", json={"password": p}) for p in passwords))
    assert all(a.status_code in (200, 401, 422) for a in answers), [a.text for a in answers]
    assert checks.count(False) <= 5, f"{checks.count(False)} wrong passwords were checked"
    assert len(checks) <= 6
    assert any(a.status_code == 401 and a.json()["code"] == "password_locked" for a in answers)
    handed_out = {old_token} | {
        cookie.split(";")[0].split("=", 1)[1]
        for a in answers
        for cookie in a.headers.get_list("set-cookie")
        if cookie.startswith("apuri_session=")
    }
    for token in handed_out:
        replay = env.client()
        replay.http.cookies.set("apuri_session", token or "")
        assert (await replay.get("/api/v1/auth/session")).status_code == 401, "a sign-in past the limit works"


async def test_once_the_limit_is_reached_even_the_right_password_is_refused(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service itself refuses a sixth check, whatever the password, without running argon2 again."""
    api = await coordinator_without_password_step(env)
    me = (await api.get("/api/v1/auth/session")).json()
    principal = await env.services.auth.authenticate(api.session_token or "")
    assert principal is not None and me["second_factor_required"] is True
    checks = count_password_checks(env, monkeypatch)
    from server.domain.errors import DomainError

    codes = []
    for password in [f"wrong password {i}" for i in range(5)] + [PASSWORD]:
        try:
            await env.services.auth.second_factor(principal, password)
            codes.append("ok")
        except DomainError as refused:
            codes.append(refused.code)
    assert codes == ["password_wrong"] * 4 + ["password_locked", "password_locked"]
    assert checks == [False] * 5, "the right password after the limit is not even checked"


async def test_a_wrong_password_before_the_right_one_still_counts(env: Env) -> None:
    """The right password gives back only its own try: four wrong ones, the right one, then one more wrong
    one in the same sign-in ends it (five wrong in all)."""
    api = await coordinator_without_password_step(env)
    for i in range(4):
        wrong = await api.post("/api/v1/auth/password", json={"password": f"wrong password {i}"})
        assert wrong.status_code == 422
    assert (await api.post("/api/v1/auth/password", json={"password": PASSWORD})).status_code == 200
    last = await api.post("/api/v1/auth/password", json={"password": "wrong password 5"})
    assert last.status_code == 401 and last.json()["code"] == "password_locked"
    assert (await api.get("/api/v1/auth/session")).status_code == 401


async def test_a_code_works_only_once(env: Env) -> None:
    phone = "+358401230001"
    api, challenge = await ask_code(env, phone)
    code = env.last_code(phone)
    first = await api.post("/api/v1/auth/verify", json={"challenge_id": challenge, "code": code})
    second = await env.client().post("/api/v1/auth/verify", json={"challenge_id": challenge, "code": code})
    assert first.status_code == 200
    assert second.status_code == 422 and second.json()["code"] == "code_invalid"


async def test_a_code_is_refused_after_ten_minutes(env: Env) -> None:
    phone = "+358401230002"
    api, challenge = await ask_code(env, phone)
    env.clock.advance(timedelta(minutes=10))
    late = await api.post("/api/v1/auth/verify", json={"challenge_id": challenge, "code": env.last_code(phone)})
    assert late.status_code == 422 and late.json()["code"] == "code_expired"


async def test_a_code_is_accepted_just_before_it_expires(env: Env) -> None:
    phone = "+358401230003"
    api, challenge = await ask_code(env, phone)
    env.clock.advance(timedelta(minutes=9, seconds=59))
    ok = await api.post("/api/v1/auth/verify", json={"challenge_id": challenge, "code": env.last_code(phone)})
    assert ok.status_code == 200


async def test_after_five_wrong_codes_even_the_right_one_is_refused(env: Env) -> None:
    phone = "+358401230004"
    api, challenge = await ask_code(env, phone)
    right = env.last_code(phone)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answers = [
        (await api.post("/api/v1/auth/verify", json={"challenge_id": challenge, "code": wrong})).json()
        for _ in range(5)
    ]
    assert [a.get("attempts_left") for a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4]["code"] == "code_invalid"
    after = await api.post("/api/v1/auth/verify", json={"challenge_id": challenge, "code": right})
    assert after.status_code == 422 and after.json()["code"] == "code_invalid"


async def test_a_new_code_replaces_the_old_one_and_codes_are_bound_to_their_challenge(env: Env) -> None:
    """The same app asking again replaces its code (another address's request does not cancel it:
    test_sign_in_limits.py)."""
    phone = "+358401230005"
    api, first_challenge = await ask_code(env, phone, "198.51.100.150")
    first_code = env.last_code(phone)
    _, second_challenge = await ask_code(env, phone, "198.51.100.150")
    second_code = env.last_code(phone)
    old = await api.post("/api/v1/auth/verify", json={"challenge_id": first_challenge, "code": first_code})
    assert old.status_code == 422
    crossed = await api.post("/api/v1/auth/verify", json={"challenge_id": second_challenge, "code": first_code})
    assert crossed.status_code == 422
    ok = await api.post("/api/v1/auth/verify", json={"challenge_id": second_challenge, "code": second_code})
    assert ok.status_code == 200


async def test_known_and_unknown_numbers_get_the_same_answer(env: Env) -> None:
    await build_world(env)
    known = await env.client().post("/api/v1/auth/code", json={"phone": PHONES["vol_a"]})
    unknown = await env.client().post("/api/v1/auth/code", json={"phone": "+358401239999"})
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json()) == {"challenge_id", "expires_in"}
    assert known.json()["expires_in"] == unknown.json()["expires_in"]
    assert known.headers.keys() - {"set-cookie"} == unknown.headers.keys() - {"set-cookie"}


async def test_the_code_is_stored_only_as_a_hash(env: Env) -> None:
    phone = "+358401230006"
    await ask_code(env, phone)
    code = env.last_code(phone)
    from server.db.tables import SignInChallenge

    rows = await SignInChallenge.select().where(SignInChallenge.phone == phone)
    assert rows and all(code not in str(value) for value in rows[0].values())


async def test_sign_out_ends_the_session_on_the_server(env: Env) -> None:
    api = await env.sign_in("+358401230007")
    token = api.session_token
    assert (await api.post("/api/v1/auth/sign-out")).status_code == 204
    replay = env.client()
    replay.http.cookies.set("apuri_session", token or "")
    assert (await replay.get("/api/v1/me")).status_code == 401


async def test_deactivating_a_volunteer_ends_all_their_sessions_at_once(env: Env) -> None:
    world = await build_world(env)
    phone_session = world.apis["vol_a"]
    tablet_session = await env.sign_in(PHONES["vol_a"])
    assert (await tablet_session.get("/api/v1/me")).status_code == 200
    done = await world.apis["network"].post(f"/api/v1/people/{world.ids['vol_a']}/deactivate")
    assert done.status_code == 200 and done.json()["active"] is False
    assert (await phone_session.get("/api/v1/me")).status_code == 401
    assert (await tablet_session.get("/api/v1/me")).status_code == 401
    again = await env.client().post("/api/v1/auth/code", json={"phone": PHONES["vol_a"]})
    assert again.status_code == 202, "the answer does not reveal that the account is inactive"
    refused = await env.client().post(
        "/api/v1/auth/verify",
        json={"challenge_id": again.json()["challenge_id"], "code": env.last_code(PHONES["vol_a"])},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "account_inactive"


async def test_a_session_ends_after_its_idle_time(env: Env) -> None:
    await build_world(env)
    api = await env.sign_in(PHONES["coord_a"], password=PASSWORD)
    env.clock.advance(timedelta(minutes=29))
    assert (await api.get("/api/v1/me")).status_code == 200
    env.clock.advance(timedelta(minutes=29))
    assert (await api.get("/api/v1/me")).status_code == 200, "use keeps an idle session alive"
    env.clock.advance(timedelta(minutes=31))
    assert (await api.get("/api/v1/me")).status_code == 401


async def test_a_session_ends_at_its_absolute_lifetime_even_when_used(env: Env) -> None:
    await build_world(env)
    api = await env.sign_in(PHONES["coord_a"], password=PASSWORD)
    for _ in range(24):  # 24 x 29 min = 11 h 36 min
        env.clock.advance(timedelta(minutes=29))
        assert (await api.get("/api/v1/me")).status_code == 200
    env.clock.advance(timedelta(minutes=29))  # 12 h 05 min
    assert (await api.get("/api/v1/me")).status_code == 401, "coordinator sessions last at most 12 hours"


async def test_logs_never_hold_the_code_the_token_or_the_full_number(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    phone = "+358401230101"
    api = await env.sign_in(phone)
    await env.client().post("/api/v1/auth/code", json={"phone": "0401230101"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "+35840*****01" in logged, "sign-ins are logged, masked"
    assert phone not in logged and "401230101" not in logged
    assert env.last_code(phone) not in logged
    assert api.session_token and api.session_token not in logged
