"""`apuri serve --workers N`, started as an operator starts it: N web processes behind one port and the scheduled
jobs in one process beside them, never in each web process. On both databases.

The real command runs: it answers on its port, a message put in the outbox is sent once (so the jobs do run),
exactly one process of the tree runs the jobs, and SIGTERM to the command stops the whole tree. In production
with the sign-in limits kept in memory (each process would count its own), it refuses to start."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from server.db import outbox
from server.db.engine import bind, make_engine, start, stop
from server.db.tables import Notification

APURI = str(Path(sys.executable).with_name("apuri"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(root: int) -> list[tuple[int, str]]:
    """The processes under `root` (pid, command line), from /proc."""
    children: dict[int, list[int]] = {}
    lines: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
        lines[int(entry.name)] = cmdline
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append((child, lines[child]))
            todo.append(child)
    return found


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APURI_")}
    env.update(
        APURI_DATABASE_URL=database_url,
        APURI_ENVIRONMENT="development",
        APURI_DISPATCH_INTERVAL_SECONDS="1",
        APURI_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


async def _answers(port: int) -> None:
    deadline = asyncio.get_running_loop().time() + 60
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "apuri serve --workers did not answer"
            await asyncio.sleep(0.2)


async def test_web_processes_behind_one_port_and_the_jobs_in_one(database_url: str, tmp_path: Path) -> None:
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+b")
    serve = await asyncio.create_subprocess_exec(
        APURI,
        "serve",
        "--workers",
        "2",
        "--port",
        str(port),
        env=_environment(database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    engine = make_engine(database_url)
    bind(engine)
    await start(engine)
    try:
        await _answers(port)
        tree = _tree(serve.pid)
        jobs = [cmd for _, cmd in tree if "server.cli worker" in cmd]
        web = [cmd for _, cmd in tree if "spawn_main" in cmd]
        assert len(jobs) == 1, tree
        assert len(web) == 2, tree

        now = datetime.now(UTC)
        draft = outbox.Draft(
            key="workers:1",
            kind="session_cancelled",  # news, not a reminder: may go out at any hour the test runs
            channel="sms",
            body="Digitukiaika huomenna klo 10 on peruttu.",
            due_at=now - timedelta(seconds=1),
            not_after=now + timedelta(hours=1),
            person_id=None,
            phone="+358401234567",
            anytime=True,
        )
        assert await outbox.insert([draft], now) == 1
        for _ in range(300):
            row = await Notification.select(Notification.state, Notification.attempts).where(
                Notification.key == "workers:1"
            )
            if row and row[0]["state"] not in {"scheduled", "pending", "sending"}:
                break
            await asyncio.sleep(0.1)
        assert row[0]["state"] in {"sent", "delivered"}, row
        assert row[0]["attempts"] == 1
    finally:
        serve.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(serve.wait(), 60)
        await stop(engine)
    log.seek(0)
    output = log.read().decode()
    assert code == 0, output
    assert output.count("scheduled jobs: running in process") == 1, output
    assert "Traceback" not in output, output
    assert _tree(serve.pid) == []


def test_production_refuses_several_processes_with_limits_in_memory(tmp_path: Path) -> None:
    env = _environment(
        f"sqlite:///{tmp_path / 'apuri.sqlite3'}",
        APURI_ENVIRONMENT="production",
        APURI_SECRET_KEY="x" * 40,
        APURI_PUBLIC_BASE_URL="https://apuri.example.fi",
        APURI_SMS_BACKEND="twilio",
        APURI_TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        APURI_TWILIO_AUTH_TOKEN="t" * 32,
        APURI_TWILIO_FROM_NUMBER="+358401234000",
    )
    done = subprocess.run(  # noqa: S603 - our own command
        [APURI, "serve", "--workers", "2", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "APURI_RATE_LIMIT_STORE" in done.stderr
    done = subprocess.run(  # noqa: S603 - our own command
        [APURI, "serve", "--workers", "0"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr
