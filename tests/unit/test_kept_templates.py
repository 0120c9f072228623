"""The coordinators' wordings kept per instance (`NotificationService.templates`): read once for TEMPLATES_KEPT
seconds, read afresh after a change is saved, and a read begun before the change is never kept after it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from server.adapters.clock import FixedClock
from server.db import message_templates
from server.services.notifications import TEMPLATES_KEPT, NotificationService
from tests.conftest import base_settings

KEY = ("resident.confirmation", "fi")


@dataclass
class Table:
    """The table, faked: what it holds, how often it was read, and a gate a read may be held at."""

    body: str = "vanha"
    reads: int = 0
    gate: asyncio.Event | None = None


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> Table:
    table = Table()

    async def templates() -> dict[tuple[str, str], tuple[str, bool]]:
        table.reads += 1
        body, gate = table.body, table.gate
        if gate is not None:
            await gate.wait()
        return {KEY: (body, True)}

    monkeypatch.setattr(message_templates, "templates", templates)
    return table


def service(seconds: list[float]) -> NotificationService:
    clock = FixedClock(datetime(2026, 12, 7, 12, tzinfo=UTC))
    return NotificationService(settings=base_settings("unused"), clock=clock, seconds=lambda: seconds[0])


async def test_wordings_are_read_once_for_the_time_they_are_kept(stored: Table) -> None:
    seconds = [100.0]
    notifications = service(seconds)
    assert (await notifications.templates())[KEY][0] == "vanha"
    stored.body = "uusi"
    seconds[0] += TEMPLATES_KEPT - 0.5
    assert (await notifications.templates())[KEY][0] == "vanha" and stored.reads == 1
    seconds[0] += 0.5
    assert (await notifications.templates())[KEY][0] == "uusi" and stored.reads == 2
    stored.body = "kolmas"
    notifications.forget_templates()
    assert (await notifications.templates())[KEY][0] == "kolmas" and stored.reads == 3


async def test_a_read_begun_before_a_change_is_not_kept_after_it(stored: Table) -> None:
    notifications = service([100.0])
    gate = asyncio.Event()
    stored.gate = gate
    early = asyncio.ensure_future(notifications.templates())  # reads the old wording, then waits
    await asyncio.sleep(0)
    stored.body, stored.gate = "uusi", None
    notifications.forget_templates()  # the change is committed meanwhile
    gate.set()
    assert (await early)[KEY][0] == "vanha"  # the answer of its moment...
    assert (await notifications.templates())[KEY][0] == "uusi"  # ...but not kept
