"""Twilio's webhooks: delivery reports of our SMS and the SMS residents send us.

Both are public addresses that anyone could post to, so each request must carry a valid `X-Twilio-Signature`:
an HMAC of the exact public URL Twilio called and every form parameter, keyed with the account's auth token.
The URL is rebuilt from APURI_PUBLIC_BASE_URL, never from the request (behind a proxy the app sees an internal
address). A missing or wrong signature is a 403 and changes nothing. CSRF does not apply: Twilio has no
cookie; the signature is the proof.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, post
from litestar.datastructures import FormMultiDict

from server.domain.errors import Forbidden
from server.http.security import PUBLIC, Svc
from server.settings import Settings

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def public_url(settings: Settings, request: Request[Any, Any, Any]) -> str:
    """The address Twilio called: the configured public base, then the path and query as received."""
    url = settings.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def signed_form(request: Request[Any, Any, Any], settings: Settings) -> FormMultiDict:
    from twilio.request_validator import RequestValidator

    form = await request.form()
    signature = request.headers.get("x-twilio-signature", "")
    token = settings.twilio_auth_token
    if (
        not token
        or not signature
        or not RequestValidator(token).validate(public_url(settings, request), form, signature)
    ):
        raise Forbidden("This request is not signed by Twilio.", code="twilio_signature_invalid")
    return form


class TwilioController(Controller):
    path = "/api/v1/twilio"
    include_in_schema = False
    opt = PUBLIC

    @post("/status", status_code=200, exclude_from_csrf=True)
    async def status(self, request: Request[Any, Any, Any], services: Svc) -> Response[str]:
        """A delivery report: applied in order, a final state never replaced by an earlier one."""
        form = await signed_form(request, services.settings)
        sid = str(form.get("MessageSid") or "")[:64]
        state = str(form.get("MessageStatus") or "").lower()[:16]
        if sid and state:
            await services.notifications.delivery_report(sid, state, str(form.get("ErrorCode") or "")[:10])
        return Response("", media_type=MediaType.TEXT)

    @post("/sms", status_code=200, exclude_from_csrf=True)
    async def inbound(self, request: Request[Any, Any, Any], services: Svc) -> Response[str]:
        """An SMS from a resident. The answer goes through the outbox (it is recorded and retried like any
        other message), so the webhook itself answers with empty TwiML."""
        form = await signed_form(request, services.settings)
        await services.replies.receive(
            phone=str(form.get("From") or ""),
            body=str(form.get("Body") or ""),
            provider_id=str(form.get("MessageSid") or "")[:64] or None,
        )
        return Response(EMPTY_TWIML, media_type="text/xml")
