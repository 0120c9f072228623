"""Coordinators' statistics, scoped to the caller: a partner coordinator gets the figures of the requests
attributed to their own organisation(s) and the supply of their own volunteers, the network coordinator those of
the whole network. Charts are the same figures, described in the language asked."""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta

import anyio.to_thread

from server.adapters.clock import Clock
from server.db import events as events_q
from server.db import statistics as q
from server.db import supply as supply_q
from server.db import topics as topics_q
from server.db.engine import AnyEngine
from server.domain import charts, supply
from server.domain import statistics as rules
from server.domain.clocktime import local_date, local_start
from server.domain.events import EventState
from server.domain.roles import Principal
from server.services.audit import AuditService

# A report brings up to this many waiting changes into the kept facts itself; with more (just after an upgrade)
# it works its figures out from the start while the job catches up.
STALE_LIMIT = 5_000


class StatisticsService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit

    async def report(
        self,
        caller: Principal,
        by: rules.GroupBy,
        first: date | None,
        last: date | None,
        *,
        language: str | None = None,
    ) -> rules.Report:
        first, last = rules.period(first, last, today=local_date(self._clock.now()))
        language = language or caller.language
        if await self.bring_facts_up_to_date(STALE_LIMIT):
            found = await self._kept_report(caller, by, first, last, language)
        else:
            # Just after an upgrade, before the job has kept every request's facts: worked out from the start.
            rows = await self._requests(caller, first, last)
            # Grouping a year of a network's requests is CPU work: off the event loop.
            found = await anyio.to_thread.run_sync(
                lambda: rules.report(rows, by, first=first, last=last, language=language)
            )
        return dataclasses.replace(found, group_sessions=rules.event_figures(await self._events(caller, first, last)))

    async def bring_facts_up_to_date(self, limit: int | None = None) -> bool:
        """Bring the kept facts of changed requests up to date (`server/db/statistics.py`); False, doing nothing,
        when more than `limit` changes wait. None: all of them, one transaction at a time (the job)."""
        if limit is not None:
            waiting = await q.stale_marks(above=limit)
            if waiting > limit:
                return False
            if not waiting:
                return True
        rounds = None if limit is None else limit // q.MARKS_AT_ONCE + 1
        while rounds is None or rounds > 0:
            if not await q.bring_up_to_date(self._engine):
                break
            rounds = None if rounds is None else rounds - 1
        return True

    async def _kept_report(
        self, caller: Principal, by: rules.GroupBy, first: date, last: date, language: str
    ) -> rules.Report:
        """The report summed in SQL from the kept facts, the period's walk-ins added (there are few)."""
        since, until = local_start(first, time(0)), local_start(last + timedelta(days=1), time(0))
        groups, median_wait = await q.kept_groups(by, since=since, until=until, within=caller.oversees)
        walk_ins = await q.walk_in_facts(since=since, until=until, within=caller.oversees)
        names = (
            {t.code: t.names for t in await topics_q.list_topics(active_only=False)}
            if by is rules.GroupBy.TOPIC
            else {}
        )
        parts = {
            g.key: rules.Part(
                rules.label(by, g.key, language, topic_names=names.get(g.key or "", {}), partner_name=g.partner_name),
                g.tally,
                g.median_wait,
            )
            for g in groups
        }
        for w in walk_ins:
            key, label = rules.group_of(w, by, language)
            was = parts.get(key)
            parts[key] = (
                rules.Part(was.label, was.tally + rules.tally([w]), was.median_wait)
                if was is not None
                else rules.Part(label, rules.tally([w]), None)
            )
        total = sum((g.tally for g in groups), rules.tally(walk_ins))
        return rules.assemble(parts, rules.Part("", total, median_wait), by, first=first, last=last)

    async def _events(self, caller: Principal, first: date, last: date) -> list[rules.EventFacts]:
        """The group sessions of the caller's organisations that began in the period."""
        found = await events_q.events_between(
            local_start(first, time(0)),
            local_start(last + timedelta(days=1), time(0)),
            organisations=caller.oversees,
            scheduled_only=False,
        )
        return [
            rules.EventFacts(
                cancelled=e.state is EventState.CANCELLED,
                capacity=e.capacity,
                taken=e.confirmed,
                waitlisted=e.waitlisted,
                attended=e.attended,
                no_shows=e.no_shows,
            )
            for e in found
        ]

    async def demand_supply(
        self,
        caller: Principal,
        by: supply.SupplyBy,
        first: date | None,
        last: date | None,
        *,
        language: str | None = None,
    ) -> supply.DemandSupply:
        """The requests of the period next to the volunteer hours offered (`server/domain/supply.py`)."""
        first, last = rules.period(first, last, today=local_date(self._clock.now()))
        language = language or caller.language
        topics = await topics_q.list_topics(active_only=False)
        if await self.bring_facts_up_to_date(STALE_LIMIT):
            since, until = local_start(first, time(0)), local_start(last + timedelta(days=1), time(0))
            requests = await q.kept_demand(by, since=since, until=until, within=caller.oversees)
            walk_ins, _ = supply.demand(
                await q.walk_in_facts(since=since, until=until, within=caller.oversees), by, language
            )
            for key, count in walk_ins.items():
                requests[key] = requests.get(key, 0) + count
            names = {t.code: t.names for t in topics}
            labels = {k: supply.demand_label(by, k, language, topic_names=names.get(k or "", {})) for k in requests}
        else:
            # Just after an upgrade, before the job has kept every request's facts: counted from the start.
            rows = await self._requests(caller, first, last)
            requests, labels = await anyio.to_thread.run_sync(lambda: supply.demand(rows, by, language))
        volunteers = await supply_q.volunteer_facts(first=first, last=last, within=caller.oversees)
        # Ten thousand volunteers' weekly hours measured: CPU work, off the event loop.
        return await anyio.to_thread.run_sync(
            lambda: supply.balance(requests, labels, volunteers, topics, by, first=first, last=last, language=language)
        )

    async def chart(
        self, caller: Principal, name: charts.ChartName, first: date | None, last: date | None, *, language: str
    ) -> charts.Chart:
        by = charts.DEMAND_BY.get(name)
        if by is not None:
            return charts.demand_chart(
                name, await self.demand_supply(caller, by, first, last, language=language), language
            )
        if name is charts.ChartName.TIME_TO_MATCH:
            weekly = await self.report(caller, rules.GroupBy.WEEK, first, last, language=language)
            return charts.time_to_match_chart(weekly, language)
        found = await self.report(caller, rules.GroupBy.TOPIC, first, last, language=language)
        return charts.outcomes_chart(found, await topics_q.list_topics(active_only=False), language)

    async def _requests(self, caller: Principal, first: date, last: date) -> list[rules.RequestFacts]:
        return await q.request_facts(
            since=local_start(first, time(0)),
            until=local_start(last + timedelta(days=1), time(0)),
            within=caller.oversees,
        )

    async def outcome_names(self, language: str) -> dict[str, str]:
        """Each outcome code's name in `language` (for the CSV's columns)."""
        names: dict[str, str] = {}
        for topic in await topics_q.list_topics(active_only=False):
            for outcome in topic.outcomes:
                names.setdefault(outcome.code, outcome.names.get(language) or outcome.names.get("fi") or outcome.code)
        return names

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
