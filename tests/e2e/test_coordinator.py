"""The coordinator's dashboard in the browser, on both databases: signing in (code and password) lands on the
queues; a waiting request is given to a ranked volunteer at a suggested time; a caller from the callback queue
is booked for; an SMS reply is handled; volunteers are added, approved and deactivated; statistics show as a
table, a CSV file and charts. Every screen and state passes axe-core at 375 and 1280 px, and the main path
works with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, Route

from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE, PARTNER_COORDINATOR_PHONE
from tests.e2e.pages import check, new_number, status_is, tab_until, wait_until
from tests.e2e.volunteers import AINO, EERO, HELSINKI, LIBRARY, Person, person, resident_asks, volunteer
from tests.live import LiveServer, demo_database, serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server with the demo network; the coordinators sign in many times here, so the per-number
    code limits are raised like the per-address one."""
    with (
        demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url,
        serve(url, otp_per_client_hour=500, otp_per_number_15min=100, otp_per_number_day=500) as live,
    ):
        yield live


async def coordinator(
    browser: Browser, site: LiveServer, phone: str = NETWORK_COORDINATOR_PHONE, width: int = 1280
) -> Person:
    someone = await person(browser, site, phone, width)
    await someone.post("/auth/password", {"password": DEMO_PASSWORD})
    return someone


async def loaded(page: Page, screen_id: str) -> None:
    await page.wait_for_selector(f"#{screen_id}-title")
    await wait_until(page, "() => !document.querySelector('.loading')")


async def go(page: Page, path: str, screen_id: str) -> None:
    await page.goto(f"/#{path}")
    await loaded(page, screen_id)


async def room_for(browser: Browser, site: LiveServer, phone: str = AINO) -> None:
    """The demo's weekly limits are small: give the volunteer room for what the test gives them."""
    await (await volunteer(browser, site, phone)).close()


async def test_a_coordinator_signs_in_to_the_queues_and_gives_a_waiting_request_to_a_volunteer(
    browser: Browser, site: LiveServer
) -> None:
    await room_for(browser, site)
    request_id = await resident_asks(browser, site, name="Saara")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site.base_url)
    page = await context.new_page()
    await page.goto("/#/koordinaattori")
    await page.wait_for_selector("#step-phone:not([hidden])")  # not signed in: the number first
    await page.fill("#phone", NETWORK_COORDINATOR_PHONE)
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await page.fill("#code", site.last_code(NETWORK_COORDINATOR_PHONE))
    await page.click("#form-code button[type=submit]")
    await page.wait_for_selector("#step-password:not([hidden])")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("#form-password button[type=submit]")
    await loaded(page, "queues")
    assert page.url.endswith("#/koordinaattori"), "back where the coordinator was going"
    card = page.locator(f"#queue-unmatched [data-request='{request_id}']")
    assert "Saara" in await card.inner_text()
    assert re.search(r"Odottanut \d+ min", await card.inner_text())
    await check(page, "queues")

    await card.locator("a.button").click()
    await loaded(page, "assign")
    await wait_until(page, "() => document.querySelectorAll('#assign-slot option').length > 1")
    # The suggested times and the ranking load side by side: the ranking (no time chosen) may come second.
    await wait_until(page, "() => document.querySelectorAll('#candidates li[data-volunteer]').length >= 1")
    await check(page, "assign: ranked without a time")

    await page.click("#assign-when button[type=submit]")  # no time yet
    await wait_until(page, "() => document.activeElement.id === 'assign-date'")
    assert await page.get_attribute("#assign-date", "aria-invalid") == "true"
    await check(page, "assign: the time missing")

    chosen = await page.locator("#assign-slot option").nth(1).get_attribute("value")
    await page.select_option("#assign-slot", index=1)
    assert await page.input_value("#assign-date") and await page.input_value("#assign-time")
    await page.click("#assign-when button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'h-candidates'")
    aino = page.locator("#candidates li[data-volunteer]", has_text="Aino")
    assert re.search(r"\d+ pistettä", await aino.inner_text())
    assert "osaamistaso" in await aino.inner_text(), "the reasons in the coordinator's language"
    await check(page, "assign: ranked at a time")

    await aino.locator("button").click()
    await loaded(page, "queues")
    await wait_until(page, "() => document.getElementById('status').textContent.includes('annettu: Aino')")
    assert await page.locator(f"[data-request='{request_id}']").count() == 0, "off the queue"
    coordinator_api = Person(context, page)
    sessions = await (await person(browser, site, AINO)).get("/me/sessions?as=volunteer")
    mine = [s for s in sessions if s["request_id"] == request_id]
    assert len(mine) == 1 and mine[0]["state"] == "scheduled"
    assert chosen and mine[0]["starts_at"].replace("Z", "+00:00")[:16] == chosen.replace("Z", "+00:00")[:16]
    ledger = await coordinator_api.get(f"/sessions/{mine[0]['id']}/notifications")
    assert ledger, "the session's messages were planned"
    await go(page, f"/koordinaattori/aika/{mine[0]['id']}", "ledger")
    assert await page.locator(".ledger li").count() == len(ledger)
    await check(page, "ledger")
    await context.close()


