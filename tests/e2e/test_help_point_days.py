"""A help point's days in the browser, on both databases: a coordinator closes a day (and gives another day other
hours) with the keyboard alone on the help point's page, and residents are offered no times that day; a public
holiday is kept open; a session booked on a day that then closes is listed on "Suljetut päivät" and moving it
empties the list; the network coordinator closes every help point of a municipality at once. Both screens pass
axe-core at 375 and 1280 px, in Finnish and in Swedish or English."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from server.db import days as days_q
from server.db.engine import bind, make_engine, start, stop, write_transaction
from server.db.tables import HelpPoint
from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE, PARTNER_COORDINATOR_PHONE
from server.domain.days import HORIZON_DAYS, finnish_holidays
from tests.conftest import run_sync
from tests.e2e.pages import api_get, check, new_number, open_page, tab_until, wait_until
from tests.e2e.volunteers import AINO, HELSINKI, LIBRARY, Person, sign_in_by_api, volunteer
from tests.live import LiveServer, demo_database, serve

pytestmark = pytest.mark.e2e

# Public holidays are filled in by the worker's scheduler, which the test server does not run: the fixture fills
# them in at this help point only (of the partner coordinator's organisation; nobody is booked there).
HOLIDAY_POINT = "Taivalkosken kirjasto"
TAIVALKOSKI = "Taivalkoski"  # two help points: the library and the seniors' club room


async def _holidays_at(url: str, name: str) -> None:
    engine = make_engine(url)
    await start(engine)
    try:
        bind(engine)
        today = datetime.now(HELSINKI).date()
        async with write_transaction(engine):
            rows = await HelpPoint.select(HelpPoint.id).where(HelpPoint.name == name)
            point = uuid.UUID(str(rows[0]["id"]))
            holidays = finnish_holidays(today, today + timedelta(days=HORIZON_DAYS))
            await days_q.fill_holidays(holidays, datetime.now(HELSINKI), points=[point])
    finally:
        await stop(engine)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server with the demo network and one help point's public holidays; coordinators sign in many
    times here, so the per-number code limits are raised like the per-address one."""
    with demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url:
        run_sync(_holidays_at(url, HOLIDAY_POINT))
        with serve(url, otp_per_client_hour=500, otp_per_number_15min=100, otp_per_number_day=500) as live:
            yield live


async def coordinator(
    browser: Browser, site: LiveServer, phone: str = NETWORK_COORDINATOR_PHONE, width: int = 1280
) -> Person:
    """A signed-in coordinator in a Finnish browser (the date and time fields take 24-hour Finnish input)."""
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, base_url=site.base_url, locale="fi-FI", timezone_id="Europe/Helsinki"
    )
    someone = Person(context, await sign_in_by_api(context, site, phone))
    await someone.post("/auth/password", {"password": DEMO_PASSWORD})
    return someone


async def loaded(page: Page, screen_id: str) -> None:
    await page.wait_for_selector(f"#{screen_id}-title")
    await wait_until(page, "() => !document.querySelector('.loading')")


async def go(page: Page, path: str, screen_id: str) -> None:
    if page.url.endswith(f"#{path}"):
        await page.reload()  # going to the same address would not draw the screen again
    else:
        await page.goto(f"/#{path}")
    await loaded(page, screen_id)


async def in_language(page: Page, language: str, screen_id: str) -> None:
    await page.click(f"button[data-lang={language}]")
    await wait_until(page, "lang => document.documentElement.lang === lang", language)
    await loaded(page, screen_id)


async def both_widths(page: Page, state: str) -> None:
    """axe-core and the other checks at 1280 and at 375 px."""
    for width in (1280, 375):
        await page.set_viewport_size({"width": width, "height": 900})
        await check(page, f"{state} at {width} px")
    await page.set_viewport_size({"width": 1280, "height": 900})


def today() -> date:
    return datetime.now(HELSINKI).date()


async def point_id(someone: Person, name: str) -> str:
    return next(str(p["id"]) for p in await someone.get("/help-points") if p["name"] == name)


async def slots(page: Page, point: str, first: date, last: date, topic: str = "smartphone") -> list[dict[str, Any]]:
    """A resident's slot search (public: no sign-in needed)."""
    query = f"topic={topic}&modality=help_point&language=fi&help_point_id={point}&from={first}&to={last}"
    return list(await api_get(page, f"/slots?{query}"))


def local(instant: str) -> datetime:
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(HELSINKI)


