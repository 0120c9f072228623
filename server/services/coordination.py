"""Coordinators' work: the queues, manual assignment with the ranked candidates and why, and booking on behalf
of a resident who phoned.

Scope: the network coordinator sees the whole network. A partner coordinator sees requests routed to their
organisation and requests at its help points (phone and video requests that nobody took are the network
coordinator's), sessions at its help points or with its volunteers, and may assign only its own volunteers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from server.adapters.clock import Clock
from server.db import booking as booking_q
from server.db import network as network_q
from server.db import people as people_q
from server.db import queues as q
from server.db import requests as requests_q
from server.db.engine import AnyEngine, write_transaction
from server.domain.days import HORIZON_DAYS
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.matching import Excluded, Need, Ranked, rank
from server.domain.paging import Page, PageRequest, page_of
from server.domain.phone import parse_any, parse_finnish
from server.domain.records import QueuedRequest, SessionRow
from server.domain.requests import HelpRequestRow
from server.domain.roles import ForResident, Principal, Role
from server.domain.states import RequestState, request_after
from server.services.audit import AuditService
from server.services.booking import Booked, BookingQuery, BookingService, OnBehalf
from server.services.offers import Asked, OfferService
from server.services.placement import Placement
from server.services.sessions import SessionService

AT_RISK_AHEAD = timedelta(days=7)  # failed or unconfirmed messages; a volunteer who is gone: every coming session
UNRECORDED_AFTER = timedelta(hours=2)
UNRECORDED_LOOKBACK = timedelta(days=30)
FAILED_LOOKBACK = timedelta(hours=24)
UNCONFIRMED_AHEAD = timedelta(hours=36)  # tomorrow's sessions, whose day-before reminder has gone out


@dataclass(frozen=True, slots=True)
class Risk:
    session: q.RiskySession
    reason: str  # volunteer_inactive | volunteer_left | no_volunteer | not_recorded
    text: str


@dataclass(frozen=True, slots=True)
class CandidateView:
    volunteer_id: uuid.UUID
    first_name: str
    score: int | None  # None: excluded
    reasons: tuple[tuple[str, int, str, str], ...]  # (code, points, text, value)
    excluded_code: str | None = None
    excluded_text: str | None = None


def _candidate_order(key: tuple[int, int, uuid.UUID]) -> tuple[int, int, int]:
    return key[0], key[1], key[2].int  # as the ranking sorts: by score, best first, then by id


def _candidate_view(found: Ranked | Excluded, names: dict[uuid.UUID, str]) -> CandidateView:
    """A ranked volunteer with the reasons of their score, or an excluded one with why."""
    if isinstance(found, Ranked):
        reasons = tuple((x.code, x.points, x.text, x.value) for x in found.reasons)
        return CandidateView(found.candidate_id, names.get(found.candidate_id, ""), found.score, reasons)
    return CandidateView(found.candidate_id, names.get(found.candidate_id, ""), None, (), found.code, found.text)


@dataclass(frozen=True, slots=True)
class Caller:
    """A resident who phoned: who they are and that they agreed to the booking."""

    phone: str
    first_name: str
    language: str
    consent: bool


class CoordinationService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        booking: BookingService,
        placement: Placement,
        offers: OfferService,
        sessions: SessionService,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._booking = booking
        self._placement = placement
        self._sessions = sessions
        self._offers = offers

    # ---- queues -------------------------------------------------------------------------------------------

    async def unmatched(self, caller: Principal, page: PageRequest) -> Page[QueuedRequest]:
        """Requests nobody has yet (open, or offered and waiting for an answer), longest waiting first."""
        return await q.waiting_requests(page, states=q.WAITING, within=caller.oversees)

    async def routed(self, caller: Principal, page: PageRequest) -> Page[QueuedRequest]:
        """Requests routed to a partner: a partner sees those routed to them, not those merely at their help
        points."""
        return await q.waiting_requests(page, states=("routed",), within=caller.oversees, routed_here=True)

    async def at_risk(self, caller: Principal, page: PageRequest) -> Page[Risk]:
        """Coming sessions at risk (by start), then past ones not recorded (by start); a session at risk for two
        reasons is two items. The cursor is (0 coming | 1 past, start, session id, the risk's rank in it)."""
        now = self._clock.now()
        windows = (
            q.RiskWindow(
                past=False,
                since=now,
                until=now + AT_RISK_AHEAD,
                failed_since=now - FAILED_LOOKBACK,
                unconfirmed_before=now + UNCONFIRMED_AHEAD,
                ended_by=now,
                # A volunteer who is gone leaves every coming session, however far ahead, to be given to another.
                people_until=now + timedelta(days=HORIZON_DAYS),
            ),
            q.RiskWindow(
                past=True,
                since=now - UNRECORDED_LOOKBACK,
                until=now - UNRECORDED_AFTER,
                failed_since=now,
                unconfirmed_before=now,
                ended_by=now - UNRECORDED_AFTER,
            ),
        )
        start = page.after((int, datetime, uuid.UUID, int))
        wanted = page.limit + 1
        found: list[tuple[tuple[Any, ...], Risk]] = []
        for section, window in enumerate(windows):
            if start is not None and section < cast(int, start[0]):
                continue
            resume = start is not None and start[0] == section
            after = (cast(datetime, start[1]), cast(uuid.UUID, start[2])) if start is not None and resume else None
            including = after[1] if after is not None else None
            while len(found) < wanted:
                sessions = await q.sessions_at_risk(
                    window, within=caller.oversees, after=after, including=including, limit=wanted
                )
                for order, risk in await self._risks(window, sessions, now):
                    key = (section, risk.session.starts_at, risk.session.id, order)
                    if start is None or key > start:
                        found.append((key, risk))
                if len(sessions) < wanted:
                    break
                after, including = (sessions[-1].starts_at, sessions[-1].id), None
            if len(found) >= wanted:
                break
        return page_of(found, page, lambda item: item[0]).map(lambda item: item[1])

    async def _risks(
        self, window: q.RiskWindow, sessions: list[q.RiskySession], now: datetime
    ) -> list[tuple[int, Risk]]:
        """The risks of each session in order, each with its rank within its session."""
        risks: list[tuple[int, Risk]] = []
        if window.past:
            for s in sessions:
                if s.ends_at <= window.ended_by:
                    risks.append((0, Risk(s, "not_recorded", "Ended over two hours ago without done or no-show.")))
            return risks
        soon = [s for s in sessions if s.starts_at < window.until]  # messages matter for the coming week
        failed = await q.sessions_with_failed_messages([s.id for s in soon], window.failed_since)
        reminded = await q.sessions_reminded([s.id for s in soon if s.starts_at < window.unconfirmed_before])
        for s in sessions:
            if s.volunteer_id is None:
                risks.append((0, Risk(s, "no_volunteer", "No volunteer: assign one or call the resident.")))
            elif not s.volunteer_active:
                risks.append((0, Risk(s, "volunteer_inactive", "The volunteer has been deactivated.")))
            elif not s.volunteer_still_volunteers:
                risks.append((0, Risk(s, "volunteer_left", "The volunteer no longer volunteers here.")))
            if s.id in failed:
                risks.append((1, Risk(s, "reminder_failed", "A reminder could not be delivered: call to remind.")))
            elif s.id in reminded and s.confirmed_at is None:
                risks.append((1, Risk(s, "unconfirmed", "Reminded but not confirmed: the resident may not come.")))
        return risks

    async def _visible(self, caller: Principal, request_id: uuid.UUID) -> HelpRequestRow:
        found = await requests_q.visible(request_id, caller.oversees)
        if found is None:
            raise NotFound("No such request.", code="request_not_found")
        return found

    # ---- manual assignment --------------------------------------------------------------------------------

    async def candidates(
        self, caller: Principal, request_id: uuid.UUID, starts_at: datetime | None, page: PageRequest
    ) -> Page[CandidateView]:
        """Everyone who could take the request (best first, with each score's reasons), then those who could
        not, with why; a page of them. For a partner coordinator, only their own volunteers.

        The ranking is made for every page (it is the whole network's volunteers, ranked as a whole); a page starts
        after the last one's (eligible first, score, id), so a change between pages moves nobody twice."""
        request = await self._visible(caller, request_id)
        when = self._placement.interval(starts_at, self._clock.now()) if starts_at is not None else None
        ranking_request, people = await self._placement.ranking_inputs(request, when=when)
        ranking = rank(ranking_request, people, self._placement.rules)
        allowed = None if caller.is_network_coordinator else await q.volunteer_ids_of(caller.coordinated_organisations)
        found: list[tuple[tuple[int, int, uuid.UUID], Ranked | Excluded]] = [
            ((0, -r.score, r.candidate_id), r) for r in ranking.ranked if allowed is None or r.candidate_id in allowed
        ]
        found += [((1, 0, e.candidate_id), e) for e in ranking.excluded if allowed is None or e.candidate_id in allowed]
        after = page.after((int, int, uuid.UUID))
        if after is not None:
            start = cast(tuple[int, int, uuid.UUID], after)
            found = [item for item in found if _candidate_order(item[0]) > _candidate_order(start)]
        kept = page_of(found[: page.limit + 1], page, key=lambda item: item[0])
        names = await q.first_names([item[1].candidate_id for item in kept.items])
        return kept.map(lambda item: _candidate_view(item[1], names))

    async def assign(
        self, caller: Principal, request_id: uuid.UUID, volunteer_id: uuid.UUID, starts_at: datetime
    ) -> SessionRow:
        """Give a waiting request to a volunteer at a time: the volunteer must pass every hard rule then."""
        request = await self._visible(caller, request_id)
        request_after(RequestState(request.state), "assign")
        if not caller.is_network_coordinator and volunteer_id not in await q.volunteer_ids_of(
            caller.coordinated_organisations
        ):
            raise InvalidInput("This volunteer is not in your organisation.", code="volunteer_outside_organisation")
        when = self._placement.interval(starts_at, self._clock.now())
        wanted, people = await self._placement.ranking_inputs(request, when=when)
        await self._placement.check_open(request.modality, request.help_point_id, when)
        ranking = rank(wanted, people, self._placement.rules)
        if not any(r.candidate_id == volunteer_id for r in ranking.ranked):
            why = next((e.text for e in ranking.excluded if e.candidate_id == volunteer_id), None)
            raise Conflict(
                f"This volunteer cannot take the request then: {why or 'not eligible for this topic and place'}.",
                code="volunteer_not_eligible",
            )
        placed = await self._placement.place(caller, volunteer_id, when, request=request)
        if placed is None:
            raise Conflict("The volunteer was just booked at that time. Choose another.", code="volunteer_busy")
        return placed

    # ---- booking on behalf ----------------------------------------------------------------------------------

    async def resident_for(self, caller: Principal, who: Caller) -> tuple[uuid.UUID, bool]:
        """The resident with the caller's number, created (as a resident) if new; and whether they were created.
        The lookup or creation is audited once the booking stands (`record_caller`)."""
        if not who.consent:
            raise InvalidInput(
                "Ask the resident whether they agree to the booking and to getting SMS about it, then tick consent.",
                code="consent_required",
            )
        number = parse_finnish(who.phone)  # a landline too: its reminders come as calls
        now = self._clock.now()
        async with write_transaction(self._engine):
            person = await people_q.get_person_by_phone(number)
            created = person is None
            person_id = (
                await people_q.insert_person(
                    phone=number, first_name=who.first_name.strip(), last_name="", language=who.language, now=now
                )
                if person is None
                else person.id
            )
            await people_q.grant(person_id=person_id, role=Role.RESIDENT, organisation_id=None, now=now)
        return person_id, created

    async def record_caller(
        self, caller: Principal, person_id: uuid.UUID, *, created: bool, purpose: str = "book on behalf"
    ) -> None:
        home = min(caller.coordinated_organisations, key=str) if caller.coordinated_organisations else None
        await self._audit.record(
            caller,
            "resident.create" if created else "resident.lookup",
            "person",
            str(person_id),
            organisation_id=home,
            subject_id=person_id,
            detail={"purpose": purpose, "consent": True},
        )

    async def _check_place_scope(self, caller: Principal, query: BookingQuery) -> None:
        if caller.is_network_coordinator or query.help_point_id is None:
            return
        point = await network_q.get_help_point(query.help_point_id)
        if point is not None and not caller.coordinates(point.organisation_id):
            raise InvalidInput("Book at your own organisation's help points.", code="help_point_outside_organisation")

    # ---- a resident on the phone ------------------------------------------------------------------------------

    async def caller_sessions(self, caller: Principal, *, phone: str, purpose: str) -> list[SessionRow]:
        """The coming sessions of the resident with this number that the coordinator oversees (the network
        coordinator: all). Looked up like `people.find_resident`, and audited the same way; a landline too, for
        residents who booked through the voice menu."""
        number = parse_any(phone) or ""
        person = await people_q.get_person_by_phone(number)
        home = min(caller.coordinated_organisations, key=str) if caller.coordinated_organisations else None
        resident = person is not None and any(g.role is Role.RESIDENT for g in person.grants)
        found = (
            await booking_q.coming_sessions_of_resident(person.id, within=caller.oversees, now=self._clock.now())
            if person is not None and resident
            else []
        )
        await self._audit.record(
            caller,
            "resident.sessions",
            "person",
            str(person.id) if person else "",
            organisation_id=home,
            subject_id=person.id if person else None,
            detail={"purpose": purpose, "found": person is not None, "sessions": len(found)},
        )
        if person is None or not resident:
            raise NotFound("No resident with this number.", code="resident_not_found")
        return found

    async def _for_resident(self, caller: Principal, session_id: uuid.UUID) -> ForResident:
        """The coordinator acts on the word of the resident whose session this is, if they oversee the session."""
        session = await booking_q.session_visible(session_id, caller.oversees)
        if session is None:
            raise NotFound("No such session.", code="session_not_found")
        return ForResident(caller, session.resident_id, scope_checked_by="booking.session_visible(caller.oversees)")

    async def cancel_for_resident(self, caller: Principal, session_id: uuid.UUID) -> SessionRow:
        """A resident asked on the phone to cancel: the session (which the coordinator oversees) is cancelled as
        if they had done it themselves, and they are told as usual (SMS, or a call for a landline)."""
        return await self._sessions.cancel_for(await self._for_resident(caller, session_id), session_id)

    async def another_volunteer(self, caller: Principal, session_id: uuid.UUID) -> SessionRow:
        """Keep the time, another volunteer: for a session whose volunteer was deactivated or left (or that has
        none), the best other volunteer free then. Only sessions the coordinator oversees."""
        found = await booking_q.session_visible(session_id, caller.oversees)
        if found is None:
            raise NotFound("No such session.", code="session_not_found")
        scope = caller.oversees
        among = await q.volunteer_ids_of(scope) if scope is not None else None
        return await self._sessions.another_volunteer(caller, found, among=among)

    async def move_for_resident(self, caller: Principal, session_id: uuid.UUID, starts_at: datetime) -> SessionRow:
        """A resident asked on the phone to move their session: as if they moved it themselves (the same
        volunteer if free, else the best one; they are told)."""
        return await self._sessions.move_for(await self._for_resident(caller, session_id), session_id, starts_at)

    async def book_on_behalf(
        self,
        caller: Principal,
        who: Caller,
        query: BookingQuery,
        *,
        starts_at: datetime | None,
        needs: frozenset[Need],
        idempotency_key: str | None,
    ) -> Booked | Asked:
        """A resident phoned: book a time for them (the best volunteer at once), or without a time ask the
        volunteers. The resident needs no account; their consent is recorded with the request."""
        await self._check_place_scope(caller, query)
        await self._booking.check(query, home_visit_allowed=starts_at is None)
        resident_id, created = await self.resident_for(caller, who)
        behalf = OnBehalf(resident_id=resident_id, consent_at=self._clock.now())
        try:
            done: Booked | Asked
            if starts_at is None:
                done = await self._offers.ask(caller, query, needs=needs, on_behalf=behalf)
            else:
                done = await self._booking.book(
                    caller, query, starts_at=starts_at, needs=needs, idempotency_key=idempotency_key, on_behalf=behalf
                )
        except BaseException:
            # Nothing half-written: a resident created for a booking that did not happen is removed again.
            if created:
                await people_q.forget_unused_person(resident_id)
            raise
        await self.record_caller(caller, resident_id, created=created)
        return done