async def test_the_ranked_volunteers_come_a_page_at_a_time_and_the_keyboard_goes_on_from_the_next(
    browser: Browser, site: LiveServer
) -> None:
    """The screen asks for ten at a time; the demo has two who fit e-identification at the library, so the pages
    are made one volunteer long here (the request's `limit` rewritten on its way): the server's Link leads on."""
    request_id = await resident_asks(browser, site, "e_identification", name="Venla")
    staff = await coordinator(browser, site)
    page = staff.page
    asked: list[str] = []

    async def one_a_page(route: Route) -> None:
        asked.append(route.request.url)
        await route.continue_(url=route.request.url.replace("limit=10", "limit=1"))

    await page.route(re.compile(r".*/candidates\?.*"), one_a_page)
    await go(page, f"/koordinaattori/pyynto/{request_id}", "assign")
    cards = "#candidates li[data-volunteer]"
    await wait_until(page, f"() => document.querySelectorAll('{cards}').length === 1")
    assert "limit=10" in asked[0], "ten at a time"
    more = page.locator("#candidates > button", has_text="Näytä lisää vapaaehtoisia")
    await check(page, "assign: the first page of volunteers")
    await more.focus()
    await page.keyboard.press("Enter")
    await wait_until(page, f"() => document.querySelectorAll('{cards}').length === 2")
    await wait_until(page, f"() => document.activeElement === document.querySelectorAll('{cards} h3')[1]")
    names = await page.locator(f"{cards} h3").all_inner_texts()
    assert {n.split()[0] for n in names} == {"Aino", "Eero"}, "each once, best first"
    await wait_until(page, "() => document.querySelector('#candidates > button').hidden")  # no page after
    assert "cursor=" in asked[-1]
    await check(page, "assign: every volunteer shown")
    await staff.close()


async def call_and_stay_silent(site: LiveServer, page: Page, phone: str) -> None:
    """A pretend call to the helpline (dev tools) where the caller presses nothing: after asking twice, the
    voice menu puts them in the callback queue."""
    answer = await page.request.post("/dev/call/start", form={"phone": phone})
    sid = re.search(r'name="sid" value="([^"]+)"', await answer.text())
    assert sid, "the pretend call has an id"
    for _ in range(2):
        await page.request.post("/dev/call/press", form={"phone": phone, "sid": sid.group(1), "digits": ""})


async def test_a_caller_is_booked_for_from_the_callback_queue_and_a_reply_is_handled(
    browser: Browser, site: LiveServer
) -> None:
    await room_for(browser, site)
    staff = await coordinator(browser, site)
    page = staff.page
    typed, caller = new_number()
    await call_and_stay_silent(site, page, caller)
    _, texter = new_number()
    await page.request.post("/dev/phone/reply", form={"phone": texter, "body": "Voinko tuoda tyttären mukaan?"})

    await go(page, "/koordinaattori", "queues")
    callback = page.locator("#queue-callbacks li.card").filter(has_text=typed.replace("050 ", "050 "))
    assert await callback.count() == 1
    assert "Ei valinnut mitään" in await callback.inner_text()
    assert "Kieli: ei valintaa" in await callback.inner_text(), "the voice menu's keys in words"
    assert "language:" not in await callback.inner_text()
    reply = page.locator("#queue-inbox li.card", has_text="Voinko tuoda tyttären mukaan?")
    assert await reply.count() == 1
    await check(page, "queues with a callback and a reply")

    await callback.locator("a", has_text="Varaa tälle soittajalle").click()
    await loaded(page, "on-behalf")
    assert await page.input_value("#ob-phone") == typed, "the caller's number comes along, as people say it"
    await page.fill("#ob-name", "Kaarina")
    await page.select_option("#ob-topic", "smartphone")
    await page.select_option("#ob-help-point", label=f"Kuusamo: {LIBRARY}")
    await page.click("#ob-find-times")
    await wait_until(page, "() => document.querySelectorAll('#ob-slot option').length > 2")
    await page.select_option("#ob-slot", index=1)
    await page.click("#on-behalf-form button[type=submit]")  # consent not yet ticked
    await wait_until(page, "() => document.activeElement.id === 'ob-consent'")
    assert "suostumuksen" in await page.inner_text("#ob-consent-error")
    await check(page, "on behalf: consent missing")

    await page.check("#ob-consent")
    async with page.expect_response("**/api/v1/bookings/on-behalf") as answer:
        await page.click("#on-behalf-form button[type=submit]")
    booked = await (await answer.value).json()
    await wait_until(page, "() => document.activeElement.id === 'ob-done'")
    assert "Vapaaehtoinen: Aino" in await page.inner_text("#ob-result")
    await check(page, "on behalf: booked")
    ledger = await staff.get(f"/sessions/{booked['session']['id']}/notifications")
    assert ("confirmation", "resident", "sms") in {(m["kind"], m["to"], m["channel"]) for m in ledger}, (
        "the confirmation goes to the caller by SMS"
    )
    handled = await staff.get("/queues/callbacks?state=handled")
    assert [c["outcome"] for c in handled if c["phone"] == caller] == ["booked_on_behalf"]

    await go(page, "/koordinaattori", "queues")
    assert await page.locator("#queue-callbacks li.card").filter(has_text=typed).count() == 0
    reply = page.locator("#queue-inbox li.card", has_text="Voinko tuoda tyttären mukaan?")
    count_before = await page.locator("#queue-inbox li.card").count()
    await reply.locator("button[data-outcome=noted]").click()
    await status_is(page, f"Merkitty hoidetuksi: {new_display(texter)}.")
    assert await page.locator("#queue-inbox li.card").count() == count_before - 1
    assert await page.evaluate("document.activeElement.id") == "q-inbox", "the focus stays on the list"
    await staff.close()


