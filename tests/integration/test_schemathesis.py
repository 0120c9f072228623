"""Schemathesis generates requests from the app's own OpenAPI schema and sends them to a real server (uvicorn
on loopback, demo network loaded, signed in as the network coordinator). No request may get a 5xx.

Runs once per database. The password and sign-out operations are sent without the session cookie, so a
generated wrong password cannot end the session the other operations use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE
from tests.live import demo_database, serve

WITHOUT_SESSION = {"/api/v1/auth/password", "/api/v1/auth/sign-out"}

# Examples per operation and mode: a quick run in `make test` (a developer's loop), the full run in CI (.ci/run sets
# APURI_FUZZ_EXAMPLES=30).
EXAMPLES = int(os.environ.get("APURI_FUZZ_EXAMPLES", "10"))


@dataclass
class Session:
    base_url: str
    session: str
    csrf: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("fuzz")
    with (
        demo_database(request, request.param, folder) as url,
        serve(url, auth_requests_per_minute=100_000, otp_per_client_hour=100_000, sms_daily_budget=100_000) as live,
        httpx.Client(base_url=live.base_url) as client,
    ):
        client.get("/healthz")
        csrf = client.cookies["apuri_csrf"]
        headers = {"x-csrftoken": csrf}
        asked = client.post("/api/v1/auth/code", json={"phone": NETWORK_COORDINATOR_PHONE}, headers=headers)
        code = live.last_code(NETWORK_COORDINATOR_PHONE)
        verified = client.post(
            "/api/v1/auth/verify",
            json={"challenge_id": asked.json()["challenge_id"], "code": code},
            headers=headers,
        )
        assert verified.status_code == 200, verified.text
        stepped = client.post("/api/v1/auth/password", json={"password": DEMO_PASSWORD}, headers=headers)
        assert stepped.status_code == 200, stepped.text
        yield Session(base_url=live.base_url, session=client.cookies["apuri_session"], csrf=csrf)


@pytest.fixture(scope="module")
def api_schema(live_server: Session) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_server.base_url}/schema/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gets_a_server_error(
    api_schema: schemathesis.BaseSchema, live_server: Session, mode: GenerationMode
) -> None:
    """Valid requests (positive) and requests that break the schema (negative), for every operation.
    (Driven through hypothesis directly: schemathesis' lazy pytest fixture does not support pytest 9.)"""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        cookies = {"apuri_csrf": live_server.csrf}
        if operation.path not in WITHOUT_SESSION:
            cookies["apuri_session"] = live_server.session
        fuzz(operation.as_strategy(generation_mode=mode), live_server, cookies)()
    with httpx.Client(base_url=live_server.base_url, cookies={"apuri_session": live_server.session}) as client:
        assert client.get("/api/v1/auth/session").status_code == 200, "the fuzzing kept its session"


def fuzz(strategy: Any, live_server: Session, cookies: dict[str, str]) -> Any:
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(
            base_url=live_server.base_url,
            cookies=cookies,
            headers={"x-csrftoken": live_server.csrf},
            checks=[not_a_server_error],
        )

    return call


def test_the_schema_covers_every_api_route(api_schema: schemathesis.BaseSchema) -> None:
    paths = {result.ok().path for result in api_schema.get_all_operations()}
    assert {"/api/v1/auth/code", "/api/v1/organisations", "/api/v1/people/{person_id}"} <= paths
    assert not any(p.startswith("/dev") for p in paths), "dev tools stay out of the public schema"
