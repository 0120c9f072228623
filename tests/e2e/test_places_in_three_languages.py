"""Places and partners in three languages, in the browser, on both databases. With the keyboard alone, a
coordinator writes a help point's Swedish name and accessibility notes (only a change to that part sends the
translations, which the server replaces whole) and a partner's description in Finnish and Swedish; a
Swedish-speaking resident then reads them in the booking flow and in the catalogue of partners ("De som ger
digitalt stöd"), with "(på finska)" after a name not yet translated (marked lang="fi") and Kajaani called Kajana;
a volunteer refers their session to a partner (errors by their field first: no partner, no consent, a PIN in the
note) and is told that the partner got it and the resident gets an SMS. Every screen added or changed passes
axe-core at 375 and 1280 px, in Finnish and in Swedish or English."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from tests.e2e.pages import check, open_page, status_is, tab_until, wait_until
from tests.e2e.test_help_point_days import both_widths, coordinator, go, in_language, loaded, point_id
from tests.e2e.volunteers import AINO, next_library_time, offer_for, opened, resident_asks, volunteer
from tests.live import LiveServer, demo_database, serve

pytestmark = pytest.mark.e2e

DIGIPAJA = "Aikuisopiston digipaja"  # the demo's help point in Kajaani (Kajana in Swedish)
DIGIPAJA_SV = "Vuxenutbildningens digiverkstad"
DIGIPAJA_NOTES_SV = "Hiss. Parkering med vägvisning."
LIBRARY = "Kuusamon pääkirjasto"  # no Swedish words: shown in Finnish, and said so
COLLEGE = "Kainuun aikuisopisto"  # the partner that keeps the digipaja
COLLEGE_FI = "Aikuisopisto neuvoo tietokoneen ja puhelimen käytössä."
COLLEGE_SV = "Vuxeninstitutet ger råd om dator och telefon."
CITY = "Kuusamon kaupungin asiointipiste"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server with the demo network; people sign in many times here, so the per-number code limits are
    raised like the per-address one."""
    with (
        demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url,
        serve(url, otp_per_client_hour=500, otp_per_number_15min=100, otp_per_number_day=500) as live,
    ):
        yield live


async def focused(page: Page, element_id: str) -> None:
    await wait_until(page, "id => document.activeElement && document.activeElement.id === id", element_id)


async def alert_is(page: Page, text: str) -> None:
    await wait_until(page, "t => document.getElementById('alert').textContent === t", text)


async def saved_body(page: Page, press: str) -> dict[str, Any]:
    """Press Enter on `press` and return the JSON body of the PATCH it sends."""
    await page.focus(press)
    async with page.expect_request(lambda r: r.method == "PATCH") as sent:
        await page.keyboard.press("Enter")
    body: dict[str, Any] = json.loads((await sent.value).post_data or "{}")
    return body