async def test_a_landline_caller_is_booked_and_the_coordinator_is_told_to_say_the_time(
    browser: Browser, site: LiveServer
) -> None:
    await room_for(browser, site)
    staff = await coordinator(browser, site)
    page = staff.page
    await go(page, "/koordinaattori/varaa", "on-behalf")
    assert "lankapuhelin" in (await page.inner_text("#on-behalf")).lower(), "the form says a landline is welcome"
    await page.fill("#ob-phone", "08 850 1235")
    await page.fill("#ob-name", "Eino")
    await page.select_option("#ob-topic", "smartphone")
    await page.select_option("#ob-help-point", label=f"Kuusamo: {LIBRARY}")
    await page.click("#ob-find-times")
    await wait_until(page, "() => document.querySelectorAll('#ob-slot option').length > 2")
    # A time two days ahead or more, so that the day-before reminder is still to come.
    later = await page.evaluate(
        """() => [...document.querySelectorAll('#ob-slot option')].map(o => o.value)
            .find(v => Date.parse(v) > Date.now() + 2 * 86400000)"""
    )
    assert later, "a free time two days ahead"
    await page.select_option("#ob-slot", later)
    await page.check("#ob-consent")
    async with page.expect_response("**/api/v1/bookings/on-behalf") as answer:
        await page.click("#on-behalf-form button[type=submit]")
    booked = await (await answer.value).json()
    assert booked["reminded_by"] == "call"
    await wait_until(page, "() => document.activeElement.id === 'ob-done'")
    result = await page.inner_text("#ob-result")
    assert "kerro aika asukkaalle nyt" in result and "puheluna" in result, result
    await check(page, "on behalf: a landline booked")
    ledger = await staff.get(f"/sessions/{booked['session']['id']}/notifications")
    theirs = {(m["kind"], m["channel"]) for m in ledger if m["to"] == "resident"}
    assert ("reminder_24h", "voice") in theirs and not any(channel == "sms" for _, channel in theirs), theirs
    await staff.close()


def new_display(e164: str) -> str:
    national = "0" + e164[4:]
    return f"{national[:3]} {national[3:]}"


async def test_a_partner_coordinator_adds_approves_and_deactivates_volunteers(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE, width=375)
    organisation = (await staff.get("/organisations"))[0]
    _, applicant_phone = new_number()
    applicant = await person(browser, site, applicant_phone)
    await applicant.post("/me/volunteer-applications", {"organisation_id": organisation["id"], "first_name": "Ville"})
    await applicant.close()

    page = staff.page
    await go(page, "/koordinaattori/vapaaehtoiset", "people")
    application = page.locator("[data-application]", has_text="Ville")
    assert await application.count() == 1
    await check(page, "volunteers with an application")
    await application.locator("button", has_text="Hyväksy").click()
    await status_is(page, "Ville on nyt vapaaehtoinen.")
    assert await page.locator("[data-person]", has_text="Ville").count() == 1

    await page.click("#add-volunteer button[type=submit]")  # nothing filled in
    await wait_until(page, "() => document.activeElement.id === 'add-phone'")
    await check(page, "add volunteer: the number missing")
    typed, added = new_number()
    await page.fill("#add-phone", typed)
    await page.fill("#add-first", "Pirkko")
    await page.click("#add-volunteer button[type=submit]")
    await status_is(page, "Pirkko on lisätty vapaaehtoiseksi. Hän kirjautuu matkapuhelinnumerollaan.")
    pirkko = page.locator("[data-person]", has_text="Pirkko")
    await pirkko.locator("button", has_text="Poista käytöstä").click()
    await wait_until(page, "() => document.activeElement.classList.contains('warning')")
    await check(page, "deactivate: asks first")
    await pirkko.locator("button", has_text="Kyllä, poista käytöstä").click()
    await status_is(page, "Pirkko on poistettu käytöstä.")
    assert "Ei käytössä" in await pirkko.inner_text()
    # A partner coordinator takes them off their own organisation (the network coordinator could end the account).
    members = await staff.get(f"/organisations/{organisation['id']}/members?role=volunteer")
    assert added not in {m["phone"] for m in members}
    await go(page, "/koordinaattori/vapaaehtoiset", "people")
    assert await page.locator("[data-person]", has_text="Pirkko").count() == 0
    await staff.close()


