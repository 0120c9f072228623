"""Dev tools (only when APURI_DEV_TOOLS=1): the dev phone shows every SMS and push that would have been sent,
and lets you text Apuri back from any number, through the same reply handler Twilio's webhook uses."""

from __future__ import annotations

import html
import secrets
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect

from server.db import dev_phone
from server.domain.clocktime import HELSINKI
from server.domain.phone import display
from server.http.security import PUBLIC, Svc
from server.http.voice_routes import twiml
from server.services.replies import e164_or_raw

DIRECTIONS = {"out": "SMS to the phone", "in": "SMS from the phone", "push": "Push notification"}


class DevSmsOut(msgspec.Struct, kw_only=True):
    id: int
    phone: str
    direction: str
    body: str
    created_at: str


class DevCallIn(msgspec.Struct, kw_only=True):
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    sid: Annotated[str, msgspec.Meta(max_length=64)] = ""
    digits: Annotated[str, msgspec.Meta(max_length=1)] = ""


KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0")


def _call_page(phone: str, sid: str, xml: str) -> str:
    """The pretend phone on a call: what Apuri said (from the same TwiML Twilio would get) and a keypad."""
    root = ET.fromstring(xml)  # noqa: S314 - TwiML this server just rendered
    said = "".join(
        f'<li lang="{html.escape((s.get("language") or "fi")[:2])}">{html.escape(s.text or "")}</li>'
        for s in root.iter("Say")
    )
    waiting = root.find("Gather") is not None and root.find("Hangup") is None
    hidden = (
        f'<input type="hidden" name="phone" value="{html.escape(phone)}">'
        f'<input type="hidden" name="sid" value="{html.escape(sid)}">'
    )
    if waiting:
        keys = "".join(f'<button type="submit" name="digits" value="{k}">{k}</button>' for k in KEYPAD)
        controls = (
            f'<form method="post" action="/dev/call/press" class="keypad">{hidden}{keys}'
            '<button type="submit" name="digits" value="">Stay silent</button></form>'
            f'<form method="post" action="/dev/call/hang-up">{hidden}<button type="submit">Hang up</button></form>'
        )
    else:
        controls = "<p>Apuri ended the call.</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev call – Apuri</title><link rel="stylesheet" href="/dev-phone.css"></head>