async def test_a_coordinator_writes_the_swedish_words_and_a_swedish_speaker_reads_them(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site)
    page = staff.page
    digipaja = await point_id(staff, DIGIPAJA)
    college = next(o for o in await staff.get("/organisations") if o["name"] == COLLEGE)

    # The help point's form: a grouped, optional part in Swedish and English, with the keyboard alone.
    await go(page, f"/koordinaattori/apupiste/{digipaja}", "place")
    legends = await page.locator("#place-translations legend").all_inner_texts()
    assert legends == ["Ruotsiksi ja englanniksi (ei pakollinen)", "På svenska", "In English"]
    assert await page.get_attribute("#place-sv-name", "lang") == "sv"
    await both_widths(page, "a help point's form with its Swedish and English words")
    await tab_until(page, "#place-sv-name")
    await page.keyboard.type(DIGIPAJA_SV)
    await tab_until(page, "#place-sv-accessibility-notes")
    await page.keyboard.type(DIGIPAJA_NOTES_SV)
    async with page.expect_request(lambda r: r.method == "PATCH") as sent:
        await tab_until(page, "#place-form button[type=submit]", limit=200)
        await page.keyboard.press("Enter")
    body = json.loads((await sent.value).post_data or "{}")
    assert body["translations"] == {"sv": {"name": DIGIPAJA_SV, "accessibility_notes": DIGIPAJA_NOTES_SV}}
    await loaded(page, "places")
    await status_is(page, f"{DIGIPAJA}: muutokset tallennettu.")
    shown = await staff.get(f"/help-points/{digipaja}?language=sv")
    assert (shown["name"], shown["accessibility_notes"]) == (DIGIPAJA_SV, DIGIPAJA_NOTES_SV)
    assert (shown["street_address"], shown["municipality"], shown["in_finnish"]) == (
        "Ketunpolku 1",
        "Kajana",
        ["street_address"],
    )

    # Saved again without touching that part: the translations are not sent (the server would replace them).
    await go(page, f"/koordinaattori/apupiste/{digipaja}", "place")
    assert await page.input_value("#place-sv-name") == DIGIPAJA_SV
    body = await saved_body(page, "#place-form button[type=submit]")
    assert "translations" not in body and body["name"] == DIGIPAJA
    await loaded(page, "places")
    await in_language(page, "en", "places")
    await go(page, f"/koordinaattori/apupiste/{digipaja}", "place")
    assert await page.inner_text("label[for=place-en-name]") == "Name in English"
    await both_widths(page, "a help point's form in English")
    await in_language(page, "fi", "place")

    # The partner's introduction: its description in Finnish, and in Swedish (its Swedish name left empty).
    await go(page, f"/koordinaattori/apupisteet/{college['id']}", "places")
    assert "Kuvausta ei ole vielä kirjoitettu." in await page.inner_text("#organisation-about")
    await both_widths(page, "the help points with the partner's introduction")
    await tab_until(page, f"a[href='#/koordinaattori/kumppani/{college['id']}']", limit=100)
    await page.keyboard.press("Enter")
    await loaded(page, "organisation")
    await focused(page, "organisation-title")
    await both_widths(page, "the partner's introduction")
    await tab_until(page, "#organisation-save")
    await page.keyboard.press("Enter")
    await status_is(page, "Et muuttanut mitään.")
    await tab_until(page, "#organisation-description", key="Shift+Tab")
    await page.keyboard.type(COLLEGE_FI)
    await tab_until(page, "#organisation-sv-description")
    await page.keyboard.type(COLLEGE_SV)
    async with page.expect_request(lambda r: r.method == "PATCH") as sent:
        await tab_until(page, "#organisation-save")
        await page.keyboard.press("Enter")
    body = json.loads((await sent.value).post_data or "{}")
    assert body == {"description": COLLEGE_FI, "translations": {"sv": {"description": COLLEGE_SV}}}
    await loaded(page, "places")
    await status_is(page, f"{COLLEGE}: esittely on tallennettu.")
    assert COLLEGE_FI in await page.inner_text("#organisation-about")
    await go(page, f"/koordinaattori/kumppani/{college['id']}", "organisation")
    await in_language(page, "sv", "organisation")
    assert await page.input_value("#organisation-sv-description") == COLLEGE_SV
    await both_widths(page, "the partner's introduction in Swedish")
    await staff.close()

    # A Swedish-speaking resident books at a help point: Kajaani is Kajana, the place in Swedish where written so.
    resident = await open_page(browser, site, 375)
    await tab_until(resident, "button.tile[lang=sv]")
    await resident.keyboard.press("Enter")
    await loaded(resident, "topic")
    await tab_until(resident, "button[data-topic=smartphone]")
    await resident.keyboard.press("Enter")
    await loaded(resident, "how")
    await tab_until(resident, "button[data-modality=help_point]")
    await resident.keyboard.press("Enter")
    await loaded(resident, "municipality")
    kajana = "#municipality button.tile[data-name='Kajaani']"
    assert (await resident.inner_text(f"{kajana} .tile-title")) == "Kajana"
    await both_widths(resident, "municipalities in Swedish")
    await tab_until(resident, kajana)
    await resident.keyboard.press("Enter")
    await loaded(resident, "help-point")
    assert await resident.inner_text("#help-point-title") == "Vilken hjälppunkt? (Kajana)"
    tile = resident.locator("#help-point button.tile", has_text=DIGIPAJA_SV)
    text = await tile.inner_text()
    assert "Ketunpolku 1, 87100 Kajana" in text and DIGIPAJA_NOTES_SV in text and "(på finska)" not in text
    assert await tile.locator("span[lang=fi]").all_inner_texts() == ["Ketunpolku 1"]
    await both_widths(resident, "help points of Kajana in Swedish")

    # In Kuusamo the library has no Swedish words: its name is in Finnish, marked so and said so.
    await tab_until(resident, "#help-point a.back", key="Shift+Tab")
    await resident.keyboard.press("Enter")
    await loaded(resident, "municipality")
    await tab_until(resident, "#municipality button.tile[data-name='Kuusamo']")
    await resident.keyboard.press("Enter")
    await loaded(resident, "help-point")
    library = resident.locator("#help-point button.tile", has_text=LIBRARY)
    assert await library.locator(".tile-title span[lang=fi]").inner_text() == LIBRARY
    assert (await library.locator(".tile-title").inner_text()).endswith(f"{LIBRARY} (på finska)")
    await both_widths(resident, "help points of Kuusamo in Swedish, some in Finnish")
    await tab_until(resident, f"#help-point button.tile[data-name='{LIBRARY}']")
    await resident.keyboard.press("Enter")
    await loaded(resident, "time")
    await wait_until(resident, "() => document.querySelector('#time .place').textContent.includes('(på finska)')")
    assert await resident.locator("#time .place span[lang=fi]").first.inner_text() == LIBRARY
    await check(resident, "the times with a place in Finnish")

    # The catalogue from the first screen: who helps where, in Swedish, Kajana chosen with the keyboard.
    await resident.goto("/#/")
    await loaded(resident, "start")
    await both_widths(resident, "the first screen in Swedish")
    await tab_until(resident, "a[href='#/kumppanit']")
    await resident.keyboard.press("Enter")
    await loaded(resident, "catalogue")
    await focused(resident, "catalogue-title")
    assert await resident.inner_text("#catalogue-title") == "De som ger digitalt stöd"
    await both_widths(resident, "the catalogue in Swedish")
    await tab_until(resident, "#catalogue-municipality")
    assert "Kajana" in await resident.locator("#catalogue-municipality option").all_inner_texts()
    await resident.select_option("#catalogue-municipality", label="Kajana")
    await wait_until(resident, "() => location.hash === '#/kumppanit/Kajaani'")
    await loaded(resident, "catalogue")
    cards = resident.locator("#partners > li")
    assert await cards.count() == 1
    card = cards.first
    assert await card.locator("h2").inner_text() == f"{COLLEGE} (på finska)"
    assert await card.locator("h2 span[lang=fi]").inner_text() == COLLEGE
    text = await card.inner_text()
    assert COLLEGE_SV in text and "Telefon: 08 64000200" in text
    assert await card.locator("a.tel").get_attribute("href") == "tel:+358864000200"
    assert "Hjälp får du: på en hjälppunkt" in text
    assert await card.locator("h3").inner_text() == DIGIPAJA_SV
    assert "Ketunpolku 1, 87100 Kajana" in text and "Öppettider:" in text and "Måndag 9.00–15.00" in text
    assert f"Tillgänglighet: {DIGIPAJA_NOTES_SV}" in text
    await both_widths(resident, "the catalogue of Kajana in Swedish")

    # In English nothing was written: every text is in Finnish and says so; in Finnish nothing is marked.
    await in_language(resident, "en", "catalogue")
    card = resident.locator("#partners > li").first
    assert await card.locator("h3").inner_text() == f"{DIGIPAJA} (in Finnish)"
    assert "87100 Kajaani" in await card.inner_text()
    await both_widths(resident, "the catalogue of Kajaani in English")
    await in_language(resident, "fi", "catalogue")
    assert await resident.locator("#catalogue-title").inner_text() == "Digituen tarjoajat"
    assert await resident.locator("#partners .in-finnish").count() == 0
    await resident.select_option("#catalogue-municipality", "")
    await wait_until(resident, "() => location.hash === '#/kumppanit'")
    await loaded(resident, "catalogue")
    assert await resident.locator("#partners > li").count() == 4
    await both_widths(resident, "every partner in Finnish")
    await resident.context.close()