async def test_statistics_show_a_table_a_csv_file_and_charts(browser: Browser, site: LiveServer) -> None:
    for width in (375, 1280):
        staff = await coordinator(browser, site, width=width)
        page = staff.page
        await go(page, "/koordinaattori/tilastot", "statistics")
        await check(page, f"statistics at {width} px")
        await page.select_option("#stats-by", "week")
        await page.click("#stats-form button[type=submit]")
        await page.wait_for_url(re.compile(r"#/koordinaattori/tilastot/week/\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$"))
        await loaded(page, "statistics")
        # The residents' ratings, as a count and a mean (never per volunteer: there is no such grouping).
        header = await page.locator("#stats-table thead th").all_inner_texts()
        assert "Arvioita" in header and "Arvioiden keskiarvo (1–5)" in header, header
        total = await page.locator("#stats-table tfoot td").all_inner_texts()  # after the row's <th>
        mean = total[header.index("Arvioiden keskiarvo (1–5)") - 1]
        assert re.fullmatch(r"–|[1-5],\d", mean), mean  # one decimal with a decimal comma; a dash with no ratings
        assert "volunteer" not in await page.locator("#stats-by option").evaluate_all("os => os.map(o => o.value)")
        href = await page.get_attribute("#csv", "href")
        assert href and "by=week" in href
        csv = await page.request.get(href)
        assert csv.ok and csv.headers["content-type"].startswith("text/csv")
        await wait_until(page, "() => document.querySelectorAll('.chart img').length === 4")
        await wait_until(
            page, "() => [...document.querySelectorAll('.chart img')].every(i => i.complete && i.naturalWidth > 0)"
        )
        await check(page, f"statistics by week at {width} px")
        await staff.close()


async def test_every_coordinator_screen_at_375_px_and_the_queue_by_keyboard(browser: Browser, site: LiveServer) -> None:
    request_id = await resident_asks(browser, site, name="Oiva")
    staff = await coordinator(browser, site, width=375)
    page = staff.page
    await go(page, "/koordinaattori", "queues")
    await check(page, "queues at 375 px")
    await go(page, "/koordinaattori/varaa", "on-behalf")
    await check(page, "on behalf at 375 px")
    await go(page, "/koordinaattori/vapaaehtoiset", "people")
    await check(page, "volunteers at 375 px")

    # Keyboard only: from the menu to the request's button, Enter opens it.
    await go(page, "/koordinaattori", "queues")
    await tab_until(page, f"[data-request='{request_id}'] a.button", limit=200)
    await page.keyboard.press("Enter")
    await loaded(page, "assign")
    await wait_until(page, "() => document.activeElement.id === 'assign-title'")
    await check(page, "assign at 375 px")
    await tab_until(page, "#assign-slot")
    await wait_until(page, "() => document.querySelectorAll('#assign-slot option').length > 1")
    await page.keyboard.press("ArrowDown")
    await tab_until(page, "#assign-when button[type=submit]")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.id === 'h-candidates'")
    await staff.close()


async def test_a_volunteer_or_resident_is_told_the_dashboard_is_not_for_them(
    browser: Browser, site: LiveServer
) -> None:
    aino = await person(browser, site, AINO)
    await go(aino.page, "/koordinaattori", "queues")
    assert "koordinaattoreille" in await aino.page.inner_text("#queues .problem")
    await check(aino.page, "not a coordinator")
    await aino.close()


async def test_a_coordinator_changes_opening_hours_and_adds_a_help_point(browser: Browser, site: LiveServer) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE, width=375)
    page = staff.page
    await go(page, "/koordinaattori/apupisteet", "places")
    first = page.locator("[data-help-point]").first
    point_id = await first.get_attribute("data-help-point")
    await check(page, "help points")
    await first.locator("a.button").click()
    await loaded(page, "place")
    await check(page, "help point form")

    # Saturday: a morning and an afternoon, the afternoon typed the wrong way round first.
    await page.fill("#opens-5-0", "09:00")
    await page.fill("#closes-5-0", "12:00")
    await page.fill("#opens-5-1", "15:00")
    await page.fill("#closes-5-1", "13:00")
    await page.click("#place-form button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'closes-5-1'")
    assert "lauantai" in (await page.inner_text("#hours-5-error")).lower()
    await check(page, "help point form: hours the wrong way round")
    await page.fill("#closes-5-1", "16:00")
    await page.click("#place-form button[type=submit]")
    await loaded(page, "places")
    await wait_until(page, "() => document.getElementById('status').textContent.includes('tallennettu')")
    saved = await page.request.get(f"/api/v1/help-points/{point_id}")
    saturday = [(p["opens"], p["closes"]) for p in (await saved.json())["opening_hours"] if p["weekday"] == 5]
    assert saturday == [("09:00:00", "12:00:00"), ("15:00:00", "16:00:00")]
    assert "Lauantai 9.00–12.00" in await page.inner_text(f"[data-help-point='{point_id}']")

    await page.fill("#place-name", "Kirjastoauto Kaisla")
    await page.fill("#place-street", "Kirkkotie 2")
    await page.fill("#place-municipality", "Kuusamo")
    await page.click("#add-place button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'place-postal'")
    await check(page, "add help point: postal code missing")
    await page.fill("#place-postal", "93600")
    await page.fill("#opens-0-0", "10:00")
    await page.fill("#closes-0-0", "14:00")
    await page.click("#add-place button[type=submit]")
    await wait_until(page, "() => document.getElementById('status').textContent.includes('Kirjastoauto Kaisla')")
    added = page.locator("[data-help-point]", has_text="Kirjastoauto Kaisla")
    assert "Maanantai 10.00–14.00" in await added.inner_text()
    await staff.close()


