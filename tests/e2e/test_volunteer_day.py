"""The volunteer's day in a real headless Chromium against the live server (journey 5 of DESIGN.md): sign in
with the SMS code, see a resident's request offered, take it, see whom to call, put down the time agreed, see
the session with what to bring, check in (refused kindly when too early; allowed once the server's clock is
moved to the start), record it as done with minutes, outcomes and a note (a note with a PIN is refused with the
server's reason and nothing is saved). Saying no, "someone else took it" and "it expired" are explained kindly.
Someone who is both a resident and a volunteer moves between booking help and their volunteer home."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from playwright.async_api import Browser

from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE
from server.domain.messages import when_text
from tests.e2e.pages import check, new_number, open_page, screen, status_is, wait_until
from tests.e2e.volunteers import (
    AINO,
    EERO,
    HELSINKI,
    LIBRARY,
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


def sms_time(moment: datetime) -> str:
    return when_text(moment, "fi")


async def test_a_volunteer_takes_a_request_puts_down_the_time_checks_in_and_records_it(
    browser: Browser, site: LiveServer, server_clock: MovableClock
) -> None:
    context = await browser.new_context(viewport={"width": 375, "height": 800}, base_url=site.base_url)
    page = await context.new_page()
    await page.goto("/#/kirjaudu")
    await page.fill("#phone", "040 1000011")
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await page.fill("#code", site.last_code(AINO))
    await page.click("#form-code button[type=submit]")
    await screen(page, "vhome")  # a volunteer lands on their own home
    assert await page.text_content(".greeting") == "Hei, Aino!"

    aino = await volunteer(browser, site, AINO)  # the same person through the API, for checks
    request_id = await resident_asks(browser, site, "smartphone", "Saara")
    await home(page)
    card = page.locator("li.card[data-offer]:has-text('Älypuhelimen käyttö')")
    text = await card.inner_text()
    assert "Apupisteessä" in text and f"{LIBRARY}, Kirkkotie 2, 93600 Kuusamo" in text, "how and where"
    assert "Vastaa viimeistään" in text and "min)" in text, "how long there is to answer"
    assert "Saara" not in text, "no name before accepting"

    await card.locator("button[data-accept]").click()
    await screen(page, "call")
    await status_is(page, "Pyyntö on nyt sinun: Älypuhelimen käyttö. Soita asukkaalle ja sopikaa aika.")
    accepted = next(o for o in await aino.get("/me/offers/accepted") if o["request_id"] == request_id)
    call = await page.inner_text("#call")
    assert "Saara" in call, "whom to call"
    assert await page.get_attribute("#call-phone", "href") == f"tel:{accepted['resident_phone']}"

    await page.click("#call a.button.primary")
    await screen(page, "agreed")
    await page.click("#save-agreed")
    await page.wait_for_selector("#agreed-date[aria-invalid=true]")
    assert await page.text_content("#agreed-date-error") == "Valitse päivä."
    starts = next_library_time(await aino.get("/me/sessions?as=volunteer"))
    await page.fill("#agreed-date", starts.date().isoformat())
    await page.dispatch_event("#agreed-date", "change")
    hint = await page.text_content("#agreed-time-hint")
    assert hint and hint.startswith(f"{LIBRARY}: tapaamisen voi aloittaa klo 10.00"), hint
    await page.select_option("#agreed-time", starts.strftime("%H:%M"))
    await page.click("#save-agreed")

    await screen(page, "vsession")
    await status_is(page, f"Aika on kirjattu: {sms_time(starts)}.")
    session = next(s for s in await aino.get("/me/sessions?as=volunteer") if s["request_id"] == request_id)
    assert datetime.fromisoformat(session["starts_at"]) == starts
    details = await page.inner_text("#vsession")
    assert sms_time(starts) in details and f"{LIBRARY}, Kirkkotie 2" in details
    assert "Älypuhelimen käyttö" in details and "Saara" in details
    assert await page.get_attribute("#session-phone", "href") == f"tel:{session['resident_phone']}"
    topic = await aino.get("/topics/smartphone")
    assert all(item in details for item in topic["bring"]["fi"]), "what the resident was asked to bring"

    await page.click("#check-in")
    await page.wait_for_selector("#vsession .problem")
    earliest = (starts - timedelta(hours=1)).strftime("%-H.%M")
    assert await page.inner_text("#vsession .problem") == (
        f"On vielä liian aikaista. Voit ilmoittautua paikalle aikaisintaan tuntia ennen alkua, klo {earliest}."
    )

    server_clock.move_to(starts + timedelta(minutes=5))
    try:
        await page.click("#check-in")
        await status_is(page, "Ilmoittautuminen on kirjattu. Hyvää tapaamista!")
        assert "Käynnissä" in await page.inner_text("#vsession dl")
        await page.click("#vsession a:has-text('Merkitse pidetyksi')")
        await screen(page, "vdone")
        assert await page.input_value("#minutes") == "45", "the session's length to start with"
        assert await page.text_content("#note-warning") == (
            "Älä koskaan kirjoita salasanoja, PIN-koodeja, pankkitunnuksia tai henkilötunnuksia."
        )

        # In English the server's own words are shown; in Finnish the same reason in Finnish. Nothing is saved.
        await page.click("button[data-lang=en]")
        await page.wait_for_selector("#vdone-title:has-text('How did the session go?')")
        await page.fill("#note", "Her PIN 4812 works again")
        await page.click("#save-done")
        await page.wait_for_selector("#note[aria-invalid=true]")
        refused = await aino.page.request.post(
            f"/api/v1/sessions/{session['id']}/done",
            data={"note": "Her PIN 4812 works again"},
            headers={"x-csrftoken": {c["name"]: c["value"] for c in await aino.context.cookies()}["apuri_csrf"]},
        )
        assert refused.status == 422
        assert await page.text_content("#note-error") == (await refused.json())["detail"]
        await page.click("button[data-lang=fi]")
        await page.wait_for_selector("#vdone-title:has-text('Miten tapaaminen meni?')")
        await page.fill("#minutes", "50")
        await page.check("#outcome-install_app")
        await page.fill("#note", "PIN 4812")
        await page.click("#save-done")
        await page.wait_for_selector("#note[aria-invalid=true]")
        error = await page.text_content("#note-error")
        assert error and error.startswith("Muistiinpanossa näyttää olevan PIN-koodi tai muu tunnusluku.")
        assert await page.text_content("#alert") == error, "said at once to screen readers"
        assert await page.evaluate("document.activeElement.id") == "note"
        kept = next(s for s in await aino.get("/me/sessions?as=volunteer") if s["id"] == session["id"])
        assert (kept["state"], kept["note"], kept["minutes_spent"]) == ("checked_in", "", None), "nothing saved"
        assert await page.input_value("#minutes") == "50", "what was typed is kept"

        await page.fill("#note", "Asensimme Kela-sovelluksen yhdessä.")
        await page.click("#save-done")
        await screen(page, "vsession")
        await status_is(page, "Tapaaminen on kirjattu pidetyksi. Kiitos!")
        shown = await page.inner_text("#vsession dl")
        assert "Pidetty" in shown and "50 min" in shown and "Asentaa sovelluksen" in shown
        done = next(s for s in await aino.get("/me/sessions?as=volunteer") if s["id"] == session["id"])
        assert (done["state"], done["minutes_spent"], done["outcomes"]) == ("done", 50, ["install_app"])
        assert done["note"] == "Asensimme Kela-sovelluksen yhdessä."
    finally:
        server_clock.reset()
    await aino.close()
    await context.close()


async def test_saying_no_someone_else_taking_it_and_expiry_are_explained_kindly(
    browser: Browser, site: LiveServer, server_clock: MovableClock
) -> None:
    aino = await volunteer(browser, site, AINO)
    eero = await volunteer(browser, site, EERO)
    page = aino.page

    declined = await resident_asks(browser, site, "smartphone")
    await home(page)
    offer = page.locator("li.card[data-offer]")
    assert await offer.count() == 1
    await offer.locator("button[data-decline]").click()
    await status_is(page, "Vastasit, ettet voi nyt (Älypuhelimen käyttö). Pyyntö menee seuraavalle avustajalle.")
    assert await page.locator("li.card[data-offer]").count() == 0
    assert await page.evaluate("document.activeElement.id") == "h-offers"
    assert all(o["request_id"] != declined for o in await aino.get("/me/offers"))

    taken = await resident_asks(browser, site, "e_identification")
    await home(page)
    mine = next(o for o in await eero.get("/me/offers") if o["request_id"] == taken)
    await eero.post(f"/offers/{mine['id']}/accept")  # Eero is quicker
    await page.click("li.card[data-offer] button[data-accept]")
    await page.wait_for_selector("#vhome .problem")
    assert await page.inner_text("#vhome .problem") == (
        "Joku muu ehti ottaa tämän pyynnön. Kiitos silti, että olit valmis auttamaan!"
    )
    await wait_until(page, "() => document.querySelectorAll('li.card[data-offer]').length === 0")
    assert await page.evaluate("document.activeElement.classList.contains('problem')"), "the focus goes to it"

    await resident_asks(browser, site, "smartphone")
    await home(page)
    server_clock.move_to(datetime.now().astimezone() + timedelta(minutes=31))
    try:
        await page.click("li.card[data-offer] button[data-accept]")
        await page.wait_for_selector("#vhome .problem")
        assert "vastausaika päättyi" in await page.inner_text("#vhome .problem")
    finally:
        server_clock.reset()
    await aino.close()
    await eero.close()


async def test_a_resident_who_became_a_volunteer_switches_between_both(browser: Browser, site: LiveServer) -> None:
    typed, e164 = new_number()
    resident = await person(browser, site, e164)
    points = await resident.get("/help-points")
    library = next(p["organisation_id"] for p in points if p["name"] == LIBRARY)
    applied = await resident.post("/me/volunteer-applications", {"organisation_id": library, "first_name": "Ville"})
    await resident.close()
    coordinator = await person(browser, site, NETWORK_COORDINATOR_PHONE)
    await coordinator.post("/auth/password", {"password": DEMO_PASSWORD})
    await coordinator.post(f"/volunteer-applications/{applied['id']}/approve")
    await coordinator.close()

    page = await open_page(browser, site, path="/#/kirjaudu")
    await page.fill("#phone", typed)
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await page.fill("#code", site.last_code(e164))
    await page.click("#form-code button[type=submit]")
    await screen(page, "vhome")
    await page.wait_for_selector("#h-as-resident")
    await check(page, "volunteer home of someone who is a resident too")
    await page.click("#vhome a.button:has-text('Omat aikani')")
    await screen(page, "mine")
    await page.click("#mine a.button:has-text('Vapaaehtoisen sivu')")
    await screen(page, "vhome")
    await page.click("#vhome a.button:has-text('Varaa aika digitukeen')")
    await screen(page, "topic")
    await page.goto("/#/kirjaudu/koti")
    await page.wait_for_selector("#step-home:not([hidden])")
    assert await page.is_visible("#home-volunteer a") and await page.is_visible("#home-resident a")
    assert await page.is_hidden("#home-staff"), "no 'coming later' note for volunteers any more"
    await page.context.close()


async def test_giving_a_session_back_and_a_no_show_ask_first(
    browser: Browser, site: LiveServer, server_clock: MovableClock
) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    sessions = []
    for _ in range(2):
        request_id = await resident_asks(browser, site, "smartphone")
        await aino.post(f"/offers/{(await offer_for(aino, request_id))['id']}/accept")
        starts = next_library_time(await aino.get("/me/sessions?as=volunteer"))
        sessions.append(await aino.post(f"/requests/{request_id}/session", {"starts_at": starts.isoformat()}))
    back, missed = sessions

    await opened(page, f"/#/vapaaehtoinen/aika/{back['id']}", "vsession")
    await page.click("#vsession a:has-text('En pääse')")
    await screen(page, "vgiveback")
    assert "Koordinaattori etsii hänelle uuden avustajan." in await page.inner_text("#vgiveback")
    await page.click("#confirm-step")
    await screen(page, "vhome")
    await status_is(page, "Aika on palautettu koordinaattoreille. Kiitos, että kerroit.")
    assert await page.locator(f"li.card[data-session='{back['id']}']").count() == 0
    # The volunteer's day on paper: the sessions, without the menus and buttons.
    assert await page.locator("#vol-print").count() == 1
    await page.emulate_media(media="print")
    hidden = await page.evaluate(
        """() => ['header.top', 'nav.menu', '#vol-print', 'footer']
            .map((css) => document.querySelector(css))
            .map((found) => !found || getComputedStyle(found).display === 'none')"""
    )
    assert all(hidden), hidden
    assert await page.locator(f"li.card[data-session='{missed['id']}']").is_visible()
    await page.emulate_media(media="screen")
    states = {s["id"]: s["state"] for s in await aino.get("/me/sessions?as=volunteer")}
    assert states[back["id"]] == "cancelled"

    server_clock.move_to(starts_of(missed) + timedelta(minutes=20))
    try:
        await opened(page, f"/#/vapaaehtoinen/aika/{missed['id']}", "vsession")
        await page.click("#vsession a:has-text('Asukas ei tullut')")
        await screen(page, "vnoshow")
        await page.click("#vnoshow a:has-text('Takaisin')")  # changed their mind: nothing is recorded
        await screen(page, "vsession")
        await page.click("#vsession a:has-text('Asukas ei tullut')")
        await screen(page, "vnoshow")
        await page.click("#confirm-step")
        await screen(page, "vsession")
        await status_is(page, "Kirjattu: asukas ei tullut.")
    finally:
        server_clock.reset()
    states = {s["id"]: s["state"] for s in await aino.get("/me/sessions?as=volunteer")}
    assert states[missed["id"]] == "no_show"
    await aino.close()


async def test_on_a_drop_in_shift_the_volunteer_records_each_visitor_with_the_keyboard(
    browser: Browser, site: LiveServer, server_clock: MovableClock
) -> None:
    coordinator = await person(browser, site, NETWORK_COORDINATOR_PHONE)
    await coordinator.post("/auth/password", {"password": DEMO_PASSWORD})
    library = next(p["id"] for p in await coordinator.get("/help-points") if p["name"] == LIBRARY)
    tomorrow = datetime.now(HELSINKI).date() + timedelta(days=1)
    hour = await coordinator.post(
        f"/help-points/{library}/drop-in-hours",
        {"weekday": tomorrow.weekday(), "starts": "13:00:00", "ends": "15:00:00", "topics": ["smartphone"]},
    )
    aino = await volunteer(browser, site, AINO)
    try:
        await aino.send("PUT", f"/drop-in-hours/{hour['id']}/shifts/{tomorrow}", None)
        server_clock.move_to(datetime.combine(tomorrow, time(13, 5), tzinfo=HELSINKI))
        page = aino.page
        await page.goto("/#/vapaaehtoinen/paivystykset")
        await page.wait_for_selector("#vshifts-title")
        await wait_until(page, "() => !document.querySelector('.loading')")
        shift = f"shift-{hour['id']}-{tomorrow}"
        assert "Olet tässä vuorossa." in await page.inner_text(f"#{shift}")
        await check(page, "a drop-in shift today, with the visitor form")
        await page.focus(f"#{shift}-topic")
        await page.keyboard.press("Tab")
        await page.keyboard.press("ArrowDown")  # the length: the next choice
        chosen = await page.input_value(f"#{shift}-minutes")
        while not await page.evaluate("id => document.activeElement.id === id", f"{shift}-walk-in"):
            await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await status_is(page, "Käynti kirjattu: Älypuhelimen käyttö.")
        server_clock.reset()  # the coordinator's sign-in would have idled out in the day the clock moved
        visits = await coordinator.get(f"/help-points/{library}/walk-ins?day={tomorrow}")
        assert [(v["topic"], str(v["minutes"])) for v in visits] == [("smartphone", chosen)]
    finally:
        server_clock.reset()
        await coordinator.send("DELETE", f"/help-points/{library}/drop-in-hours/{hour['id']}", None)
        await aino.close()
        await coordinator.close()
