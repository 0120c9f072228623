"""The Twilio SMS adapter against a loopback server that speaks Twilio's Messages REST protocol
(POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP basic auth, JSON answers)."""

from __future__ import annotations

import base64
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiohttp import web

from server.adapters.sms import SmsError, TwilioSms
from server.settings import Settings

SID = "AC00000000000000000000000000000000"
TOKEN = "loopback-auth-token"


@dataclass
class FakeTwilio:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_with: tuple[int, int] | None = None  # (HTTP status, Twilio error code)


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()

    async def create_message(request: web.Request) -> web.Response:
        form = await request.post()
        auth = request.headers.get("Authorization", "")
        fake.requests.append(
            {"path": request.path, "auth": base64.b64decode(auth.removeprefix("Basic ")).decode(), **form}
        )
        if fake.fail_with:
            status, code = fake.fail_with
            return web.json_response(
                {"code": code, "message": "refused", "more_info": "", "status": status}, status=status
            )
        return web.json_response(
            {"sid": f"SM{len(fake.requests):032d}", "status": "queued", "to": form["To"], "body": form["Body"]},
            status=201,
        )

    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", create_message)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base_url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


def settings_for(fake: FakeTwilio, **overrides: Any) -> Settings:
    base = Settings(
        sms_backend="twilio",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from_number="+358401234000",
        twilio_api_base=fake.base_url,
    )
    return replace(base, **overrides)


async def test_a_message_goes_to_twilio_with_sender_validity_and_credentials(twilio: FakeTwilio) -> None:
    sms = TwilioSms(settings_for(twilio))
    try:
        receipt = await sms.send(to="+358401112233", body="Koodisi on 123456", validity_seconds=600)
    finally:
        await sms.aclose()
    assert receipt.provider_id.startswith("SM") and receipt.status == "queued"
    [sent] = twilio.requests
    assert sent["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert sent["auth"] == f"{SID}:{TOKEN}"
    assert (sent["To"], sent["Body"], sent["From"], sent["ValidityPeriod"]) == (
        "+358401112233",
        "Koodisi on 123456",
        "+358401234000",
        "600",
    )


async def test_a_messaging_service_replaces_the_sender_number(twilio: FakeTwilio) -> None:
    sms = TwilioSms(settings_for(twilio, twilio_from_number="", twilio_messaging_service_sid="MG123"))
    try:
        await sms.send(to="+358401112233", body="Hei")
    finally:
        await sms.aclose()
    assert twilio.requests[0]["MessagingServiceSid"] == "MG123"
    assert "From" not in twilio.requests[0] and "ValidityPeriod" not in twilio.requests[0]


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [(400, 21211, True), (400, 21610, True), (429, 20429, False), (500, 20500, False)],
)
async def test_twilio_errors_say_whether_retrying_can_help(
    twilio: FakeTwilio, status: int, code: int, permanent: bool
) -> None:
    twilio.fail_with = (status, code)
    sms = TwilioSms(settings_for(twilio))
    try:
        with pytest.raises(SmsError) as failed:
            await sms.send(to="+358401112233", body="Hei")
    finally:
        await sms.aclose()
    assert failed.value.permanent is permanent
    assert failed.value.code == str(code)
    assert "+358401112233" not in str(failed.value), "errors name the number only masked"


async def test_an_unreachable_twilio_is_a_transient_error_not_a_crash() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    unreachable = FakeTwilio(base_url=f"http://127.0.0.1:{closed_port}")
    sms = TwilioSms(settings_for(unreachable))
    try:
        with pytest.raises(SmsError) as failed:
            await sms.send(to="+358401112233", body="Hei")
    finally:
        await sms.aclose()
    assert failed.value.permanent is False