<body><main><h1>Pretend call from {html.escape(_number(phone))}</h1>
<p>The helpline's voice menu, through the same handlers and TwiML as Twilio's webhooks. Apuri says:</p>
<ol class="said">{said}</ol>{controls}
<details><summary>TwiML</summary><pre>{html.escape(xml)}</pre></details>
<p><a href="/dev/phone">Back to the dev phone</a></p></main></body></html>"""


class DevReplyIn(msgspec.Struct, kw_only=True):
    phone: Annotated[str, msgspec.Meta(min_length=5, max_length=32)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=1600)]


def _number(phone: str) -> str:
    try:
        return display(phone)
    except Exception:  # a dev page shows whatever was typed
        return phone


def _thread(index: int, number: str, rows: list[dict[str, object]]) -> str:
    items = []
    for r in rows:
        at: datetime = r["created_at"]  # type: ignore[assignment]
        direction = str(r["direction"])
        kind = html.escape(DIRECTIONS.get(direction, direction))
        stamp = f'<time datetime="{at.isoformat()}">{at.astimezone(HELSINKI):%d.%m. %H.%M}</time>'
        items.append(
            f'<li class="{html.escape(direction)}"><span class="kind">{kind}</span> {stamp}'
            f"<pre>{html.escape(str(r['body']))}</pre></li>"
        )
    return (
        f'<section aria-labelledby="n{index}"><h2 id="n{index}">{html.escape(_number(number))}'
        f" <small>({html.escape(number)})</small></h2>"
        '<form method="post" action="/dev/phone/reply">'
        f'<input type="hidden" name="phone" value="{html.escape(number)}">'
        f'<label for="r{index}">Reply from this phone</label><textarea id="r{index}" name="body" rows="2" required>'
        f'</textarea><button type="submit">Send reply</button></form><ol>{"".join(items)}</ol></section>'
    )


class DevPhoneController(Controller):
    path = "/dev"
    include_in_schema = False
    opt = PUBLIC

    @get("/api/sms")
    async def sms(self, phone: Annotated[str | None, QueryParameter(max_length=16)] = None) -> list[DevSmsOut]:
        return [
            DevSmsOut(
                id=int(r["id"]),  # type: ignore[call-overload]
                phone=str(r["phone"]),
                direction=str(r["direction"]),
                body=str(r["body"]),
                created_at=r["created_at"].isoformat(),  # type: ignore[attr-defined]
            )
            for r in await dev_phone.messages(phone)
        ]

    @post("/phone/reply", exclude_from_csrf=True, status_code=303)
    async def reply(
        self, data: Annotated[DevReplyIn, Body(media_type=RequestEncodingType.URL_ENCODED)], services: Svc
    ) -> Redirect:
        """Text Apuri as if from `phone`: handled exactly like an SMS arriving through Twilio's webhook, and the
        answer is sent at once so it shows on reload."""
        phone = e164_or_raw(data.phone)
        await dev_phone.write(phone=phone, direction="in", body=data.body.strip(), at=services.clock.now())
        await services.replies.receive(phone=phone, body=data.body, provider_id=None)
        await services.dispatcher.run_due()
        return Redirect(path="/dev/phone", status_code=303)

    @post("/call/start", exclude_from_csrf=True, status_code=200, media_type=MediaType.HTML)
    async def call_start(
        self, data: Annotated[DevCallIn, Body(media_type=RequestEncodingType.URL_ENCODED)], services: Svc
    ) -> Response[str]:
        sid = "CAdev" + secrets.token_hex(14)
        speech = await services.ivr.incoming(call_sid=sid, phone=data.phone)
        return Response(_call_page(data.phone, sid, twiml(speech)), media_type=MediaType.HTML)

    @post("/call/press", exclude_from_csrf=True, status_code=200, media_type=MediaType.HTML)
    async def call_press(
        self, data: Annotated[DevCallIn, Body(media_type=RequestEncodingType.URL_ENCODED)], services: Svc
    ) -> Response[str]:
        speech = await services.ivr.step(call_sid=data.sid, digits=data.digits or None)
        await services.dispatcher.run_due()  # a booking's confirmation shows on the dev phone at once
        return Response(_call_page(data.phone, data.sid, twiml(speech)), media_type=MediaType.HTML)

    @post("/call/hang-up", exclude_from_csrf=True, status_code=303)
    async def call_hang_up(
        self, data: Annotated[DevCallIn, Body(media_type=RequestEncodingType.URL_ENCODED)], services: Svc
    ) -> Redirect:
        await services.ivr.ended(call_sid=data.sid, status="completed")
        return Redirect(path="/dev/phone", status_code=303)

    @get("/phone", media_type=MediaType.HTML)
    async def phone(self, services: Svc) -> Response[str]:
        threads: dict[str, list[dict[str, object]]] = defaultdict(list)
        for row in await dev_phone.messages(None):
            threads[str(row["phone"])].append(row)
        parts = [_thread(i, number, rows) for i, (number, rows) in enumerate(threads.items())]
        body = "".join(parts) or "<p>No messages yet. Ask for a sign-in code in the app, then reload.</p>"
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev phone – Apuri</title><link rel="stylesheet" href="/dev-phone.css"></head>
<body><main><h1>Dev phone</h1>
<p>Text messages and pushes that would have been sent (newest first), and replies typed here. This page exists
only with APURI_DEV_TOOLS=1. Messages waiting in the outbox go out within a few seconds: reload to see them.</p>
<p><a href="/dev/phone">Reload</a> · <a href="/">Back to Apuri</a></p>
<form method="post" action="/dev/phone/reply" class="new"><h2>Text Apuri from any number</h2>
<label for="new-phone">Mobile number</label><input id="new-phone" name="phone" inputmode="tel" autocomplete="off"
required><label for="new-body">Message</label><textarea id="new-body" name="body" rows="2" required></textarea>
<button type="submit">Send</button></form>
<form method="post" action="/dev/call/start" class="new"><h2>Call the helpline from any number</h2>
<label for="call-phone">Phone number (a landline works too)</label><input id="call-phone" name="phone"
inputmode="tel" autocomplete="off" required><button type="submit">Call</button></form>
{body}</main></body></html>"""
        return Response(page, media_type=MediaType.HTML)
