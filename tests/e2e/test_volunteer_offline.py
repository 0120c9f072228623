"""The volunteer app without a signal, in a real headless Chromium: the sessions stay readable from the copy of
the last answer (IndexedDB), always with its age on screen; an accept or a check-in made offline waits in a
queue, visibly, and is sent when the network is back (the `online` event, or the next start), and the volunteer
hears how it went, including "someone else took it meanwhile". Signing out forgets the copy and the queue."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from server.domain.messages import when_text
from tests.e2e.pages import status_is, wait_until
from tests.e2e.volunteers import AINO, EERO, home, offer_for, resident_asks, starts_of, volunteer
from tests.live import LiveServer

pytestmark = pytest.mark.e2e
SNAPSHOT = "() => import('/offline.js').then(m => m.readSnapshot('volunteer-sessions')).then(s => s || null)"


@pytest.fixture(scope="module")
def site(clocked_site: LiveServer) -> LiveServer:
    return clocked_site


async def with_worker(page: Page) -> None:
    await home(page)
    await wait_until(page, "() => navigator.serviceWorker.controller !== null", seconds=20)


async def liisas_session(page: Page) -> dict[str, str]:
    """The demo's upcoming session of the resident Liisa: smartphone help at the main library, which only Aino
    gives there (server/demo.py), so it is always Aino's."""
    sessions = await page.evaluate("() => fetch('/api/v1/me/sessions?as=volunteer').then(r => r.json())")
    return next(s for s in sessions if s["state"] == "scheduled" and s["resident_first_name"] == "Liisa")


async def test_the_sessions_stay_readable_offline_and_say_how_old_they_are(browser: Browser, site: LiveServer) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    await with_worker(page)
    session = await liisas_session(page)
    copy = await page.evaluate(SNAPSHOT)
    assert copy and [s["id"] for s in copy["sessions"]] == [
        s["id"] for s in await aino.get("/me/sessions?as=volunteer")
    ]
    assert not await page.evaluate("Object.keys(localStorage).some(k => k !== 'apuri.language')"), "not localStorage"

    await aino.context.set_offline(True)
    await page.reload()
    await page.wait_for_selector("#offline-copy")
    notice = await page.text_content("#offline-copy")
    assert notice and notice.startswith("Ei verkkoyhteyttä. Näet tallennetun kopion, joka on haettu ")
    assert "Tiedot voivat olla vanhentuneita." in notice, "never old without saying so"
    assert await page.is_visible("#offline")
    card = page.locator(f"li.card[data-session='{session['id']}']")
    assert when_text(starts_of(session), "fi") in await card.inner_text() and "Liisa" in await card.inner_text()
    assert "Pyyntöjä ei voi hakea ilman verkkoyhteyttä." in await page.inner_text("#vhome")

    await card.locator("h3 a").click()
    await page.wait_for_selector("#vsession #offline-copy")
    details = await page.inner_text("#vsession")
    assert "Kuusamon pääkirjasto" in details and "Liisa" in details and "040 1000101" in details

    await page.goto("/#/")
    await page.wait_for_selector("#vhome #offline-copy")  # the app's start is the volunteer's home, offline too

    await aino.context.set_offline(False)
    await wait_until(page, "() => !document.getElementById('offline-copy') && !!document.getElementById('h-settings')")
    assert "Pyynnöt sinulle" in await page.inner_text("#vhome")
    await aino.close()


