"""A help point's year: closures, other hours, public holidays, and the sessions a closure leaves without a place.

Closed days offer no times anywhere: slot search and the opening check read them (`server/domain/slots.py`), so
booking, moving, assignment and the voice menu all see them. A session already booked on a day that becomes
closed is never dropped silently: it is listed for the coordinator (`affected`), who moves or cancels it with the
resident's usual notice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from server.adapters.clock import Clock
from server.db import booking as booking_q
from server.db import days as q
from server.db import drop_in as drop_in_q
from server.db import network as network_q
from server.db.engine import AnyEngine, serialise, write_transaction
from server.domain.clocktime import local_date, local_interval
from server.domain.days import HORIZON_DAYS, DayException, DayState, finnish_holidays, validate, windows_of
from server.domain.errors import Forbidden, InvalidInput, NotFound
from server.domain.network import HelpPoint
from server.domain.paging import Page, PageRequest, page_of
from server.domain.records import SessionRow
from server.domain.roles import Principal
from server.services.audit import AuditService
from server.services.notifications import NotificationService

log = logging.getLogger("apuri.days")
MAX_DAYS_AT_ONCE = 31
DEFAULT_SPAN_DAYS = 120


@dataclass(frozen=True, slots=True)
class Affected:
    """A coming session on a day its help point is closed (or open at hours that leave it out)."""

    session: SessionRow
    day: DayException


class DayService:
    def __init__(
        self, *, clock: Clock, engine: AnyEngine, audit: AuditService, notifications: NotificationService
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._notifications = notifications

    def _today(self) -> date:
        return local_date(self._clock.now())

    async def _point(self, caller: Principal, help_point_id: uuid.UUID) -> HelpPoint:
        point = await network_q.get_help_point(help_point_id)
        if point is None or not caller.coordinates(point.organisation_id):
            raise NotFound("No such help point.", code="help_point_not_found")
        return point

    def _check_range(self, first: date, last: date) -> None:
        today = self._today()
        if last < first:
            raise InvalidInput("The end date is before the start date.", code="dates_order")
        if first < today - timedelta(days=366) or last > today + timedelta(days=HORIZON_DAYS):
            raise InvalidInput(f"Days can be set from today up to {HORIZON_DAYS} days ahead.", code="date_out_of_range")

    async def days(
        self, caller: Principal, help_point_id: uuid.UUID, first: date | None, last: date | None
    ) -> list[DayException]:
        await self._point(caller, help_point_id)
        first = first or self._today()
        last = last or first + timedelta(days=DEFAULT_SPAN_DAYS)
        self._check_range(first, last)
        return await q.of_point(help_point_id, first, last)

    async def set_day(
        self,
        caller: Principal,
        help_point_id: uuid.UUID,
        day: date,
        *,
        state: DayState,
        opens: time | None,
        closes: time | None,
        reason: Mapping[str, str],
    ) -> DayException:
        """Close a day, give it other hours, or keep a holiday open. Sessions already booked that day are listed
        in `affected` until a coordinator moves or cancels them."""
        await self._point(caller, help_point_id)
        if day < self._today():
            raise InvalidInput("A day that is over cannot be changed.", code="day_past")
        self._check_range(day, day)
        clean = {k: v.strip() for k, v in reason.items() if v.strip()}
        validate(state, opens, closes, clean)
        async with write_transaction(self._engine):
            await q.save(
                help_point_id,
                day,
                state=state,
                opens=opens,
                closes=closes,
                reason=clean,
                source="coordinator",
                now=self._clock.now(),
                by=caller.person_id,
            )
            removed, moved = await drop_in_q.refit_shifts(
                help_point_id, day, DayException(help_point_id, day, state, opens, closes, clean)
            )
            await self._notifications.shifts_removed(removed)
            await self._notifications.shifts_moved(moved)
            await self._audit.record(
                caller,
                "help_point.day",
                "help_point",
                str(help_point_id),
                organisation_id=(await self._point(caller, help_point_id)).organisation_id,
                detail={"day": day.isoformat(), "state": state.value},
            )
        found = await q.days_off(help_point_id, day, day)
        return found[day]

    async def remove_day(self, caller: Principal, help_point_id: uuid.UUID, day: date) -> None:
        """Back to the weekly hours (a public holiday comes back as closed with the next holiday fill)."""
        point = await self._point(caller, help_point_id)
        if day < self._today():
            raise InvalidInput("A day that is over cannot be changed.", code="day_past")
        async with write_transaction(self._engine):
            if not await q.remove(help_point_id, day):
                raise NotFound("Nothing is set for that day.", code="day_not_found")
            removed, moved = await drop_in_q.refit_shifts(help_point_id, day, None)
            await self._notifications.shifts_removed(removed)
            await self._notifications.shifts_moved(moved)
            await self._audit.record(
                caller,
                "help_point.day_removed",
                "help_point",
                str(help_point_id),
                organisation_id=point.organisation_id,
                detail={"day": day.isoformat()},
            )

    async def close_many(
        self, caller: Principal, days: list[date], municipality: str | None, reason: Mapping[str, str]
    ) -> int:
        """The network coordinator closes every help point of a municipality (or all) on the given days."""
        if not caller.is_network_coordinator:
            raise Forbidden("Only the network coordinator closes many help points at once.", code="network_only")
        if not days or len(set(days)) > MAX_DAYS_AT_ONCE:
            raise InvalidInput(f"Give 1 to {MAX_DAYS_AT_ONCE} days.", code="days_count")
        for day in days:
            if day < self._today():
                raise InvalidInput("A day that is over cannot be changed.", code="day_past")
            self._check_range(day, day)
        clean = {k: v.strip() for k, v in reason.items() if v.strip()}
        validate(DayState.CLOSED, None, None, clean)
        points = await q.points_in(municipality, None)
        if municipality and not points:
            raise NotFound("No help points in that municipality.", code="municipality_not_found")
        now = self._clock.now()
        async with write_transaction(self._engine):
            for point in points:
                for day in sorted(set(days)):
                    await q.save(
                        point,
                        day,
                        state=DayState.CLOSED,
                        opens=None,
                        closes=None,
                        reason=clean,
                        source="coordinator",
                        now=now,
                        by=caller.person_id,
                    )
                    removed, _ = await drop_in_q.refit_shifts(point, day, DayException(point, day, DayState.CLOSED))
                    await self._notifications.shifts_removed(removed)
            await self._audit.record(
                caller,
                "help_point.close_many",
                "help_point",
                municipality or "all",
                detail={"days": sorted(d.isoformat() for d in set(days)), "help_points": len(points)},
            )
        return len(points) * len(set(days))

    async def affected(self, caller: Principal, page: PageRequest) -> Page[Affected]:
        """Coming sessions on days their help point is closed, or outside the day's other hours, at help points
        the caller oversees (the network coordinator: all); the earliest first, a page at a time."""
        after = page.after((datetime, uuid.UUID))
        found = [
            a for a in await self._affected(caller) if after is None or (a.session.starts_at, a.session.id) > after
        ]
        return page_of(found[: page.limit + 1], page, lambda a: (a.session.starts_at, a.session.id))

    async def _affected(self, caller: Principal) -> list[Affected]:
        now = self._clock.now()
        today = local_date(now)
        found: list[Affected] = []
        for exception in await q.closed_ahead(today, today + timedelta(days=HORIZON_DAYS), caller.oversees):
            start = local_interval(exception.day, time(0), time(23, 59, 59))
            if start is None:
                continue
            for row in await q.sessions_at(exception.help_point_id, max(start.start, now), start.end):
                if exception.state is DayState.HOURS and _fits(exception, row["starts_at"], row["ends_at"]):
                    continue
                session = await booking_q.session(row["id"])
                if session is not None:
                    found.append(Affected(session=session, day=exception))
        return sorted(found, key=lambda a: (a.session.starts_at, a.session.id.int))

    async def fill_holidays(self, points: list[uuid.UUID] | None = None) -> int:
        """Every Finnish public holiday from today to the horizon, closed at every active help point (or those of
        `points`: a help point just added) where nothing is set for the date yet. Idempotent: the scheduler runs
        it hourly."""
        today = self._today()
        async with write_transaction(self._engine):
            # Workers started together run this at the same moment: one after the other, the second finds the
            # days the first added (without it, one read, the other inserted, and the first failed on the unique
            # index).
            await serialise(self._engine, "holidays")
            added = await q.fill_holidays(
                finnish_holidays(today, today + timedelta(days=HORIZON_DAYS)), self._clock.now(), points
            )
        if added:
            log.info("holidays: %d closed days added", added)
        return added


def _fits(exception: DayException, starts_at: datetime, ends_at: datetime) -> bool:
    for opens, closes in windows_of(exception.day, [], exception):
        window = local_interval(exception.day, opens, closes)
        if window is not None and window.start <= starts_at <= ends_at <= window.end:
            return True
    return False
