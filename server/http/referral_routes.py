"""Referral: a waiting request passed to a partner organisation, and a routed request the partner handled."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec
from litestar import Controller, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from server.domain.referrals import MAX_REFERRAL_NOTE, HandledOutcome
from server.domain.requests import HelpRequestRow
from server.http.schemas import MULTI_LINE, Input
from server.http.security import COORDINATORS, VOLUNTEERS, Me, Svc, caller, roles


class ReferIn(Input):
    organisation_id: uuid.UUID
    # For the partner: what the resident needs (never their passwords, PINs or codes: such a note is refused).
    note: Annotated[str, msgspec.Meta(max_length=MAX_REFERRAL_NOTE, pattern=MULTI_LINE)] = ""


class SessionReferIn(Input):
    organisation_id: uuid.UUID
    consent: Annotated[bool, msgspec.Meta(description="The resident agreed that the partner contacts them.")]
    # For the partner: what the resident needs (never their passwords, PINs or codes: such a note is refused).
    note: Annotated[str, msgspec.Meta(max_length=MAX_REFERRAL_NOTE, pattern=MULTI_LINE)] = ""


class ReferralHandledIn(Input):
    outcome: Literal["helped", "not_reached", "not_needed"]


class ReferredOut(msgspec.Struct, kw_only=True):
    request_id: uuid.UUID
    state: str
    routed_to_organisation_id: uuid.UUID | None

    @classmethod
    def of(cls, r: HelpRequestRow) -> ReferredOut:
        return cls(request_id=r.id, state=r.state, routed_to_organisation_id=r.routed_to)


class ReferralController(Controller):
    path = "/api/v1/requests/{request_id:uuid}"
    tags = ["coordination"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @post("/refer", opt=roles(*COORDINATORS), status_code=200, summary="Pass a waiting request to a partner")
    async def refer(
        self, request_id: FromPath[uuid.UUID], data: JSONBody[ReferIn], me: Me, services: Svc
    ) -> ReferredOut:
        """Into the partner's queue with the note for them; open offers are withdrawn; the resident is told by SMS
        who will help (a landline resident hears it from the coordinator on the phone)."""
        found = await services.referrals.refer(me, request_id, data.organisation_id, data.note)
        return ReferredOut.of(found)

    @post("/handled", opt=roles(*COORDINATORS), status_code=200, summary="A routed request our staff handled")
    async def handled(
        self, request_id: FromPath[uuid.UUID], data: JSONBody[ReferralHandledIn], me: Me, services: Svc
    ) -> ReferredOut:
        """Only the coordinators of the organisation it is routed to (or the network's); it leaves the queue."""
        return ReferredOut.of(await services.referrals.handled(me, request_id, HandledOutcome(data.outcome)))


class SessionReferralController(Controller):
    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["sessions"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @post(
        "/refer",
        opt=roles(*VOLUNTEERS),
        status_code=201,
        summary="On my session: pass what the resident needs to the partner whose job it is",
    )
    async def refer(
        self, session_id: FromPath[uuid.UUID], data: JSONBody[SessionReferIn], me: Me, services: Svc
    ) -> ReferredOut:
        """A new request in the partner's queue with the note for them (the resident agreed: `consent`); the
        resident is told by SMS who will contact them. The session itself stays as it is."""
        found = await services.referrals.refer_from_session(
            me, session_id, data.organisation_id, data.note, consent=data.consent
        )
        return ReferredOut.of(found)
