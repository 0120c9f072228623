"""Drop-in hours (päivystys): coordinators publish a help point's weekly drop-in hours, residents see which are open
now and the next ones in their municipality (PWA, voice menu, an SMS keyword), and volunteers take shifts on them.

A shift is placed like a session: in one write transaction serialised per volunteer (and per hour and date), the
volunteer's sessions and other shifts may not overlap it and the week's sessions and shifts stay under their
weekly limit; slot search and the session guard count shifts the same way (`db.candidates`, `Placement`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from server.adapters.clock import Clock
from server.db import days as days_q
from server.db import drop_in as q
from server.db import network as network_q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, serialise, write_transaction
from server.domain.clocktime import Interval, local_date, local_start
from server.domain.desk import WalkInRow, span
from server.domain.drop_in import (
    COMING_DAYS,
    DEFAULT_COMING_DAYS,
    MAX_HOURS_PER_POINT,
    SHIFT_DAYS,
    UNSTAFFED_DAYS,
    DropInHour,
    Occurrence,
    Place,
    ShiftNotice,
    occurrences,
    on_day,
    validate,
)
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.paging import Page, PageRequest, page_of
from server.domain.roles import Principal
from server.services.audit import AuditService
from server.services.desk import DeskService, WalkInIn
from server.services.network import NetworkService
from server.services.notifications import NotificationService
from server.services.placement import Placement


@dataclass(frozen=True, slots=True)
class DropInHourIn:
    weekday: int
    starts: time
    ends: time
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("fi",)
    minutes_per_visitor: int = 30
    volunteers_needed: int = 1


def _after(found: list[Occurrence], page: PageRequest) -> list[Occurrence]:
    """The occurrences after the page's cursor (keyset paging over a list computed in memory)."""
    after = page.after((datetime, uuid.UUID))
    if after is None:
        return found
    key = (after[0], after[1])
    return [o for o in found if o.key > key]


