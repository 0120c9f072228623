"""What every response carries, the offline API docs, and the dev tools switch."""

from __future__ import annotations

import re
from dataclasses import replace

from server.db.tables import InboundMessage
from tests.conftest import Env, base_settings, make_env


async def test_api_docs_load_everything_from_this_server(env: Env) -> None:
    page = await env.client().get("/schema")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert urls, "the docs page references its assets"
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    for url in urls:
        asset = await env.client().get(url)
        assert asset.status_code == 200, url
    spec = await env.client().get("/schema/openapi.json")
    assert spec.status_code == 200 and spec.json()["info"]["title"] == "Apuri API"


async def test_each_api_schema_has_one_plain_name(env: Env) -> None:
    """Two schemas with one class name get module-prefixed names in the OpenAPI document (`schemas_SessionOut`
    next to `booking_routes_SessionOut`): one word for one thing."""
    names = (await env.client().get("/schema/openapi.json")).json()["components"]["schemas"]
    qualified = sorted(n for n in names if re.match(r"^[a-z][a-z_]*_[A-Z]", n))
    assert qualified == [], f"schema names that clash: {qualified}"


async def test_every_response_carries_the_security_headers(env: Env) -> None:
    for path in ("/", "/api/v1/help-points", "/api/v1/me", "/no-such-page", "/schema"):
        answer = await env.client().get(path)
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], path
        assert answer.headers["referrer-policy"] == "no-referrer", path
    app_csp = (await env.client().get("/")).headers["content-security-policy"]
    assert "script-src 'self';" in app_csp and "unsafe-inline" not in app_csp
    assert (await env.client().get("/api/v1/help-points")).headers["cache-control"] == "no-store"


async def test_https_deployments_get_secure_host_only_cookies_and_hsts(database_url: str) -> None:
    settings = replace(base_settings(database_url), public_base_url="https://apuri.example.fi")
    async for env in make_env(settings):
        answer = await env.client().get("/healthz")
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "secure" in answer.headers["set-cookie"].lower()


async def test_the_dev_phone_exists_only_with_dev_tools(database_url: str) -> None:
    async for env in make_env(replace(base_settings(database_url), dev_tools=False)):
        assert (await env.client().get("/dev/phone")).status_code == 404
        assert (await env.client().get("/dev/api/sms")).status_code == 404


async def test_the_dev_phone_lists_messages_per_number(database_url: str) -> None:
    async for env in make_env(replace(base_settings(database_url), sms_backend="outbox")):
        await env.client().post("/api/v1/auth/code", json={"phone": "040 765 4321"})
        page = await env.client().get("/dev/phone")
        assert page.status_code == 200
        assert "040 7654321" in page.text and "kirjautumiskoodisi" in page.text
        listed = await env.client().get("/dev/api/sms", params={"phone": "+358407654321"})
        assert len(listed.json()) == 1


async def test_the_pwa_is_served_at_the_root(env: Env) -> None:
    page = await env.client().get("/")
    assert page.status_code == 200 and "<html" in page.text and 'lang="fi"' in page.text


async def test_a_reply_typed_on_the_dev_phone_is_handled_like_one_through_twilio(database_url: str) -> None:
    async for env in make_env(replace(base_settings(database_url), sms_backend="outbox")):
        sent = await env.client().http.post(
            "/dev/phone/reply", data={"phone": "040 765 4321", "body": "Hei, tarvitsen apua"}
        )
        assert sent.status_code == 303 and sent.headers["location"] == "/dev/phone"
        page = (await env.client().get("/dev/phone")).text
        assert "Hei, tarvitsen apua" in page, "the text the phone sent"
        assert "koordinaattorille" in page, "Apuri's answer, sent at once through the outbox"
        [item] = await InboundMessage.select(InboundMessage.state, InboundMessage.phone)
        assert item == {"state": "open", "phone": "+358407654321"}


async def test_the_dev_phone_places_a_pretend_call_through_the_voice_menu(database_url: str) -> None:
    async for env in make_env(replace(base_settings(database_url), sms_backend="outbox")):
        started = await env.client().http.post("/dev/call/start", data={"phone": "08 1234567"})
        assert started.status_code == 200 and "Suomeksi, paina 1" in started.text
        sid = re.search(r'name="sid" value="([^"]+)"', started.text)
        assert sid is not None
        menu = await env.client().http.post(
            "/dev/call/press", data={"phone": "08 1234567", "sid": sid.group(1), "digits": "1"}
        )
        assert "varata ajan, paina 1" in menu.text and "&lt;Gather" in menu.text, "the TwiML is shown too"
        callback = await env.client().http.post(
            "/dev/call/press", data={"phone": "08 1234567", "sid": sid.group(1), "digits": "0"}
        )
        assert "soittaa sinulle takaisin" in callback.text and "Apuri ended the call" in callback.text


async def test_the_app_and_api_answers_are_gzipped_when_the_browser_asks(env: Env) -> None:
    for path in ("/app.js", "/app.css", "/", "/schema/openapi.json"):
        plain = await env.client().get(path, headers={"Accept-Encoding": "identity"})
        packed = await env.client().get(path, headers={"Accept-Encoding": "gzip, br"})
        assert plain.status_code == packed.status_code == 200, path
        assert "content-encoding" not in plain.headers, path
        assert packed.headers["content-encoding"] == "gzip", path
        assert packed.content == plain.content, f"{path}: the same bytes once unpacked"
        assert int(packed.headers["content-length"]) < len(plain.content) / 2, path
        if not path.startswith("/schema"):
            assert packed.headers["cache-control"] == "no-cache", f"{path}: asked again every time (304 if unchanged)"
