"""The desk's day: who is coming to a help point, or to an organisation's help points and volunteers, on a day
or in a week (for the screen and its print view), and the visitors helped at the desk without a booking.

Coordinators of the help point's organisation (and the network coordinator) see a help point's day; a walk-in
is one tap (topic, minutes, what the visitor can now do alone; no name) and counts in the statistics as the
channel "walk-in". A mistaken tap can be taken back within a week; both are in the audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from server.adapters.clock import Clock
from server.db import desk as q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, write_transaction
from server.domain.clocktime import local_date
from server.domain.desk import WALK_IN_MINUTES, WALK_IN_UNDO_DAYS, Visit, WalkInRow, span
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.network import HelpPoint
from server.domain.paging import Page, PageRequest
from server.domain.roles import Principal
from server.services.audit import AuditService
from server.services.network import NetworkService


@dataclass(frozen=True, slots=True)
class WalkInIn:
    topic: str
    minutes: int
    outcomes: tuple[str, ...] = ()
    language: str = "fi"


class DeskService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService, network: NetworkService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._network = network

    def _today(self) -> date:
        return local_date(self._clock.now())

    async def help_point_day(
        self, caller: Principal, help_point_id: uuid.UUID, first: date | None, days: int, page: PageRequest
    ) -> Page[Visit]:
        """The sessions at a help point on `days` days from `first` (default today), earliest first."""
        await self._network.managed_help_point(caller, help_point_id)
        _, since, until = span(first, days, today=self._today())
        return await q.visits(page, since=since, until=until, help_point_id=help_point_id)

    async def organisation_day(
        self, caller: Principal, organisation_id: uuid.UUID, first: date | None, days: int, page: PageRequest
    ) -> Page[Visit]:
        """The sessions an organisation oversees (at its help points, or with its volunteers: by phone, video or at
        home too) on `days` days from `first`, earliest first."""
        if not caller.coordinates(organisation_id):
            raise NotFound("No such organisation.", code="organisation_not_found")
        _, since, until = span(first, days, today=self._today())
        return await q.visits(page, since=since, until=until, organisation_id=organisation_id)

    async def walk_ins(
        self, caller: Principal, help_point_id: uuid.UUID, first: date | None, days: int, page: PageRequest
    ) -> Page[WalkInRow]:
        await self._network.managed_help_point(caller, help_point_id)
        _, since, until = span(first, days, today=self._today())
        return await q.walk_ins(page, help_point_id=help_point_id, since=since, until=until)

    async def record_walk_in(self, caller: Principal, help_point_id: uuid.UUID, visit: WalkInIn) -> WalkInRow:
        point = await self._network.managed_help_point(caller, help_point_id)
        return await self.record_at(caller, point, visit)

    async def record_at(self, caller: Principal, point: HelpPoint, visit: WalkInIn) -> WalkInRow:
        """Record a walk-in at `point` for a caller already allowed there (its coordinator, or the volunteer on a
        drop-in shift there today)."""
        help_point_id = point.id
        shortest, longest = WALK_IN_MINUTES
        if not shortest <= visit.minutes <= longest:
            raise InvalidInput(f"A visit lasts {shortest} to {longest} minutes.", code="minutes_out_of_range")
        topic = await topics_q.get_topic(visit.topic)
        if topic is None:
            raise InvalidInput("No such topic.", code="topic_unknown")
        known = {o.code for o in topic.outcomes}
        unknown = sorted(set(visit.outcomes) - known)
        if unknown:
            raise InvalidInput(
                f"Unknown outcomes for this topic: {', '.join(unknown)}.",
                code="outcome_unknown",
                extra={"allowed": sorted(known)},
            )
        async with write_transaction(self._engine):
            found = await q.insert_walk_in(
                help_point_id=help_point_id,
                topic=topic.code,
                language=visit.language,
                minutes=visit.minutes,
                outcomes=sorted(set(visit.outcomes)),
                at=self._clock.now(),
                by=caller.person_id,
            )
            await self._audit.record(
                caller,
                "walk_in.record",
                "walk_in",
                str(found.id),
                organisation_id=point.organisation_id,
                detail={"help_point": str(help_point_id), "topic": topic.code, "minutes": visit.minutes},
            )
        return found

    async def remove_walk_in(self, caller: Principal, help_point_id: uuid.UUID, walk_in_id: uuid.UUID) -> None:
        """Take back a mistaken tap (within a week: older ones are in reports already sent)."""
        point = await self._network.managed_help_point(caller, help_point_id)
        found = await q.walk_in(walk_in_id, help_point_id)
        if found is None:
            raise NotFound("No such walk-in.", code="walk_in_not_found")
        if found.recorded_at < self._clock.now() - timedelta(days=WALK_IN_UNDO_DAYS):
            raise Conflict(
                f"A walk-in can be removed within {WALK_IN_UNDO_DAYS} days of recording it.", code="walk_in_too_old"
            )
        async with write_transaction(self._engine):
            await q.delete_walk_in(walk_in_id)
            await self._audit.record(
                caller,
                "walk_in.remove",
                "walk_in",
                str(walk_in_id),
                organisation_id=point.organisation_id,
                detail={"help_point": str(help_point_id)},
            )
