"""Helpers for driving the PWA in the browser tests: open a page, check a screen (axe-core, reflow, target
size, the statement link), walk the resident's booking journey, read the API as the signed-in page."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
from typing import Any

from axe_playwright_python.async_playwright import Axe
from axe_playwright_python.base import AxeResults
from playwright.async_api import Browser, Page

from tests.live import LiveServer

CHROMIUM = os.environ.get("APURI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE_SOURCE = Axe().axe_script
# The demo network's busiest help point: free times on most weekdays.
MUNICIPALITY = "Kuusamo"
HELP_POINT = "Asiointipiste, kaupungintalo"
_numbers = itertools.count(random.randrange(1_000_000, 8_000_000))


def new_number() -> tuple[str, str]:
    """A mobile number nobody has used yet: as typed, and as E.164 (how the memory SMS files it)."""
    n = next(_numbers)
    return f"050 {n:07d}", f"+35850{n:07d}"


async def open_page(browser: Browser, site: LiveServer, width: int = 375, path: str = "/") -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 800}, base_url=site.base_url)
    page = await context.new_page()
    await page.goto(path)
    await page.wait_for_selector("#view h1, [data-screen]:not([hidden]) h1")
    return page


async def wait_until(page: Page, script: str, arg: Any = None, seconds: float = 10) -> Any:
    """Poll a function in the page until it returns something truthy. (Playwright's wait_for_function compiles
    its predicate with eval, which the app's strict Content-Security-Policy rightly refuses.)"""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await page.evaluate(script, arg)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still false after {seconds} s: {script} ({arg!r})")
        await asyncio.sleep(0.05)


async def screen(page: Page, screen_id: str) -> None:
    """Wait until the screen is shown and has taken the focus (its <h1>)."""
    await page.wait_for_selector(f"#{screen_id}-title")
    await wait_until(page, "id => document.activeElement && document.activeElement.id === id", f"{screen_id}-title")


async def status_is(page: Page, text: str) -> None:
    await wait_until(page, "t => document.getElementById('status').textContent === t", text)


async def axe_violations(page: Page) -> AxeResults:
    """What axe-core finds against WCAG 2.0/2.1 A and AA on the page as it is now. axe is put into a document once
    (the app changes screens without loading a new one; a new document gets it again), and asked for the
    violations alone: every violation and each of its elements is still reported, but axe no longer builds a
    selector for every element that passed, and 570 KB of script are not parsed again before each check (together
    about a quarter of a second per check on a full screen)."""
    if not await page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        await page.evaluate(AXE_SOURCE)
    options = {**WCAG_AA, "resultTypes": ["violations"]}
    violations = await page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)
    return AxeResults({"violations": violations})


async def check(page: Page, state: str) -> None:
    """The checks every screen and state must pass: axe-core finds no WCAG 2.0/2.1 A or AA violation, nothing
    scrolls sideways at 320 px, buttons are at least 44 x 44 px, and the statement is linked."""
    await wait_until(page, "() => !document.querySelector('.loading')")
    results = await axe_violations(page)
    assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width <= 320:
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 320, f"{state}: the page is {scroll} px wide at 320 px"
    small = await page.evaluate(
        """() => [...document.querySelectorAll('button, a.button, .tile, .slot, .back, .call a, .footer-links a')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([text, r]) => `${text} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert not small, f"{state}: touch targets under 44 x 44 px: {small}"
    assert await page.locator("footer a[href='#/saavutettavuus']").count() == 1, f"{state}: no statement link"


async def tab_until(page: Page, css: str, *, limit: int = 60, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `css`. A person waits until what they look for
    is on the screen: so does this (a list still loading on a busy machine is not a keyboard trap)."""
    await page.wait_for_selector(css, state="attached")
    for _ in range(limit):
        await page.keyboard.press(key)
        if await page.evaluate("css => !!document.activeElement && document.activeElement.matches(css)", css):
            return
    raise AssertionError(f"{css} cannot be reached with {key}")


async def api_get(page: Page, path: str) -> Any:
    """GET the API with the page's own cookies (as the signed-in resident)."""
    response = await page.request.get(f"/api/v1{path}")
    assert response.ok, f"{path}: {response.status} {await response.text()}"
    return await response.json()


async def api_post(page: Page, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    """POST to the API as the signed-in page does: with the CSRF cookie's value in its header."""
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    sent = {"x-csrftoken": cookies["apuri_csrf"], **(headers or {})}
    response = await page.request.post(f"/api/v1{path}", data=body, headers=sent)
    assert response.ok, f"{path}: {response.status} {await response.text()}"
    return await response.json()


async def to_time_screen(
    page: Page, topic: str = "smartphone", check_each: bool = False, start: str = "button.tile[lang=fi]"
) -> None:
    """From the start: Finnish (or `start`'s choice), the topic, at a help point, Kuusamo, the city's service
    point."""
    steps: list[tuple[str, str, str]] = [
        ("start", start, "topic"),
        ("topic", f"button[data-topic={topic}]", "how"),
        ("how", "button[data-modality=help_point]", "municipality"),
        ("municipality", f"#municipality button.tile:has-text('{MUNICIPALITY}')", "help-point"),
        ("help-point", f"#help-point button.tile:has-text('{HELP_POINT}')", "time"),
    ]
    for here, choice, there in steps:
        await page.wait_for_selector(choice)
        if check_each:
            await check(page, here)
        await page.click(choice)
        await screen(page, there)


async def choose_first_time(page: Page) -> str:
    slot = page.locator("button.slot").first
    await slot.wait_for()
    starts_at = await slot.get_attribute("data-starts-at")
    assert starts_at
    await slot.click()
    return starts_at


async def sign_in_in_journey(page: Page, site: LiveServer, name: str, typed: str, e164: str) -> None:
    """The name, the number and the SMS code, as a new resident meets them inside a journey."""
    await screen(page, "name")
    await page.fill("#first-name", name)
    await page.click("#form-name button[type=submit]")
    await page.wait_for_selector("#step-phone:not([hidden])")
    await page.fill("#phone", typed)
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await page.fill("#code", site.last_code(e164))
    await page.click("#form-code button[type=submit]")