async def test_accessibility_feedback_from_the_statement_reaches_the_network_coordinator(
    browser: Browser, site: LiveServer
) -> None:
    context = await browser.new_context(viewport={"width": 375, "height": 800}, base_url=site.base_url)
    page = await context.new_page()
    await page.goto("/#/saavutettavuus")
    await page.wait_for_selector("#feedback-form")
    await page.click("#feedback-form button[type=submit]")  # nothing written
    await wait_until(page, "() => document.activeElement.id === 'feedback-message'")
    await check(page, "statement: feedback missing")
    await page.fill("#feedback-message", "Aikojen painikkeet ovat liian lähekkäin isolla tekstillä.")
    await page.fill("#feedback-contact", "040 7654321")
    await page.click("#feedback-form button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'feedback-sent'")
    assert "14 päivän" in await page.inner_text("#feedback-sent")
    await check(page, "statement: feedback sent")
    await context.close()

    staff = await coordinator(browser, site, width=375)
    page = staff.page
    await go(page, "/koordinaattori/palaute", "feedback")
    item = page.locator("[data-feedback]", has_text="liian lähekkäin")
    assert "040 7654321" in await item.inner_text()
    await check(page, "accessibility feedback")
    await item.locator("textarea").fill("Välit suurennettu.")
    await item.locator("button").click()
    await status_is(page, "Merkitty vastatuksi.")
    answered = await staff.get("/accessibility-feedback?answered=true")
    assert [f["answer_note"] for f in answered if "lähekkäin" in f["message"]] == ["Välit suurennettu."]
    await staff.close()


async def test_the_network_coordinator_rewords_a_message_and_sees_its_cost(browser: Browser, site: LiveServer) -> None:
    staff = await coordinator(browser, site, width=1280)
    templates = await staff.get("/templates")
    reminder = next(t for t in templates if t["language"] == "fi" and t["name"] == "resident.reminder_24h")
    page = staff.page
    await go(page, f"/koordinaattori/viestit/{reminder['name']}", "messages")
    fi = page.locator("[data-language=fi]")
    assert await page.input_value("#template-fi") == reminder["body"]
    assert f"{reminder['segments']} tekstiviesti" in await fi.inner_text()
    # The picker says each message in words, grouped by who gets it; the URL keeps the key.
    chosen = await page.locator("#template-name option:checked").inner_text()
    assert chosen == "Asukkaalle: muistutus edellisenä päivänä", chosen
    options = await page.locator("#template-name option").all_inner_texts()
    assert len(options) == len({t["name"] for t in templates}), "every template is in the picker"
    assert not [o for o in options if re.fullmatch(r"[a-z]+\.[a-z0-9_]+", o)], options
    assert "Puhelinvalikko: kielen valinta" in options
    groups = await page.locator("#template-name optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert groups == [
        "Asukkaille",
        "Vapaaehtoisille",
        "Vastaukset asukkaan tekstiviestiin",
        "Vapaaehtoiseksi hakeneille",
        "Puhelinvalikko",
    ]
    assert await page.inner_text("#template-title") == chosen
    await check(page, "message templates")

    # The cost while typing, before anything is saved: typographic quotes make it dearer.
    await page.fill("#template-fi", "Muistutus: “digitukiaika” {when}. Paikka: {place}. " * 3)
    await wait_until(page, "() => document.getElementById('template-fi-cost').textContent.includes('UCS-2')")
    assert not next(
        t for t in await staff.get("/templates") if t["name"] == reminder["name"] and t["language"] == "fi"
    )["customised"], "nothing was saved"

    await page.fill("#template-fi", "Muistutus: aika {when}. {tuntematon}")
    await fi.locator("button", has_text="Tallenna").click()
    await wait_until(page, "() => document.activeElement.id === 'template-fi'")
    assert await page.get_attribute("#template-fi", "aria-invalid") == "true"
    await check(page, "message templates: an unknown placeholder")

    await page.fill("#template-fi", "Muistutus: digitukiaika {when}.")
    await fi.locator("button", has_text="Tallenna").click()
    await wait_until(page, "() => document.getElementById('status').textContent.startsWith('Tallennettu.')")
    saved = next(t for t in await staff.get("/templates") if t["name"] == reminder["name"] and t["language"] == "fi")
    assert saved["customised"] and saved["body"] == "Muistutus: digitukiaika {when}."
    await fi.locator("button", has_text="Palauta alkuperäinen").click()
    await status_is(page, "Alkuperäinen sanamuoto palautettu.")
    assert await page.input_value("#template-fi") == reminder["default_body"]

    # Choosing another message by its name opens it by its key.
    await page.select_option("#template-name", label="Vastaus tekstiviestiin: aika vahvistettu")
    await page.click("#template-pick button[type=submit]")
    await page.wait_for_url(re.compile(r"#/koordinaattori/viestit/reply\.confirmed$"))
    title = "Vastaus tekstiviestiin: aika vahvistettu"
    await wait_until(page, "(title) => document.getElementById('template-title')?.textContent === title", title)
    await staff.close()


