"""Referral: a coordinator passes a waiting request to a partner organisation (with a note for them, never the
resident's credentials); the partner's queue gets it and the resident is told by SMS who will help. A partner's
own staff close a routed request they handled themselves (with the outcome), or pass it on to another partner.

Scope: the request must be one the coordinator oversees (the network coordinator: any); the target is any active
organisation other than the one that has it now. Every step is audited with the resident as the subject.
"""

from __future__ import annotations

import uuid

from server.adapters.clock import Clock
from server.db import booking as booking_q
from server.db import network as network_q
from server.db import offers as offers_q
from server.db import referrals as q
from server.db import requests as requests_q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.matching import Modality
from server.domain.referrals import HandledOutcome, checked_note
from server.domain.requests import HelpRequestRow, NewRequest
from server.domain.roles import Principal
from server.domain.states import RequestState, request_after
from server.services.audit import AuditService
from server.services.notifications import NotificationService


class ReferralService:
    def __init__(
        self, *, clock: Clock, engine: AnyEngine, audit: AuditService, notifications: NotificationService
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._notifications = notifications

    async def _visible(self, caller: Principal, request_id: uuid.UUID) -> HelpRequestRow:
        found = await requests_q.visible(request_id, caller.oversees)
        if found is None:
            raise NotFound("No such request.", code="request_not_found")
        return found

    async def refer(
        self, caller: Principal, request_id: uuid.UUID, organisation_id: uuid.UUID, note: str
    ) -> HelpRequestRow:
        """Into `organisation_id`'s queue, with `note` for them; the resident is told who will help."""
        request = await self._visible(caller, request_id)
        state = RequestState(request.state)
        target_state = request_after(state, "refer")
        note = checked_note(note)
        partner = await network_q.get_organisation(organisation_id)
        if partner is None or not partner.active:
            raise NotFound("No such organisation.", code="organisation_not_found")
        if request.routed_to == organisation_id and state is RequestState.ROUTED:
            raise InvalidInput("The request is already with this organisation.", code="already_there")
        if await booking_q.active_session_of_request(request.id) is not None:
            raise Conflict("This request already has a session.", code="request_has_session")
        now = self._clock.now()
        async with write_transaction(self._engine):
            if not await q.route_to(request.id, from_state=state.value, organisation_id=organisation_id):
                raise Conflict("The request changed meanwhile. Reload and try again.", code="request_changed")
            await offers_q.withdraw_others(request.id, None, now)
            await q.insert(
                request_id=request.id,
                from_organisation=request.routed_to,
                to_organisation=organisation_id,
                note=note,
                by=caller.person_id,
                at=now,
            )
            await self._audit.record(
                caller,
                "request.refer",
                "request",
                str(request.id),
                organisation_id=organisation_id,
                subject_id=request.resident_id,
                detail={"from": str(request.routed_to) if request.routed_to else None, "to": str(organisation_id)},
            )
            await self._notifications.request_referred(request.id, request.resident_id, partner.name)
        found = await requests_q.get(request.id)
        assert found is not None
        assert found.state == target_state.value
        return found

    async def refer_from_session(
        self, caller: Principal, session_id: uuid.UUID, organisation_id: uuid.UUID, note: str, *, consent: bool
    ) -> HelpRequestRow:
        """The volunteer on a session found that a partner is the right place for what the resident needs (the
        bank's own service, Kela): a new request of the resident's into that partner's queue, with the note for
        them; the resident, who agreed there and then, is told by SMS who will contact them. The session stays as
        it is (the volunteer records it as usual)."""
        session = await booking_q.session(session_id)
        if session is None or session.volunteer_id != caller.person_id:
            raise NotFound("No such session.", code="session_not_found")
        if session.state not in ("scheduled", "checked_in", "done"):
            raise Conflict("This session was cancelled or missed.", code="session_not_referable")
        if not consent:
            raise InvalidInput(
                "Ask the resident whether they agree that the partner contacts them, then tick consent.",
                code="consent_required",
            )
        note = checked_note(note)
        partner = await network_q.get_organisation(organisation_id)
        if partner is None or not partner.active:
            raise NotFound("No such organisation.", code="organisation_not_found")
        request = await requests_q.get(session.request_id)
        assert request is not None
        now = self._clock.now()
        new = NewRequest(
            resident_id=session.resident_id,
            topic=request.topic,
            language=request.language,
            modality=Modality.PHONE,
            help_point_id=None,
            needs=frozenset(),
            created_at=now,
            channel="referral",
            consent_at=now,
        )
        async with write_transaction(self._engine):
            request_id = await requests_q.insert(new, state=RequestState.ROUTED.value, routed_to=organisation_id)
            await q.insert(
                request_id=request_id,
                from_organisation=request.routed_to,
                to_organisation=organisation_id,
                note=note,
                by=caller.person_id,
                at=now,
            )
            await self._audit.record(
                caller,
                "request.refer",
                "request",
                str(request_id),
                organisation_id=organisation_id,
                subject_id=session.resident_id,
                detail={"session": str(session.id), "to": str(organisation_id), "by": "volunteer"},
            )
            await self._notifications.request_referred(request_id, session.resident_id, partner.name)
        found = await requests_q.get(request_id)
        assert found is not None
        return found

    async def handled(self, caller: Principal, request_id: uuid.UUID, outcome: HandledOutcome) -> HelpRequestRow:
        """A routed request the partner's own staff handled: it leaves their queue with the outcome."""
        request = await self._visible(caller, request_id)
        state = RequestState(request.state)
        request_after(state, "handle")
        if request.routed_to is None or not caller.coordinates(request.routed_to):
            raise NotFound("No such request.", code="request_not_found")
        async with write_transaction(self._engine):
            if not await q.close_handled(request.id, outcome.value):
                raise Conflict("The request changed meanwhile. Reload and try again.", code="request_changed")
            await self._audit.record(
                caller,
                "request.handled",
                "request",
                str(request.id),
                organisation_id=request.routed_to,
                subject_id=request.resident_id,
                detail={"outcome": outcome.value},
            )
        found = await requests_q.get(request.id)
        assert found is not None
        return found
