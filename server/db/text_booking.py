"""Booking by text message: the conversations under way, and the network's own words for topics."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.codec import as_list, as_uuid
from server.db.tables import HelpSession, TextConversation, TopicWord


@dataclass(slots=True)
class Conversation:
    id: uuid.UUID
    phone: str
    person_id: uuid.UUID | None
    language: str
    topic: str
    state: str  # municipality | offered | done
    help_point_id: uuid.UUID | None
    offered: list[datetime]
    updated_at: datetime
    expires_at: datetime


def _conversation(r: dict[str, Any]) -> Conversation:
    return Conversation(
        id=as_uuid(r["id"]),
        phone=r["phone"],
        person_id=as_uuid(r["person"]) if r["person"] else None,
        language=r["language"],
        topic=r["topic"],
        state=r["state"],
        help_point_id=as_uuid(r["help_point"]) if r["help_point"] else None,
        offered=[datetime.fromisoformat(v) for v in as_list(r["offered"])],
        updated_at=r["updated_at"],
        expires_at=r["expires_at"],
    )


async def latest(phone: str) -> Conversation | None:
    """The number's most recent conversation, whatever its state."""
    rows = (
        await TextConversation.select()
        .where(TextConversation.phone == phone)
        .order_by(TextConversation.updated_at, ascending=False)
        .limit(1)
    )
    return _conversation(rows[0]) if rows else None


async def save(conversation: Conversation, now: datetime) -> None:
    values: dict[Any, Any] = {
        TextConversation.person: conversation.person_id,
        TextConversation.language: conversation.language,
        TextConversation.topic: conversation.topic,
        TextConversation.state: conversation.state,
        TextConversation.help_point: conversation.help_point_id,
        TextConversation.offered: json.dumps([t.isoformat() for t in conversation.offered]),
        TextConversation.updated_at: now,
        TextConversation.expires_at: conversation.expires_at,
    }
    changed = (
        await TextConversation.update(values)
        .where(TextConversation.id == conversation.id)
        .returning(TextConversation.id)
    )
    if not changed:
        await TextConversation.insert(
            TextConversation(
                id=conversation.id,
                phone=conversation.phone,
                created_at=now,
                **{k._meta.name: v for k, v in values.items()},
            )
        )
    conversation.updated_at = now


async def words() -> dict[str, list[str]]:
    """The network's own stems, by topic."""
    found: dict[str, list[str]] = {}
    for r in await TopicWord.select(TopicWord.topic, TopicWord.word).order_by(TopicWord.word):
        found.setdefault(str(r["topic"]), []).append(r["word"])
    return found


async def replace_words(topic: str, stems: list[str], now: datetime) -> None:
    """Inside the caller's write transaction."""
    await TopicWord.delete().where(TopicWord.topic == topic)
    if stems:
        await TopicWord.insert(*(TopicWord(id=uuid.uuid4(), topic=topic, word=w, created_at=now) for w in stems))


async def usual_help_point(person_id: uuid.UUID) -> uuid.UUID | None:
    """The help point of the resident's latest session at one (their usual place)."""
    rows = (
        await HelpSession.select(HelpSession.help_point)
        .where((HelpSession.resident == person_id) & HelpSession.help_point.is_not_null())
        .order_by(HelpSession.starts_at, ascending=False)
        .limit(1)
    )
    return as_uuid(rows[0]["help_point"]) if rows else None