async def test_the_network_coordinator_adds_and_retires_a_topic(browser: Browser, site: LiveServer) -> None:
    staff = await coordinator(browser, site, width=375)
    page = staff.page
    await go(page, "/koordinaattori/aiheet", "topics")
    await check(page, "topics")
    await page.fill("#new-topic-code", "Smart TV")
    await page.click("#new-topic-form button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'new-topic-code'")
    await check(page, "topics: a code that will not do")
    await page.fill("#new-topic-code", "smart_tv")
    await page.fill("#new-topic-name-fi", "Älytelevisio")
    await page.fill("#new-topic-name-sv", "Smart-tv")
    await page.fill("#new-topic-name-en", "Smart TV")
    await page.fill("#new-topic-bring-fi", "Television kaukosäädin\nWi-Fi-verkon salasana paperilla")
    await page.click("#new-topic-form button[type=submit]")
    await wait_until(page, "() => document.activeElement.id === 'new-topic-bring-sv'")  # as many in every language
    assert "yhtä monta" in await page.inner_text("#topics .problem")
    await page.fill("#new-topic-bring-sv", "Tv:ns fjärrkontroll\nWi-Fi-lösenordet på papper")
    await page.fill("#new-topic-bring-en", "The TV's remote control\nThe Wi-Fi password on paper")
    await page.click("#new-topic-form button[type=submit]")
    await status_is(page, "Älytelevisio on lisätty.")
    card = page.locator("[data-topic-code=smart_tv]")
    assert "Mukaan otettavaa: 2 asiaa" in await card.inner_text()
    public = await (await page.request.get("/api/v1/topics/smart_tv")).json()
    assert public["bring"]["fi"] == ["Television kaukosäädin", "Wi-Fi-verkon salasana paperilla"]

    await card.locator("a.button").click()
    await loaded(page, "topic-edit")
    await check(page, "topic form")
    await page.uncheck("#topic-active")
    await page.click("#topic-form button[type=submit]")
    await status_is(page, "Älytelevisio: muutokset tallennettu.")
    assert "Ei tarjolla" in await page.locator("[data-topic-code=smart_tv]").inner_text()
    offered = await (await page.request.get("/api/v1/topics")).json()
    assert "smart_tv" not in {topic["code"] for topic in offered}, "residents no longer see it"
    await staff.close()


async def test_the_other_screens_at_the_other_width(browser: Browser, site: LiveServer) -> None:
    """The screens the journeys above check at one width, here at the other (375 px and 1280 px in all)."""
    wide = await coordinator(browser, site, width=1280)
    page = wide.page
    for path, screen_id in (
        ("/koordinaattori/vapaaehtoiset", "people"),
        ("/koordinaattori/apupisteet", "places"),
        ("/koordinaattori/palaute", "feedback"),
        ("/koordinaattori/aiheet", "topics"),
        ("/koordinaattori/aihe/smartphone", "topic-edit"),
    ):
        await go(page, path, screen_id)
        await check(page, f"{screen_id} at 1280 px")
    point = (await wide.get("/help-points"))[0]["id"]
    await go(page, f"/koordinaattori/apupiste/{point}", "place")
    await check(page, "help point form at 1280 px")
    await wide.close()

    narrow = await coordinator(browser, site, width=375)
    page = narrow.page
    await go(page, "/koordinaattori/viestit", "messages")
    await check(page, "message templates at 375 px")
    sessions = await narrow.get("/queues/at-risk")
    if not sessions:  # the demo's sessions are not at risk: any session of the demo volunteer will do
        aino = await person(browser, site, AINO)
        sessions = [{"session_id": s["id"]} for s in await aino.get("/me/sessions?as=volunteer")]
        await aino.close()
    await go(page, f"/koordinaattori/aika/{sessions[0]['session_id']}", "ledger")
    await check(page, "ledger at 375 px")
    await narrow.close()


async def test_a_caller_has_their_time_found_by_number_and_cancelled(browser: Browser, site: LiveServer) -> None:
    await room_for(browser, site)
    for width in (1280, 375):
        staff = await coordinator(browser, site, width=width)
        typed, caller = new_number()
        points = await staff.get("/help-points")
        library = next(p["id"] for p in points if p["name"] == LIBRARY)
        first = datetime.now(HELSINKI).date() + timedelta(days=1)
        query = f"topic=smartphone&modality=help_point&help_point_id={library}"
        slots = await staff.get(f"/slots?{query}&from={first}&to={first + timedelta(days=13)}")
        booked = await staff.post(
            "/bookings/on-behalf",
            {
                "phone": caller,
                "first_name": "Sulo",
                "consent": True,
                "topic": "smartphone",
                "modality": "help_point",
                "help_point_id": library,
                "starts_at": slots[-1]["starts_at"],
            },
        )
        session_id = booked["session"]["id"]
        page = staff.page
        await go(page, "/koordinaattori/soittaja", "caller")
        await check(page, f"caller's times at {width} px")
        await page.fill("#caller-phone", "040 9999999")
        await page.click("#caller-form button[type=submit]")
        await wait_until(page, "() => document.activeElement.id === 'caller-phone'")
        assert "Tällä numerolla ei ole asukasta" in await page.inner_text("#caller-phone-error")
        await page.fill("#caller-phone", typed)
        await page.click("#caller-form button[type=submit]")
        await wait_until(page, "() => document.activeElement.id === 'h-caller-sessions'")
        card = page.locator(f"[data-session='{session_id}']")
        assert "Vapaaehtoinen: Aino" in await card.inner_text()
        await check(page, f"caller's times found at {width} px")
        await card.locator("button[data-move]").click()
        await wait_until(page, "id => document.activeElement.id === id", f"move-{session_id}")
        await wait_until(page, "id => document.getElementById(id).options.length > 1", f"move-{session_id}")
        await check(page, f"moving a caller's time at {width} px")
        new_time = await page.locator(f"#move-{session_id} option").nth(1).get_attribute("value")
        await page.select_option(f"#move-{session_id}", index=1)
        await card.locator("button", has_text="Siirrä tähän aikaan").click()
        await wait_until(page, "() => document.getElementById('status').textContent.includes('on siirretty')")
        moved = await staff.post("/residents/sessions", {"phone": caller})
        assert [(s["id"], s["starts_at"]) for s in moved] == [(session_id, new_time)], "moved, the same session"
        await card.locator("button[data-cancel]").click()
        await wait_until(page, "() => document.activeElement.classList.contains('warning')")
        await check(page, f"cancel asks first at {width} px")
        await card.locator("button", has_text="Kyllä, peru aika").click()
        await wait_until(page, "() => document.getElementById('status').textContent.includes('on peruttu')")
        assert "Peruttu" in await card.inner_text()
        ledger = await staff.get(f"/sessions/{session_id}/notifications")
        assert ("cancelled", "resident") in {(m["kind"], m["to"]) for m in ledger}
        await staff.close()


