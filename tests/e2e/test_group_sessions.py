"""Group sessions in the browser, on both databases: a resident finds a digikahvila from the first screen, signs up
with the keyboard alone (through the sign-in, and back) and is told plainly that they have a place, or their place
on the waitlist; "My times" lists the sign-up and cancels it after a question, and the place goes to the first in
line. A coordinator publishes a session with the keyboard (an error shown by its field first), signs up two
callers (a landline among them; the consent asked), cancels a place and then the session, each after a question.
A volunteer takes a duty and gives it back, and on a session that has begun marks who came. A coordinator moves a
session off a day that closed with the keyboard (the errors by their field) and is told who heard of the new time
and who lost their place; the queues and the desk's day show a session short of volunteers and who is coming; the
statistics count the period's sessions. A resident takes a place freed from the waiting list in "My times" or on
the session's page, or gives it up after a question. Every new screen passes axe-core at 375 and 1280 px, in Finnish
and in Swedish or English."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from server.db import events as events_q
from server.db import people as people_q
from server.db.engine import bind, make_engine, start, stop, write_transaction
from server.db.tables import HelpPoint
from server.demo import PARTNER_COORDINATOR_PHONE, RESIDENT_PHONE
from server.domain.events import SignupState
from tests.conftest import run_sync
from tests.e2e.pages import check, new_number, open_page, status_is, tab_until, wait_until
from tests.e2e.test_help_point_days import (
    both_widths,
    coordinator,
    go,
    in_language,
    loaded,
    point_id,
    today,
    type_date,
    type_time,
)
from tests.e2e.volunteers import AINO, HELSINKI, LIBRARY, Person, home, person, volunteer
from tests.live import LiveServer, demo_database, serve

pytestmark = pytest.mark.e2e

GORAN = "+358401000102"  # the demo's Swedish-speaking resident
BEGUN = "Tablettikerho"  # a session at the library that began ten minutes before the module's server started
COURSE = "Kännykkäkurssi"  # another, begun twenty minutes before, with three residents of its own
REPAIRS = {"fi": "Remontti", "sv": "Renovering", "en": "Repairs"}
COURSE_PEOPLE = (("+358409990001", "Eino"), ("+358409990002", "Sirkka"), ("+358409990003", "Toivo"))


async def _begun_session(url: str) -> None:
    """A session at the main library that has begun: Aino on duty, Liisa and Göran with a place."""
    engine = make_engine(url)
    await start(engine)
    try:
        bind(engine)
        now = datetime.now(UTC)
        starts = now - timedelta(minutes=10)
        async with write_transaction(engine):
            rows = await HelpPoint.select(HelpPoint.id, HelpPoint.organisation).where(HelpPoint.name == LIBRARY)
            point, organisation = (uuid.UUID(str(rows[0][key])) for key in ("id", "organisation"))
            staff = await people_q.get_person_by_phone(PARTNER_COORDINATOR_PHONE)
            aino = await people_q.get_person_by_phone(AINO)
            assert staff and aino
            event = await events_q.insert_event(
                organisation_id=organisation,
                help_point_id=point,
                title=BEGUN,
                description="",
                topics=[],
                language="fi",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=8,
                volunteers_needed=1,
                bring="",
                created_by=staff.id,
                now=now,
            )
            await events_q.insert_duty(
                event_id=event, volunteer_id=aino.id, starts_at=starts, ends_at=starts + timedelta(hours=2), now=now
            )
            for n, phone in enumerate((RESIDENT_PHONE, GORAN), start=1):
                resident = await people_q.get_person_by_phone(phone)
                assert resident
                await events_q.insert_signup(
                    event_id=event,
                    person_id=resident.id,
                    state=SignupState.CONFIRMED,
                    queue_no=n,
                    channel="pwa",
                    consent_at=None,
                    now=now,
                )
            course_starts = now - timedelta(minutes=20)
            course = await events_q.insert_event(
                organisation_id=organisation,
                help_point_id=point,
                title=COURSE,
                description="",
                topics=[],
                language="fi",
                starts_at=course_starts,
                ends_at=course_starts + timedelta(hours=2),
                capacity=6,
                volunteers_needed=0,
                bring="",
                created_by=staff.id,
                now=now,
            )
            for n, (phone, name) in enumerate(COURSE_PEOPLE, start=1):
                someone = await people_q.insert_person(
                    phone=phone, first_name=name, last_name="", language="fi", now=now
                )
                await events_q.insert_signup(
                    event_id=course,
                    person_id=someone,
                    state=SignupState.CONFIRMED,
                    queue_no=n,
                    channel="phone",
                    consent_at=now,
                    now=now,
                )
    finally:
        await stop(engine)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server with the demo network and a session that has begun; people sign in many times here, so the
    per-number code limits are raised like the per-address one."""
    with demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url:
        run_sync(_begun_session(url))
        with serve(url, otp_per_client_hour=500, otp_per_number_15min=100, otp_per_number_day=500) as live:
            yield live


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), HELSINKI).isoformat()


