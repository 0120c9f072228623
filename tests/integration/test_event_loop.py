"""The CPU-heavy parts of a request (the slot grid, grouping statistics, drawing a chart) run off the event loop:
while one runs, the server answers other requests. On both databases.

The heavy part is made slow on purpose here (a blocking sleep where the work is) and the test checks the order
in which answers arrive, not a time: with the work on the loop, /healthz could only answer after it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from server.db import candidates as candidates_db
from server.db import statistics as statistics_db
from server.db import supply as supply_db
from server.domain import statistics as statistics_rules
from server.domain import supply as supply_rules
from server.services import booking as booking_service
from server.services import statistics as statistics_service
from tests.conftest import Env
from tests.integration.world import book, build_world, volunteer_offers

SLOW = 0.6  # seconds of blocking work standing in for a big network's grid or report


async def _order_of(env: Env, heavy: Any) -> list[str]:
    done: list[str] = []

    async def run_heavy() -> None:
        answer = await heavy()
        assert answer.status_code == 200, answer.text
        done.append("heavy")

    async def health() -> None:
        await asyncio.sleep(SLOW / 6)  # the heavy request is under way
        assert (await env.client().get("/healthz")).status_code == 200
        done.append("healthz")

    await asyncio.gather(run_heavy(), health())
    return done


async def test_a_slot_search_does_not_hold_up_other_requests(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    real = booking_service.help_point_slots

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(booking_service, "help_point_slots", slow)
    query = {
        "topic": "online_banking",
        "modality": "help_point",
        "help_point_id": str(world.help_point_a),
        "from": "2026-11-30",
        "to": "2026-12-06",
    }
    assert await _order_of(env, lambda: env.client().get("/api/v1/slots", params=query)) == ["healthz", "heavy"]


async def test_the_next_free_times_do_not_hold_up_other_requests(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both heavy parts: a grid per help point (the answers' order), and many volunteers' rows made into
    candidates (where it runs: a worker thread, not the event loop's)."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    real_grid, real_assemble = booking_service.help_point_slots, candidates_db._assemble
    assembled_on: list[bool] = []

    def slow_grid(*args: Any, **kwargs: Any) -> Any:
        time.sleep(SLOW)
        return real_grid(*args, **kwargs)

    def watched_assemble(*args: Any, **kwargs: Any) -> Any:
        assembled_on.append(threading.current_thread() is threading.main_thread())
        return real_assemble(*args, **kwargs)

    monkeypatch.setattr(booking_service, "help_point_slots", slow_grid)
    monkeypatch.setattr(candidates_db, "_assemble", watched_assemble)
    monkeypatch.setattr(candidates_db, "OFF_LOOP_ABOVE", 0)  # as with a national network's thousands
    query = {"topic": "online_banking"}
    order = await _order_of(env, lambda: env.client().get("/api/v1/slots/first", params=query))
    assert order == ["healthz", "heavy"]
    assert assembled_on and not any(assembled_on), "the candidates were made on the event loop's thread"


async def test_statistics_worked_out_from_the_start_do_not_hold_up_other_requests(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Just after an upgrade, with more changes waiting than a report brings into the kept facts itself, the report
    groups every request of the period: in a worker thread."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    assert (await book(world)).status_code == 201  # a change waiting to be kept
    monkeypatch.setattr(statistics_service, "STALE_LIMIT", 0)
    real = statistics_rules.report
    grouped: list[bool] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        grouped.append(True)
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(statistics_rules, "report", slow)
    heavy = world.apis["network"]
    assert await _order_of(env, lambda: heavy.get("/api/v1/statistics", params={"by": "topic"})) == [
        "healthz",
        "heavy",
    ]
    assert grouped == [True], "the report was not worked out from the start"


@pytest.mark.parametrize("waiting_limit", [statistics_service.STALE_LIMIT, 0], ids=["kept", "from-the-start"])
async def test_a_report_s_rows_are_made_into_facts_without_holding_up_other_requests(
    env: Env, monkeypatch: pytest.MonkeyPatch, waiting_limit: int
) -> None:
    """Requests' rows become facts in a thread: the changed ones a report brings into the kept facts (thousands just
    after a busy quarter of an hour), or, just after an upgrade, a year of a national network's requests. (That on
    PostgreSQL a year's rows are also read a chunk at a time is shown by the scale benchmark's /healthz timings, in
    docs/benchmarks.md: a test here could not tell a chunked read from one that waits on the network.)"""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    assert (await book(world)).status_code == 201
    monkeypatch.setattr(statistics_service, "STALE_LIMIT", waiting_limit)
    real = statistics_db._facts
    made_on: list[bool] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        made_on.append(threading.current_thread() is threading.main_thread())
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(statistics_db, "_facts", slow)
    heavy = world.apis["network"]
    assert await _order_of(env, lambda: heavy.get("/api/v1/statistics", params={"by": "topic"})) == [
        "healthz",
        "heavy",
    ]
    assert made_on == [False], "the facts were made on the event loop's thread"


async def test_demand_and_supply_do_not_hold_up_other_requests(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten thousand volunteers' rows made into facts, and their weekly hours measured: both in a worker thread."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    real_assemble, real_balance = supply_db._assemble, supply_rules.balance
    made_on: list[str] = []

    def slow_assemble(*args: Any, **kwargs: Any) -> Any:
        made_on.append(f"assemble on the loop: {threading.current_thread() is threading.main_thread()}")
        time.sleep(SLOW / 2)
        return real_assemble(*args, **kwargs)

    def slow_balance(*args: Any, **kwargs: Any) -> Any:
        made_on.append(f"balance on the loop: {threading.current_thread() is threading.main_thread()}")
        time.sleep(SLOW / 2)
        return real_balance(*args, **kwargs)

    monkeypatch.setattr(supply_db, "_assemble", slow_assemble)
    monkeypatch.setattr(supply_rules, "balance", slow_balance)
    heavy = world.apis["network"]
    assert await _order_of(env, lambda: heavy.get("/api/v1/statistics/demand-supply", params={"by": "hour"})) == [
        "healthz",
        "heavy",
    ]
    assert made_on == ["assemble on the loop: False", "balance on the loop: False"]
