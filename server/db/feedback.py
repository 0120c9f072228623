"""Queries for accessibility feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.db.paging import fetch_page
from server.db.tables import AccessibilityFeedback
from server.domain.paging import Page, PageRequest
from server.domain.records import FeedbackRow


def _row(r: dict[str, Any]) -> FeedbackRow:
    return FeedbackRow(
        r["id"],
        r["message"],
        r["contact"],
        r["language"],
        r["page"],
        r["created_at"],
        r["answered_at"],
        r["answer_note"],
    )


async def insert(*, message: str, contact: str, language: str, page: str, client_hash: str, now: datetime) -> uuid.UUID:
    row_id = uuid.uuid4()
    await AccessibilityFeedback.insert(
        AccessibilityFeedback(
            id=row_id,
            message=message,
            contact=contact,
            language=language,
            page=page,
            client_hash=client_hash,
            created_at=now,
        )
    )
    return row_id


async def count_from(client_hash: str, since: datetime) -> int:
    return int(
        await AccessibilityFeedback.count().where(
            (AccessibilityFeedback.client_hash == client_hash) & (AccessibilityFeedback.created_at >= since)
        )
    )


async def listed(page: PageRequest, *, answered: bool) -> Page[FeedbackRow]:
    """A page of the feedback: unanswered oldest first, answered newest first."""
    condition = (
        AccessibilityFeedback.answered_at.is_not_null() if answered else AccessibilityFeedback.answered_at.is_null()
    )
    query = AccessibilityFeedback.select().where(condition)
    key = (AccessibilityFeedback.created_at, AccessibilityFeedback.id)
    return (await fetch_page(query, page, *key, ascending=not answered)).map(_row)


async def get(feedback_id: uuid.UUID) -> FeedbackRow | None:
    rows = await AccessibilityFeedback.select().where(AccessibilityFeedback.id == feedback_id)
    return _row(rows[0]) if rows else None


async def answer(feedback_id: uuid.UUID, *, by: uuid.UUID, note: str, now: datetime) -> bool:
    rows = (
        await AccessibilityFeedback.update(
            {
                AccessibilityFeedback.answered_at: now,
                AccessibilityFeedback.answered_by: by,
                AccessibilityFeedback.answer_note: note,
            }
        )
        .where((AccessibilityFeedback.id == feedback_id) & AccessibilityFeedback.answered_at.is_null())
        .returning(AccessibilityFeedback.id)
    )
    return bool(rows)
