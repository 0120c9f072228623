"""Personal data in the browser, on both databases: a resident who booked sees everything held about them (their
name, number and session), downloads it as a JSON file, prints it (without the page's header and buttons), and
is sent to sign in first when they are not; they erase it with an SMS code after seeing the session it cancels
(a wrong code keeps the screen and says why; afterwards the sign-in has ended and the data is gone); a volunteer
sees their own details too, and is told why they cannot erase them there; the privacy notice shows the retention
periods the server really uses; a coordinator shows a caller's data and erases it on the caller's word. Every
screen passes axe-core at 375 and 1280 px in Finnish, Swedish and English, and the download link and the erase
button are reached with the keyboard alone."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE
from server.domain.messages import when_text
from tests.e2e.pages import HELP_POINT, check, new_number, screen, status_is, tab_until, wait_until
from tests.e2e.volunteers import AINO, HELSINKI, LIBRARY, Person, person, sign_in_by_api, volunteer
from tests.live import LiveServer, demo_database, serve

pytestmark = pytest.mark.e2e

# The screens and their headings in each language (the soft hyphens let long words break on a phone).
SCREENS = [
    ("/omat-tiedot", "my-data", {"fi": "Omat tietoni", "sv": "Mina uppgifter", "en": "My data"}),
    (
        "/omat-tiedot/poista",
        "erase",
        {"fi": "Poistetaanko tietosi?", "sv": "Ska dina uppgifter raderas?", "en": "Erase your data?"},
    ),
    ("/tietosuoja", "privacy", {"fi": "Tietosuojaseloste", "sv": "Dataskyddsbeskrivning", "en": "Privacy notice"}),
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server with the demo network; residents and the coordinator ask for many codes here, so the
    per-number code limits are raised like the per-address one."""
    with (
        demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url,
        serve(url, otp_per_client_hour=500, otp_per_number_15min=100, otp_per_number_day=500) as live,
    ):
        yield live


async def loaded(page: Page, screen_id: str) -> None:
    await page.wait_for_selector(f"#{screen_id}-title")
    await wait_until(page, "() => !document.querySelector('.loading')")


async def go(page: Page, path: str, screen_id: str) -> None:
    await page.goto(f"/#{path}")
    await loaded(page, screen_id)


def heading(text: str | None) -> str:
    return (text or "").replace("\u00ad", "")


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def dated(iso: str, language: str = "fi") -> str:
    """A time as the data screens write it: as the SMS do, with the year ("ti 1.12.2026 klo 9.00")."""
    text = when_text(instant(iso), language)
    year = str(instant(iso).astimezone(HELSINKI).year)
    if language == "en":
        return text.replace(" at ", f" {year} at ", 1)
    return re.sub(r"^(\S+ \d+\.\d+\.)", rf"\g<1>{year}", text)


async def book(resident: Person, topic: str = "smartphone") -> dict[str, Any]:
    """A session at the city's service point in Kuusamo, booked through the API; returns it."""
    points = await resident.get("/help-points")
    point = next(p["id"] for p in points if p["name"] == HELP_POINT)
    first = datetime.now(HELSINKI).date() + timedelta(days=1)
    query = f"topic={topic}&modality=help_point&help_point_id={point}&from={first}&to={first + timedelta(days=13)}"
    slots = await resident.get(f"/slots?{query}")
    assert slots, "the demo's service point has free times"
    body = {"topic": topic, "modality": "help_point", "help_point_id": point, "starts_at": slots[0]["starts_at"]}
    booked = await resident.post("/bookings", body)
    assert booked["session"], booked
    return dict(booked["session"])


async def resident_with_a_session(
    browser: Browser, site: LiveServer, name: str, width: int = 375
) -> tuple[Person, str, str, dict[str, Any]]:
    """A new resident, signed in, with a first name and one booked session: (them, number as typed, E.164,
    the session)."""
    typed, e164 = new_number()
    resident = await person(browser, site, e164, width)
    await resident.send("PATCH", "/me", {"first_name": name})
    return resident, typed, e164, await book(resident)


