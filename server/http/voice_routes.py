"""Twilio Voice webhooks for the helpline's voice menu: each answers TwiML built with the `twilio` library's
`VoiceResponse`. Signed like every Twilio webhook (a forged or unsigned request is a 403 and changes nothing);
the call's state is looked up by CallSid in the database, never taken from the URL."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, post
from twilio.twiml.voice_response import Gather, VoiceResponse

from server.domain.ivr import VOICES, Speech
from server.http.security import PUBLIC, Svc
from server.http.twilio_routes import signed_form

STEP = "/api/v1/twilio/voice/step"
GATHER_SECONDS = 9  # older callers take their time to find the key


def twiml(speech: Speech, *, action: str = STEP) -> str:
    """The TwiML for what the caller hears next. A prompt waits for one key; silence comes back to `action`
    without Digits (actionOnEmptyResult), where it counts as a failed input."""
    response = VoiceResponse()
    target: Any = response
    if speech.gather:
        gather = Gather(
            num_digits=1,
            action=action,
            method="POST",
            timeout=GATHER_SECONDS,
            action_on_empty_result=True,
            finish_on_key="",
        )
        response.append(gather)
        target = gather
    for line in speech.lines:
        language, voice = VOICES.get(line.language, VOICES["fi"])
        target.say(line.text, language=language, voice=voice)
    if speech.dial:
        response.dial(speech.dial)
    if speech.hang_up:
        response.hangup()
    return str(response)


def _xml(body: str) -> Response[str]:
    return Response(body, media_type="text/xml")


class VoiceController(Controller):
    path = "/api/v1/twilio/voice"
    include_in_schema = False
    opt = PUBLIC

    @post("/", status_code=200, exclude_from_csrf=True)
    async def incoming(self, request: Request[Any, Any, Any], services: Svc) -> Response[str]:
        """A call to the helpline number: the language menu."""
        form = await signed_form(request, services.settings)
        speech = await services.ivr.incoming(
            call_sid=str(form.get("CallSid") or "")[:64], phone=str(form.get("From") or "")
        )
        return _xml(twiml(speech))

    @post("/step", status_code=200, exclude_from_csrf=True)
    async def step(self, request: Request[Any, Any, Any], services: Svc) -> Response[str]:
        """A keypress (Digits), or silence (no Digits)."""
        form = await signed_form(request, services.settings)
        digits = form.get("Digits")
        speech = await services.ivr.step(
            call_sid=str(form.get("CallSid") or "")[:64], digits=str(digits) if digits else None
        )
        return _xml(twiml(speech))

    @post("/reminder", status_code=200, exclude_from_csrf=True)
    async def reminder(self, request: Request[Any, Any, Any], services: Svc) -> Response[str]:
        """A reminder call we placed was answered: which session it is about comes from the database (the call's
        CallSid is the outbox row's provider id), not from the URL."""
        form = await signed_form(request, services.settings)
        return _xml(twiml(await services.ivr.reminder_answered(call_sid=str(form.get("CallSid") or "")[:64])))

    @post("/status", status_code=200, exclude_from_csrf=True)
    async def status(self, request: Request[Any, Any, Any], services: Svc) -> Response[str]:
        """A call ended (completed, busy, no-answer, failed, canceled): the helpline's or a reminder's."""
        form = await signed_form(request, services.settings)
        call_sid, status = str(form.get("CallSid") or "")[:64], str(form.get("CallStatus") or "")[:16]
        await services.ivr.ended(call_sid=call_sid, status=status)
        await services.notifications.call_status(call_sid, status)
        return Response("", media_type=MediaType.TEXT)
