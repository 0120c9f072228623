"""The dev phone's table, what `/dev/phone` shows: the SMS, pushes and calls the outbox adapters would have sent,
and the replies typed on the page."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from server.db.tables import DevSmsMessage

Direction = Literal["out", "in", "push", "call"]  # an SMS sent, an SMS typed on the page, a push, a call


async def write(*, phone: str, direction: Direction, body: str, at: datetime) -> int:
    """Add one message to the dev phone; returns its id (the adapters make their provider ids of it)."""
    rows = await DevSmsMessage.insert(
        DevSmsMessage(phone=phone, direction=direction, body=body, created_at=at)
    ).returning(DevSmsMessage.id)
    return int(rows[0]["id"])


async def messages(phone: str | None, *, limit: int = 500) -> list[dict[str, object]]:
    """The newest messages first (of one number, or all), as the page shows them."""
    query = DevSmsMessage.select().order_by(DevSmsMessage.id, ascending=False).limit(limit)
    if phone:
        query = query.where(DevSmsMessage.phone == phone)
    return list(await query)
