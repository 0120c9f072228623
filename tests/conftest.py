"""Shared fixtures. Database tests run on SQLite and PostgreSQL: each test gets a fresh database copied from a
migrated template (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL).

PostgreSQL comes from APURI_TEST_POSTGRES_URL (an admin connection, default postgres@127.0.0.1). When it is
unreachable the PostgreSQL half is skipped locally, but under CI=true that is a failure.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from server.adapters.clock import FixedClock
from server.adapters.push import MemoryPush, build_push
from server.adapters.sms import MemorySms, build_sms
from server.adapters.voice import MemoryVoice, build_voice
from server.app import create_app, services_of, use_services
from server.db.engine import AnyEngine, make_engine, start, stop
from server.db.migrate import migrate
from server.http import error_codes
from server.http.openapi import handler_name, handlers_of
from server.services.registry import Services, build_services
from server.settings import Settings

PG_ADMIN_URL = os.environ.get("APURI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# The slowest test modules, slowest first (seconds of one worker, both databases, from `pytest --durations`; see
# docs/benchmarks.md). `make test` runs a module on one worker (`--dist loadfile`) and hands the modules out in
# collection order (`--no-loadscope-reorder`): these go first, so that the last ones out are short and both
# workers finish together instead of one waiting minutes for the other.
SLOWEST_FIRST = (
    "tests/integration/test_schemathesis.py",
    "tests/e2e/test_volunteer_accessibility.py",
    "tests/e2e/test_coordinator.py",
    "tests/e2e/test_booking_accessibility.py",
    "tests/integration/test_dispatch_stop.py",
    "tests/e2e/test_my_data.py",
    "tests/e2e/test_help_point_days.py",
    "tests/e2e/test_resident_booking.py",
    "tests/e2e/test_volunteer_day.py",
    "tests/integration/test_dispatch_crash.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(SLOWEST_FIRST)}
    root = config.rootpath

    def slowest_first(item: pytest.Item) -> int:
        return rank.get(item.path.relative_to(root).as_posix(), len(rank))

    items.sort(key=slowest_first)  # stable: the rest keep their order


def base_settings(database_url: str, **overrides: Any) -> Settings:
    settings = Settings(
        environment="test",
        database_url=database_url,
        sms_backend="memory",
        push_backend="memory",
        scheduler=False,
        dev_tools=True,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        auth_requests_per_minute=1000,
        argon2_profile="fast",  # production keeps strong parameters: tests/unit/test_settings.py
    )
    return replace(settings, **overrides)


def run_sync(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even when called inside a running loop (fixtures that
    are first requested by an async test)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _pg_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


async def _pg_reachable() -> bool:
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def _migrate_url(url: str) -> None:
    engine = make_engine(url)
    await start(engine)
    try:
        await migrate(engine)
    finally:
        await stop(engine)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "apuri.sqlite3"
    run_sync(_migrate_url(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not run_sync(_pg_reachable()):
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL} and CI=true: the PostgreSQL half must run")
        pytest.skip("PostgreSQL not reachable (set APURI_TEST_POSTGRES_URL); under CI this fails instead")
    name = f"apuri_tpl_{os.getpid()}"

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        await _migrate_url(_pg_url(name))

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    run_sync(create())
    yield name
    run_sync(drop())


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "apuri.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"apuri_t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    await conn.close()
    try:
        yield _pg_url(name)
    finally:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@functools.cache
def _operations(app: Any) -> list[tuple[re.Pattern[str], str, dict[int, tuple[str, ...]]]]:
    """Each route as a pattern of its path, its method, and the codes its OpenAPI entry lists, by status. Fixed
    paths first, as the router matches them: `/events/unstaffed` is not `/events/{event_id}`."""
    ordered = sorted(handlers_of(app).items(), key=lambda item: item[0][0].count("{"))
    return [
        (re.compile(re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(path))), method, error_codes.of_handler(handler_name(h)))
        for (path, method), h in ordered
    ]


async def _documented_code(app: Any, method: str, url: str, response: httpx.Response) -> None:
    """Every problem answer the suite sees carries a code that its route's OpenAPI entry lists for its status:
    the proof that `server/http/error_codes.py` finds where each code comes from."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return
    await response.aread()
    code = response.json().get("code")
    path = httpx.URL(url).path
    for pattern, route_method, codes in _operations(app):
        if route_method == method and pattern.fullmatch(path):
            assert error_codes.matches(code, codes.get(response.status_code, ())), (
                f"{method} {path} answered {response.status_code} `{code}`, which its OpenAPI entry does not list"
            )
            return