async def next_code(site: LiveServer, e164: str, sent_before: int) -> str:
    """The code in the first SMS to `e164` after the `sent_before` it had (the erasure code)."""
    for _ in range(200):
        texts = site.sms.to(e164)
        if len(texts) > sent_before:
            return re.findall(r"\b(\d{6})\b", texts[sent_before])[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no new SMS to {e164}")


async def stub_print(page: Page) -> None:
    await page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")


async def test_a_resident_sees_downloads_and_prints_everything_held_about_them(
    browser: Browser, site: LiveServer, tmp_path: Path
) -> None:
    resident, typed, e164, session = await resident_with_a_session(browser, site, "Hilkka")
    page = resident.page
    await go(page, "/omat-tiedot", "my-data")
    held = await resident.get("/me/data")

    person_part = await page.inner_text("#my-data [data-key=PERSON]")
    assert "Hilkka" in person_part and typed in person_part, "the name and the number (as Finns write it)"
    sessions = page.locator("#my-data [data-key=SESSIONS] li[data-key=SESSION]")
    assert await sessions.count() == 1
    booked = await sessions.first.inner_text()
    assert session["id"] in booked and dated(session["starts_at"]) in booked, "the session, its time in Helsinki"
    topic = await resident.get("/topics/smartphone")
    assert topic["names"]["fi"] in booked, "the topic by its name"
    assert "varattu" in booked, "its state in words"
    assert await page.locator("#my-data dl dt", has_text="Etunimi").count() == 1, "keys named in Finnish"
    # Nothing held is left off the screen: every value of the tree is a row (those at the top under a heading
    # of their own), and every identifier is there as the server wrote it.
    values = leaves(held["data"])
    top = [c for c in held["data"]["children"] if "children" not in c]
    assert await page.locator("#my-data .data dd").count() == len(values) - len(top)
    shown = await page.inner_text("#my-data .data")
    ids = [v for v in values if isinstance(v, str) and re.fullmatch(r"[0-9a-f-]{36}", v)]
    assert held["person_id"] in ids and session["id"] in ids
    assert all(i in shown for i in ids)

    # The download: a plain link that the browser saves as a file, the same data as the screen.
    link = page.locator("#data-download")
    assert await link.get_attribute("href") == "/api/v1/me/data/download"
    assert await link.get_attribute("download") is not None
    async with page.expect_download() as waiting:
        await link.click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".json")
    saved = tmp_path / "mine.json"
    await download.save_as(saved)
    kept = json.loads(saved.read_text())
    assert kept["person_id"] == held["person_id"]
    assert session["id"] in json.dumps(kept["data"]) and "Hilkka" in json.dumps(kept["data"])

    # Print: the browser's own printing, and on paper no header, buttons or footer, only the data.
    await stub_print(page)
    await page.click("#data-print")
    assert await page.evaluate("window.printed") == 1
    await page.emulate_media(media="print")
    assert not await page.is_visible("header.top") and not await page.is_visible("footer.bottom")
    assert not await page.is_visible("#data-print") and not await page.is_visible("#data-download")
    assert await page.is_visible("#my-data [data-key=SESSIONS]")
    await page.emulate_media(media="screen")
    await resident.close()

    # Not signed in: the sign-in comes first, and then the data.
    context = await browser.new_context(viewport={"width": 375, "height": 800}, base_url=site.base_url)
    page = await context.new_page()
    await page.goto("/#/omat-tiedot")
    await page.wait_for_selector("#step-phone:not([hidden])")
    await page.fill("#phone", typed)
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await page.fill("#code", site.last_code(e164))
    await page.click("#form-code button[type=submit]")
    await screen(page, "my-data")
    await loaded(page, "my-data")
    assert page.url.endswith("#/omat-tiedot"), "back where the resident was going"
    assert "Hilkka" in await page.inner_text("#my-data [data-key=PERSON]")
    await context.close()


def leaves(node: dict[str, Any]) -> list[Any]:
    if "children" in node:
        return [v for child in node["children"] for v in leaves(child)]
    return [node.get("value")]


async def test_every_personal_data_screen_in_three_languages_at_both_widths(browser: Browser, site: LiveServer) -> None:
    for width in (375, 1280):
        resident, _, _, session = await resident_with_a_session(browser, site, "Sanni", width)
        page = resident.page
        await go(page, "/omat-tiedot", "my-data")
        for language in ("fi", "sv", "en"):
            await page.click(f"button[data-lang={language}]")
            assert await page.get_attribute("html", "lang") == language
            for path, screen_id, titles in SCREENS:
                await go(page, path, screen_id)
                assert heading(await page.text_content(f"#{screen_id}-title")) == titles[language]
                await check(page, f"{path} in {language} at {width} px")
            # The erase screen lists the session, sends a code, and says why a wrong code is refused.
            await go(page, "/omat-tiedot/poista", "erase")
            assert when_text(instant(session["starts_at"]), language) in await page.inner_text(
                f"#erase-upcoming [data-upcoming='{session['id']}']"
            )
            await page.click("#erase-send")
            await wait_until(page, "() => document.activeElement.id === 'erase-code'")
            await check(page, f"erase: the code sent, in {language} at {width} px")
            await page.fill("#erase-code", "12345x")
            await page.click("#erase-confirm")
            await wait_until(page, "() => document.getElementById('erase-code').getAttribute('aria-invalid')")
            error = await page.text_content("#erase-code-error")
            assert error and error == await page.text_content("#alert"), "the error is shown and announced"
            await check(page, f"erase: a wrong code, in {language} at {width} px")
        await page.click("button[data-lang=fi]")
        await resident.close()


