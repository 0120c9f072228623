"""Schemathesis generates requests from the app's own OpenAPI schema and sends them to a real server (uvicorn
on loopback, demo network loaded, signed in as the network coordinator). No request may get a 5xx.

Runs once per database. The password and sign-out operations are sent without the session cookie, so a
generated wrong password cannot end the session the other operations use.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from server.adapters.sms import MemorySms
from server.app import create_app
from server.db.engine import make_engine, start, stop
from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE, load_demo
from tests.conftest import PG_ADMIN_URL, _pg_url, base_settings, run_sync

WITHOUT_SESSION = {"/api/v1/auth/password", "/api/v1/auth/sign-out"}


@dataclass
class LiveServer:
    base_url: str
    session: str
    csrf: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _seed(url: str) -> None:
    engine = make_engine(url)
    await start(engine)
    try:
        await load_demo(engine)
    finally:
        await stop(engine)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    cleanup = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "apuri.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        template = request.getfixturevalue("postgres_template")
        name = f"apuri_fuzz_{uuid.uuid4().hex[:10]}"

        async def create() -> None:
            conn = await asyncpg.connect(PG_ADMIN_URL)
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            await conn.close()

        async def drop() -> None:
            conn = await asyncpg.connect(PG_ADMIN_URL)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        run_sync(create())
        url, cleanup = _pg_url(name), drop
    run_sync(_seed(url))

    sms = MemorySms()
    settings_ = replace(base_settings(url), auth_requests_per_minute=100_000)
    app = create_app(settings_, sms=sms)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base) as client:
            client.get("/healthz")
            csrf = client.cookies["apuri_csrf"]
            headers = {"x-csrftoken": csrf}
            asked = client.post("/api/v1/auth/code", json={"phone": NETWORK_COORDINATOR_PHONE}, headers=headers)
            code = sms.to(NETWORK_COORDINATOR_PHONE)[-1].rsplit("#", 1)[1]
            client.post(
                "/api/v1/auth/verify",
                json={"challenge_id": asked.json()["challenge_id"], "code": code},
                headers=headers,
            ).raise_for_status()
            stepped = client.post("/api/v1/auth/password", json={"password": DEMO_PASSWORD}, headers=headers)
            assert stepped.status_code == 200, stepped.text
            yield LiveServer(base_url=base, session=client.cookies["apuri_session"], csrf=csrf)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        if cleanup is not None:
            run_sync(cleanup())


@pytest.fixture(scope="module")
def api_schema(live_server: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_server.base_url}/schema/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gets_a_server_error(
    api_schema: schemathesis.BaseSchema, live_server: LiveServer, mode: GenerationMode
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


def fuzz(strategy: Any, live_server: LiveServer, cookies: dict[str, str]) -> Any:
    @given(case=strategy)
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
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