class Api:
    """An httpx client in the test's own event loop that behaves like the PWA: it picks up the CSRF cookie
    and sends it back in the header on every state-changing request."""

    def __init__(self, app: Any, client_address: str) -> None:
        self.app = app
        transport = httpx.ASGITransport(app=app, client=(client_address, 41000))
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        method = method.upper()
        if method not in SAFE_METHODS:
            if "apuri_csrf" not in self.http.cookies:
                await self.http.get("/healthz")
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("x-csrftoken", self.http.cookies["apuri_csrf"])
            kwargs["headers"] = headers
        response = await self.http.request(method, url, **kwargs)
        await _documented_code(self.app, method, url, response)
        return response

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    @property
    def session_token(self) -> str | None:
        return self.http.cookies.get("apuri_session")


@dataclass
class Env:
    app: Any
    services: Services
    sms: Any  # MemorySms unless the settings name another backend
    push: Any  # MemoryPush unless the settings name another backend
    voice: Any  # MemoryVoice with memory SMS
    clock: FixedClock
    engine: AnyEngine
    kind: str
    _clients: list[Api] = field(default_factory=list)
    _next_address: int = 10

    def client(self, address: str | None = None) -> Api:
        if address is None:
            self._next_address += 1
            address = f"198.51.100.{self._next_address}"
        api = Api(self.app, address)
        self._clients.append(api)
        return api

    def last_code(self, phone: str) -> str:
        body = self.sms.to(phone)[-1]
        return body.rsplit("#", 1)[1].strip()

    async def sign_in(self, phone: str, *, password: str | None = None, address: str | None = None) -> Api:
        api = self.client(address)
        asked = await api.post("/api/v1/auth/code", json={"phone": phone})
        assert asked.status_code == 202, asked.text
        verified = await api.post(
            "/api/v1/auth/verify",
            json={"challenge_id": asked.json()["challenge_id"], "code": self.last_code(phone)},
        )
        assert verified.status_code == 200, verified.text
        if password is not None:
            stepped = await api.post("/api/v1/auth/password", json={"password": password})
            assert stepped.status_code == 200, stepped.text
        return api

    async def aclose(self) -> None:
        for api in self._clients:
            await api.http.aclose()


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(database_url)
    async for e in make_env(settings):
        yield e


# The app built for each kind of settings (all but the database the same), once per worker: building it is about a
# fifth of a second of Litestar reading 334 handlers' signatures, and it was paid by every test. Each test gives it
# services of its own (its database, clock and fakes) with `use_services`.
_APPS: dict[str, Any] = {}


async def make_env(settings: Settings) -> AsyncIterator[Env]:
    clock = FixedClock(START)
    sms = MemorySms() if settings.sms_backend == "memory" else build_sms(settings, clock)
    push = MemoryPush() if settings.push_backend == "memory" else build_push(settings, clock)
    voice = MemoryVoice() if settings.sms_backend == "memory" else build_voice(settings, clock)
    engine = make_engine(settings.database_url)
    kind = repr(replace(settings, database_url=""))
    app = _APPS.get(kind)
    if app is None:
        app = _APPS[kind] = create_app(settings, clock=clock, sms=sms, push=push, voice=voice, engine=engine)
    else:
        services = build_services(settings=settings, clock=clock, engine=engine, sms=sms, push=push, voice=voice)
        await use_services(app, services)
    async with running(app):
        environment = Env(
            app=app,
            services=services_of(app),
            sms=sms,
            push=push,
            voice=voice,
            clock=clock,
            engine=engine,
            kind="sqlite" if settings.is_sqlite else "postgres",
        )
        try:
            yield environment
        finally:
            await environment.aclose()


@contextlib.asynccontextmanager
async def running(app: Any) -> AsyncIterator[None]:
    """Run the app's lifespan in a task of its own: Litestar's lifespan holds an anyio task group, which
    must be left by the task that entered it, while pytest may finish a fixture in another task."""
    started, stopping = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stopping.wait()

    task = asyncio.create_task(lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield
    finally:
        stopping.set()
        await task
