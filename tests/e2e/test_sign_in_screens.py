"""The sign-in screens in a real headless Chromium: axe-core (WCAG 2.0/2.1 A and AA) finds nothing in any state
at phone and desktop width, the whole flow works with the keyboard alone, and the page reflows at 320 px.

Chromium comes from Debian (`.ci/run` installs it); Playwright only drives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, Page

from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE, RESIDENT_PHONE
from tests.e2e.pages import axe_violations
from tests.live import LiveServer, demo_database, serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with demo_database(request, request.param, tmp_path_factory.mktemp("e2e")) as url, serve(url) as live:
        yield live


async def open_page(browser: Browser, site: LiveServer, width: int = 375) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 800}, base_url=site.base_url)
    page = await context.new_page()
    # The app opens on the resident's booking (language first); signing in on its own has its own address.
    await page.goto("/#/kirjaudu")
    await page.wait_for_selector("#phone")
    return page


async def assert_accessible(page: Page, state: str) -> None:
    results = await axe_violations(page)
    assert results.violations_count == 0, f"{state}:\n{results.generate_report()}"


async def tab_to(page: Page, element_id: str, limit: int = 15) -> None:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


async def test_the_check_finds_what_is_wrong_on_a_later_screen_of_the_same_page(
    browser: Browser, site: LiveServer
) -> None:
    """axe is put into the page once: a check after the first still sees the page as it is then, and every element
    of a violation is reported."""
    page = await open_page(browser, site)
    await assert_accessible(page, "phone step")
    await page.evaluate(
        """() => { for (const n of [1, 2]) { const i = document.createElement('img');
            i.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; i.id = `bare-${n}`;
            document.querySelector('main').append(i); } }"""
    )
    results = await axe_violations(page)
    assert [v["id"] for v in results.response["violations"]] == ["image-alt"]
    assert [n["target"] for n in results.response["violations"][0]["nodes"]] == [["#bare-1"], ["#bare-2"]]
    await page.reload()
    await page.wait_for_selector("#phone")
    await assert_accessible(page, "a new document, axe put in again")


@pytest.mark.parametrize("width", [375, 1280])
async def test_every_sign_in_state_passes_axe(browser: Browser, site: LiveServer, width: int) -> None:
    page = await open_page(browser, site, width)
    await assert_accessible(page, "phone step")

    await page.fill("#phone", "09 1234")
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#phone[aria-invalid=true]")
    error = await page.text_content("#phone-error")
    assert error and "lankapuhelin" in error, "the error says what is wrong"
    assert await page.text_content("#alert") == error, "and screen readers hear it at once"
    assert "phone-error" in (await page.get_attribute("#phone", "aria-describedby") or "")
    await assert_accessible(page, "phone error")

    await page.fill("#phone", RESIDENT_PHONE)
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await assert_accessible(page, "code step")

    right = site.last_code(RESIDENT_PHONE)
    await page.fill("#code", f"{(int(right) + 1) % 1_000_000:06d}")
    await page.click("#form-code button[type=submit]")
    await page.wait_for_selector("#code[aria-invalid=true]")
    assert "4" in await page.text_content("#code-error"), "the error says how many tries are left"
    await assert_accessible(page, "code error")

    await page.fill("#code", right)
    await page.click("#form-code button[type=submit]")
    await page.wait_for_selector("#step-home:not([hidden])")
    await assert_accessible(page, "signed in")
    await page.context.close()


async def test_a_resident_signs_in_and_out_with_the_keyboard_alone(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site)
    await tab_to(page, "phone")
    await page.keyboard.type("040 1000102")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#step-code:not([hidden])")
    assert await page.evaluate("document.activeElement.id") == "h-code", "focus moves to the new question"
    assert await page.text_content("#status") == "Koodi on lähetetty. Katso puhelimesi tekstiviestit."
    await tab_to(page, "code")
    await page.keyboard.type(site.last_code("+358401000102"))
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#step-home:not([hidden])")
    assert await page.text_content("#h-home") == "Hei, Göran!"
    assert await page.text_content("#roles") == "Asukas"
    await tab_to(page, "sign-out")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#step-phone:not([hidden])")
    assert await page.text_content("#status") == "Olet kirjautunut ulos."
    await page.context.close()


async def test_the_code_field_lets_phones_fill_in_the_sms_code(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site)
    code = page.locator("#code")
    assert await code.get_attribute("autocomplete") == "one-time-code"
    assert await code.get_attribute("inputmode") == "numeric"
    assert await code.get_attribute("type") == "text"
    assert await page.locator("#phone").get_attribute("autocomplete") == "tel"
    await page.context.close()


async def test_a_coordinator_confirms_the_password_after_the_code(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site, 1280)
    await page.fill("#phone", NETWORK_COORDINATOR_PHONE)
    await page.click("#form-phone button[type=submit]")
    await page.wait_for_selector("#step-code:not([hidden])")
    await page.fill("#code", site.last_code(NETWORK_COORDINATOR_PHONE))
    await page.click("#form-code button[type=submit]")
    await page.wait_for_selector("#step-password:not([hidden])")
    await assert_accessible(page, "password step")
    await page.fill("#password", "wrong password here")
    await page.click("#form-password button[type=submit]")
    await page.wait_for_selector("#password[aria-invalid=true]")
    await assert_accessible(page, "password error")
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("#form-password button[type=submit]")
    await page.wait_for_selector("#queues-title")  # the coordinator's own start: the queues
    await page.goto("/#/kirjaudu/koti")
    await page.wait_for_selector("#step-home:not([hidden])")
    assert await page.text_content("#roles") == "Verkoston koordinaattori"
    assert await page.get_attribute("#home-staff a", "href") == "#/koordinaattori"
    await page.context.close()


async def test_the_chosen_language_is_used_everywhere_and_remembered(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site)
    await page.click("button[data-lang=sv]")
    assert await page.get_attribute("html", "lang") == "sv"
    assert await page.text_content("#h-phone") == "Logga in med telefonnummer"
    assert await page.get_attribute("button[data-lang=sv]", "aria-pressed") == "true"
    await page.reload()
    await page.wait_for_selector("#phone")
    assert await page.text_content("#h-phone") == "Logga in med telefonnummer"
    await assert_accessible(page, "Swedish")
    await page.context.close()


async def test_the_page_reflows_at_320_px_without_sideways_scrolling(browser: Browser, site: LiveServer) -> None:
    page = await open_page(browser, site, 320)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    box = await page.locator("#form-phone button[type=submit]").bounding_box()
    assert box is not None and box["height"] >= 44, "touch targets are at least 44 px tall"
    helpline = await page.text_content("#helpline")
    assert helpline == "040 1234000", "the helpline number is on screen for those who would rather call"
    await page.context.close()