def day_of(slot: dict[str, Any]) -> date:
    return local(str(slot["starts_at"])).date()


async def free_days(page: Page, point: str, first: date, last: date) -> list[date]:
    return sorted({day_of(s) for s in await slots(page, point, first, last)})


async def type_date(page: Page, field: str, day: date) -> None:
    """Into the focused date field as a keyboard user types it. Chromium lays the field out in its own interface
    language (month, day, year under C.UTF-8, whatever the page's locale): another layout is filled instead."""
    await page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    if await page.input_value(field) != day.isoformat():
        await page.fill(field, day.isoformat())


async def type_time(page: Page, hour: int) -> None:
    """An afternoon hour into the focused time field: "1500" is 15.00 on a 24-hour and a 12-hour clock alike."""
    assert hour > 12
    await page.keyboard.type(f"{hour}00")


async def test_a_coordinator_closes_a_day_with_the_keyboard_and_residents_get_no_times_then(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    library = await point_id(staff, LIBRARY)
    # Two weeks on: the demo's own sessions are in the first two weeks.
    open_days = await free_days(page, library, today() + timedelta(days=15), today() + timedelta(days=35))
    closed_day, other_day = open_days[:2]

    await go(page, f"/koordinaattori/apupiste/{library}", "place")
    assert await page.locator("#days-empty").count() == 1, "nothing differs at the main library yet"
    await both_widths(page, "place: no days differ")

    # The keyboard alone: the date, "closed" (chosen already), no reason yet.
    await tab_until(page, "#day-date", limit=150)
    await type_date(page, "#day-date", closed_day)
    assert await page.input_value("#day-date") == closed_day.isoformat()
    await tab_until(page, "#day-state-closed", limit=4)
    await tab_until(page, "#day-form button[type=submit]")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.id === 'day-reason-fi'")
    assert await page.get_attribute("#day-reason-fi", "aria-invalid") == "true"
    assert await page.inner_text("#day-reason-fi-error") == "Kirjoita syy suomeksi."
    assert await page.text_content("#alert") == "Kirjoita syy suomeksi.", "the error is announced"
    await check(page, "place: the reason missing")

    await page.keyboard.type("Henkilökunnan koulutuspäivä")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Personalens utbildningsdag")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Staff training day")
    await page.keyboard.press("Enter")
    card = page.locator(f"#days-list [data-day='{closed_day}']")
    await wait_until(page, "day => document.activeElement.matches(`[data-day='${day}'] h3`)", closed_day.isoformat())
    await wait_until(page, "() => document.getElementById('status').textContent.endsWith('on tallennettu.')")
    text = await card.inner_text()
    assert "Suljettu" in text and "Syy: Henkilökunnan koulutuspäivä" in text
    assert await slots(page, library, closed_day, closed_day) == [], "no times on the closed day"
    assert await slots(page, library, other_day, other_day), "the other day still has times"

    # Other hours on the second day: the radios with the arrow keys, the times typed in 24-hour form.
    await tab_until(page, "#day-date")
    await type_date(page, "#day-date", other_day)
    await tab_until(page, "#day-state-closed", limit=4)
    await page.keyboard.press("ArrowDown")
    assert await page.evaluate("document.activeElement.id") == "day-state-hours"
    assert await page.is_visible("#day-opens")
    await tab_until(page, "#day-opens", limit=2)
    await type_time(page, 15)
    await tab_until(page, "#day-closes", limit=4)
    await type_time(page, 14)
    assert (await page.input_value("#day-opens"), await page.input_value("#day-closes")) == ("15:00", "14:00")
    await tab_until(page, "#day-reason-fi", limit=4)
    await page.keyboard.type("Lyhyempi päivä")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.id === 'day-closes'")
    assert await page.get_attribute("#day-closes", "aria-invalid") == "true", "closing before opening"
    await check(page, "place: the hours wrong")
    await type_time(page, 16)
    await tab_until(page, "#day-form button[type=submit]")
    await page.keyboard.press("Enter")
    await wait_until(page, "day => document.activeElement.matches(`[data-day='${day}'] h3`)", other_day.isoformat())
    assert "Poikkeavat aukioloajat 15.00–16.00" in await page.locator(f"[data-day='{other_day}']").inner_text()
    listed = await staff.get(f"/help-points/{library}/days?from={today()}&to={today() + timedelta(days=120)}")
    assert [(d["day"], d["state"], d["opens"], d["closes"]) for d in listed] == [
        (closed_day.isoformat(), "closed", None, None),
        (other_day.isoformat(), "hours", "15:00:00", "16:00:00"),
    ]
    for slot in await slots(page, library, other_day, other_day):
        starts, ends = (local(slot[k]) for k in ("starts_at", "ends_at"))
        assert starts.hour >= 15 and (ends.hour, ends.minute) <= (16, 0), f"only within the other hours: {slot}"
    await both_widths(page, "place: two days differ")
    await in_language(page, "sv", "place")
    assert await page.inner_text("#h-days") == "Avvikande dagar"
    assert "Stängt" in await card.inner_text()
    await both_widths(page, "place: two days differ, in Swedish")
    await in_language(page, "fi", "place")

    # Back to the weekly hours, with the keyboard too.
    await tab_until(page, f"[data-weekly='{other_day}']", limit=150)
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.id === 'h-days'")
    await wait_until(
        page, "t => document.getElementById('status').textContent.endsWith(t)", ": palattu viikon aukioloaikoihin."
    )
    assert await page.locator(f"[data-day='{other_day}']").count() == 0
    assert await slots(page, library, other_day, other_day), "times again on the day back to the weekly hours"
    await staff.close()


