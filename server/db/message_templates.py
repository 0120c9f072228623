"""The coordinators' own wordings of messages, per template name and language."""

from __future__ import annotations

import uuid
from datetime import datetime

from server.db.tables import MessageTemplate


async def templates() -> dict[tuple[str, str], tuple[str, bool]]:
    """The coordinators' own wordings: (name, language) → (text, link_free)."""
    return {
        (r["kind"], r["language"]): (r["body"], bool(r["link_free"]))
        for r in await MessageTemplate.select(
            MessageTemplate.kind, MessageTemplate.language, MessageTemplate.body, MessageTemplate.link_free
        )
    }


async def save_template(
    *, name: str, language: str, body: str, link_free: bool, now: datetime, by: uuid.UUID | None
) -> None:
    await MessageTemplate.delete().where((MessageTemplate.kind == name) & (MessageTemplate.language == language))
    await MessageTemplate.insert(
        MessageTemplate(
            id=uuid.uuid4(), kind=name, language=language, body=body, link_free=link_free, updated_at=now, updated_by=by
        )
    )


async def reset_template(*, name: str, language: str) -> None:
    await MessageTemplate.delete().where((MessageTemplate.kind == name) & (MessageTemplate.language == language))
