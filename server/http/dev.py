"""Dev tools (only when APURI_DEV_TOOLS=1): the dev phone shows every SMS that would have been sent."""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Response, get
from litestar.params import QueryParameter

from server.db.tables import DevSmsMessage
from server.domain.phone import display
from server.http.security import PUBLIC, Svc


class DevSmsOut(msgspec.Struct, kw_only=True):
    id: int
    phone: str
    direction: str
    body: str
    created_at: str


async def _messages(phone: str | None) -> list[dict[str, object]]:
    query = DevSmsMessage.select().order_by(DevSmsMessage.id, ascending=False).limit(500)
    if phone:
        query = query.where(DevSmsMessage.phone == phone)
    return list(await query)


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
            for r in await _messages(phone)
        ]

    @get("/phone", media_type=MediaType.HTML)
    async def phone(self, services: Svc) -> Response[str]:
        threads: dict[str, list[dict[str, object]]] = defaultdict(list)
        for row in await _messages(None):
            threads[str(row["phone"])].append(row)
        tz = "Europe/Helsinki"
        parts: list[str] = []
        for number, rows in threads.items():
            items = "".join(
                f'<li class="{html.escape(str(r["direction"]))}"><time datetime="{r["created_at"].isoformat()}">'  # type: ignore[attr-defined]
                f"{r['created_at'].astimezone(_zone(tz)):%d.%m. %H.%M}</time>"  # type: ignore[attr-defined]
                f"<pre>{html.escape(str(r['body']))}</pre></li>"
                for r in rows
            )
            parts.append(
                f'<section aria-labelledby="n{len(parts)}"><h2 id="n{len(parts)}">{html.escape(display(number))}'
                f" <small>({html.escape(number)})</small></h2><ol>{items}</ol></section>"
            )
        body = "".join(parts) or "<p>No messages yet. Ask for a sign-in code in the app, then reload.</p>"
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev phone – Apuri</title><link rel="stylesheet" href="/dev-phone.css"></head>
<body><main><h1>Dev phone</h1>
<p>Text messages that would have been sent (newest first). This page exists only with APURI_DEV_TOOLS=1.</p>
<p><a href="/dev/phone">Reload</a> · <a href="/">Back to Apuri</a></p>
{body}</main></body></html>"""
        return Response(page, media_type=MediaType.HTML)


def _zone(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
