"""The Twilio SMS adapter against a loopback Twilio that speaks the Messages REST protocol
(tests/fakes/twilio_service.py: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP basic
auth, JSON answers and errors)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from server.adapters.sms import SmsError, TwilioSms
from server.settings import Settings
from tests.fakes.twilio_service import SID, TOKEN, TwilioService

RESIDENT = "+358401112233"


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioService]:
    async with TwilioService() as service:
        yield service


def settings_for(base_url: str, **overrides: Any) -> Settings:
    base = Settings(
        sms_backend="twilio",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from_number="+358401234000",
        twilio_api_base=base_url,
    )
    return replace(base, **overrides)


@pytest.fixture
async def sms(twilio: TwilioService) -> AsyncIterator[TwilioSms]:
    adapter = TwilioSms(settings_for(twilio.base_url))
    yield adapter
    await adapter.aclose()


async def refusal(sms: TwilioSms, to: str = RESIDENT) -> SmsError:
    with pytest.raises(SmsError) as failed:
        await sms.send(to=to, body="Hei")
    assert to not in str(failed.value), "errors name the number only masked"
    return failed.value


async def test_a_message_goes_to_twilio_with_sender_validity_and_credentials(
    twilio: TwilioService, sms: TwilioSms
) -> None:
    receipt = await sms.send(to=RESIDENT, body="Koodisi on 123456", validity_seconds=600)
    [call] = twilio.calls
    [message] = twilio.messages
    assert (receipt.provider_id, receipt.status) == (message.sid, "queued")
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert call.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert call.auth == f"{SID}:{TOKEN}"
    assert (message.to, message.body, message.from_, message.validity_period) == (
        RESIDENT,
        "Koodisi on 123456",
        "+358401234000",
        600,
    )
    assert message.status_callback == "http://127.0.0.1:8000/api/v1/twilio/status"


async def test_a_messaging_service_replaces_the_sender_number(twilio: TwilioService) -> None:
    sms = TwilioSms(settings_for(twilio.base_url, twilio_from_number="", twilio_messaging_service_sid="MG123"))
    try:
        receipt = await sms.send(to=RESIDENT, body="Hei")
    finally:
        await sms.aclose()
    [call] = twilio.calls
    assert call.form["MessagingServiceSid"] == "MG123"
    assert "From" not in call.form and "ValidityPeriod" not in call.form
    assert receipt.status == "accepted", "Twilio picks the sender later"


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [(400, 21211, True), (400, 21610, True), (429, 20429, False), (500, 20500, False)],
)
async def test_twilio_errors_say_whether_retrying_can_help(
    twilio: TwilioService, sms: TwilioSms, status: int, code: int, permanent: bool
) -> None:
    twilio.answer(status, code=code)
    failed = await refusal(sms)
    assert failed.permanent is permanent
    assert failed.code == str(code)
    assert twilio.messages == []


async def test_a_refused_number_does_not_stop_messages_to_others(twilio: TwilioService, sms: TwilioSms) -> None:
    landline = "+35891234567"
    twilio.answer(400, code=21614, to=landline)
    failed = await refusal(sms, landline)
    await sms.send(to=RESIDENT, body="Hei")
    assert (failed.permanent, failed.code) == (True, "21614")
    assert twilio.to(RESIDENT) == ["Hei"] and twilio.to(landline) == []


async def test_the_retry_after_of_a_429_reaches_the_caller(twilio: TwilioService, sms: TwilioSms) -> None:
    twilio.answer(429, retry_after="7", times=1)
    failed = await refusal(sms)
    receipt = await sms.send(to=RESIDENT, body="Hei")
    assert (failed.permanent, failed.retry_after) == (False, 7.0)
    assert receipt.provider_id == twilio.messages[0].sid


async def test_three_server_errors_then_an_accepted_message_is_four_calls_and_one_message(
    twilio: TwilioService, sms: TwilioSms
) -> None:
    twilio.answer(500, times=3)
    errors = [await refusal(sms) for _ in range(3)]
    await sms.send(to=RESIDENT, body="Hei")
    assert [e.permanent for e in errors] == [False, False, False]
    assert [c.status for c in twilio.calls] == [500, 500, 500, 201]
    assert twilio.count(body="Hei") == 1 and twilio.duplicates() == {}


async def test_wrong_credentials_are_refused_by_twilio(twilio: TwilioService) -> None:
    sms = TwilioSms(settings_for(twilio.base_url, twilio_auth_token="rotated-token"))
    try:
        failed = await refusal(sms)
    finally:
        await sms.aclose()
    assert failed.code == "20003"
    assert twilio.messages == []


async def test_an_unreachable_twilio_is_a_transient_error_not_a_crash() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    sms = TwilioSms(settings_for(f"http://127.0.0.1:{closed_port}"))
    try:
        failed = await refusal(sms)
    finally:
        await sms.aclose()
    assert failed.permanent is False