async def test_the_keyboard_reaches_the_download_and_the_erasure_which_erases_everything(
    browser: Browser, site: LiveServer
) -> None:
    resident, _, e164, session = await resident_with_a_session(browser, site, "Hilkka")
    page = resident.page
    await go(page, "/omat-tiedot", "my-data")
    await tab_until(page, "#data-download")
    await tab_until(page, "#data-print")
    await tab_until(page, "#my-data a[href='#/omat-tiedot/poista']")
    await page.keyboard.press("Enter")
    await screen(page, "erase")
    await loaded(page, "erase")
    upcoming = await page.inner_text(f"#erase-upcoming [data-upcoming='{session['id']}']")
    assert when_text(instant(session["starts_at"]), "fi") in upcoming, "the session it cancels"
    assert HELP_POINT in upcoming
    await check(page, "erase: what it cancels")

    sent_before = len(site.sms.to(e164))
    await tab_until(page, "#erase-send")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.id === 'erase-code'")
    await status_is(page, "Koodi on lähetetty. Katso puhelimesi tekstiviestit.")
    assert await page.get_attribute("#erase-code", "inputmode") == "numeric"
    assert await page.get_attribute("#erase-code", "autocomplete") == "one-time-code"
    code = await next_code(site, e164, sent_before)
    assert "POISTAMISEEN" in site.sms.to(e164)[sent_before], "the SMS says what the code is for"

    # A wrong code: the screen stays, the field says why, the data stays.
    await page.keyboard.type("000000" if code != "000000" else "111111")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.getElementById('erase-code').getAttribute('aria-invalid') === 'true'")
    assert "Koodi on väärin" in (await page.text_content("#erase-code-error") or "")
    assert await page.evaluate("document.activeElement.id") == "erase-code"
    assert (await resident.get("/me"))["first_name"] == "Hilkka", "nothing erased"

    await page.keyboard.press("Control+A")
    await page.keyboard.type(code)
    async with page.expect_response("**/api/v1/me/data/erasure") as answered:
        await page.keyboard.press("Enter")
    result = await (await answered.value).json()
    assert (result["erased"], result["cancelled_sessions"]) == (True, 1)
    await screen(page, "erased")
    assert await page.text_content("#erased-title") == "Tietosi on poistettu"
    assert "Peruimme 1 tulevan ajan" in (await page.text_content("#erased-cancelled") or "")
    await check(page, "erased")
    assert (await page.request.get("/api/v1/me")).status == 401, "the sign-in ended"
    assert (await page.request.get("/api/v1/me/data")).status == 401
    await resident.close()

    # The number signs in again as someone new: nothing of Hilkka or her session is held any more.
    context = await browser.new_context(base_url=site.base_url)
    again = await sign_in_by_api(context, site, e164)
    held = json.dumps((await (await again.request.get("/api/v1/me/data")).json())["data"])
    assert "Hilkka" not in held and session["id"] not in held and "SESSION" not in held
    await context.close()


async def test_a_volunteer_sees_their_data_and_why_it_cannot_be_erased_here(browser: Browser, site: LiveServer) -> None:
    aino = await person(browser, site, AINO)
    page = aino.page
    await go(page, "/omat-tiedot", "my-data")
    assert await page.locator("#my-data [data-key=VOLUNTEER_PROFILE]").count() == 1, "a volunteer's own details too"
    assert "Vapaaehtoinen" in await page.inner_text("#my-data [data-key=ROLES]"), "roles in words"
    await check(page, "a volunteer's data")
    await go(page, "/omat-tiedot/poista", "erase")
    assert "vapaaehtoinen tai koordinaattori" in await page.inner_text("#erase .problem")
    assert await page.locator("#erase-send").count() == 0, "no code to ask for"
    await check(page, "a volunteer's erasure refused")
    await aino.close()


