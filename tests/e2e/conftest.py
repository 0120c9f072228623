"""The browser and the live server for the PWA tests: one server with the demo network per test module and
database (SQLite and PostgreSQL), and Debian's Chromium driven by Playwright.

One Chromium serves all the browser tests of a worker process (starting it costs a second or two of CPU, paid
126 times otherwise): the tests run in the session's event loop, and each test starts in a browser with no
context left open by an earlier one (every test opens its own contexts, so cookies and storage are never
shared)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright
from pytest_asyncio import is_async_test

from tests.conftest import IN_CI
from tests.e2e.pages import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.volunteers import MovableClock, serve_with_clock
from tests.live import LiveServer, demo_database, serve

HERE = os.path.dirname(__file__)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run in the session's event loop, where the shared browser lives."""
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if is_async_test(item) and str(item.path).startswith(HERE):
            item.add_marker(session_loop, append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared_browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - one stat before a browser starts
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium); under CI this fails instead")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def browser(shared_browser: Browser) -> AsyncIterator[Browser]:
    """The worker's Chromium, with every context a test opened closed after it (also when it failed)."""
    yield shared_browser
    for context in list(shared_browser.contexts):
        await context.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Every test signs in from 127.0.0.1, like residents at a library's shared computers: a higher
    # per-address code limit, as README advises for such help points.
    with (
        demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url,
        serve(url, otp_per_client_hour=200) as live,
    ):
        yield live


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