async def test_a_coordinator_signs_out_from_a_desk_screen_and_is_told_when_the_session_ends(
    browser: Browser, site: LiveServer
) -> None:
    """Coordinators work on shared library computers: every desk screen has signing out, and a screen left
    alone says the session ended instead of showing what it showed."""
    boss = await coordinator(browser, site)
    page = boss.page
    await page.clock.install()
    await go(page, "/koordinaattori/tilastot", "statistics")
    await tab_until(page, "#coord-sign-out")  # signing out is reached by keyboard
    idle = await page.evaluate("async () => (await (await fetch('/api/v1/auth/session')).json()).idle_minutes")
    assert idle == 30
    await page.clock.fast_forward(f"{idle + 1}:00")
    await page.wait_for_selector("#statistics .problem")
    assert "päättyi" in await page.inner_text("#statistics .problem")
    assert not await page.query_selector("#statistics table"), "nothing of what was shown stays"
    await check(page, "session ended")
    await wait_until(page, "async () => (await fetch('/api/v1/auth/session')).status === 401")
    await boss.close()

    boss = await coordinator(browser, site)
    await go(boss.page, "/koordinaattori/soittaja", "caller")
    await boss.page.click("#coord-sign-out")
    await boss.page.wait_for_selector("#form-phone", state="visible")
    assert await boss.page.evaluate("async () => (await fetch('/api/v1/auth/session')).status") == 401
    await boss.close()


async def test_a_coordinator_changes_a_volunteers_details_on_their_word_with_the_keyboard(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    await go(page, "/koordinaattori/vapaaehtoiset", "people")
    link = page.locator("li[data-person]:has(h3:text-is('Helmi Turpeinen')) a[data-edit]")
    person_id = await link.get_attribute("data-edit")
    before = await staff.get(f"/people/{person_id}/volunteer-profile")
    await link.focus()
    await page.keyboard.press("Enter")
    await loaded(page, "volunteer")
    assert await page.locator(".coord-nav a[aria-current=page]").inner_text() == "Vapaaehtoiset"
    assert (await page.inner_text("#volunteer-title")).startswith("Vapaaehtoisen tiedot: ")
    for width in (1280, 375):
        await page.set_viewport_size({"width": width, "height": 900})
        await check(page, f"a volunteer's details at {width} px")
    await page.set_viewport_size({"width": 1280, "height": 900})

    wanted = 1 if before["weekly_cap"] != 1 else 2
    await tab_until(page, "#weekly-cap")
    await page.keyboard.press("Control+A")
    await page.keyboard.type(str(wanted))
    await tab_until(page, "#save-profile")
    await page.keyboard.press("Enter")
    await status_is(page, "Tiedot on tallennettu.")
    after = await staff.get(f"/people/{person_id}/volunteer-profile")
    assert after["weekly_cap"] == wanted and after["topics"] == before["topics"], "only the limit changed"

    await tab_until(page, "#save-availability")
    await page.keyboard.press("Enter")
    await status_is(page, "Ajat on tallennettu.")
    hours = await staff.get(f"/people/{person_id}/availability")
    assert hours["rules"], "the weekly hours were saved as they were"

    await page.click("button[data-lang=sv]")
    await loaded(page, "volunteer")
    assert (await page.inner_text("#volunteer-title")).startswith("Den frivilliges uppgifter: ")
    await check(page, "a volunteer's details in Swedish")
    await staff.close()


async def test_a_waiting_request_is_passed_to_a_partner_who_marks_it_handled(
    browser: Browser, site: LiveServer
) -> None:
    request_id = await resident_asks(browser, site, name="Irma")
    network = await coordinator(browser, site, width=1280)
    partner = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE, width=375)
    mine = await partner.get("/organisations")
    page = network.page
    await go(page, "/koordinaattori", "queues")
    card = page.locator(f"#queue-unmatched li[data-request='{request_id}']")
    await card.locator("button[data-refer]").focus()
    await page.keyboard.press("Enter")
    choice = f"#refer-{request_id}"
    await wait_until(page, "id => document.activeElement && document.activeElement.id === id", choice[1:])
    await page.select_option(choice, mine[0]["id"])
    await check(page, "queues: passing a request to a partner")
    await tab_until(page, f"{choice}-note")
    await page.keyboard.type("Haluaa apua pankin sovelluksen kanssa.")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.getElementById('status').textContent.startsWith('Pyyntö välitetty')")
    assert await card.count() == 0

    staff = partner.page
    await go(staff, "/koordinaattori", "queues")
    routed = staff.locator(f"#queue-routed li[data-request='{request_id}']")
    assert "Viesti kumppanille: Haluaa apua pankin sovelluksen kanssa." in await routed.inner_text()
    await check(staff, "queues: a request passed to us")
    await routed.locator("button[data-outcome=helped]").click()
    await wait_until(staff, "id => !document.querySelector(`li[data-request='${id}']`)", request_id)
    assert all(r["id"] != request_id for r in await partner.get("/queues/routed"))
    await network.close()
    await partner.close()


