"""Coordinators' statistics, scoped to the caller: a partner coordinator gets the figures of the requests
attributed to their own organisation(s), the network coordinator those of the whole network."""

from __future__ import annotations

from datetime import date, time, timedelta

from server.adapters.clock import Clock
from server.db import statistics as q
from server.db.engine import AnyEngine
from server.domain import statistics as rules
from server.domain.clocktime import local_date, local_start
from server.domain.roles import Principal
from server.services.audit import AuditService


class StatisticsService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit

    async def report(self, caller: Principal, by: rules.GroupBy, first: date | None, last: date | None) -> rules.Report:
        first, last = rules.period(first, last, today=local_date(self._clock.now()))
        rows = await q.request_facts(
            since=local_start(first, time(0)),
            until=local_start(last + timedelta(days=1), time(0)),
            within=caller.oversees,
        )
        return rules.report(rows, by, first=first, last=last, language=caller.language)

    async def export(self, caller: Principal, by: rules.GroupBy, first: date | None, last: date | None) -> rules.Report:
        """The same report, for download: exports leave the service, so each one is in the audit trail."""
        found = await self.report(caller, by, first, last)
        scope = caller.oversees
        await self._audit.record(
            caller,
            "statistics.export",
            "statistics",
            found.by.value,
            organisation_id=next(iter(scope)) if scope is not None and len(scope) == 1 else None,
            detail={"by": found.by.value, "from": found.first.isoformat(), "to": found.last.isoformat()},
        )
        return found