async def test_a_public_holiday_is_kept_open(browser: Browser, site: LiveServer) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE, width=375)
    page = staff.page
    point = await point_id(staff, HOLIDAY_POINT)
    holiday, names = finnish_holidays(today() + timedelta(days=1), today() + timedelta(days=120))[0]
    await go(page, f"/koordinaattori/apupiste/{point}", "place")
    card = page.locator(f"#days-list [data-day='{holiday}']")
    text = await card.inner_text()
    assert "Yleinen vapaapäivä" in text and "Suljettu" in text and f"Syy: {names['fi']}" in text
    await both_widths(page, "place: public holidays")

    await card.locator("button[data-keep-open]").click()
    await wait_until(page, "day => document.activeElement.matches(`[data-day='${day}'] h3`)", holiday.isoformat())
    text = await card.inner_text()
    assert "Auki viikon aukioloaikojen mukaan" in text and f"Syy: {names['fi']}" in text
    assert await card.locator("button[data-weekly]").count() == 1
    found = await staff.get(f"/help-points/{point}/days?from={holiday}&to={holiday}")
    assert [(d["state"], d["reason"]["sv"]) for d in found] == [("open", names["sv"])]
    await check(page, "place: a public holiday kept open")
    await staff.close()


async def test_a_session_on_a_day_that_closes_is_listed_and_moving_it_empties_the_list(
    browser: Browser, site: LiveServer
) -> None:
    await (await volunteer(browser, site, AINO)).close()  # room in Aino's week (the demo's limits are small)
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    library = await point_id(staff, LIBRARY)
    await go(page, "/koordinaattori/suljetut", "closures")
    assert await page.locator("#affected-empty").count() == 1
    assert await page.locator(".coord-nav a[aria-current=page]").inner_text() == "Suljetut päivät"
    assert await page.locator("#close-many").count() == 0, "closing many help points is the network coordinator's"
    await both_widths(page, "closures: none")

    first = (await slots(page, library, today() + timedelta(days=40), today() + timedelta(days=60)))[0]
    _, phone = new_number()
    resident = await _resident(browser, site, phone)
    booked = await resident.post(
        "/bookings",
        {"topic": "smartphone", "modality": "help_point", "help_point_id": library, "starts_at": first["starts_at"]},
    )
    session = booked["session"]
    closed_day = day_of(first)
    reason = {"fi": "Vesivahinko", "sv": "Vattenskada", "en": "Water damage"}
    await staff.send("PUT", f"/help-points/{library}/days/{closed_day}", {"state": "closed", "reason": reason})

    await go(page, "/koordinaattori/suljetut", "closures")
    card = page.locator(f"#affected-list [data-session='{session['id']}']")
    text = await card.inner_text()
    assert "Vesivahinko" in text and LIBRARY in text and f"Vapaaehtoinen: {session['volunteer_first_name']}" in text
    assert await page.inner_text("#h-affected") == "1 aika siirrettävänä"
    await both_widths(page, "closures: one to move")
    await in_language(page, "en", "closures")
    assert "Water damage" in await card.inner_text()
    await both_widths(page, "closures: one to move, in English")
    await in_language(page, "fi", "closures")

    await card.locator("button[data-move]").click()
    choice = f"#move-{session['id']}"
    await wait_until(page, "id => document.querySelectorAll(`${id} option`).length > 1", choice)
    assert await page.evaluate("document.activeElement.id") == choice[1:]
    await check(page, "closures: choosing a new time")
    new_time = await page.locator(f"{choice} option").nth(1).get_attribute("value")
    assert new_time and day_of({"starts_at": new_time}) != closed_day
    await page.select_option(choice, index=1)
    await card.locator("button[type=submit]").click()
    await page.wait_for_selector("#affected-empty")
    await wait_until(page, "() => document.activeElement.id === 'h-affected'")
    assert await page.inner_text("#h-affected") == "Ei siirrettäviä aikoja"
    await wait_until(page, "() => document.getElementById('status').textContent.includes('on siirretty')")
    assert await staff.get("/closures/affected") == []
    mine = next(s for s in await resident.get("/me/sessions") if s["id"] == session["id"])
    assert mine["state"] == "scheduled"
    assert datetime.fromisoformat(mine["starts_at"].replace("Z", "+00:00")) == datetime.fromisoformat(
        new_time.replace("Z", "+00:00")
    )
    await both_widths(page, "closures: all moved")
    await resident.close()
    await staff.close()


