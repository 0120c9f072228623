"""How far one booking walks through the code: the files of server/ that run while `POST /api/v1/bookings` books a
time at a help point (on SQLite, in-process), and how often the walk goes back and forth between the booking
service and the booking queries.

A reading aid for the house issue, not a speed benchmark: it follows Python functions as they are entered
(sys.setprofile "call" events; a coroutine's resumptions are not counted again), file by file.

Run:  .venv/bin/python -m tests.bench.walk_booking
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import Any

from tests.conftest import base_settings, make_env
from tests.integration.world import book, build_world, volunteer_offers

ROOT = Path(__file__).resolve().parents[2] / "server"


async def walk(action: Callable[[], Awaitable[Any]]) -> tuple[list[str], Any]:
    """The files of server/ whose functions `action` enters, in order (a coroutine's resumptions not counted)."""
    files: list[str] = []
    seen: set[FrameType] = set()  # held, so that no new frame reuses a finished one's id

    def profile(frame: FrameType, event: str, _: Any) -> None:
        if event != "call" or frame in seen:
            return
        seen.add(frame)
        path = Path(frame.f_code.co_filename)
        if ROOT in path.parents:
            name = str(path.relative_to(ROOT.parent))
            if not files or files[-1] != name:
                files.append(name)

    sys.setprofile(profile)
    try:
        result = await action()
    finally:
        sys.setprofile(None)
    return files, result


async def main() -> None:
    from server.db.engine import make_engine, start, stop
    from server.db.migrate import migrate

    folder = tempfile.mkdtemp(prefix="apuri-walk-")
    url = f"sqlite:///{folder}/walk.sqlite3"
    engine = make_engine(url)
    await start(engine)
    await migrate(engine)
    await stop(engine)
    async for env in make_env(base_settings(url)):
        world = await build_world(env)
        await volunteer_offers(world.ids["vol_a"], world.help_point_a)
        files, answer = await walk(functools.partial(book, world))
        assert answer.status_code == 201, answer.text
        visited = Counter(files)
        pair = {"server/services/booking.py", "server/db/booking.py"}
        between = [f for f in files if f in pair]
        switches = sum(1 for a, b in itertools.pairwise(between) if a != b)
        floors = [f.split("/")[1] for f in files]
        layers = sum(1 for a, b in itertools.pairwise(floors) if {a, b} == {"services", "db"})
        print(f"files of server/ that ran: {len(visited)}")
        for name in sorted(visited):
            print(f"  {name}")
        print(f"back and forth between services/booking.py and db/booking.py: {switches}")
        print(f"steps between a service and a db module: {layers}")


if __name__ == "__main__":
    asyncio.run(main())