async def publish(staff: Person, library: str, **body: Any) -> dict[str, Any]:
    """A session at the main library, published through the API."""
    sent = {
        "title": "Digikahvila",
        "starts_at": at(today() + timedelta(days=3), 13),
        "minutes": 90,
        "capacity": 5,
        "help_point_id": library,
        "topics": ["smartphone"],
        "bring": "Oma puhelin ja laturi",
        **body,
    }
    published: dict[str, Any] = await staff.post("/events", sent)
    return published


async def status_starts(page: Page, text: str) -> None:
    await wait_until(page, "t => document.getElementById('status').textContent.startsWith(t)", text)


async def focused(page: Page, element_id: str) -> None:
    await wait_until(page, "id => document.activeElement && document.activeElement.id === id", element_id)


async def test_a_resident_signs_up_with_the_keyboard_and_is_told_the_place_or_the_waitlist(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    library = await point_id(staff, LIBRARY)
    event = await publish(staff, library, title="Digikahvila: kuvat talteen", capacity=1)
    card = f"#event-{event['id']}"

    # From the first screen, with the keyboard alone.
    page = await open_page(browser, site, 375)
    await tab_until(page, "a[href='#/ryhmat']")
    await page.keyboard.press("Enter")
    await loaded(page, "events")
    text = await page.inner_text(card)
    assert "Digikahvila: kuvat talteen" in text and "13.00–14.30" in text and "1 paikka vapaana" in text
    assert "Ota mukaan: Oma puhelin ja laturi" in text and LIBRARY in text and "Kieli: suomi" in text
    await both_widths(page, "group sessions")
    await tab_until(page, f"{card} a.button")
    await page.keyboard.press("Enter")
    await loaded(page, "event")
    assert await page.inner_text("#event-title") == "Digikahvila: kuvat talteen"
    await both_widths(page, "a group session")

    # The first name is asked, then the number and the code; back on the session, the sign-up is finished.
    await tab_until(page, "#event-sign-up")
    await page.keyboard.press("Enter")
    await focused(page, "event-first-name")
    assert await page.text_content("#alert") == "Kirjoita etunimesi."
    await page.keyboard.type("Saara")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#step-phone:not([hidden])")
    assert await page.inner_text("#h-phone") == "Mikä on matkapuhelinnumerosi?"
    typed, e164 = new_number()
    await tab_until(page, "#phone")
    await page.keyboard.type(typed)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#step-code:not([hidden])")
    await tab_until(page, "#code")
    await page.keyboard.type(site.last_code(e164))
    await page.keyboard.press("Enter")
    await wait_until(page, "() => location.hash.startsWith('#/ryhma/')")
    await page.wait_for_selector("#event-state")
    placed = "Sinulla on paikka. Saat vahvistuksen tekstiviestinä."
    assert await page.inner_text("#event-state") == placed
    await status_is(page, placed)
    await both_widths(page, "a place")
    [mine] = await Person(page.context, page).get("/me/event-signups")
    assert (mine["state"], mine["event"]["id"]) == ("confirmed", event["id"])

    # A landline caller is signed up on the phone: the waitlist's first. The next resident is second in line.
    landline = {"phone": "08 8501235", "first_name": "Tyyne", "consent": True, "resident_language": "fi"}
    assert (await staff.post(f"/events/{event['id']}/signups", landline))["position"] == 1
    _, other = new_number()
    second = await person(browser, site, other)
    await second.page.goto("/#/ryhmat")
    await loaded(second.page, "events")
    await tab_until(second.page, "#events-municipality")
    await second.page.select_option("#events-municipality", "Kuusamo")
    await wait_until(second.page, "() => location.hash === '#/ryhmat/Kuusamo'")
    await loaded(second.page, "events")
    assert "Täynnä – voit jonottaa" in await second.page.inner_text(card)
    await tab_until(second.page, f"{card} a.button")
    assert await second.page.inner_text(f"{card} a.button") == "Ilmoittaudu jonoon"
    await second.page.keyboard.press("Enter")
    await loaded(second.page, "event")
    await tab_until(second.page, "#event-first-name")
    await second.page.keyboard.type("Veikko")
    await tab_until(second.page, "#event-sign-up")
    await second.page.keyboard.press("Enter")
    waiting = "Olet jonossa sijalla 2. Jos paikka vapautuu, saat tekstiviestin."
    await wait_until(second.page, "t => document.getElementById('event-state')?.textContent === t", waiting)
    await focused(second.page, "event-result")
    await status_is(second.page, waiting)
    await check(second.page, "on the waitlist")
    await in_language(second.page, "sv", "event")
    assert await second.page.inner_text("#event-state") == (
        "Du står i kö som nummer 2. Om en plats blir ledig får du ett sms."
    )
    await both_widths(second.page, "on the waitlist, in Swedish")
    await second.page.goto("/#/ryhmat")
    await loaded(second.page, "events")
    await in_language(second.page, "en", "events")
    assert await second.page.inner_text("#events-title") == "Group sessions"
    assert "You are number 2 on the waiting list." in await second.page.inner_text(card)
    await both_widths(second.page, "group sessions in English")
    await second.close()

    # My times: the sign-up, cancelled after a question; the landline first in line gets the place at once.
    await page.goto("/#/omat")
    await page.wait_for_selector(f"#my-events [data-event='{event['id']}']")
    assert "Sinulla on paikka." in await page.inner_text("#my-events")
    await both_widths(page, "my times with a group session")
    await tab_until(page, f"#my-events a[href='#/omat/peru-ryhma/{event['id']}']")
    await page.keyboard.press("Enter")
    await loaded(page, "cancel-signup")
    await both_widths(page, "cancel a sign-up?")
    await tab_until(page, "#confirm-cancel-signup")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#mine-title")
    await status_starts(page, "Ilmoittautuminen on peruttu: Digikahvila: kuvat talteen")
    states = {s["first_name"]: s["state"] for s in await staff.get(f"/events/{event['id']}/signups")}
    assert states == {"Saara": "cancelled", "Tyyne": "confirmed", "Veikko": "waitlisted"}
    await page.context.close()
    await staff.close()


async def test_a_coordinator_publishes_a_session_and_signs_up_callers_with_the_keyboard(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    library = await point_id(staff, LIBRARY)
    day = today() + timedelta(days=10)

    await go(page, "/koordinaattori/ryhmat", "cevents")
    assert await page.locator(".coord-nav a[aria-current=page]").inner_text() == "Ryhmätapaamiset"
    begun = page.locator("#events-coming li.card", has_text=BEGUN)
    assert "Vapaaehtoiset: 1/1" in await begun.inner_text(), "the session going on is listed with its volunteer"
    await both_widths(page, "a coordinator's group sessions")

    # The session going on: who came is marked here too (pressed again: not marked), and nobody more signs up.
    going_on = next(e for e in await staff.get("/events/managed") if e["title"] == BEGUN)
    await go(page, f"/koordinaattori/ryhma/{going_on['id']}", "cevent")
    goran = next(s for s in await staff.get(f"/events/{going_on['id']}/signups") if s["first_name"] == "Göran")
    came = f"#signup-{goran['id']}-came"
    await tab_until(page, came, limit=100)
    await page.keyboard.press("Enter")
    await status_is(page, "Merkitty: Göran tuli.")
    assert await page.get_attribute(came, "aria-pressed") == "true"
    assert await page.inner_text(f"#signup-{goran['id']}-attendance") == "Läsnäolo: tuli"
    await both_widths(page, "a session going on, attendance marked")
    await page.focus(came)
    await page.keyboard.press("Enter")
    await status_is(page, "Merkintä poistettu: Göran.")
    assert await page.get_attribute(came, "aria-pressed") == "false"
    assert await page.locator("#caller-form, #event-cancel").count() == 0, "it has begun"
    await go(page, "/koordinaattori/ryhmat", "cevents")

    # The keyboard alone; the name left out first, said by its field.
    await tab_until(page, "#event-title", limit=200)
    await page.keyboard.press("Enter")
    await focused(page, "event-title")
    assert await page.get_attribute("#event-title", "aria-invalid") == "true"
    assert await page.inner_text("#event-title-error") == "Anna tapaamiselle nimi."
    assert await page.text_content("#alert") == "Anna tapaamiselle nimi.", "the error is announced"
    await check(page, "publish: the name missing")
    await page.keyboard.type("OmaKanta tutuksi")
    await tab_until(page, "#event-place")
    await page.select_option("#event-place", f"point:{library}")
    await tab_until(page, "#event-date")
    await type_date(page, "#event-date", day)
    await tab_until(page, "#event-starts")
    await type_time(page, 15)
    await tab_until(page, "#event-capacity")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("1")
    await tab_until(page, "#event-topics-e_identification")
    await page.keyboard.press("Space")
    await tab_until(page, "#event-bring")
    await page.keyboard.type("Oma puhelin ja pankkitunnukset")
    await tab_until(page, "#event-form button[type=submit]")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => location.hash.startsWith('#/koordinaattori/ryhma/')")
    await loaded(page, "cevent")
    await status_starts(page, "Ryhmätapaaminen on julkaistu: OmaKanta tutuksi")
    event = next(e for e in await staff.get("/events/managed") if e["title"] == "OmaKanta tutuksi")
    assert (event["help_point_id"], event["capacity"], event["topics"]) == (library, 1, ["e_identification"])
    starts = datetime.fromisoformat(event["starts_at"].replace("Z", "+00:00"))
    assert starts == datetime.combine(day, time(15), HELSINKI), "15.00 Helsinki time on the day typed"
    assert page.url.endswith(f"/koordinaattori/ryhma/{event['id']}")
    assert await page.inner_text("#cevent-title") == "OmaKanta tutuksi"
    await both_widths(page, "a published session")

    # A caller on a landline: the consent asked first, then a place.
    await tab_until(page, "#caller-phone")
    await page.keyboard.type("08 8501235")
    await tab_until(page, "#caller-name")
    await page.keyboard.type("Tyyne")
    await tab_until(page, "#caller-form button[type=submit]")
    await page.keyboard.press("Enter")
    await focused(page, "caller-consent")
    assert await page.text_content("#alert") == "Ilmoittautuminen tarvitsee asukkaan suostumuksen."
    await check(page, "a caller: consent missing")
    await page.keyboard.press("Space")
    await tab_until(page, "#caller-form button[type=submit]")
    await page.keyboard.press("Enter")
    await status_is(page, "Tyyne on ilmoitettu, ja hänellä on paikka. Hän saa vahvistuksen.")
    await focused(page, "h-signups")
    tyyne = page.locator("#signup-list li.card", has_text="Tyyne")
    assert "08 8501235" in await tyyne.inner_text() and "Paikka" in await tyyne.inner_text()

    # A second caller, on a mobile: the session is full, so the waitlist.
    typed, _ = new_number()
    await tab_until(page, "#caller-phone")
    await page.keyboard.type(typed)
    await tab_until(page, "#caller-name")
    await page.keyboard.type("Veikko")
    await tab_until(page, "#caller-consent")
    await page.keyboard.press("Space")
    await tab_until(page, "#caller-form button[type=submit]")
    await page.keyboard.press("Enter")
    await status_is(page, "Veikko on ilmoitettu jonoon sijalle 1. Hän saa siitä viestin.")
    assert "Jonossa sijalla 1" in await page.locator("#signup-list li.card", has_text="Veikko").inner_text()
    await both_widths(page, "a session with a place taken and one waiting")
    await in_language(page, "sv", "cevent")
    assert await page.inner_text("#h-signups") == "Deltagare"
    await both_widths(page, "a session, in Swedish")
    await in_language(page, "fi", "cevent")

    # Tyyne's place cancelled on her word, after a question: Veikko is offered it.
    signups = {s["first_name"]: s for s in await staff.get(f"/events/{event['id']}/signups")}
    await tab_until(page, f"[data-cancel-signup='{signups['Tyyne']['id']}']")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.classList.contains('warning')")
    await check(page, "cancel a place?")
    await tab_until(page, "button.danger")
    await page.keyboard.press("Enter")
    await status_starts(page, "Ilmoittautuminen peruttu: Tyyne.")
    await focused(page, "h-signups")
    states = {s["first_name"]: s["state"] for s in await staff.get(f"/events/{event['id']}/signups")}
    assert states == {"Tyyne": "cancelled", "Veikko": "offered"}
    assert "Peruneet" in await page.inner_text("#event-signups")

    # The whole session cancelled after a question.
    await tab_until(page, "#event-cancel")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => document.activeElement.classList.contains('warning')")
    assert "1 ilmoittautunut saa siitä viestin." in await page.inner_text("#event-cancel-section")
    await tab_until(page, "#event-cancel-section button.danger")
    await page.keyboard.press("Enter")
    await status_starts(page, "Ryhmätapaaminen on peruttu: OmaKanta tutuksi.")
    await page.wait_for_selector("#event-cancelled")
    assert await page.locator("#caller-form").count() == 0, "no more sign-ups"
    await both_widths(page, "a cancelled session")
    await go(page, "/koordinaattori/ryhmat", "cevents")
    assert "Peruttu" in await page.locator(f"[data-event='{event['id']}']").inner_text()
    await staff.close()


async def test_a_volunteer_takes_a_duty_and_marks_who_came_once_it_has_begun(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    library = await point_id(staff, LIBRARY)
    later = await publish(staff, library, title="Kurssi: verkkopankki", starts_at=at(today() + timedelta(days=22), 17))
    caller = {"phone": "08 8501235", "first_name": "Tyyne", "consent": True, "resident_language": "fi"}
    await staff.post(f"/events/{later['id']}/signups", caller)
    await staff.close()

    aino = await volunteer(browser, site, AINO)
    page = aino.page
    await home(page)
    await tab_until(page, "a[href='#/vapaaehtoinen/ryhmat']", limit=100)
    await page.keyboard.press("Enter")
    await loaded(page, "vevents")
    begun = next(d for d in await aino.get("/me/event-duties") if d["title"] == BEGUN)
    assert begun["mine"], "a session on duty stays listed after it begins"
    card = f"#duty-{later['id']}"
    assert "Vapaaehtoisia 0/1" in await page.inner_text(card)
    await both_widths(page, "a volunteer's group sessions")

    await tab_until(page, f"{card}-take")
    await page.keyboard.press("Enter")
    await status_is(page, "Vuoro on sinun. Kiitos!")
    await focused(page, f"duty-{later['id']}-back")
    assert "Olet tässä tapaamisessa vapaaehtoisena." in await page.inner_text(card)
    text = await page.inner_text(card)
    assert "Tyyne – ei merkitty" in text and "Voit merkitä, kuka tuli" in text, "too early to mark who came"
    assert await page.locator(f"{card} [aria-pressed]").count() == 0
    await check(page, "a duty taken")

    # The session that has begun: who came, and who did not.
    signups = {s["first_name"]: s for s in await aino.get(f"/events/{begun['id']}/signups")}
    assert signups["Liisa"]["phone"] is None, "a volunteer sees first names only"
    liisa, goran = (f"signup-{signups[name]['id']}" for name in ("Liisa", "Göran"))
    assert "Tapaaminen on alkanut." in await page.inner_text(f"#duty-{begun['id']}")
    await tab_until(page, f"#{liisa}-came")
    await page.keyboard.press("Enter")
    await status_is(page, "Merkitty: Liisa tuli.")
    assert await page.get_attribute(f"#{liisa}-came", "aria-pressed") == "true"
    await tab_until(page, f"#{goran}-missed")
    await page.keyboard.press("Enter")
    await status_is(page, "Merkitty: Göran ei tullut.")
    marked = {s["first_name"]: s["attendance"] for s in await aino.get(f"/events/{begun['id']}/signups")}
    assert marked == {"Liisa": "attended", "Göran": "no_show"}
    await both_widths(page, "attendance marked")
    await in_language(page, "en", "vevents")
    assert await page.inner_text(f"#{liisa}-state") == "came"
    await both_widths(page, "a volunteer's group sessions in English")
    await in_language(page, "fi", "vevents")

    await tab_until(page, f"{card}-back", key="Shift+Tab")
    await page.keyboard.press("Enter")
    await status_starts(page, "Luovuit vuorosta.")
    assert not next(d for d in await aino.get("/me/event-duties") if d["id"] == later["id"])["mine"]
    await aino.close()


async def resident(browser: Browser, site: LiveServer, name: str, width: int = 375) -> Person:
    """A new resident signed in through the API, with a first name (the coordinator's lists show it)."""
    _, phone = new_number()
    someone = await person(browser, site, phone, width)
    await someone.send("PATCH", "/me", {"first_name": name})
    return someone


async def test_a_coordinator_moves_a_session_off_a_closed_day_with_the_keyboard_and_is_told_who_heard(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    library = await point_id(staff, LIBRARY)
    closed, later = today() + timedelta(days=30), today() + timedelta(days=31)
    event = await publish(staff, library, title="Digikahvila: siirtyvä", starts_at=at(closed, 13), capacity=3)
    other = await publish(staff, library, title="Kurssi: sähköposti", starts_at=at(later, 15))
    # Tyyne on a landline and Aili are told of the new time; Kaarlo has the other session then, so he loses his place.
    landline = {"phone": "08 8501235", "first_name": "Tyyne", "consent": True, "resident_language": "fi"}
    await staff.post(f"/events/{event['id']}/signups", landline)
    aili, kaarlo = await resident(browser, site, "Aili"), await resident(browser, site, "Kaarlo")
    await aili.post(f"/events/{event['id']}/signup")
    await kaarlo.post(f"/events/{other['id']}/signup")
    await kaarlo.post(f"/events/{event['id']}/signup")
    await staff.send("PUT", f"/help-points/{library}/days/{closed}", {"state": "closed", "reason": REPAIRS})

    # The list marks the session whose day closed, and leads to moving it.
    await go(page, "/koordinaattori/ryhmat", "cevents")
    card = page.locator(f"#events-coming [data-event='{event['id']}']")
    assert "Apupiste on suljettu sinä päivänä" in await card.inner_text()
    await both_widths(page, "a session on a closed day, listed")
    await tab_until(page, f"[data-move='{event['id']}']", limit=200)
    assert await page.inner_text(f"[data-move='{event['id']}']") == "Siirrä toiseen päivään tai peru"
    await page.keyboard.press("Enter")
    await wait_until(page, "id => location.hash.endsWith(id)", event["id"])
    await loaded(page, "cevent")
    assert await page.input_value("#edit-title") == "Digikahvila: siirtyvä", "the form is filled in"
    assert await page.input_value("#edit-date") == closed.isoformat()
    assert (await page.input_value("#edit-starts"), await page.input_value("#edit-minutes")) == ("13:00", "90")
    assert await page.input_value("#edit-place") == library
    await both_widths(page, "a session on a closed day, its page")

    # The warning's button takes the keyboard to the day.
    await tab_until(page, "#event-closed-move")
    await page.keyboard.press("Enter")
    await focused(page, "edit-date")

    # Another hour on the same day, and fewer places than are taken: said by the field before anything is sent.
    await tab_until(page, "#edit-starts")
    await type_time(page, 14)
    await tab_until(page, "#edit-capacity")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("1")
    await page.keyboard.press("Enter")
    await focused(page, "edit-capacity")
    assert await page.get_attribute("#edit-capacity", "aria-invalid") == "true"
    taken = "Paikan on jo saanut 3, joten paikkoja pitää olla vähintään 3."
    assert (await page.inner_text("#edit-capacity-error")).startswith(taken)
    assert (await page.text_content("#alert") or "").startswith(taken), "the error is announced"
    await check(page, "edit: fewer places than taken")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("3")

    # The day is still closed: the server's answer by the day's field.
    await tab_until(page, "#edit-form button[type=submit]")
    await page.keyboard.press("Enter")
    await focused(page, "edit-date")
    closed_text = "Apupiste on suljettu sinä päivänä. Valitse toinen päivä."
    assert await page.inner_text("#edit-date-error") == closed_text
    assert await page.text_content("#alert") == closed_text
    assert await page.get_attribute("#edit-capacity", "aria-invalid") is None, "the earlier error is gone"
    await both_widths(page, "edit: the day is closed")
    assert (await staff.get(f"/events/{event['id']}"))["starts_at"] == event["starts_at"], "nothing changed"

    # The next day at 15: saved, and the page says who heard of it and who lost their place.
    await type_date(page, "#edit-date", later)
    await tab_until(page, "#edit-starts")
    await type_time(page, 15)
    await tab_until(page, "#edit-form button[type=submit]")
    await page.keyboard.press("Enter")
    said = (
        "Muutokset tallennettu. 2 osallistujalle lähti viesti uudesta ajasta. "
        "1 menetti paikkansa, koska hänellä oli silloin muuta."
    )
    await status_is(page, said)
    await focused(page, "cevent-title")
    moved = await staff.get(f"/events/{event['id']}")
    starts = datetime.fromisoformat(moved["starts_at"].replace("Z", "+00:00"))
    assert starts == datetime.combine(later, time(15), HELSINKI) and moved["capacity"] == 3
    states = {s["first_name"]: s["state"] for s in await staff.get(f"/events/{event['id']}/signups")}
    assert states == {"Tyyne": "confirmed", "Aili": "confirmed", "Kaarlo": "cancelled"}
    assert await page.locator("#event-closed-day").count() == 0, "the new day is open"
    assert await page.input_value("#edit-date") == later.isoformat()
    await both_widths(page, "a session moved")

    # Only what changed is sent: the name alone tells nobody.
    await tab_until(page, "#edit-title", limit=100)
    await page.keyboard.press("End")
    await page.keyboard.type(" ja kahvit")
    await page.keyboard.press("Enter")
    await status_is(page, "Muutokset tallennettu.")
    assert (await staff.get(f"/events/{event['id']}"))["title"] == "Digikahvila: siirtyvä ja kahvit"
    await in_language(page, "sv", "cevent")
    assert await page.inner_text("#h-edit") == "Ändra eller flytta"
    await both_widths(page, "a session's page with its form, in Swedish")
    await in_language(page, "fi", "cevent")
    for someone in (aili, kaarlo, staff):
        await someone.close()


async def test_the_queues_and_the_desk_show_a_session_short_of_volunteers_and_who_is_coming(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    library = await point_id(staff, LIBRARY)
    tomorrow = today() + timedelta(days=1)
    event = await publish(
        staff, library, title="Digikahvila: huomenna", starts_at=at(tomorrow, 17), capacity=1, volunteers_needed=2
    )
    landline = {"phone": "08 8501235", "first_name": "Tyyne", "consent": True, "resident_language": "fi"}
    await staff.post(f"/events/{event['id']}/signups", landline)
    veikko = await resident(browser, site, "Veikko")
    assert (await veikko.post(f"/events/{event['id']}/signup"))["state"] == "waitlisted"
    await veikko.close()

    # The queues: tomorrow's session short of two volunteers, and its page reached with the keyboard.
    await go(page, "/koordinaattori", "queues")
    card = page.locator(f"#queue-unstaffedEvents [data-event='{event['id']}']")
    text = await card.inner_text()
    assert "Ryhmätapaamisista puuttuu vapaaehtoisia" in await page.inner_text("#q-unstaffedEvents")
    assert "Digikahvila: huomenna" in text and "17.00–18.30" in text and LIBRARY in text
    assert "Vapaaehtoisia 0/2" in text
    await both_widths(page, "queues with a group session short of volunteers")
    await in_language(page, "en", "queues")
    assert "Group sessions short of volunteers" in await page.inner_text("#q-unstaffedEvents")
    await both_widths(page, "queues with a group session, in English")
    await in_language(page, "fi", "queues")
    await tab_until(page, f"#queue-unstaffedEvents [data-event='{event['id']}'] a", limit=300)
    await page.keyboard.press("Enter")
    await wait_until(page, "id => location.hash.endsWith(id)", event["id"])
    await loaded(page, "cevent")
    assert await page.inner_text("#cevent-title") == "Digikahvila: huomenna"

    # The desk's day: places, the waiting list, nobody on duty yet, and who is coming, places first.
    await go(page, f"/koordinaattori/paiva/{library}/{tomorrow}/1", "desk")
    on_desk = page.locator(f"#desk-events [data-event='{event['id']}']")
    text = await on_desk.inner_text()
    assert "17.00–18.30 Digikahvila: huomenna" in text
    assert "Paikat: 1/1 varattu, 0 vapaana" in text and "Jono: 1 jonossa" in text
    assert "Ei vapaaehtoisia vuorossa." in text and "Vapaaehtoisia 0/2" in text
    people = await on_desk.locator("li[data-signup]").all_inner_texts()
    assert people == ["Tyyne – Paikka", "Veikko – Jonossa sijalla 1"]
    assert "8501235" not in text, "the desk sees first names, not numbers"
    await both_widths(page, "the desk's day with a group session")

    # Printed with the rest of the desk, without the link to its page.
    await page.emulate_media(media="print")
    assert await on_desk.is_visible()
    assert not await on_desk.locator("a").is_visible()
    await page.emulate_media(media="screen")

    # Today: the sessions going on, with the volunteer on duty and who came.
    await go(page, f"/koordinaattori/paiva/{library}/{today()}/1", "desk")
    begun = page.locator("#desk-events li.card", has_text=BEGUN)
    assert "Vuorossa: Aino" in await begun.inner_text()
    assert await begun.locator("li[data-signup]").count() == 2
    await in_language(page, "sv", "desk")
    assert "Gruppträffar" in await page.inner_text("#h-desk-events")
    await both_widths(page, "the desk's day with group sessions, in Swedish")
    await in_language(page, "fi", "desk")
    await staff.close()


def percent(rate: float, language: str) -> str:
    """A rate as the statistics write it: one decimal at most, a decimal comma and a space before % in fi/sv."""
    digits = f"{rate * 100:.1f}".removesuffix(".0")
    return f"{digits.replace('.', ',')} %" if language in ("fi", "sv") else f"{digits}%"


async def figures(page: Page) -> dict[str, str]:
    terms = await page.locator("#stats-groups dt").all_inner_texts()
    values = await page.locator("#stats-groups dd").all_inner_texts()
    return {term: value.replace("\u00a0", " ") for term, value in zip(terms, values, strict=True)}


async def test_the_statistics_count_the_periods_group_sessions(browser: Browser, site: LiveServer) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    page = staff.page
    managed = {e["title"]: e for e in await staff.get("/events/managed")}
    # Who came to the two sessions going on: at the course two came and one did not; the other is not marked.
    marks = {BEGUN: {"Liisa": None, "Göran": None}, COURSE: {"Eino": True, "Sirkka": True, "Toivo": False}}
    for title, marked in marks.items():
        event = managed[title]["id"]
        for signup in await staff.get(f"/events/{event}/signups"):
            body = {"attended": marked[signup["first_name"]]}
            await staff.send("PUT", f"/events/{event}/signups/{signup['id']}/attendance", body)
    report = (await staff.get(f"/statistics?by=topic&from={today()}&to={today()}"))["group_sessions"]
    assert (report["events"], report["attended"], report["no_shows"]) == (2, 2, 1)
    assert report["attendance_rate"] == pytest.approx(2 / 3, abs=0.001)

    await go(page, f"/koordinaattori/tilastot/topic/{today()}/{today()}", "statistics")
    assert await page.inner_text("#h-group-sessions") == "Ryhmätapaamiset"
    shown = await figures(page)
    assert shown == {
        "Pidettyjä tapaamisia": str(report["events"]),
        "Peruttuja tapaamisia": str(report["cancelled"]),
        "Paikkoja": str(report["places"]),
        "Paikan saaneita": str(report["taken"]),
        "Jäi jonoon": str(report["waitlisted"]),
        "Tuli": "2",
        "Ei tullut": "1",
        "Osallistumisaste": percent(report["attendance_rate"], "fi"),
    }
    assert shown["Osallistumisaste"] == "66,7 %"
    await both_widths(page, "statistics with group sessions")
    await in_language(page, "en", "statistics")
    assert (await figures(page))["Attendance rate"] == "66.7%"
    await both_widths(page, "statistics with group sessions, in English")
    await in_language(page, "fi", "statistics")

    # A period with no sessions: noughts, and a dash for the rate.
    await tab_until(page, "#stats-from")
    await type_date(page, "#stats-from", date(2024, 1, 1))
    await tab_until(page, "#stats-to")
    await type_date(page, "#stats-to", date(2024, 1, 31))
    await tab_until(page, "#stats-form button[type=submit]")
    await page.keyboard.press("Enter")
    await wait_until(page, "() => location.hash.endsWith('/2024-01-01/2024-01-31')")
    await loaded(page, "statistics")
    shown = await figures(page)
    assert shown["Pidettyjä tapaamisia"] == "0" and shown["Osallistumisaste"] == "–"
    await check(page, "statistics with no group sessions")
    await staff.close()


async def test_a_resident_takes_a_place_freed_from_the_waiting_list_or_gives_it_up_with_the_keyboard(
    browser: Browser, site: LiveServer
) -> None:
    staff = await coordinator(browser, site, PARTNER_COORDINATOR_PHONE)
    library = await point_id(staff, LIBRARY)
    event = await publish(staff, library, title="Digikahvila: jonosta", starts_at=at(today() + timedelta(days=12), 13))
    await staff.send("PATCH", f"/events/{event['id']}", {"capacity": 1})
    landline = {"phone": "08 8501235", "first_name": "Tyyne", "consent": True, "resident_language": "fi"}
    tyyne = await staff.post(f"/events/{event['id']}/signups", landline)
    people = [await resident(browser, site, name) for name in ("Aili", "Kaarlo", "Martta")]
    for someone in people:
        assert (await someone.post(f"/events/{event['id']}/signup"))["state"] == "waitlisted"
    aili, kaarlo, martta = people

    async def state_of(someone: Person) -> str:
        mine = [s for s in await someone.get("/me/event-signups") if s["event"]["id"] == event["id"]]
        return str(mine[0]["state"])

    # Tyyne cannot come: the place is offered to Aili, the first in line. My times says so and takes it in one press.
    await staff.post(f"/events/{event['id']}/signups/{tyyne['id']}/cancel")
    assert await state_of(aili) == "offered"
    page = aili.page
    await page.goto("/#/omat")
    card = f"#my-events [data-event='{event['id']}']"
    await page.wait_for_selector(card)
    offer = await page.inner_text(f"{card} .state")
    assert offer.startswith("Sinulle vapautui paikka. Se on varattu sinulle ") and offer.endswith(" asti."), offer
    await both_widths(page, "my times: a place offered")
    await in_language(page, "en", "mine")
    assert (await page.inner_text(f"{card} .state")).startswith("A place is free for you. It is held for you until ")
    assert "I will take the place" in await page.inner_text(card)
    await both_widths(page, "my times: a place offered, in English")
    await in_language(page, "fi", "mine")
    await tab_until(page, f"{card} [data-keep]")
    assert (await page.inner_text(f"{card} [data-keep]")).startswith("Otan paikan")
    await page.keyboard.press("Enter")
    await status_starts(page, "Otit paikan: Digikahvila: jonosta, ")
    assert await page.inner_text(f"{card} .state") == "Sinulla on paikka."
    await wait_until(page, "() => document.activeElement.matches('#my-events .state')")
    assert await state_of(aili) == "confirmed"
    await both_widths(page, "my times: the place taken")
    await aili.send("DELETE", f"/events/{event['id']}/signup", None)

    # Aili cannot come after all: Kaarlo is offered the place and, on the session's page, gives it up after a question.
    assert await state_of(kaarlo) == "offered"
    page = kaarlo.page
    await page.goto(f"/#/ryhma/{event['id']}")
    await loaded(page, "event")
    assert await page.inner_text("#event-result") == "Sinulle vapautui paikka"
    assert (await page.inner_text("#event-state")).startswith("Sinulle vapautui paikka. Se on varattu sinulle ")
    await both_widths(page, "a session's page: a place offered")
    await tab_until(page, "#event-give-up")
    assert await page.inner_text("#event-give-up") == "En tarvitse paikkaa"
    await page.keyboard.press("Enter")
    await loaded(page, "cancel-signup")
    assert await page.inner_text("#cancel-signup-title") == "Luovutko paikasta?"
    await both_widths(page, "give up the place?")
    await in_language(page, "en", "cancel-signup")
    assert await page.inner_text("#cancel-signup-title") == "Give up the place?"
    await both_widths(page, "give up the place?, in English")
    await in_language(page, "fi", "cancel-signup")
    await tab_until(page, "#confirm-cancel-signup")
    assert await page.inner_text("#confirm-cancel-signup") == "Kyllä, en tarvitse paikkaa"
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#mine-title")
    await status_starts(page, "Luovuit paikasta: Digikahvila: jonosta, ")
    assert await state_of(kaarlo) in ("cancelled", "declined")

    # So Martta, next in line, is offered it, and takes it on the session's page.
    assert await state_of(martta) == "offered"
    page = martta.page
    await page.goto(f"/#/ryhma/{event['id']}")
    await loaded(page, "event")
    await in_language(page, "sv", "event")
    assert (await page.inner_text("#event-state")).startswith("En plats har blivit ledig för dig. Den är reserverad")
    await both_widths(page, "a session's page: a place offered, in Swedish")
    await in_language(page, "fi", "event")
    await tab_until(page, "#event-keep")
    await page.keyboard.press("Enter")
    await status_starts(page, "Otit paikan: Digikahvila: jonosta, ")
    await focused(page, "event-result")
    assert await page.inner_text("#event-result") == "Sinulla on paikka"
    assert await page.inner_text("#event-state") == (
        "Paikka on nyt sinun. Saat muistutuksen tekstiviestinä ennen tapaamista."
    )
    assert await state_of(martta) == "confirmed"
    await both_widths(page, "a session's page: the place taken")
    states = {s["first_name"]: s["state"] for s in await staff.get(f"/events/{event['id']}/signups")}
    assert states["Martta"] == "confirmed" and states["Kaarlo"] in ("cancelled", "declined")
    for someone in (*people, staff):
        await someone.close()
