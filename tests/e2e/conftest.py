"""The browser and the live server for the PWA tests: one server with the demo network per test module and
database (SQLite and PostgreSQL), and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.conftest import IN_CI
from tests.e2e.pages import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.volunteers import MovableClock, serve_with_clock
from tests.live import LiveServer, demo_database, serve


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Every test signs in from 127.0.0.1, like residents at a library's shared computers: a higher
    # per-address code limit, as README advises for such help points.
    with (
        demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url,
        serve(url, otp_per_client_hour=200) as live,
    ):
        yield live


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - one stat before a browser starts
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium); under CI this fails instead")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
def server_clock() -> MovableClock:
    return MovableClock()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def clocked_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, server_clock: MovableClock
) -> Iterator[LiveServer]:
    """The live server with the demo network, on a clock the test can move (the volunteer's tests)."""
    with serve_with_clock(request, request.param, tmp_path_factory.mktemp("e2e"), server_clock) as live:
        yield live
    server_clock.reset()
