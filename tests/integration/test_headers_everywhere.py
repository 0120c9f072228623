"""The security headers and problem details on every answer, the framework's own errors included (an unknown
route, a wrong method, the CSRF check, unreadable or oversized bodies, the rate limiter), and a sign-out that
browsers actually honour on https. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from tests.conftest import Env, base_settings, make_env

HTTPS = "https://apuri.example.fi"
# The set server/http/headers.py adds; a normal answer shows the values the errors must carry too.
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
    "strict-transport-security",
    "cache-control",
)
SESSION_COOKIE = "__Host-apuri_session"


def https_client(env: Env, address: str | None = None) -> Any:
    """A client that talks https, so it keeps and sends back the Secure cookies an https deployment sets."""
    api = env.client(address)
    api.http.base_url = httpx.URL("https://testserver")
    return api


async def framework_errors(env: Env) -> dict[str, httpx.Response]:
    """One answer per kind of error that the framework, not a route, produces. Each comes from its own client
    address so the rate limit hits only where it is meant to."""
    csrf_missing = https_client(env)
    await csrf_missing.http.get("/healthz")
    limited = https_client(env)
    for _ in range(3):
        await limited.get("/api/v1/auth/session")
    return {
        "unknown route": await https_client(env).get("/api/v1/no-such-thing"),
        "wrong method": await https_client(env).get("/api/v1/auth/code"),
        "csrf missing": await csrf_missing.http.post("/api/v1/auth/code", json={"phone": "0401234567"}),
        "malformed json": await https_client(env).post(
            "/api/v1/auth/code", content=b'{"phone": ', headers={"content-type": "application/json"}
        ),
        "too large body": await https_client(env).post(
            "/api/v1/auth/code",
            content=b'{"phone": "' + b"1" * 100_000 + b'"}',
            headers={"content-type": "application/json"},
        ),
        "rate limited": await limited.get("/api/v1/auth/session"),
    }


async def test_framework_errors_carry_the_same_security_headers_as_a_normal_answer(database_url: str) -> None:
    settings = replace(base_settings(database_url), public_base_url=HTTPS, auth_requests_per_minute=3)
    async for env in make_env(settings):
        normal = await https_client(env).get("/api/v1/help-points")
        assert normal.status_code == 200
        expected = {name: normal.headers.get(name) for name in SECURITY_HEADERS}
        assert all(expected.values()), expected
        answers = await framework_errors(env)
        statuses = {name: answer.status_code for name, answer in answers.items()}
        assert statuses == {
            "unknown route": 404,
            "wrong method": 405,
            "csrf missing": 403,
            "malformed json": 400,
            "too large body": 413,
            "rate limited": 429,
        }
        for name, answer in answers.items():
            got = {header: answer.headers.get(header) for header in SECURITY_HEADERS}
            assert got == expected, name
            assert answer.headers["content-type"].startswith("application/problem+json"), name
            body = answer.json()
            assert body["status"] == answer.status_code and body["detail"] and body.get("code"), (name, body)
        assert answers["csrf missing"].json()["code"] == "csrf_failed"
        assert env.sms.sent == [], "no refused request reached the SMS port"


async def test_every_429_says_when_to_try_again(database_url: str) -> None:
    """The README promises Retry-After on every 429: the rate limiter's as well as the send limits'."""
    settings = replace(base_settings(database_url), auth_requests_per_minute=2)
    async for env in make_env(settings):
        api = env.client()
        answers = [await api.get("/api/v1/auth/session") for _ in range(3)]
        assert [a.status_code for a in answers] == [401, 401, 429]
        assert 1 <= int(answers[2].headers["retry-after"]) <= 60
        assert answers[2].json()["code"].startswith("too_many")
    async for env in make_env(base_settings(database_url)):
        api = env.client()
        codes = [await api.post("/api/v1/auth/code", json={"phone": "+358401320001"}) for _ in range(4)]
        assert codes[3].status_code == 429 and int(codes[3].headers["retry-after"]) >= 1


async def test_signing_out_on_https_deletes_the_host_cookie_the_way_browsers_accept(database_url: str) -> None:
    """A __Host- cookie is only replaced by one that is also Secure with path /: a plain deletion is ignored,
    and the browser would keep sending a token that no longer works."""
    settings = replace(base_settings(database_url), public_base_url=HTTPS)
    async for env in make_env(settings):
        api = https_client(env)
        asked = await api.post("/api/v1/auth/code", json={"phone": "+358401320002"})
        assert asked.status_code == 202, asked.text
        verified = await api.post(
            "/api/v1/auth/verify",
            json={"challenge_id": asked.json()["challenge_id"], "code": env.last_code("+358401320002")},
        )
        assert verified.status_code == 200, verified.text
        assert api.http.cookies.get(SESSION_COOKIE)
        out = await api.post("/api/v1/auth/sign-out")
        assert out.status_code == 204
        deletion = [c for c in out.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]
        assert len(deletion) == 1, out.headers.get_list("set-cookie")
        attributes = {part.strip().split("=", 1)[0].lower(): part.strip() for part in deletion[0].split(";")}
        assert "secure" in attributes and attributes["path"].lower() == "path=/", deletion[0]
        assert attributes.get("max-age", "").lower() == "max-age=0" or "expires" in attributes, deletion[0]
        assert "domain" not in attributes, "a __Host- cookie never names a domain"
        assert api.http.cookies.get(SESSION_COOKIE) is None, "the client dropped the cookie"
        assert (await api.get("/api/v1/auth/session")).status_code == 401
