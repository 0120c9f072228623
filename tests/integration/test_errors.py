"""Bad input gets a 4xx RFC 9457 problem-details answer, never a 500 or a stack trace."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.conftest import Env
from tests.integration.world import build_world


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text  # type: ignore[attr-defined]
    return body  # type: ignore[no-any-return]


async def test_malformed_json_is_a_400_problem(env: Env) -> None:
    api = env.client()
    answer = await api.post("/api/v1/auth/code", content=b'{"phone": ', headers={"content-type": "application/json"})
    assert_problem(answer, 400)


async def test_wrong_types_and_unknown_fields_are_400_problems_naming_the_field(env: Env) -> None:
    api = env.client()
    body = assert_problem(await api.post("/api/v1/auth/code", json={"phone": 401234567}), 400)
    assert "phone" in str(body["detail"])
    body = assert_problem(await api.post("/api/v1/auth/code", json={"phone": "0401234567", "role": "admin"}), 400)
    assert "role" in str(body["detail"])
    assert env.sms.sent == []


async def test_an_oversized_body_is_a_413_problem(env: Env) -> None:
    api = env.client()
    answer = await api.post(
        "/api/v1/auth/code",
        content=b'{"phone": "' + b"1" * 100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert_problem(answer, 413)


async def test_a_missing_csrf_token_is_a_403_problem_and_changes_nothing(env: Env) -> None:
    api = env.client()
    answer = await api.http.post("/api/v1/auth/code", json={"phone": "0401234567"})
    assert_problem(answer, 403)
    assert env.sms.sent == []


async def test_unknown_routes_and_ids_are_404_problems(env: Env) -> None:
    world = await build_world(env)
    assert_problem(await env.client().get("/api/v1/no-such-thing"), 404)
    api = world.apis["network"]
    assert_problem(await api.get("/api/v1/organisations/00000000-0000-0000-0000-000000000000"), 404)
    assert (await api.get("/api/v1/organisations/not-a-uuid")).status_code in (400, 404)


async def test_invalid_opening_hours_are_a_422_and_nothing_is_written(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["coord_a"]
    before = (await api.get(f"/api/v1/organisations/{world.org_a}/help-points")).json()
    body = {
        "name": "Pop-up desk",
        "street_address": "Tori 1",
        "postal_code": "93600",
        "municipality": "Kuusamo",
        "opening_hours": [
            {"weekday": 1, "opens": "10:00:00", "closes": "14:00:00"},
            {"weekday": 1, "opens": "13:00:00", "closes": "16:00:00"},
        ],
    }
    problem = assert_problem(await api.post(f"/api/v1/organisations/{world.org_a}/help-points", json=body), 422)
    assert problem["code"] == "opening_hours_overlap"
    after = (await api.get(f"/api/v1/organisations/{world.org_a}/help-points")).json()
    assert after == before


async def test_unauthenticated_calls_get_a_401_problem(env: Env) -> None:
    assert_problem(await env.client().get("/api/v1/me"), 401)


async def test_control_characters_are_refused_before_they_reach_the_database(env: Env) -> None:
    """Found by schemathesis: PostgreSQL cannot store NUL, so such text once became a 500."""
    world = await build_world(env)
    api = world.apis["coord_a"]
    assert_problem(await api.patch(f"/api/v1/help-points/{world.help_point_a}", json={"name": "Desk\x00"}), 400)
    assert_problem(await env.client().get("/api/v1/help-points", params={"municipality": "Kuu\x00samo"}), 400)
    notes = await api.patch(
        f"/api/v1/help-points/{world.help_point_a}", json={"accessibility_notes": "Ramp.\nLift on the left."}
    )
    assert notes.status_code == 200, "line breaks are fine in multi-line text"


async def test_an_audit_cursor_beyond_the_id_range_is_a_400(env: Env) -> None:
    """Found by schemathesis: a huge before_id overflowed PostgreSQL's integer and became a 500."""
    world = await build_world(env)
    assert_problem(await world.apis["network"].get("/api/v1/audit", params={"before_id": 5906167445354}), 400)


async def test_a_client_that_hangs_up_mid_request_is_not_logged_as_an_error(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    """Phones on a weak signal drop the connection while sending: that is the network, not a fault of ours, so it
    is one line at INFO (no traceback, no ERROR to wake anyone), and nothing is written."""
    api = env.client()
    await api.http.get("/healthz")
    token = api.http.cookies["apuri_csrf"]
    arriving = [
        {"type": "http.request", "body": b'{"phone": "040', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/auth/code",
        "raw_path": b"/api/v1/auth/code",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", b"40"),
            (b"cookie", f"apuri_csrf={token}".encode()),
            (b"x-csrftoken", token.encode()),
        ],
        "client": ("198.51.100.77", 41000),
        "server": ("testserver", 80),
    }
    with caplog.at_level(logging.INFO, logger="apuri"):
        await env.app(scope, receive, send)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    gone = [r for r in caplog.records if "closed the connection" in r.getMessage()]
    assert len(gone) == 1 and gone[0].exc_info is None and gone[0].levelno == logging.INFO, caplog.text
    assert "040" not in caplog.text
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 400
    assert env.sms.sent == []
