"""Accessibility of the volunteer app in a real headless Chromium: axe-core (WCAG 2.0/2.1 A and AA) finds nothing
on any screen or state (offers, someone else took it, whom to call, the time form and its errors, a session
before, during and after, the record form with a refused note, no-show and give-back, waiting and sent actions,
the offline copy, profile, availability, notifications, calendar, and a non-volunteer turned away) at 320, 375
and 1280 px (at 320 px nothing scrolls sideways, every touch target is at least 44 px); and taking a request,
putting down its time and checking in work with the keyboard alone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, Route

from tests.e2e.pages import check, new_number, screen, status_is, tab_until, wait_until
from tests.e2e.volunteers import (
    AINO,
    EERO,
    MovableClock,
    home,
    next_library_time,
    offer_for,
    opened,
    person,
    resident_asks,
    starts_of,
    volunteer,
)
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(clocked_site: LiveServer) -> LiveServer:
    return clocked_site


async def no_push_manager(route: Route) -> None:
    body = json.dumps(
        {"public_key": "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"}
    )
    await route.fulfill(status=200, content_type="application/json", body=body)


async def put_down_time(page: Page, sessions: list[dict[str, str]]) -> None:
    starts = next_library_time(sessions)
    await page.fill("#agreed-date", starts.date().isoformat())
    await page.dispatch_event("#agreed-date", "change")
    await check(page, "time form with the help point's times")
    await page.select_option("#agreed-time", starts.strftime("%H:%M"))
    await page.click("#save-agreed")
    await screen(page, "vsession")


@pytest.mark.parametrize("width", [320, 375, 1280])
async def test_every_volunteer_screen_and_state_passes_axe(
    browser: Browser, site: LiveServer, server_clock: MovableClock, width: int
) -> None:
    aino = await volunteer(browser, site, AINO, width)
    eero = await volunteer(browser, site, EERO)
    page = aino.page
    await resident_asks(browser, site, "smartphone")
    await home(page)
    await check(page, "home with an offer and sessions")

    await page.click("li.card[data-offer] button[data-accept]")
    await screen(page, "call")
    await check(page, "whom to call")
    await page.click("#call a.button.primary")
    await screen(page, "agreed")
    await check(page, "time form")
    await page.click("#save-agreed")
    await page.wait_for_selector("#agreed-date[aria-invalid=true]")
    await check(page, "time form: no date")
    await put_down_time(page, await aino.get("/me/sessions?as=volunteer"))
    await check(page, "session")
    await page.click("#check-in")
    await page.wait_for_selector("#vsession .problem")
    await check(page, "session: too early")
    session_path = page.url.split("#", 1)[1]

    # Someone else was quicker; a request taken but without a time yet.
    taken = await resident_asks(browser, site, "e_identification")
    kept = await resident_asks(browser, site, "e_identification")
    await home(page)
    too_late = (await offer_for(aino, taken))["id"]
    await eero.post(f"/offers/{(await offer_for(eero, taken))['id']}/accept")
    await aino.post(f"/offers/{(await offer_for(aino, kept))['id']}/accept")
    await page.click(f"li.card[data-offer='{too_late}'] button[data-accept]")
    await page.wait_for_selector("#vhome .problem")
    await wait_until(page, "() => !!document.getElementById('h-to-call')")
    await check(page, "home: someone else took it, and one to call")

    # Offline: the copy of the sessions, an accept waiting, then sent.
    await resident_asks(browser, site, "smartphone")
    await home(page)
    await wait_until(page, "() => navigator.serviceWorker.controller !== null", seconds=20)
    await aino.context.set_offline(True)
    await page.click("li.card[data-offer] button[data-accept]")
    await page.wait_for_selector("#vhome .waiting")
    await page.wait_for_selector("#offline-copy")
    await check(page, "home offline: the copy and an accept waiting")
    await aino.context.set_offline(False)
    await page.wait_for_selector("#vhome .sent")
    await check(page, "home: sent when back online")
    await page.click("button[data-lang=en]")
    await page.wait_for_selector("#vhome-title:has-text('Volunteer home')")
    await check(page, "home in English")
    await page.click("button[data-lang=sv]")
    await page.wait_for_selector("#vhome-title:has-text('Frivilligsidan')")
    await check(page, "home in Swedish")
    await page.click("button[data-lang=fi]")

    # Liisa's session (days ahead): no-show and give-back ask first.
    liisa = next(
        s
        for s in await aino.get("/me/sessions?as=volunteer")
        if s["resident_first_name"] == "Liisa" and s["state"] == "scheduled"
    )
    await opened(page, f"/#/vapaaehtoinen/aika/{liisa['id']}/ei-tullut", "vnoshow")
    await check(page, "no-show: confirm")
    await page.click("#confirm-step")
    await page.wait_for_selector("#vnoshow .problem")
    await check(page, "no-show: not started yet")
    await opened(page, f"/#/vapaaehtoinen/aika/{liisa['id']}/en-paase", "vgiveback")
    await check(page, "give back: confirm")

    session = next(s for s in await aino.get("/me/sessions?as=volunteer") if f"/{s['id']}" in session_path)
    server_clock.move_to(starts_of(session) + timedelta(minutes=5))
    try:
        await opened(page, f"/#{session_path}", "vsession")
        await page.click("#check-in")
        await status_is(page, "Ilmoittautuminen on kirjattu. Hyvää tapaamista!")
        await check(page, "session: checked in")
        await page.click("#vsession .session-actions a")
        await screen(page, "vdone")
        await check(page, "record form")
        await page.fill("#minutes", "many")
        await page.click("#save-done")
        await page.wait_for_selector("#minutes[aria-invalid=true]")
        await check(page, "record form: minutes")
        await page.fill("#minutes", "40")
        await page.fill("#note", "salasana on Kissa123")
        await page.click("#save-done")
        await page.wait_for_selector("#note[aria-invalid=true]")
        await check(page, "record form: a secret in the note")
        await page.fill("#note", "")
        await page.click("#save-done")
        await screen(page, "vsession")
        await check(page, "session: done")
    finally:
        server_clock.reset()

    await opened(page, "/#/vapaaehtoinen/profiili", "vprofile")
    await check(page, "profile")
    await page.fill("#weekly-cap", "x")
    await page.click("#save-profile")
    await page.wait_for_selector("#weekly-cap[aria-invalid=true]")
    await check(page, "profile: a mistake")
    await opened(page, "/#/vapaaehtoinen/saatavuus", "vavail")
    await page.click("#add-date")
    await page.select_option("#over-0-kind", "extra")
    await check(page, "availability with a date")
    await page.click("#save-availability")
    await page.wait_for_selector("#over-0-day[aria-invalid=true]")
    await check(page, "availability: a mistake")
    await aino.post("/me/calendar/remove")  # an earlier run's link
    await opened(page, "/#/vapaaehtoinen/kalenteri", "vcal")
    await check(page, "calendar: no link")
    await page.click("#calendar-make")
    await page.wait_for_selector("#calendar-url")
    await check(page, "calendar: the link")
    await opened(page, "/#/vapaaehtoinen/ilmoitukset", "vpush")
    await check(page, "notifications: not set up")
    await page.route("**/api/v1/push/key", no_push_manager)
    await aino.context.add_init_script("delete window.PushManager")
    await opened(page, "/#/vapaaehtoinen/ilmoitukset", "vpush")
    await check(page, "notifications: add to the home screen first")
    await aino.close()
    await eero.close()

    _, e164 = new_number()
    resident = await person(browser, site, e164, width)
    await opened(resident.page, "/#/vapaaehtoinen", "vhome")
    await check(resident.page, "a resident on the volunteers' page")
    await resident.close()


async def test_taking_a_request_and_checking_in_work_with_the_keyboard_alone(
    browser: Browser, site: LiveServer, server_clock: MovableClock
) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    request_id = await resident_asks(browser, site, "smartphone")
    await opened(page, "/#/vapaaehtoinen", "vhome")
    await tab_until(page, "li.card[data-offer] button[data-accept]")
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "the focus is visible"
    await page.keyboard.press("Enter")
    await screen(page, "call")
    await tab_until(page, "#call a.button.primary")
    await page.keyboard.press("Enter")
    await screen(page, "agreed")
    starts = next_library_time(await aino.get("/me/sessions?as=volunteer"))
    await tab_until(page, "#agreed-date")
    await page.keyboard.type(starts.strftime("%m%d%Y"))  # the date field's parts in the browser's (US) order
    assert await page.input_value("#agreed-date") == starts.date().isoformat()
    await tab_until(page, "#agreed-time")
    wanted = starts.strftime("%H:%M")
    for _ in range(20):
        if await page.evaluate("document.getElementById('agreed-time').value") == wanted:
            break
        await page.keyboard.press("ArrowDown")
    await tab_until(page, "#save-agreed")
    await page.keyboard.press("Enter")
    await screen(page, "vsession")
    session = next(s for s in await aino.get("/me/sessions?as=volunteer") if s["request_id"] == request_id)
    assert starts_of(session) == starts

    server_clock.move_to(starts - timedelta(minutes=30))  # within the hour before the start
    try:
        await tab_until(page, "#check-in")
        await page.keyboard.press("Enter")
        await status_is(page, "Ilmoittautuminen on kirjattu. Hyvää tapaamista!")
    finally:
        server_clock.reset()
    assert (
        next(s for s in await aino.get("/me/sessions?as=volunteer") if s["id"] == session["id"])["state"]
        == "checked_in"
    )
    await aino.close()