async def test_the_privacy_notice_shows_the_periods_the_server_keeps_data_for(
    browser: Browser, site: LiveServer
) -> None:
    context = await browser.new_context(viewport={"width": 375, "height": 800}, base_url=site.base_url)
    page = await context.new_page()
    await page.goto("/")
    await page.wait_for_selector("#start-title")
    assert await page.text_content("#my-data-link") == "Omat tietoni"
    await page.click("#privacy-link")
    await screen(page, "privacy")
    await loaded(page, "privacy")
    about = await (await page.request.get("/api/v1/about/privacy")).json()
    periods = about["periods"]
    words = {
        "fi": (f"{periods['inactive_resident_days']} päivään", f"{periods['note_days']} päivää"),
        "sv": (f"{periods['inactive_resident_days']} dagar", f"{periods['message_days']} dagar"),
        "en": (f"{periods['inactive_resident_days']} days", f"{periods['staff_days']} days"),
    }
    for language in ("fi", "sv", "en"):
        if language != "fi":
            await page.click(f"button[data-lang={language}]")
            await wait_until(page, "() => document.querySelector('#privacy-retention')")
            await loaded(page, "privacy")
        retention = await page.inner_text("#privacy-retention")
        for text in words[language]:
            assert text in retention, f"{language}: {text!r} in {retention!r}"
        for days in periods.values():
            assert str(days) in retention
        controller = await page.inner_text("#privacy-controller")
        assert about["controller"] in controller and about["contact"] in controller
        assert about["helpline_display"] in controller
        recipients = await page.inner_text("#privacy-recipients")
        assert all(name in recipients for name in about["processors"])
        assert await page.locator("#privacy-rights a[href^='https://tietosuoja.fi']").count() == 1
        assert await page.locator("#privacy-how a[href='#/omat-tiedot']").count() == 1
    assert await page.text_content("#my-data-link") == "My data"
    assert await page.text_content("#privacy-link") == "Privacy notice"
    await page.click("button[data-lang=fi]")
    await context.close()


async def test_a_coordinator_shows_a_callers_data_and_erases_it_on_their_word(
    browser: Browser, site: LiveServer
) -> None:
    await (await volunteer(browser, site, AINO)).close()  # room in the demo volunteer's week
    for width in (1280, 375):
        staff = await person(browser, site, NETWORK_COORDINATOR_PHONE, width)
        await staff.post("/auth/password", {"password": DEMO_PASSWORD})
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
        await page.fill("#caller-phone", typed)
        await page.click("#caller-form button[type=submit]")
        await wait_until(page, "() => document.activeElement.id === 'h-caller-sessions'")
        await check(page, f"caller found, with the personal-data actions, at {width} px")

        await page.click("#caller-show-data")
        await wait_until(page, "() => document.activeElement.id === 'h-caller-data'")
        sheet = await page.inner_text("#caller-data")
        assert "Sulo" in sheet and typed in sheet and session_id in sheet
        assert "tietopyyntö" in sheet, "the look-up itself is in the data, with its purpose"
        await check(page, f"a caller's data at {width} px")
        await stub_print(page)
        await page.click("#caller-print")
        assert await page.evaluate("window.printed") == 1
        await page.emulate_media(media="print")
        assert await page.is_visible("#caller-data"), "the data is printed"
        assert not await page.is_visible("#caller-form") and not await page.is_visible(".coord-nav")
        assert not await page.is_visible(f"[data-session='{session_id}']"), "only the data, not the rest"
        await page.emulate_media(media="screen")

        await page.click("#caller-erase")
        await wait_until(page, "() => document.activeElement.id === 'h-caller-erase'")
        assert await page.locator(f"#caller-erase-upcoming [data-upcoming='{session_id}']").count() == 1
        await check(page, f"erasing a caller's data asks first at {width} px")
        await page.click("#caller-erase-yes")  # not confirmed yet
        await wait_until(page, "() => document.activeElement.id === 'caller-erase-confirm'")
        assert await page.get_attribute("#caller-erase-confirm", "aria-invalid") == "true"
        assert "pyytänyt poistoa" in (await page.text_content("#caller-erase-confirm-error") or "")
        assert (await staff.post("/residents/sessions", {"phone": caller}))[0]["id"] == session_id, "nothing erased"
        await check(page, f"erasure not confirmed at {width} px")

        sent_before = len(site.sms.to(caller))
        await page.check("#caller-erase-confirm")
        await page.click("#caller-erase-yes")
        await wait_until(page, "() => document.activeElement.id === 'caller-erased'")
        assert "1 aika" in (await page.text_content("#caller-erased") or "")
        assert await page.locator("#caller-erased-tell").count() == 0, "a mobile: told by SMS"
        await check(page, f"a caller's data erased at {width} px")
        found = await page.request.post(
            "/api/v1/residents/sessions",
            data={"phone": caller},
            headers={"x-csrftoken": {c["name"]: c["value"] for c in await staff.context.cookies()}["apuri_csrf"]},
        )
        assert found.status == 404, "the number no longer finds anyone"
        assert len(site.sms.to(caller)) > sent_before and "poistettu" in site.sms.to(caller)[-1], "told by SMS"
        await staff.close()
