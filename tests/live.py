"""A real uvicorn server on loopback, in a thread, for tests that speak HTTP from outside (schemathesis, the
browser). Each gets its own database: a copy of the migrated template, with the demo network loaded."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import uvicorn

from server.adapters.sms import MemorySms
from server.app import create_app
from server.db.engine import make_engine, start, stop
from server.demo import load_demo
from tests.conftest import PG_ADMIN_URL, _pg_url, base_settings, run_sync


@dataclass
class LiveServer:
    base_url: str
    sms: MemorySms

    def last_code(self, phone: str) -> str:
        return self.sms.to(phone)[-1].rsplit("#", 1)[1].strip()


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


@contextlib.contextmanager
def demo_database(request: pytest.FixtureRequest, kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        path = folder / "apuri.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        run_sync(_seed(url))
        yield url
        return
    template = request.getfixturevalue("postgres_template")
    name = f"apuri_live_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        await conn.execute(sql)
        await conn.close()

    run_sync(admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        run_sync(_seed(_pg_url(name)))
        yield _pg_url(name)
    finally:
        run_sync(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def serve(database_url: str, **overrides: Any) -> Iterator[LiveServer]:
    sms = MemorySms()
    settings = replace(base_settings(database_url), **overrides)
    app = create_app(settings, sms=sms)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(base_url=f"http://127.0.0.1:{port}", sms=sms)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
