"""Accessibility feedback: anyone can tell us what does not work for them (the accessibility statement links
here; no sign-in), and the network coordinator answers. The law gives 14 days to answer, so the list shows how
old each one is and which are overdue. A client may send a few an hour (anti-spam); the address is kept only as
a keyed hash, like the sign-in limits."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.adapters.clock import Clock
from server.db import feedback as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import Conflict, NotFound, TooManyRequests
from server.domain.paging import Page, PageRequest
from server.domain.records import FeedbackRow
from server.domain.roles import Principal
from server.services.audit import AuditService

ANSWER_WITHIN = timedelta(days=14)
PER_CLIENT_HOUR = 5


class FeedbackService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit

    async def give(self, *, message: str, contact: str, language: str, page: str, client_hash: str) -> uuid.UUID:
        now = self._clock.now()
        async with write_transaction(self._engine):
            if await q.count_from(client_hash, now - timedelta(hours=1)) >= PER_CLIENT_HOUR:
                raise TooManyRequests(
                    "Thank you: we have your messages. Please wait a while before sending more, or call us.",
                    retry_after=3600,
                    code="too_much_feedback",
                )
            return await q.insert(
                message=message.strip(),
                contact=contact.strip(),
                language=language,
                page=page.strip(),
                client_hash=client_hash,
                now=now,
            )

    async def listed(self, caller: Principal, page: PageRequest, *, answered: bool) -> Page[tuple[FeedbackRow, bool]]:
        """A page of the feedback with, for each, whether it is past the 14 days without an answer."""
        found = await q.listed(page, answered=answered)
        n = len(found.items)
        await self._audit.record(caller, "feedback.read", "accessibility_feedback", "", detail={"n": n})
        now = self._clock.now()
        return found.map(lambda f: (f, f.answered_at is None and now - f.created_at > ANSWER_WITHIN))

    async def answered(self, caller: Principal, feedback_id: uuid.UUID, note: str) -> FeedbackRow:
        if await q.get(feedback_id) is None:
            raise NotFound("No such feedback.", code="feedback_not_found")
        async with write_transaction(self._engine):
            if not await q.answer(feedback_id, by=caller.person_id, note=note.strip(), now=self._clock.now()):
                raise Conflict("This feedback has already been answered.", code="feedback_answered")
            await self._audit.record(caller, "feedback.answer", "accessibility_feedback", str(feedback_id))
        found = await q.get(feedback_id)
        assert found is not None
        return found
