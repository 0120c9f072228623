"""No choice is a dead end (both databases, in Chromium): before a way of meeting, a municipality or a help point
is chosen, its tile says when its next free time is (or that there is none in four weeks), and a help point
without free times offers the nearest ones that have, each with its time. Every screen passes axe-core."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.async_api import Browser, Page

from server.domain.messages import when_text
from tests.e2e.pages import MUNICIPALITY, api_get, check, open_page, screen
from tests.live import LiveServer

pytestmark = pytest.mark.e2e

# In the demo network nobody helps with smartphones at the village library, nor by phone.
EMPTY_POINT = "Käylän kyläkirjasto"


def next_free(iso: str | None) -> str:
    """The tile's line, with the time as the SMS write it."""
    if iso is None:
        return "Ei vapaita aikoja seuraavan 4 viikon aikana"
    return "Seuraava vapaa aika " + when_text(datetime.fromisoformat(iso.replace("Z", "+00:00")), "fi")


async def tile_next(page: Page, tile: str) -> str:
    line = page.locator(f"{tile} .tile-next")
    await line.wait_for()
    return (await line.inner_text()).replace("\u00a0", " ")


async def test_each_choice_shows_its_next_free_time_and_an_empty_place_offers_the_nearest(
    browser: Browser, site: LiveServer
) -> None:
    page = await open_page(browser, site)
    await page.click("button.tile[lang=fi]")
    await screen(page, "topic")
    await page.click("button[data-topic=smartphone]")
    await screen(page, "how")
    found = await api_get(page, f"/slots/first?topic=smartphone&language=fi&municipality={MUNICIPALITY}")
    assert found["help_point"] is not None and found["remote"] is None, "the demo network as the test expects"
    assert await tile_next(page, "button[data-modality=help_point]") == next_free(found["help_point"])
    assert await tile_next(page, "button[data-modality=phone]") == next_free(None), "said before it is chosen"
    await check(page, "how, with the next free times")

    await page.click("button[data-modality=help_point]")
    await screen(page, "municipality")
    for town in found["municipalities"]:
        tile = f"#municipality button.tile[data-name='{town['municipality']}']"
        assert await tile_next(page, tile) == next_free(town["starts_at"])
    await check(page, "municipalities, with the next free times")

    await page.click(f"#municipality button.tile[data-name='{MUNICIPALITY}']")
    await screen(page, "help-point")
    for point in found["help_points"]:
        assert await tile_next(page, f"#help-point button.tile[data-id='{point['help_point_id']}']") == next_free(
            point["starts_at"]
        )
    assert await tile_next(page, f"#help-point button.tile[data-name='{EMPTY_POINT}']") == next_free(None)
    await check(page, "help points, with the next free times")

    await page.click(f"#help-point button.tile[data-name='{EMPTY_POINT}']")
    await screen(page, "time")
    await page.wait_for_selector("#time .alternatives h2")
    assert await page.inner_text("#time .alternatives h2") == "Näissä on vapaita aikoja"
    offered = page.locator("#time .alternatives button.tile")
    others = sorted((p for p in found["help_points"] if p["starts_at"]), key=lambda p: p["starts_at"])
    assert await offered.count() == len(others) >= 1, "the other help points of the municipality, soonest first"
    first_line = (await offered.first.locator(".tile-next").inner_text()).replace("\u00a0", " ")
    assert first_line == next_free(others[0]["starts_at"])
    await check(page, "time, none here, the nearest offered")

    await offered.first.click()
    await screen(page, "time")
    slot = page.locator("button.slot").first
    await slot.wait_for()
    assert await slot.get_attribute("data-starts-at") == others[0]["starts_at"], "the time the tile promised"
    await page.context.close()