async def test_an_accept_made_offline_waits_and_goes_through_when_back_online(
    browser: Browser, site: LiveServer
) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    request_id = await resident_asks(browser, site, "smartphone")
    await with_worker(page)
    await aino.context.set_offline(True)
    await page.click("li.card[data-offer] button[data-accept]")
    await status_is(
        page,
        'Vastauksesi "otan tämän" (Älypuhelimen käyttö) odottaa verkkoyhteyttä. Se lähetetään, kun yhteys palaa.',
    )
    assert await page.evaluate("document.activeElement.id") == "h-waiting"
    assert "Älypuhelimen käyttö" in await page.inner_text("#vhome .waiting")
    queued = await page.evaluate("() => import('/offline.js').then(m => m.queued())")
    assert [(q["kind"], q["state"]) for q in queued] == [("accept", "pending")]

    await aino.context.set_offline(False)
    await status_is(page, "Vastauksesi meni perille: pyyntö (Älypuhelimen käyttö) on nyt sinun.")
    await page.wait_for_selector("#vhome .sent")
    assert await page.locator("#vhome .waiting").count() == 0
    assert await page.get_attribute("#vhome .sent a", "href") == f"#/vapaaehtoinen/pyynto/{request_id}"
    assert any(o["request_id"] == request_id for o in await aino.get("/me/offers/accepted"))
    await page.click("#queue-dismiss")
    await wait_until(page, "() => !document.querySelector('#vhome .sent')")
    assert await page.evaluate("() => import('/offline.js').then(m => m.queued())") == []
    await aino.close()


async def test_a_queued_accept_taken_meanwhile_and_a_check_in_too_early_are_reported(
    browser: Browser, site: LiveServer
) -> None:
    aino = await volunteer(browser, site, AINO)
    eero = await volunteer(browser, site, EERO)
    page = aino.page
    request_id = await resident_asks(browser, site, "e_identification")
    await with_worker(page)
    session = await liisas_session(page)
    time = when_text(starts_of(session), "fi")
    await aino.context.set_offline(True)
    await page.click("li.card[data-offer] button[data-accept]")
    await page.wait_for_selector("#vhome .waiting")
    await page.click(f"li.card[data-session='{session['id']}'] h3 a")
    await page.wait_for_selector("#check-in")
    await page.click("#check-in")
    await page.wait_for_selector("#vsession .pending")
    assert await page.text_content("#vsession .pending") == (
        "Ilmoittautumisesi odottaa verkkoyhteyttä. Se lähetetään, kun yhteys palaa."
    )
    await eero.post(f"/offers/{(await offer_for(eero, request_id))['id']}/accept")  # meanwhile, Eero takes it

    await aino.context.set_offline(False)
    taken = "Joku muu ehti ottaa pyynnön (Vahva sähköinen tunnistautuminen), kun olit ilman yhteyttä. Kiitos silti!"
    early = f"Ilmoittautumista ({time}) ei kirjattu: se onnistuu aikaisintaan tuntia ennen alkua."
    await status_is(page, f"{taken} {early}")
    await page.wait_for_selector("#check-in")  # the session is drawn again: it can be tried once more later
    await home(page)
    sent = await page.inner_text("#vhome .sent")
    assert taken in sent and early in sent
    await aino.close()
    await eero.close()


async def test_what_waits_is_sent_at_the_next_start_and_signing_out_forgets_it(
    browser: Browser, site: LiveServer
) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    request_id = await resident_asks(browser, site, "smartphone")
    await with_worker(page)
    # The answer is lost on the way (a tunnel): the accept waits, though the phone thinks it is online.
    await page.route("**/api/v1/offers/*/accept", lambda route: route.abort("internetdisconnected"))
    await page.click("li.card[data-offer] button[data-accept]")
    await page.wait_for_selector("#vhome .waiting")
    await page.unroute("**/api/v1/offers/*/accept")
    await page.reload()
    await page.wait_for_selector("#vhome .sent")
    assert "Vastauksesi meni perille" in await page.inner_text("#vhome .sent")
    assert any(o["request_id"] == request_id for o in await aino.get("/me/offers/accepted"))

    assert await page.evaluate(SNAPSHOT)
    await page.click("#vol-sign-out")
    await page.wait_for_selector("#step-phone:not([hidden])")
    assert await page.evaluate(SNAPSHOT) is None, "the copy of the sessions is gone"
    assert await page.evaluate("() => import('/offline.js').then(m => m.queued())") == []
    await aino.close()
