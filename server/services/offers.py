"""Flexible requests ("call me when someone can help") and their offers.

The request is offered to the best few volunteers at once. The first to accept gets it, exactly one: the
acceptance runs serialised per request and moves the request only from `offering`. Offers nobody answers in
time expire; the next volunteers in the ranking get theirs; when nobody is left the request waits in the
coordinators' queue (state `open`). Sending the push/SMS for offers belongs to the notifications.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.adapters.clock import Clock
from server.db import booking as booking_q
from server.db import offers as q
from server.db import requests as requests_q
from server.db.engine import AnyEngine, is_unique_violation, serialise, write_transaction
from server.domain.errors import Conflict, NotFound
from server.domain.matching import Need, rank
from server.domain.paging import Page, PageRequest
from server.domain.records import OfferRow, SessionRow
from server.domain.reminders import SessionEvent
from server.domain.requests import HelpRequestRow
from server.domain.roles import ForResident, Principal
from server.domain.states import OfferState, RequestState, SessionState, offer_after, request_after, session_after
from server.services.audit import AuditService
from server.services.booking import BookingQuery, BookingService, OnBehalf, new_request
from server.services.notifications import NotificationService
from server.services.placement import Placement, replayed

OFFERS_PER_ROUND = 3
OFFER_TIME = timedelta(minutes=30)
TAKEN = "Someone else took this request already. Thank you!"


@dataclass(frozen=True, slots=True)
class Asked:
    request_id: uuid.UUID
    state: RequestState
    offers: int
    replayed: bool = False


def flexible_fingerprint(query: BookingQuery, needs: frozenset[Need]) -> str:
    """What a flexible request asked for, to tell a repeated tap from a different request with the same key."""
    body = json.dumps(
        [
            query.topic,
            query.language,
            query.modality.value,
            str(query.help_point_id),
            query.home_address,
            sorted(n.value for n in needs),
        ]
    )
    return hashlib.sha256(body.encode()).hexdigest()


class OfferService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        audit: AuditService,
        booking: BookingService,
        placement: Placement,
        notifications: NotificationService,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._booking = booking
        self._placement = placement
        self._notifications = notifications

    async def ask(
        self,
        caller: Principal,
        query: BookingQuery,
        *,
        needs: frozenset[Need],
        on_behalf: OnBehalf | None = None,
        idempotency_key: str | None = None,
    ) -> Asked:
        """A resident asks for help without a time (or a coordinator does, for a resident who phoned). A repeated
        Idempotency-Key returns the first request instead of asking twice."""
        resident_id = on_behalf.resident_id if on_behalf else caller.person_id
        fingerprint = flexible_fingerprint(query, needs)
        first = await replayed(resident_id, idempotency_key, fingerprint, what="request")
        if first is not None:
            return Asked(first.id, RequestState(first.state), await q.pending_count(first.id), replayed=True)
        topic = await self._booking.check(query, home_visit_allowed=True)
        now = self._clock.now()
        new = new_request(caller, query, needs, now, on_behalf, key=idempotency_key, fingerprint=fingerprint)
        try:
            if topic.partner_only_organisation_id is not None:
                routed = await self._booking.route(caller, new, topic.partner_only_organisation_id)
                async with write_transaction(self._engine):
                    await self._notifications.request_received(routed.request_id, resident_id)
                return Asked(routed.request_id, routed.state, 0)
            async with write_transaction(self._engine):
                request_id = await requests_q.insert(new, state=RequestState.OPEN.value)
                await self._audit.record(caller, "request.create", "request", str(request_id), subject_id=resident_id)
                await self._notifications.request_received(request_id, resident_id)
        except Exception as exc:
            # The same key sent again while the first was in flight: its insert lost to the first's.
            if idempotency_key and is_unique_violation(exc):
                first = await replayed(resident_id, idempotency_key, fingerprint, what="request")
                if first is not None:
                    return Asked(first.id, RequestState(first.state), await q.pending_count(first.id), replayed=True)
            raise
        offered = await self._offer_round(request_id, now)
        row = await requests_q.get(request_id)
        assert row is not None
        return Asked(request_id, RequestState(row.state), offered)

    async def _offer_round(self, request_id: uuid.UUID, now: datetime, count: int = OFFERS_PER_ROUND) -> int:
        """Offer the request to the next `count` best volunteers not asked yet. Nobody left and nobody still
        thinking about it: the request goes back to the coordinators' queue."""
        row = await requests_q.get(request_id)
        if row is None or row.state not in (RequestState.OPEN.value, RequestState.OFFERING.value):
            return 0
        request, people = await self._placement.ranking_inputs(row, when=None)
        async with write_transaction(self._engine):
            await serialise(self._engine, f"request:{request_id}")
            asked, last_round = await q.offered_volunteers(request_id)
            chosen = [r.candidate_id for r in rank(request, people).ranked if r.candidate_id not in asked]
            chosen = chosen[:count]
            current = await requests_q.get(request_id)
            state = RequestState(current.state if current else RequestState.CANCELLED.value)
            if not chosen:
                if await q.pending_count(request_id):
                    return 0  # others may still accept
                if state is RequestState.OFFERING:
                    await requests_q.move(
                        request_id, from_state=state.value, to_state=request_after(state, "offers_expired").value
                    )
                # Nobody (left) to ask: the request waits, open, in the coordinators' queue.
                await self._audit.record(None, "request.unmatched", "request", str(request_id))
                return 0
            made = await q.insert_offers(
                request_id, chosen, round_=last_round + 1, now=now, expires_at=now + OFFER_TIME
            )
            await self._notifications.offers_made(request_id, made, now + OFFER_TIME)
            if state is RequestState.OPEN:
                await requests_q.move(request_id, from_state=state.value, to_state=request_after(state, "offer").value)
            await self._audit.record(
                None,
                "request.offer",
                "request",
                str(request_id),
                detail={"round": last_round + 1, "offers": len(chosen)},
            )
        return len(chosen)

    async def my_offers(self, caller: Principal) -> list[OfferRow]:
        return await q.offers_of_volunteer(caller.person_id, pending_after=self._clock.now())

    async def _own(self, caller: Principal, offer_id: uuid.UUID) -> OfferRow:
        found = await q.offer(offer_id)
        if found is None or found.volunteer_id != caller.person_id:
            raise NotFound("No such offer.", code="offer_not_found")
        return found

    async def accept(self, caller: Principal, offer_id: uuid.UUID) -> OfferRow:
        found = await self._own(caller, offer_id)
        now = self._clock.now()
        if found.state == OfferState.PENDING.value and found.expires_at <= now:
            raise Conflict("This offer has expired.", code="offer_expired")
        if found.state == OfferState.WITHDRAWN.value:
            raise Conflict(TAKEN, code="offer_taken")
        offer_after(OfferState(found.state), "accept")
        async with write_transaction(self._engine):
            await serialise(self._engine, f"request:{found.request_id}")
            taken = not await requests_q.move(
                found.request_id, from_state=RequestState.OFFERING.value, to_state=RequestState.MATCHED.value, now=now
            )
            if taken or not await q.answer(offer_id, OfferState.ACCEPTED.value, now):
                raise Conflict(TAKEN, code="offer_taken")
            withdrawn = await q.withdraw_others(found.request_id, offer_id, now)
            await self._notifications.offers_closed([offer_id, *withdrawn], "the request was taken")
            await self._audit.record(
                caller, "offer.accept", "offer", str(offer_id), detail={"request": str(found.request_id)}
            )
        accepted = await q.offer(offer_id)
        assert accepted is not None
        return accepted

    async def decline(self, caller: Principal, offer_id: uuid.UUID) -> OfferRow:
        found = await self._own(caller, offer_id)
        offer_after(OfferState(found.state), "decline")
        now = self._clock.now()
        async with write_transaction(self._engine):
            if not await q.answer(offer_id, OfferState.DECLINED.value, now):
                raise Conflict("This offer is no longer open.", code="offer_closed")
            await self._notifications.offers_closed([offer_id], "the offer was declined")
            await self._audit.record(caller, "offer.decline", "offer", str(offer_id))
        await self._offer_round(found.request_id, now, count=1)  # keep the round full: ask the next one
        declined = await q.offer(offer_id)
        assert declined is not None
        return declined

    async def expire(self) -> tuple[int, int]:
        """Expire overdue offers and move their requests on. Returns (requests touched, new offers)."""
        now = self._clock.now()
        async with write_transaction(self._engine):
            touched = await q.expire_due(now)
            await self._notifications.offers_closed([o for ids in touched.values() for o in ids], "the offer expired")
            for request_id, offer_ids in touched.items():
                await self._audit.record(
                    None,
                    "offer.expire",
                    "request",
                    str(request_id),
                    detail={"offers": [str(o) for o in offer_ids]},
                )
        offered = 0
        for request_id in touched:
            if await q.pending_count(request_id) == 0:
                offered += await self._offer_round(request_id, now)
        return len(touched), offered

    async def schedule(self, caller: Principal, request_id: uuid.UUID, starts_at: datetime) -> SessionRow:
        """The volunteer who took a flexible request puts down the time they agreed with the resident."""
        mine = await q.accepted_offer_of(caller.person_id, request_id)
        request = await requests_q.get(request_id)
        if mine is None or request is None:
            raise NotFound("No such request among the ones you took.", code="request_not_found")
        when = self._placement.interval(starts_at, self._clock.now())
        await self._placement.check_open(request.modality, request.help_point_id, when)
        placed = await self._placement.place(caller, caller.person_id, when, request=request, event="schedule")
        if placed is None:
            raise Conflict(
                "You already have a session close to that time, or your weekly limit is full.", code="volunteer_busy"
            )
        return placed

    async def cancel_request(self, caller: Principal, request_id: uuid.UUID) -> HelpRequestRow:
        """The resident no longer needs help: the request is cancelled, with any offers and its session."""
        return await self._cancel_request(caller, caller.person_id, request_id)

    async def cancel_request_for(self, acting: ForResident, request_id: uuid.UUID) -> HelpRequestRow:
        """Cancel a resident's request on their word (erasing their data cancels what is still open)."""
        return await self._cancel_request(acting.actor, acting.resident_id, request_id)

    async def _cancel_request(self, caller: Principal, resident_id: uuid.UUID, request_id: uuid.UUID) -> HelpRequestRow:
        request = await requests_q.get(request_id)
        if request is None or request.resident_id != resident_id:
            raise NotFound("No such request.", code="request_not_found")
        state = RequestState(request.state)
        target = request_after(state, "cancel")
        now = self._clock.now()
        async with write_transaction(self._engine):
            await serialise(self._engine, f"request:{request_id}")
            if not await requests_q.move(request_id, from_state=state.value, to_state=target.value):
                raise Conflict("The request changed meanwhile. Reload and try again.", code="request_changed")
            withdrawn = await q.withdraw_others(request_id, None, now)
            await self._notifications.offers_closed(withdrawn, "the request was cancelled")
            session = await booking_q.active_session_of_request(request_id)
            if session is not None:
                session_after(SessionState(session.state), "cancel")
                if not await booking_q.set_session_state(
                    session.id, state=SessionState.CANCELLED.value, expected_version=session.version, now=now
                ):
                    raise Conflict("The session changed meanwhile. Reload and try again.", code="session_changed")
                await self._notifications.session_changed(session.id, SessionEvent.CANCELLED, caller)
            await self._audit.record(
                caller,
                "request.cancel",
                "request",
                str(request_id),
                subject_id=resident_id,
                detail={"session": str(session.id) if session else None},
            )
        cancelled = await requests_q.get(request_id)
        assert cancelled is not None
        return cancelled

    async def accepted(self, caller: Principal, page: PageRequest) -> Page[OfferRow]:
        return await q.accepted_offers(caller.person_id, page)

    async def my_requests(self, caller: Principal, page: PageRequest) -> Page[HelpRequestRow]:
        return await requests_q.of_resident(caller.person_id, page)
