"""Installable and offline: the manifest and its icons satisfy Chromium's install checks; the service worker
precaches the whole shell under a version derived from its contents, deletes older caches, opens the app
without a network after a first visit, and never answers for the API, so an API call made offline shows the
offline notice instead of an old answer."""

from __future__ import annotations

import hashlib
import re
import struct
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.e2e.pages import CHROMIUM, CHROMIUM_ARGS, open_page, wait_until
from tests.live import LiveServer

pytestmark = pytest.mark.e2e

PWA = Path(__file__).resolve().parents[2] / "pwa"
NOT_SHELL = {"sw.js", "dev-phone.css"}  # the worker itself; the dev phone page's style


def dashboard(name: str) -> bool:
    """The coordinator's desk screens and texts: online only, so not downloaded to every phone."""
    return name.startswith("coordinator")


def precached() -> list[str]:
    source = (PWA / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", source, re.S)
    assert block, "sw.js lists its shell in `const SHELL = [...]`"
    return re.findall(r'"([^"]+)"', block.group(1))


def shell_version(paths: list[str]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.encode())
        digest.update((PWA / ("index.html" if path == "/" else path.lstrip("/"))).read_bytes())
    return digest.hexdigest()[:12]


def test_the_service_worker_precaches_every_shell_file_under_a_version_of_their_contents() -> None:
    listed = precached()
    assert all((PWA / ("index.html" if p == "/" else p.lstrip("/"))).is_file() for p in listed), "listed files exist"
    shell = {
        "/" + p.relative_to(PWA).as_posix()
        for p in PWA.rglob("*")
        if p.is_file()
        and p.name not in NOT_SHELL
        and not dashboard(p.name)
        and p.suffix in {".js", ".css", ".png", ".webmanifest"}
    }
    assert shell - set(listed) == set(), "every module, style and icon is precached (else it fails offline)"
    assert not [p for p in listed if dashboard(p.rsplit("/", 1)[-1])], "the dashboard stays off the phones"
    version = re.search(r'const VERSION = "([^"]+)";', (PWA / "sw.js").read_text())
    expected = shell_version(listed)
    assert version and version.group(1) == expected, (
        f'a shell file changed: set `const VERSION = "{expected}";` in pwa/sw.js so that browsers fetch the new shell'
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_chromium_finds_the_app_installable(browser: Browser, site: LiveServer, tmp_path: Path) -> None:
    page = await open_page(browser, site)
    assert await page.get_attribute("link[rel=manifest]", "href") == "/manifest.webmanifest"
    manifest = await (await page.request.get("/manifest.webmanifest")).json()
    assert manifest["name"] and manifest["short_name"] == "Apuri"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["theme_color"] == "#0b4f6c" and manifest["background_color"] == "#ffffff"
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _), src in icons.items():
        response = await page.request.get(src)
        assert response.ok and response.headers["content-type"] == "image/png"
        assert "x".join(map(str, png_size(await response.body()))) == sizes
    await page.context.close()

    # Chromium's own verdict, in a profile on disk (Playwright's usual contexts count as incognito windows).
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=site.base_url
        )
        page = context.pages[0] if context.pages else await context.new_page()
        await page.goto("/")
        await wait_until(page, "() => navigator.serviceWorker.controller !== null", seconds=20)
        cdp = await context.new_cdp_session(page)
        answer = await cdp.send("Page.getInstallabilityErrors")
        assert answer["installabilityErrors"] == [], "Chromium would offer to install the app"
        await context.close()


async def test_the_app_opens_offline_and_api_answers_are_never_served_old(browser: Browser, site: LiveServer) -> None:
    context = await browser.new_context(viewport={"width": 375, "height": 800}, base_url=site.base_url)
    page = await context.new_page()
    # A first visit that registers no worker leaves a cache of an older version behind; activating the worker
    # must delete it. (The stub stands in for a browser that had an old worker: Chromium fetches sw.js itself,
    # so a route on the page cannot hold it back.)
    await context.add_init_script(
        "if (!sessionStorage.getItem('worker')) navigator.serviceWorker.register = () => Promise.resolve()"
    )
    await page.goto("/")
    await page.wait_for_selector("#start-title")
    await page.evaluate("caches.open('apuri-shell-old').then(cache => cache.put('/old', new Response('old')))")
    assert await page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    await page.evaluate("sessionStorage.setItem('worker', 'yes')")
    await page.reload()
    await wait_until(page, "() => navigator.serviceWorker.controller !== null", seconds=20)
    version = re.search(r'const VERSION = "([^"]+)";', (PWA / "sw.js").read_text())
    assert version
    await wait_until(page, "n => caches.keys().then(keys => keys.join() === n)", f"apuri-shell-{version.group(1)}")
    cached = await page.evaluate("caches.keys().then(k => caches.open(k[0])).then(c => c.keys()).then(r => r.length)")
    assert cached == len(precached()), "the whole shell is precached"

    await page.goto("/#/aihe")
    await page.wait_for_selector("button[data-topic]")  # the topics were fetched once, online

    await context.set_offline(True)
    await page.reload()
    await page.wait_for_selector("#topic-title")  # the shell came from the cache
    await page.wait_for_selector("#topic .problem")
    assert "Yhteys ei toimi" in await page.inner_text("#topic .problem")
    assert await page.is_visible("#offline"), "the offline notice is shown"
    assert await page.locator("button[data-topic]").count() == 0, "no old topics from any cache"
    await page.click("a.brand")
    await page.wait_for_selector("#start-title")  # screens that need no server work offline

    await page.goto("/#/omat")
    await page.wait_for_selector("#mine .problem")
    assert "Yhteys ei toimi" in await page.inner_text("#mine .problem"), "my sessions: offline, not old data"

    await page.goto("/#/aihe")
    await page.wait_for_selector("#topic .problem")
    await context.set_offline(False)
    await page.click("#topic .problem button")
    await page.wait_for_selector("button[data-topic]")
    assert not await page.is_visible("#offline"), "the notice goes when the server answers again"
    await context.close()