async def test_a_volunteer_refers_their_session_to_a_partner_with_the_keyboard(
    browser: Browser, site: LiveServer
) -> None:
    aino = await volunteer(browser, site, AINO, width=1280)
    page = aino.page
    request_id = await resident_asks(browser, site, "smartphone", name="Saara")
    await aino.post(f"/offers/{(await offer_for(aino, request_id))['id']}/accept")
    starts = next_library_time(await aino.get("/me/sessions?as=volunteer"))
    session = await aino.post(f"/requests/{request_id}/session", {"starts_at": starts.isoformat()})

    await opened(page, f"/#/vapaaehtoinen/aika/{session['id']}", "vsession")
    assert "Ohjaa kumppanille" in await page.inner_text("#refer")
    await both_widths(page, "a session with its referral part")
    await tab_until(page, f"a[href='#/vapaaehtoinen/aika/{session['id']}/ohjaa']")
    await page.keyboard.press("Enter")
    await loaded(page, "vrefer")
    await focused(page, "vrefer-title")
    city = page.locator("#refer-partner li", has_text=CITY)
    assert "Auttaa:" in await city.inner_text()
    await both_widths(page, "the referral form")

    # Nothing chosen, then no consent: each said by its field, and announced.
    await tab_until(page, "#refer-send")
    await page.keyboard.press("Enter")
    await alert_is(page, "Valitse kumppani, jolle ohjaat asian.")
    assert await page.inner_text("#refer-partner-error") == "Valitse kumppani, jolle ohjaat asian."
    await wait_until(page, "() => document.activeElement.name === 'refer-partner'")
    await page.keyboard.press("Space")
    for _ in range(8):
        if await page.evaluate("name => document.activeElement.closest('li').textContent.includes(name)", CITY):
            break
        await page.keyboard.press("ArrowDown")
    assert await page.is_checked(f"#refer-partner li:has-text('{CITY}') input")
    await tab_until(page, "#refer-note")
    await page.keyboard.type("PIN 4812")
    await tab_until(page, "#refer-send")
    await page.keyboard.press("Enter")
    await focused(page, "refer-consent")
    await alert_is(page, "Kysy asukkaalta, saako kumppani ottaa häneen yhteyttä. Rastita kohta vasta, kun hän suostuu.")
    assert await page.get_attribute("#refer-consent", "aria-invalid") == "true"
    await check(page, "the referral form with an error")
    await page.keyboard.press("Space")

    # A PIN in the note is refused by the server: said by the note, nothing is sent to the partner.
    await tab_until(page, "#refer-send")
    await page.keyboard.press("Enter")
    await focused(page, "refer-note")
    note_error = await page.inner_text("#refer-note-error")
    assert note_error.startswith("Muistiinpanossa näyttää olevan PIN-koodi tai muu tunnusluku.")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("Haluaa apua kaupungin sähköiseen asiointiin.")
    await tab_until(page, "#refer-send")
    await page.keyboard.press("Enter")
    await loaded(page, "vsession")
    await status_is(
        page,
        f"Valmis: {CITY} sai asian ja ottaa yhteyttä asukkaaseen. "
        "Asukas saa tekstiviestin, jossa kerrotaan, kuka häneen ottaa yhteyttä.",
    )
    staff = await coordinator(browser, site)
    routed = [r for r in await staff.get("/queues/routed") if r["referral_note"]]
    assert [r["referral_note"] for r in routed] == ["Haluaa apua kaupungin sähköiseen asiointiin."]
    await staff.close()

    # In English, at a phone's width.
    await page.set_viewport_size({"width": 375, "height": 800})
    await opened(page, f"/#/vapaaehtoinen/aika/{session['id']}/ohjaa", "vrefer")
    await in_language(page, "en", "vrefer")
    assert await page.inner_text("#vrefer-title") == "Refer to a partner"
    await both_widths(page, "the referral form in English")
    await aino.close()