async def _resident(browser: Browser, site: LiveServer, phone: str) -> Person:
    context = await browser.new_context(base_url=site.base_url)
    someone = Person(context, await sign_in_by_api(context, site, phone))
    await someone.send("PATCH", "/me", {"first_name": "Saara"})
    return someone


async def test_the_network_coordinator_closes_every_help_point_of_a_municipality(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site)
    page = staff.page
    points = [p for p in await staff.get("/help-points") if p["municipality"] == TAIVALKOSKI]
    assert len(points) == 2
    first, last = today() + timedelta(days=70), today() + timedelta(days=72)
    await go(page, "/koordinaattori/suljetut", "closures")
    await both_widths(page, "closures: the network coordinator's form")

    await page.select_option("#close-where", TAIVALKOSKI)
    await page.fill("#close-first", first.isoformat())
    await page.fill("#close-last", (first - timedelta(days=1)).isoformat())
    await page.click("#close-many button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'close-last'")
    assert "ei voi olla ennen ensimmäistä" in await page.inner_text("#close-last-error")
    await check(page, "closes many: the last day before the first")

    await page.fill("#close-last", last.isoformat())
    await page.click("#close-many button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'close-reason-fi'")
    await page.fill("#close-reason-fi", "Myrsky")
    await page.fill("#close-reason-sv", "Storm")
    await page.click("#close-many button[type=submit]")
    question = page.locator("#close-many .warning")
    await wait_until(page, "() => document.activeElement.matches('#close-many .warning')")
    assert "kaikki apupisteet kunnassa Taivalkoski" in await question.inner_text()
    await check(page, "closes many: asked first")
    await page.click("#close-many button.danger")
    await wait_until(page, "() => document.activeElement.id === 'close-many-result'")
    assert await page.inner_text("#close-many-result") == (
        "Tallennettu: 3 päivää, yhteensä 6 suljettua apupistepäivää. Jos niille on varattu aikoja, ne näkyvät yllä."
    )
    for point in points:
        found = await staff.get(f"/help-points/{point['id']}/days?from={first}&to={last}")
        assert [(d["day"], d["state"], d["reason"]["fi"], d["reason"]["sv"]) for d in found] == [
            ((first + timedelta(days=n)).isoformat(), "closed", "Myrsky", "Storm") for n in range(3)
        ]
    await both_widths(page, "closes many: done")
    await in_language(page, "sv", "closures")
    assert await page.inner_text("#h-close-many") == "Stäng flera hjälppunkter"
    await both_widths(page, "closures: the network coordinator's form, in Swedish")
    await in_language(page, "fi", "closures")
    await staff.close()


