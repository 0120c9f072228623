"""Accessibility of the resident's booking in a real headless Chromium: axe-core (WCAG 2.0/2.1 A and AA) finds
nothing on any screen or state, errors included, at 320, 375 and 1280 px (at 320 px nothing scrolls
sideways); touch targets are at least 44 px; the whole booking works with the keyboard alone; the language
changes everything, dates included, and the html element's lang."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route

from server.domain.messages import when_text
from tests.e2e.pages import (
    HELP_POINT,
    MUNICIPALITY,
    check,
    choose_first_time,
    new_number,
    open_page,
    screen,
    status_is,
    tab_until,
    to_time_screen,
    wait_until,
)
from tests.live import LiveServer

pytestmark = pytest.mark.e2e
PWA = Path(__file__).resolve().parents[2] / "pwa"
T_CALL = re.compile(r"\bt\(([^()]*)\)")  # t("key"), t(done ? "a" : "b")
KEY = re.compile(r'"([A-Za-z_]+(?:\.[A-Za-z_]+)*)"')


async def field_error_is_announced(page: Page, field: str, text: str) -> None:
    """A11Y-03: the field is marked invalid, its error is linked to it and said at once by the live region."""
    await page.wait_for_selector(f"#{field}[aria-invalid=true]")
    error = await page.text_content(f"#{field}-error")
    assert error and text in error
    assert f"{field}-error" in (await page.get_attribute(f"#{field}", "aria-describedby") or "")
    assert await page.text_content("#alert") == error
    assert await page.evaluate("id => document.activeElement.id === id", field), "focus on the field"


async def slot_taken(route: Route) -> None:
    problem = {"status": 409, "title": "Conflict", "detail": "Sorry, that time was just taken.", "code": "slot_taken"}
    await route.fulfill(status=409, content_type="application/problem+json", body=json.dumps(problem))


@pytest.mark.parametrize("width", [320, 375, 1280])
async def test_every_screen_and_state_of_the_booking_passes_axe(browser: Browser, site: LiveServer, width: int) -> None:
    page = await open_page(browser, site, width)
    await to_time_screen(page, check_each=True)
    await page.wait_for_selector("button.slot")
    await check(page, "time")
    await page.click("#later-times")
    await wait_until(page, "() => document.activeElement.matches('.day h2')")
    await check(page, "later times")

    # A help point without free times for this topic: says so, and offers a call instead.
    await page.click("#time a.back")
    await screen(page, "help-point")
    await page.click("#help-point button.tile:has-text('Käylän kyläkirjasto')")
    await page.wait_for_selector("#time .empty")
    await check(page, "no free times")
    await page.click("#time a.back")
    await page.click(f"#help-point button.tile:has-text('{HELP_POINT}')")
    await screen(page, "time")
    await choose_first_time(page)

    await screen(page, "name")
    await check(page, "name")
    await page.click("#form-name button[type=submit]")
    await field_error_is_announced(page, "first-name", "Kirjoita etunimesi.")
    await check(page, "name error")
    await page.fill("#first-name", "Saara")
    await page.click("#form-name button[type=submit]")

    await page.wait_for_selector("#step-phone:not([hidden])")
    assert await page.text_content("#h-phone") == "Mikä on matkapuhelinnumerosi?"
    await check(page, "phone")
    await page.fill("#phone", "09 1234")
    await page.click("#form-phone button[type=submit]")
    await field_error_is_announced(page, "phone", "lankapuhelinnumero")
    await check(page, "phone error")
    typed, e164 = new_number()
    await page.fill("#phone", typed)
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await check(page, "code")
    right = site.last_code(e164)
    await page.fill("#code", f"{(int(right) + 1) % 1_000_000:06d}")
    await page.click("#form-code button[type=submit]")
    await field_error_is_announced(page, "code", "Koodi on väärin")
    await check(page, "code error")
    await page.fill("#code", right)
    await page.click("#form-code button[type=submit]")

    await screen(page, "review")
    await check(page, "review")
    await page.route("**/api/v1/bookings", slot_taken)
    await page.click("#confirm")
    await page.wait_for_selector(".problem a.button")
    assert "Joku ehti varata tämän ajan" in await page.inner_text(".problem")
    assert await page.text_content("#alert") == await page.text_content(".problem p")
    await check(page, "review: the time was taken")
    await page.unroute("**/api/v1/bookings")
    await page.click(".problem a.button")
    await screen(page, "time")
    await choose_first_time(page)
    await screen(page, "review")
    await page.route("**/api/v1/bookings", lambda route: route.abort("internetdisconnected"))
    await page.click("#confirm")
    await page.wait_for_selector(".problem")
    assert "Yhteys ei toimi" in await page.inner_text(".problem")
    await check(page, "review: offline")
    await page.unroute("**/api/v1/bookings")
    await page.click("#confirm")

    await screen(page, "done")
    await check(page, "confirmation")
    await page.click("#save-code-word")
    await field_error_is_announced(page, "code-word", "Kirjoita tunnussana.")
    await check(page, "code word error")
    await page.fill("#code-word", "Kanerva")
    await page.click("#save-code-word")
    await status_is(page, "Tunnussana on tallennettu. Tekstiviestimme päättyvät nyt sanaan Kanerva.")
    await check(page, "code word saved")

    await page.click("#done a.button:has-text('Omat aikani')")
    await screen(page, "mine")
    await check(page, "my sessions")
    await page.click("li.card a:has-text('Siirrä aika')")
    await screen(page, "move")
    await check(page, "move: free times")
    await choose_first_time(page)
    await screen(page, "move-confirm")
    await check(page, "move: confirm")
    await page.click("#move-confirm a:has-text('Älä siirrä')")
    await screen(page, "mine")
    await page.click("li.card a:has-text('Peru aika')")
    await screen(page, "cancel")
    await check(page, "cancel: confirm")
    await page.click("#confirm-cancel")
    await screen(page, "mine")
    await check(page, "my sessions after cancelling")

    # "No fixed time": the request, its confirmation, the waiting request and cancelling it.
    await page.click("#mine a.button:has-text('Varaa aika')")
    await screen(page, "topic")
    await page.click("button[data-topic=email]")
    await screen(page, "how")
    await page.click("button[data-modality=phone]")
    await screen(page, "time")
    await page.click("#ask-instead")
    await screen(page, "review")
    await check(page, "request: review")
    await page.click("#confirm")
    await screen(page, "done")
    await check(page, "request: confirmation")
    await page.click("#done a.button:has-text('Omat aikani')")
    await screen(page, "mine")
    await page.wait_for_selector("li.card[data-request]")
    await check(page, "my sessions with a waiting request")
    await page.click("li.card[data-request] a")
    await screen(page, "cancel-request")
    await check(page, "request: cancel")

    await page.click("footer a[href='#/saavutettavuus']")
    await screen(page, "statement")
    await check(page, "statement fi")
    for language in ("sv", "en"):
        await page.click(f"button[data-lang={language}]")
        assert await page.get_attribute("html", "lang") == language
        await check(page, f"statement {language}")
    await page.click("button[data-lang=fi]")

    await page.route("**/api/v1/topics", lambda route: route.abort("internetdisconnected"))
    await page.goto("/#/aihe")
    await page.wait_for_selector("#topic .problem")
    assert "Yhteys ei toimi" in await page.inner_text("#topic .problem")
    assert await page.is_visible("#offline"), "the offline notice is on screen"
    await check(page, "topics: offline")
    await page.context.close()


async def test_the_whole_booking_works_with_the_keyboard_alone(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site)
    await tab_until(page, "button.tile[lang=fi]")
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "the focus is visible"
    await page.keyboard.press("Enter")
    await screen(page, "topic")
    await tab_until(page, "button[data-topic=smartphone]")
    await page.keyboard.press("Space")
    await screen(page, "how")
    await tab_until(page, "button[data-modality=help_point]")
    await page.keyboard.press("Enter")
    await screen(page, "municipality")
    await tab_until(page, f"#municipality button.tile[data-name='{MUNICIPALITY}']")
    await page.keyboard.press("Enter")
    await screen(page, "help-point")
    await tab_until(page, f"#help-point button.tile[data-name='{HELP_POINT}']")
    await page.keyboard.press("Enter")
    await screen(page, "time")
    await tab_until(page, "#later-times")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.matches('.day h2')")
    await tab_until(page, "#earlier-times")
    await tab_until(page, "button.slot", key="Shift+Tab")
    starts_at = await page.evaluate("document.activeElement.dataset.startsAt")
    await page.keyboard.press("Enter")
    await screen(page, "name")
    await tab_until(page, "#first-name")
    await page.keyboard.type("Eino")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#step-phone:not([hidden])")
    await tab_until(page, "#phone")
    typed, e164 = new_number()
    await page.keyboard.type(typed)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#step-code:not([hidden])")
    await tab_until(page, "#code")
    await page.keyboard.type(site.last_code(e164))
    await page.keyboard.press("Enter")
    await screen(page, "review")
    await tab_until(page, "#confirm")
    await page.keyboard.press("Enter")
    await screen(page, "done")
    sessions = await page.request.get("/api/v1/me/sessions")
    assert [s["starts_at"] for s in await sessions.json()] == [starts_at]
    await page.context.close()


async def first_time_reads_as_the_sms_say_it(page: Page, language: str) -> None:
    slot = page.locator("button.slot").first
    await slot.wait_for()
    starts_at = await slot.get_attribute("data-starts-at")
    assert starts_at
    instant = datetime.fromisoformat(starts_at.replace("Z", "+00:00"))
    assert await slot.get_attribute("aria-label") == when_text(instant, language)


async def test_the_language_changes_every_text_and_date_and_is_remembered(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site)
    await to_time_screen(page)
    await first_time_reads_as_the_sms_say_it(page, "fi")
    await page.click("button[data-lang=sv]")
    await wait_until(page, "() => document.querySelector('#time-title').textContent === 'Vilken tid passar dig?'")
    assert await page.get_attribute("html", "lang") == "sv"
    assert await page.evaluate("document.activeElement.dataset.lang") == "sv", "the focus stays on the button"
    # Times are searched again: the helper must speak the language too.
    await first_time_reads_as_the_sms_say_it(page, "sv")
    await page.click("button[data-lang=en]")
    await first_time_reads_as_the_sms_say_it(page, "en")
    await page.reload()
    # The choices were in memory only: after a reload, back to the first question after the language.
    await page.wait_for_selector("#topic-title")
    assert await page.text_content("#topic-title") == "What do you need help with?"
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.text_content("#helpline") == "040 1234000"
    await page.context.close()


async def test_every_text_is_there_in_finnish_swedish_and_english(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site)
    keys = await page.evaluate(
        """async () => {
            const { TEXT } = await import("/i18n.js");
            await import("/screens/coordinator.js"); // the dashboard's texts join when it is first opened
            const walk = (node, prefix) => Object.entries(node).flatMap(([key, value]) =>
                value && typeof value === "object" && !Array.isArray(value)
                ? [`${prefix}${key}`, ...walk(value, `${prefix}${key}.`)] : [`${prefix}${key}`]);
            return Object.fromEntries(Object.entries(TEXT).map(([language, table]) => [language, walk(table, "")]));
        }"""
    )
    assert set(keys) == {"fi", "sv", "en"}
    assert set(keys["sv"]) == set(keys["fi"]) == set(keys["en"]), "the same texts in every language"
    sources = [*PWA.glob("*.js"), *PWA.glob("screens/*.js")]
    used = {key for path in sources for call in T_CALL.findall(path.read_text()) for key in KEY.findall(call)}
    used |= set(re.findall(r'data-t(?:-label)?="([^"]+)"', (PWA / "index.html").read_text()))
    assert used - set(keys["fi"]) == set(), "every text a screen asks for exists"
    await page.context.close()
