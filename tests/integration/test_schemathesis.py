"""Schemathesis generates requests from the app's own OpenAPI schema and sends them to a real server (uvicorn
on loopback, demo network loaded), as every role: anonymous, resident, volunteer, partner coordinator and network
coordinator. Every check schemathesis has must pass: no 5xx, every status, content type, header and body as the
document says, schema-violating requests refused, schema-valid ones accepted (a 422 counts as accepted: it is the
domain's answer to a valid shape, e.g. a phone number that is not one).

Runs once per database. The password and sign-out operations are sent without the session cookie, so a
generated wrong password cannot end the session the other operations use; a generated case that leaves the
session cookie out is sent without it (and must be refused).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
import schemathesis.specs.openapi.checks  # registers the OpenAPI checks
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from server.demo import (
    DEMO_PASSWORD,
    NETWORK_COORDINATOR_PHONE,
    PARTNER_COORDINATOR_PHONE,
    RESIDENT_PHONE,
    VOLUNTEER_PHONE,
)
from server.http.error_codes import matches
from tests.live import LiveServer, demo_database, serve

WITHOUT_SESSION = {"/api/v1/auth/password", "/api/v1/auth/sign-out"}
ROLES = {
    "anonymous": None,
    "resident": RESIDENT_PHONE,
    "volunteer": VOLUNTEER_PHONE,
    "partner_coordinator": PARTNER_COORDINATOR_PHONE,
    "network_coordinator": NETWORK_COORDINATOR_PHONE,
}
STAFF = {"partner_coordinator", "network_coordinator"}
# Schema-valid requests the domain refuses in words are "accepted" (see the module's docstring).
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429", "503"]

# Examples per operation and mode: a quick run in `make test` (a developer's loop), the full run in CI (.ci/run sets
# APURI_FUZZ_EXAMPLES=30). The network coordinator reaches every operation; the other roles mostly meet refusals,
# so they get a third as many.
EXAMPLES = int(os.environ.get("APURI_FUZZ_EXAMPLES", "5"))


@dataclass
class Session:
    base_url: str
    csrf: str
    sessions: dict[str, str | None]  # role → its session cookie (None: anonymous)


def _sign_in(live: LiveServer, phone: str, staff: bool) -> tuple[str, str]:
    with httpx.Client(base_url=live.base_url) as client:
        client.get("/healthz")
        csrf = client.cookies["apuri_csrf"]
        headers = {"x-csrftoken": csrf}
        asked = client.post("/api/v1/auth/code", json={"phone": phone}, headers=headers)
        assert asked.status_code == 202, asked.text
        verified = client.post(
            "/api/v1/auth/verify",
            json={"challenge_id": asked.json()["challenge_id"], "code": live.last_code(phone)},
            headers=headers,
        )
        assert verified.status_code == 200, verified.text
        if staff:
            stepped = client.post("/api/v1/auth/password", json={"password": DEMO_PASSWORD}, headers=headers)
            assert stepped.status_code == 200, stepped.text
        return client.cookies["apuri_session"], csrf


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
        sessions: dict[str, str | None] = {"anonymous": None}
        for role, phone in ROLES.items():
            if phone is not None:
                sessions[role], _ = _sign_in(live, phone, role in STAFF)
        yield Session(base_url=live.base_url, csrf=csrf, sessions=sessions)


@pytest.fixture(scope="module")
def api_schema(live_server: Session) -> schemathesis.BaseSchema:
    config = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}})
    return schemathesis.openapi.from_url(f"{live_server.base_url}/schema/openapi.json", config=config)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_check_passes_for_every_operation_as_every_role(
    api_schema: schemathesis.BaseSchema, live_server: Session, mode: GenerationMode, role: str
) -> None:
    """Valid requests (positive) and requests that break the schema (negative), for every operation.
    (Driven through hypothesis directly: schemathesis' lazy pytest fixture does not support pytest 9.)"""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    examples = EXAMPLES if role == "network_coordinator" else max(3, EXAMPLES // 3)
    session = live_server.sessions[role]
    for operation in operations:
        try:
            fuzz(operation, operation.as_strategy(generation_mode=mode), live_server, session, examples)()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, "only an operation without inputs has no invalid request"
    assert CHECKED, "problem answers were seen and their codes checked"
    if session is not None:
        with httpx.Client(base_url=live_server.base_url, cookies={"apuri_session": session}) as client:
            assert client.get("/api/v1/auth/session").status_code == 200, "the fuzzing kept its session"


def fuzz(operation: Any, strategy: Any, live_server: Session, session: str | None, examples: int) -> Any:
    checks = list(CHECKS.get_all())

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        jar = dict(case.cookies or {})
        # The generated session cookie is replaced by the role's real one; a case without it stays without it.
        if session is not None and ("apuri_session" in jar or operation.path in WITHOUT_SESSION):
            jar["apuri_session"] = session
        if operation.path in WITHOUT_SESSION or session is None:
            jar.pop("apuri_session", None)
        jar["apuri_csrf"] = live_server.csrf
        case.cookies = jar
        response = case.call_and_validate(
            base_url=live_server.base_url, headers={"x-csrftoken": live_server.csrf}, checks=checks
        )
        _code_is_documented(operation, response)

    return call


def _code_is_documented(operation: Any, response: Any) -> None:
    """A problem answer's `code` is one its operation's document lists for that status ("Codes: `a`, `b`.")."""
    types = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [])
    if not any(str(t).startswith("application/problem+json") for t in types):
        return
    CHECKED.append(operation.path)
    code = response.json().get("code")
    described = operation.definition.raw["responses"].get(str(response.status_code), {}).get("description", "")
    listed = tuple(c.replace("…", "{}") for c in re.findall(r"`([^`]+)`", described.partition("Codes:")[2]))
    where = f"{operation.method.upper()} {operation.path}"
    assert matches(code, listed), f"{where}: {response.status_code} `{code}` is not in its document"


CHECKED: list[str] = []  # the operations whose problem answers were checked against their codes


def test_the_schema_covers_every_api_route(api_schema: schemathesis.BaseSchema) -> None:
    paths = {result.ok().path for result in api_schema.get_all_operations()}
    assert {"/api/v1/auth/code", "/api/v1/organisations", "/api/v1/people/{person_id}"} <= paths
    assert not any(p.startswith("/dev") for p in paths), "dev tools stay out of the public schema"