async def test_the_desk_sees_its_day_and_week_prints_them_and_records_walk_ins_with_the_keyboard(
    browser: Browser, site: LiveServer
) -> None:
    await (await volunteer(browser, site, AINO)).close()  # room in Aino's week (the demo's limits are small)
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    library = await point_id(staff, LIBRARY)
    first = (await slots(page, library, today() + timedelta(days=1), today() + timedelta(days=20)))[0]
    _, phone = new_number()
    resident = await _resident(browser, site, phone)
    booked = await resident.post(
        "/bookings",
        {"topic": "smartphone", "modality": "help_point", "help_point_id": library, "starts_at": first["starts_at"]},
    )
    session = booked["session"]
    day = day_of(first)

    await go(page, f"/koordinaattori/paiva/{library}/{day}/1", "desk")
    assert await page.locator(".coord-nav a[aria-current=page]").inner_text() == "Päivän asiakkaat"
    card = page.locator(f"#desk-sessions [data-session='{session['id']}']")
    text = await card.inner_text()
    assert "Saara" in text and "Tulossa" in text and f"Vapaaehtoinen: {session['volunteer_first_name']}" in text
    assert phone[-7:] not in await page.inner_text("#desk-sessions"), "the desk sees a first name, not a number"
    await both_widths(page, "desk: a day")

    # The whole organisation: its help points' sessions (and its volunteers' calls), each with its place.
    organisation = next(p["organisation_id"] for p in await staff.get("/help-points") if p["name"] == LIBRARY)
    await go(page, f"/koordinaattori/paiva/o:{organisation}/{day}/1", "desk")
    assert LIBRARY in await page.locator(f"#desk-sessions [data-session='{session['id']}']").inner_text()
    assert await page.locator("#walk-ins").count() == 0, "walk-ins are recorded at a help point"
    await go(page, f"/koordinaattori/paiva/{library}/{day}/1", "desk")

    # The print view: the list only, without the menus, forms and buttons.
    await page.emulate_media(media="print")
    shown = await page.evaluate(
        """() => ['header.top', '.coord-nav', '#desk-form', '#desk-print', 'footer']
            .map((css) => [css, document.querySelector(css)])
            .map(([css, found]) => [css, found && getComputedStyle(found).display])"""
    )
    assert all(display in ("none", None) for _, display in shown), shown
    assert await card.is_visible()
    await page.emulate_media(media="screen")

    # The week, chosen with the keyboard alone.
    await tab_until(page, "#desk-span", key="Shift+Tab")
    await page.keyboard.press("ArrowDown")
    assert await page.input_value("#desk-span") == "7"
    await tab_until(page, "#desk-form button[type=submit]")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => location.hash.endsWith('/7')")
    await loaded(page, "desk")
    assert " – " in await page.inner_text("#h-desk-sessions")
    assert await page.locator(f"#desk-sessions [data-session='{session['id']}']").count() == 1
    await in_language(page, "sv", "desk")
    await page.wait_for_selector("#desk-count")
    assert "Kommer" in await page.inner_text("#desk-sessions")
    await both_widths(page, "desk: a week, in Swedish")
    await in_language(page, "fi", "desk")

    # Today: a walk-in recorded with the keyboard, counted in the statistics, and taken back.
    await go(page, f"/koordinaattori/paiva/{library}/{today()}/1", "desk")
    before = await staff.get(f"/statistics?by=channel&from={today()}&to={today()}")
    await tab_until(page, "#walk-in-topic")
    await page.select_option("#walk-in-topic", "smartphone")
    await tab_until(page, "#walk-in-record")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.getElementById('walk-in-count').textContent === 'Tänään 1 käynti.'")
    await wait_until(page, "() => document.getElementById('status').textContent.startsWith('Käynti kirjattu')")
    await both_widths(page, "desk: a walk-in recorded")
    after = await staff.get(f"/statistics?by=channel&from={today()}&to={today()}")
    walk_ins = {g["key"]: g["figures"]["requests"] for g in after["groups"]}.get("walk-in")
    assert walk_ins == 1 + {g["key"]: g["figures"]["requests"] for g in before["groups"]}.get("walk-in", 0)

    await page.locator("#walk-in-list button[data-walk-in]").click()
    await page.get_by_role("button", name="Kyllä, poista").click()
    await wait_until(page, "() => document.getElementById('walk-in-count').textContent === 'Tänään 0 käyntiä.'")
    await wait_until(page, "() => document.activeElement.id === 'h-walk-ins'")
    await resident.close()
    await staff.close()