class DropInService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        network: NetworkService,
        placement: Placement,
        desk: DeskService,
        notifications: NotificationService,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._network = network
        self._placement = placement
        self._desk = desk
        self._notifications = notifications

    # ---- coordinators -----------------------------------------------------------------------------------------

    async def hours(self, caller: Principal, help_point_id: uuid.UUID) -> list[DropInHour]:
        await self._network.managed_help_point(caller, help_point_id)
        return await q.of_point(help_point_id)

    async def add(self, caller: Principal, help_point_id: uuid.UUID, hour: DropInHourIn) -> DropInHour:
        point = await self._network.managed_help_point(caller, help_point_id)
        validate(hour.weekday, hour.starts, hour.ends, hour.minutes_per_visitor, hour.volunteers_needed, hour.languages)
        known = {t.code for t in await topics_q.list_topics(active_only=True)}
        unknown = sorted(set(hour.topics) - known)
        if unknown:
            raise InvalidInput(f"No such topic: {', '.join(unknown)}.", code="topic_unknown")
        async with write_transaction(self._engine):
            await serialise(self._engine, f"drop_in_hours:{help_point_id}")
            if await q.count_of_point(help_point_id) >= MAX_HOURS_PER_POINT:
                raise Conflict(
                    f"A help point has at most {MAX_HOURS_PER_POINT} drop-in hours. Remove one first.",
                    code="too_many_drop_in_hours",
                )
            hour_id = await q.insert(
                help_point_id=help_point_id,
                weekday=hour.weekday,
                starts=hour.starts,
                ends=hour.ends,
                topics=sorted(set(hour.topics)),
                languages=list(dict.fromkeys(hour.languages)),
                minutes_per_visitor=hour.minutes_per_visitor,
                volunteers_needed=hour.volunteers_needed,
                now=self._clock.now(),
            )
            await self._audit.record(
                caller,
                "drop_in_hour.add",
                "drop_in_hour",
                str(hour_id),
                organisation_id=point.organisation_id,
                detail={
                    "help_point": str(help_point_id),
                    "weekday": hour.weekday,
                    "starts": hour.starts.isoformat(),
                    "ends": hour.ends.isoformat(),
                },
            )
        found = await q.hour(hour_id)
        assert found is not None
        return found[0]

    async def remove(self, caller: Principal, help_point_id: uuid.UUID, hour_id: uuid.UUID) -> list[uuid.UUID]:
        """Take a drop-in hour out of force; the shifts not yet started go with it, and their volunteers are told.
        The volunteers who had them."""
        point = await self._network.managed_help_point(caller, help_point_id)
        async with write_transaction(self._engine):
            if not await q.end(hour_id, help_point_id):
                raise NotFound("No such drop-in hour.", code="drop_in_hour_not_found")
            removed = await q.delete_coming_shifts(hour_id, self._clock.now())
            volunteers = [r.volunteer_id for r in removed]
            await self._notifications.shifts_removed(removed)
            await self._audit.record(
                caller,
                "drop_in_hour.remove",
                "drop_in_hour",
                str(hour_id),
                organisation_id=point.organisation_id,
                detail={"help_point": str(help_point_id), "shifts_removed": len(volunteers)},
            )
        return volunteers

    async def desk_day(
        self, caller: Principal, help_point_id: uuid.UUID, first: date | None, days: int
    ) -> list[tuple[Occurrence, list[str]]]:
        """A help point's drop-in hours on `days` days from `first` (default today) for the desk: each with the first
        names of the volunteers on shift."""
        await self._network.managed_help_point(caller, help_point_id)
        first, _, _ = span(first, days, today=self._today())
        last = first + timedelta(days=days - 1)
        hours = await q.in_force(help_points={help_point_id})
        found = await self._dated(hours, first, last)
        names = await q.on_duty({h.id for h, _ in hours}, first, last)
        return [(o, names.get((o.hour.id, o.day), [])) for o in found]

    async def unstaffed(self, caller: Principal, page: PageRequest) -> Page[Occurrence]:
        """Drop-in hours of the caller's organisations short of volunteers: those in the next few days, and every
        coming one a deactivated (or departed) volunteer was on."""
        today = self._today()
        hours = await q.in_force(organisations=caller.oversees)
        found = await self._dated(hours, today, today + timedelta(days=SHIFT_DAYS - 1))
        now = self._clock.now()
        soon = today + timedelta(days=UNSTAFFED_DAYS - 1)
        short = [
            o for o in found if o.ends_at > now and o.staffed < o.hour.volunteers_needed and (o.day <= soon or o.gone)
        ]
        return page_of(_after(short, page), page, lambda o: o.key)

    # ---- residents (public) -----------------------------------------------------------------------------------

    async def coming(
        self, page: PageRequest, *, municipality: str | None, days: int = DEFAULT_COMING_DAYS, topic: str | None = None
    ) -> Page[Occurrence]:
        """The drop-in hours open now and coming in the next `days` days (of a municipality, or serving a topic),
        earliest first."""
        fewest, most = COMING_DAYS
        if not fewest <= days <= most:
            raise InvalidInput(f"Look {fewest} to {most} days ahead.", code="days_out_of_range")
        today = self._today()
        hours = await q.in_force(municipality=municipality, topic=topic)
        now = self._clock.now()
        found = [o for o in await self._dated(hours, today, today + timedelta(days=days - 1)) if o.ends_at > now]
        return page_of(_after(found, page), page, lambda o: o.key)

    async def next_ones(self, *, municipality: str | None, count: int) -> list[Occurrence]:
        """The next `count` drop-in hours (in a municipality, else anywhere), for the voice menu and SMS."""
        found = await self.coming(PageRequest(count), municipality=municipality, days=COMING_DAYS[1])
        return list(found.items)

    async def municipalities(self) -> list[str]:
        return await q.municipalities()

    # ---- volunteers -------------------------------------------------------------------------------------------

    async def shifts(self, caller: Principal, page: PageRequest) -> Page[Occurrence]:
        """The drop-in hours at the caller's help points in the next four weeks that need volunteers, or that they
        are on, with how many are on each."""
        points = await q.works_at(caller.person_id)
        today = self._today()
        last = today + timedelta(days=SHIFT_DAYS - 1)
        hours = [(h, p) for h, p in await q.in_force(help_points=points) if h.volunteers_needed > 0]
        mine = await q.shifts_of(caller.person_id, today, last)
        now = self._clock.now()
        found = [
            replace(o, mine=(o.hour.id, o.day) in mine)
            for o in await self._dated(hours, today, last)
            if o.ends_at > now
        ]
        return page_of(_after(found, page), page, lambda o: o.key)

    async def take(self, caller: Principal, hour_id: uuid.UUID, day: date) -> Occurrence:
        """Put the caller on the drop-in hour of `day`. Taking it again changes nothing."""
        hour, place = await self._volunteer_hour(caller, hour_id)
        exceptions = await days_q.days_off(place.id, day, day)
        dated = occurrences([(hour, place)], day, day, {place.id: exceptions})
        now = self._clock.now()
        if not dated:
            raise Conflict("There is no drop-in hour that day (the help point is closed).", code="drop_in_not_on_day")
        occurrence = dated[0]
        if occurrence.starts_at <= now:
            raise Conflict("This drop-in hour has already begun.", code="drop_in_started")
        if day > self._today() + timedelta(days=SHIFT_DAYS):
            raise InvalidInput(f"Shifts can be taken {SHIFT_DAYS} days ahead.", code="drop_in_too_far")
        if hour.volunteers_needed == 0:
            raise Conflict("The help point's own staff run this drop-in hour.", code="drop_in_no_shifts")
        volunteer = caller.person_id
        buffer = self._placement.rules.buffer
        async with write_transaction(self._engine):
            await self._placement.hold_volunteer(
                volunteer, Interval(occurrence.starts_at - buffer, occurrence.ends_at + buffer)
            )
            await serialise(self._engine, f"drop_in:{hour_id}:{day.isoformat()}")
            on, _ = await q.staffing({hour_id}, day, day)
            staffed = on[(hour_id, day)]
            if await q.has_shift(hour_id, day, volunteer):
                return replace(occurrence, mine=True, staffed=staffed)
            if staffed >= hour.volunteers_needed:
                raise Conflict("This drop-in hour has all the volunteers it needs.", code="drop_in_full")
            span = (occurrence.starts_at - buffer, occurrence.ends_at + buffer)
            busy, full = await self._placement.volunteer_load(
                volunteer, Interval(*span), Interval(occurrence.starts_at, occurrence.ends_at)
            )
            if busy:
                raise Conflict("You have a session or another shift at that time.", code="volunteer_busy")
            if full:
                raise Conflict(
                    "That week is full: your weekly limit counts sessions and shifts.", code="weekly_limit_reached"
                )
            shift_id = await q.insert_shift(
                hour_id=hour_id,
                day=day,
                volunteer_id=volunteer,
                starts_at=occurrence.starts_at,
                ends_at=occurrence.ends_at,
                now=now,
            )
            await self._notifications.shift_taken(ShiftNotice(shift_id, volunteer, occurrence.starts_at, place.name))
            await self._audit.record(
                caller,
                "drop_in_shift.take",
                "drop_in_hour",
                str(hour_id),
                organisation_id=place.organisation_id,
                detail={"day": day.isoformat()},
            )
        return replace(occurrence, mine=True, staffed=staffed + 1)

    async def give_back(self, caller: Principal, hour_id: uuid.UUID, day: date) -> None:
        """Come off a shift that has not begun (the coordinators see it unstaffed again)."""
        hour, place = await self._volunteer_hour(caller, hour_id)
        times = on_day(hour, day, (await days_q.days_off(place.id, day, day)).get(day))
        if times is not None and local_start(day, times[0]) <= self._clock.now():
            raise Conflict("This drop-in hour has already begun.", code="drop_in_started")
        async with write_transaction(self._engine):
            shift_id = await q.delete_shift(hour_id, day, caller.person_id)
            if shift_id is None:
                raise NotFound("You are not on that shift.", code="drop_in_shift_not_found")
            await self._notifications.shift_given_back(shift_id)
            await self._audit.record(
                caller,
                "drop_in_shift.give_back",
                "drop_in_hour",
                str(hour_id),
                organisation_id=place.organisation_id,
                detail={"day": day.isoformat()},
            )

    async def record_walk_in(self, caller: Principal, hour_id: uuid.UUID, day: date, visit: WalkInIn) -> WalkInRow:
        """A visitor the volunteer on shift helped at today's drop-in hour (no name; the statistics' channel
        "walk-in", like one recorded at the desk)."""
        _, place = await self._volunteer_hour(caller, hour_id)
        if day != self._today():
            raise Conflict("Visitors are recorded on the day of the shift.", code="drop_in_not_today")
        if not await q.has_shift(hour_id, day, caller.person_id):
            raise NotFound("You are not on that shift.", code="drop_in_shift_not_found")
        point = await network_q.get_help_point(place.id)
        if point is None:
            raise NotFound("No such drop-in hour.", code="drop_in_hour_not_found")
        return await self._desk.record_at(caller, point, visit)

    # ---- helpers ----------------------------------------------------------------------------------------------

    def _today(self) -> date:
        return local_date(self._clock.now())

    async def _volunteer_hour(self, caller: Principal, hour_id: uuid.UUID) -> tuple[DropInHour, Place]:
        """A drop-in hour at one of the caller's help points (404 for any other)."""
        found = await q.hour(hour_id)
        if found is None or found[1].id not in await q.works_at(caller.person_id):
            raise NotFound("No such drop-in hour.", code="drop_in_hour_not_found")
        return found

    async def _dated(self, hours: list[tuple[DropInHour, Place]], first: date, last: date) -> list[Occurrence]:
        """The hours' occurrences from `first` to `last`, closures applied, with how many volunteers are on each."""
        if not hours:
            return []
        points = {p.id for _, p in hours}
        every = await days_q.days_off_everywhere(first, last)
        dated = occurrences(hours, first, last, {p: every[p] for p in points if p in every})
        staffed, gone = await q.staffing({h.id for h, _ in hours}, first, last)
        return [replace(o, staffed=staffed[(o.hour.id, o.day)], gone=gone[(o.hour.id, o.day)]) for o in dated]
