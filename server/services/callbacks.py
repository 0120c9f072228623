"""The callback queue: people who phoned the helpline and should be called back (they asked, the voice menu
could not understand them, or no free time was found). Coordinators see who called, when, in which language and
what they tried, and mark each handled with the outcome. Reads are audited: a callback is personal data."""

from __future__ import annotations

import uuid

from server.adapters.clock import Clock
from server.db import calls as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import Conflict, NotFound
from server.domain.paging import Page, PageRequest
from server.domain.records import Callback
from server.domain.roles import Principal
from server.services.audit import AuditService

OUTCOMES = ("booked_on_behalf", "advised", "no_answer")


class CallbackService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit

    async def queue(self, caller: Principal, page: PageRequest, *, state: str = "open") -> Page[Callback]:
        found = await q.callbacks(page, within=caller.oversees, state=state)
        await self._audit.record(caller, "callback.read", "callback_request", state, detail={"n": len(found.items)})
        return found

    async def handle(self, caller: Principal, callback_id: uuid.UUID, outcome: str) -> Callback:
        found = await q.callback(callback_id, caller.oversees)
        if found is None:
            raise NotFound("No such callback request.", code="callback_not_found")
        async with write_transaction(self._engine):
            if not await q.handle_callback(callback_id, by=caller.person_id, outcome=outcome, now=self._clock.now()):
                raise Conflict("Someone has already handled this call.", code="callback_handled")
            await self._audit.record(
                caller,
                "callback.handle",
                "callback_request",
                str(callback_id),
                subject_id=found.person_id,
                detail={"outcome": outcome},
            )
        handled = await q.callback(callback_id, caller.oversees)
        assert handled is not None
        return handled