async def test_a_deactivated_volunteers_session_goes_to_another_volunteer_at_the_same_time(
    browser: Browser, site: LiveServer
) -> None:
    """The module's last test: it deactivates a demo volunteer."""
    await room_for(browser, site, AINO)
    await room_for(browser, site, EERO)
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    library = next(p["id"] for p in await staff.get("/help-points") if p["name"] == LIBRARY)
    first = datetime.now(HELSINKI).date() + timedelta(days=2)
    query = f"topic=e_identification&modality=help_point&help_point_id={library}"
    slots = await staff.get(f"/slots?{query}&from={first}&to={first + timedelta(days=13)}")
    _, caller = new_number()
    booked = await staff.post(
        "/bookings/on-behalf",
        {
            "phone": caller,
            "first_name": "Sulo",
            "consent": True,
            "topic": "e_identification",
            "modality": "help_point",
            "help_point_id": library,
            "starts_at": slots[0]["starts_at"],
        },
    )
    session = booked["session"]
    volunteers = [
        m
        for organisation in await staff.get("/organisations")
        for m in await staff.get(f"/organisations/{organisation['id']}/members?role=volunteer")
    ]
    volunteer_id = next(m["id"] for m in volunteers if m["first_name"] == session["volunteer_first_name"])
    # The library's other e-identification volunteer works other days: the coordinator adds this weekday for them.
    other = next(m["id"] for m in volunteers if m["first_name"] in ("Aino", "Eero") and m["id"] != volunteer_id)
    hours = await staff.get(f"/people/{other}/availability")
    weekday = datetime.fromisoformat(session["starts_at"].replace("Z", "+00:00")).astimezone(HELSINKI).weekday()
    hours["rules"].append({"weekday": weekday, "start": "08:00:00", "end": "20:00:00", "remote": False})
    await staff.send("PUT", f"/people/{other}/availability", hours)
    await staff.post(f"/people/{volunteer_id}/deactivate")

    page = staff.page
    await go(page, "/koordinaattori", "queues")
    press = page.locator(f"#queue-atRisk button[data-another='{session['id']}']")
    await press.focus()
    await check(page, "at risk: keep the time, another volunteer")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.getElementById('status').textContent.includes('Asukkaalle ei lähetetty')")
    assert await page.locator(f"#queue-atRisk li[data-session='{session['id']}']").count() == 0
    await wait_until(page, "() => document.activeElement.id === 'q-atRisk'")
    mine = await staff.post("/residents/sessions", {"phone": caller, "purpose": "helpline call"})
    [now] = [s for s in mine if s["id"] == session["id"]]
    assert now["starts_at"] == session["starts_at"] and now["volunteer_first_name"] != session["volunteer_first_name"]
    await staff.close()


async def test_the_network_coordinator_adds_words_for_text_booking_and_tries_a_message(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, width=1280)
    page = staff.page
    await go(page, "/koordinaattori/aihe/online_banking", "topic-edit")
    await page.wait_for_selector("#words-built-in ul")
    assert "pank" in await page.inner_text("#words-built-in")
    await check(page, "a topic's words at 1280 px")
    await page.focus("#h-words")
    await tab_until(page, "#words-own")
    await page.keyboard.type("tiliote\nOP-mobiili")
    await tab_until(page, "#words-form button[type=submit]")
    await page.keyboard.press("Enter")
    await status_is(page, "Sanat tallennettu.")
    assert await page.input_value("#words-own") == "opmobiili\ntiliote"
    await tab_until(page, "#words-try")
    await page.keyboard.type("tiliote ei näy puhelimessa")
    await page.keyboard.press("Enter")
    await wait_until(
        page, "() => document.getElementById('words-try-result').textContent.startsWith('Viesti luettaisiin')"
    )
    assert "Verkkopankki" in await page.inner_text("#words-try-result")
    await page.set_viewport_size({"width": 375, "height": 900})
    await check(page, "a topic's words at 375 px")
    for language, title in (("sv", "Ord i sms"), ("en", "Words in text messages")):
        await page.click(f"button[data-lang={language}]")
        await wait_until(page, "lang => document.documentElement.lang === lang", language)
        await loaded(page, "topic-edit")
        await page.wait_for_selector("#words-built-in ul")
        assert await page.inner_text("#h-words") == title
        await check(page, f"a topic's words in {language}")
    await page.click("button[data-lang=fi]")
    await staff.send("PUT", "/topics/online_banking/words", {"words": []})
    await staff.close()
