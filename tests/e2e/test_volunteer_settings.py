"""The volunteer's settings in a real headless Chromium: the profile and the weekly availability are changed on
screen and read back from the API; bad values get their error next to the field (the server's 4xx mapped to the
field, or the app's own check first); the private calendar link is made, copied, replaced and removed; and
notifications: explained when the service has no push (the test server), when the browser cannot (iPhone outside
the home screen, no PushManager), subscribed with the VAPID key and stored; the service worker's push handler
shows a pushed message (delivered through the DevTools protocol: a real push service cannot reach headless
Chromium here, its push needs Google's service)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Route

from tests.e2e.pages import check, status_is, wait_until
from tests.e2e.volunteers import AINO, HELMI, opened, volunteer
from tests.live import LiveServer

pytestmark = pytest.mark.e2e
# A P-256 public key as base64url (65 bytes), as GET /push/key gives it when web push is set up.
VAPID_KEY = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
FAKE_PUSH = """
(() => {
  let current = null;
  const made = {
    endpoint: "https://push.example.test/send/abcdefghijklmnop",
    toJSON() {
      return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: "B".repeat(87), auth: "A".repeat(22) } };
    },
    unsubscribe() { current = null; return Promise.resolve(true); },
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
  PushManager.prototype.subscribe = function (options) {
    const keyBytes = options.applicationServerKey.byteLength;
    window.subscribedWith = { userVisibleOnly: options.userVisibleOnly, keyBytes };
    current = made;
    return Promise.resolve(current);
  };
})();
"""


@pytest.fixture(scope="module")
def site(clocked_site: LiveServer) -> LiveServer:
    return clocked_site  # volunteers sign in many times here: the server with raised per-number code limits


async def push_key(route: Route) -> None:
    await route.fulfill(status=200, content_type="application/json", body=json.dumps({"public_key": VAPID_KEY}))


async def test_the_profile_is_saved_and_a_bad_value_is_shown_at_its_field(browser: Browser, site: LiveServer) -> None:
    helmi = await volunteer(browser, site, HELMI)
    page = helmi.page
    await opened(page, "/#/vapaaehtoinen/profiili", "vprofile")
    await page.select_option("#skill-smartphone", "2")
    await page.check("#language-fi-plain")
    await page.check("#remote")
    await page.fill("#weekly-cap", "4")
    await page.click("#save-profile")
    await status_is(page, "Tiedot on tallennettu.")
    saved = await helmi.get("/me/volunteer-profile")
    assert {"topic": "smartphone", "skill": 2} in saved["topics"]
    assert "fi-plain" in saved["languages"] and saved["remote"] is True and saved["weekly_cap"] == 4

    await page.fill("#weekly-cap", "50")  # the server's limit is 20
    await page.click("#save-profile")
    await page.wait_for_selector("#weekly-cap[aria-invalid=true]")
    assert await page.text_content("#weekly-cap-error") == "Viikkoraja voi olla 1–20 tapaamista."
    assert await page.text_content("#alert") == "Viikkoraja voi olla 1–20 tapaamista."
    assert await page.evaluate("document.activeElement.id") == "weekly-cap"
    await page.fill("#weekly-cap", "4")

    await page.check("#home-visits")  # without a starting point: the server's 422 lands at the place field
    await page.fill("#radius", "20")
    await page.click("#save-profile")
    await page.wait_for_selector("#home-from[aria-invalid=true]")
    assert "lähtöpaikka" in (await page.text_content("#home-from-error") or "")
    await page.select_option("#home-from", label="Kuusamon pääkirjasto, Kuusamo")
    for code in ("fi", "fi-plain"):
        await page.uncheck(f"#language-{code}")
    await page.click("#save-profile")
    await page.wait_for_selector("#languages-error:not([hidden])")
    assert await page.text_content("#languages-error") == "Valitse ainakin yksi kieli."
    assert await page.evaluate("document.activeElement.id") == "language-fi"
    await page.check("#language-fi")
    await page.click("#save-profile")
    await status_is(page, "Tiedot on tallennettu.")
    saved = await helmi.get("/me/volunteer-profile")
    assert saved["home_visits"] is True and saved["travel_radius_km"] == 20 and saved["home"] is not None
    assert saved["weekly_cap"] == 4 and saved["languages"] == ["fi"]
    await helmi.close()


async def test_weekly_hours_and_dates_are_saved_and_mistakes_shown(browser: Browser, site: LiveServer) -> None:
    helmi = await volunteer(browser, site, HELMI)
    page = helmi.page
    before = await helmi.get("/me/availability")
    await opened(page, "/#/vapaaehtoinen/saatavuus", "vavail")
    await page.click("[data-add-day='1']")  # Tuesday
    new = len(before["rules"])
    assert await page.evaluate("document.activeElement.id") == f"rule-{new}-start", "focus on the new time"
    await page.fill(f"#rule-{new}-start", "17:00")
    await page.fill(f"#rule-{new}-end", "16:00")
    await page.select_option(f"#rule-{new}-where", "remote")
    await page.click("#save-availability")
    await page.wait_for_selector(f"#rule-{new}-end[aria-invalid=true]")
    assert await page.text_content(f"#rule-{new}-end-error") == "Loppuajan pitää olla alkuajan jälkeen."
    await page.fill(f"#rule-{new}-end", "19:00")

    first = before["rules"][0]
    await page.click(f"#day-{first['weekday']} .period button")  # remove one of the old times
    await page.click("#add-date")
    away = await page.evaluate("() => import('/format.js').then(f => f.addDays(f.localDate(), 10))")
    await page.fill("#over-0-day", away)
    await page.select_option("#over-0-kind", "away_day")
    await page.click("#save-availability")
    await status_is(page, "Ajat on tallennettu.")
    saved = await helmi.get("/me/availability")
    assert {"weekday": 1, "start": "17:00:00", "end": "19:00:00", "remote": True} in saved["rules"]
    assert first not in saved["rules"] and len(saved["rules"]) == len(before["rules"])
    assert saved["overrides"] == [{"day": away, "away": True, "start": None, "end": None, "remote": False}]
    await helmi.close()


async def test_the_calendar_link_is_made_copied_replaced_and_removed(browser: Browser, site: LiveServer) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    await aino.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await opened(page, "/#/vapaaehtoinen/kalenteri", "vcal")
    assert "Asukkaiden nimiä tai numeroita siinä ei ole" in await page.inner_text("#calendar-privacy")
    await page.click("#calendar-make")
    await status_is(page, "Kalenterilinkki on tehty.")
    url = await page.input_value("#calendar-url")
    assert url == (await aino.get("/me/calendar"))["url"]
    assert await page.get_attribute("#calendar-webcal", "href") == "webcal:" + url.split(":", 1)[1]
    feed = await page.request.get(urlsplit(url).path)  # the link names the public address; the test server's differs
    assert feed.ok and "BEGIN:VCALENDAR" in await feed.text() and "Liisa" not in await feed.text()
    await page.click("#calendar-copy")
    await status_is(page, "Linkki on kopioitu.")
    assert await page.evaluate("navigator.clipboard.readText()") == url

    await page.click("#calendar-renew")
    await status_is(page, "Uusi linkki on tehty. Vanha ei enää toimi.")
    renewed = await page.input_value("#calendar-url")
    assert renewed != url and (await page.request.get(urlsplit(url).path)).status == 404
    await page.click("#calendar-remove")
    await status_is(page, "Kalenterilinkki on poistettu. Se ei enää toimi.")
    assert await page.is_visible("#calendar-make") and (await aino.get("/me/calendar"))["url"] is None
    assert (await page.request.get(urlsplit(renewed).path)).status == 404
    await aino.close()


async def test_notifications_are_explained_when_they_cannot_work(browser: Browser, site: LiveServer) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    await opened(page, "/#/vapaaehtoinen/ilmoitukset", "vpush")
    assert await page.text_content("#push-state") == (
        "Ilmoituksia ei ole otettu käyttöön tässä palvelussa. Saat pyynnöt ja muistutukset tekstiviestinä."
    )
    # A service with push, a browser without it (an iPhone's Safari outside the home screen has no PushManager).
    await page.route("**/api/v1/push/key", push_key)
    await aino.context.add_init_script("delete window.PushManager")
    await opened(page, "/#/vapaaehtoinen/ilmoitukset", "vpush")
    assert await page.text_content("#push-state") == (
        "Lisää Apuri ensin puhelimesi kotivalikkoon. Salli sitten ilmoitukset."
    )
    await aino.close()


async def test_allowing_notifications_subscribes_with_the_key_and_stores_it(browser: Browser, site: LiveServer) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    await aino.context.grant_permissions(["notifications"])
    await aino.context.add_init_script(FAKE_PUSH)
    await page.route("**/api/v1/push/key", push_key)
    await opened(page, "/#/vapaaehtoinen/ilmoitukset", "vpush")
    assert await page.text_content("#push-state") == "Ilmoitukset eivät ole käytössä tässä puhelimessa."
    await check(page, "notifications: off, with the button to allow them")
    async with page.expect_response("**/api/v1/push/subscriptions") as stored:
        await page.click("#push-allow")
    assert (await stored.value).status == 201 and (await (await stored.value).json()) == {"subscriptions": 1}
    await status_is(page, "Ilmoitukset ovat nyt käytössä.")
    assert await page.evaluate("window.subscribedWith") == {"userVisibleOnly": True, "keyBytes": 65}
    assert await page.text_content("#push-state") == "Ilmoitukset ovat käytössä tässä puhelimessa."
    await check(page, "notifications: on")
    async with page.expect_response("**/api/v1/push/subscriptions/remove") as removed:
        await page.click("#push-off")
    assert (await (await removed.value).json()) == {"subscriptions": 0}
    await status_is(page, "Ilmoitukset on lopetettu. Saat pyynnöt tekstiviestinä.")
    await aino.close()


async def test_the_service_worker_shows_a_pushed_message(browser: Browser, site: LiveServer) -> None:
    aino = await volunteer(browser, site, AINO)
    page = aino.page
    await aino.context.grant_permissions(["notifications"])
    await page.goto("/#/vapaaehtoinen")
    await wait_until(page, "() => navigator.serviceWorker.controller !== null", seconds=20)
    cdp = await aino.context.new_cdp_session(page)
    registrations: list[dict[str, object]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    await cdp.send("ServiceWorker.enable")
    await wait_until(page, "() => true")
    scope = f"{site.base_url}/"
    for _ in range(100):
        if any(r["scopeURL"] == scope and not r["isDeleted"] for r in registrations):
            break
        await page.wait_for_timeout(50)
    payload = {"title": "Apuri", "body": "Uusi pyyntö: Älypuhelimen käyttö", "url": "/#/offers", "tag": "offer-1"}
    # Chromium may drop a push delivered while the worker is still starting up; a real push service would retry
    # too. The same tag makes a second delivery replace the first, so the test still sees exactly one.
    shown: Any = None
    for _ in range(4):
        registration = [r for r in registrations if r["scopeURL"] == scope and not r["isDeleted"]][-1]
        await cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": site.base_url, "registrationId": registration["registrationId"], "data": json.dumps(payload)},
        )
        try:
            shown = await wait_until(
                page,
                """() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list => list.length &&
                    list.map(n => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url })))""",
                seconds=4,
            )
            break
        except AssertionError:
            continue
    assert shown == [payload]
    await aino.close()