async def test_drop_in_hours_published_by_keyboard_reach_residents_and_volunteers_take_shifts(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    library = await point_id(staff, LIBRARY)
    tomorrow = today() + timedelta(days=1)

    # The coordinator publishes a drop-in hour on tomorrow's weekday, 13-15, with the keyboard alone.
    await go(page, f"/koordinaattori/apupiste/{library}", "place")
    await page.wait_for_selector("#drop-in-empty, #drop-in-list")
    await both_widths(page, "a help point's drop-in hours")
    await page.focus("#h-drop-in")
    await tab_until(page, "#drop-in-weekday")
    await page.select_option("#drop-in-weekday", str(tomorrow.weekday()))
    await tab_until(page, "#drop-in-starts")
    await type_time(page, 13)
    await tab_until(page, "#drop-in-ends")
    await type_time(page, 15)
    await tab_until(page, "#drop-in-form button[type=submit]")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.getElementById('status').textContent.includes('lisätty')")
    [hour] = [h for h in await staff.get(f"/help-points/{library}/drop-in-hours") if h["starts"] == "13:00:00"]
    assert hour["weekday"] == tomorrow.weekday() and hour["volunteers_needed"] == 1
    assert await page.locator(f"#drop-in-list [data-hour='{hour['id']}']").count() == 1
    await both_widths(page, "a drop-in hour published")

    # Tomorrow's is short of a volunteer: the coordinators' queues say so.
    await go(page, "/koordinaattori", "queues")
    assert await page.locator(f"#queue-unstaffed [data-drop-in='{hour['id']}:{tomorrow}']").count() == 1
    await both_widths(page, "queues with an unstaffed drop-in hour")
    await go(page, f"/koordinaattori/paiva/{library}/{tomorrow}/1", "desk")
    on_desk = page.locator(f"#desk-drop-in [data-drop-in='{hour['id']}:{tomorrow}']")
    assert "Ei vapaaehtoisia vuorossa." in await on_desk.inner_text()
    await both_widths(page, "the desk's day with a drop-in hour")

    # A resident finds it from the first screen, before booking anything, and in every language.
    resident = await open_page(browser, site, 375)
    await tab_until(resident, "a[href='#/ilman-ajanvarausta']")
    await resident.keyboard.press("Enter")
    await loaded(resident, "drop-in")
    listed = resident.locator(".drop-in", has_text=LIBRARY).filter(has_text="13.00–15.00")
    assert await listed.count() >= 2, "tomorrow's and the next week's"
    assert "Enintään 30 minuuttia asiakasta kohden." in await listed.first.inner_text()
    await both_widths(resident, "drop-in hours for residents")
    await tab_until(resident, "#drop-in-municipality")
    await resident.select_option("#drop-in-municipality", "Kuusamo")
    await wait_until(resident, "() => location.hash === '#/ilman-ajanvarausta/Kuusamo'")
    await loaded(resident, "drop-in")
    assert await resident.locator(".drop-in", has_text=LIBRARY).count() >= 2
    for language, title in (("sv", "Digitalt stöd utan tidsbokning"), ("en", "Digital help without booking")):
        await in_language(resident, language, "drop-in")
        assert await resident.inner_text("#drop-in-title") == title
        await both_widths(resident, f"drop-in hours in {language}")
    await resident.context.close()

    # A volunteer of the library takes the shift three weeks ahead with the keyboard, then gives it back.
    aino = await volunteer(browser, site, AINO)
    later = tomorrow + timedelta(days=21)
    shift = f"shift-{hour['id']}-{later}"
    await go(aino.page, "/vapaaehtoinen/paivystykset", "vshifts")
    await both_widths(aino.page, "a volunteer's drop-in shifts")
    await tab_until(aino.page, f"#{shift}-take")
    await aino.page.keyboard.press("Enter")
    await wait_until(aino.page, "() => document.getElementById('status').textContent.startsWith('Vuoro on sinun')")
    assert "Olet tässä vuorossa." in await aino.page.inner_text(f"#{shift}")
    await wait_until(aino.page, "id => document.activeElement.id === id", f"{shift}-back")
    await both_widths(aino.page, "a shift taken")
    await aino.page.keyboard.press("Enter")
    await wait_until(aino.page, "() => document.getElementById('status').textContent.startsWith('Luovuit')")
    await aino.close()

    # Stopping it takes it away from residents.
    await go(page, f"/koordinaattori/apupiste/{library}", "place")
    await page.wait_for_selector(f"#drop-in-list [data-stop='{hour['id']}']")
    await page.focus(f"#drop-in-list [data-stop='{hour['id']}']")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.getElementById('status').textContent.includes('lopetettu')")
    assert not [h for h in await api_get(page, "/drop-in-hours?days=28") if h["hour_id"] == hour["id"]]
    await staff.close()
