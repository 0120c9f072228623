"""Coordinators: the queues, manual assignment with the ranked candidates, and booking for a resident who
phoned."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from server.domain.errors import InvalidInput
from server.domain.matching import Modality, Need, Place
from server.domain.paging import DEFAULT_LIMIT
from server.domain.phone import is_mobile, parse_finnish
from server.domain.records import QueuedRequest
from server.http.booking_routes import BookingOut, IdempotencyKey, LanguageName, ModalityName, SessionOut
from server.http.offer_routes import AskedOut, HomeIn
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import AwareDateTime, Input, Language, LookupPurpose, Name, PhoneInput
from server.http.security import COORDINATORS, Me, Svc, caller, roles
from server.services.booking import Booked, BookingQuery
from server.services.coordination import Caller, CandidateView, Risk


class QueuedRequestOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    state: str
    topic: str
    language: str
    modality: str
    channel: str
    help_point_id: uuid.UUID | None
    routed_to_organisation_id: uuid.UUID | None
    resident_first_name: str
    created_at: datetime
    waiting_minutes: int
    pending_offers: int
    needs: list[str]  # hearing | sight | mobility | memory: what the helper should know
    referral_note: str | None = None  # the latest referral's note for the partner (None: never referred)

    @classmethod
    def of(cls, r: QueuedRequest, now: datetime) -> QueuedRequestOut:
        return cls(
            id=r.id,
            state=r.state,
            topic=r.topic,
            language=r.language,
            modality=r.modality,
            channel=r.channel,
            help_point_id=r.help_point_id,
            routed_to_organisation_id=r.routed_to,
            resident_first_name=r.resident_first_name,
            created_at=r.created_at,
            waiting_minutes=max(0, int((now - r.created_at).total_seconds() // 60)),
            pending_offers=r.pending_offers,
            needs=list(r.needs),
            referral_note=r.referral_note,
        )


class RiskOut(msgspec.Struct, kw_only=True):
    session_id: uuid.UUID
    starts_at: datetime
    state: str
    topic: str
    help_point_id: uuid.UUID | None
    volunteer_id: uuid.UUID | None
    volunteer_first_name: str | None
    reason: str
    text: str

    @classmethod
    def of(cls, r: Risk) -> RiskOut:
        s = r.session
        return cls(
            session_id=s.id,
            starts_at=s.starts_at,
            state=s.state,
            topic=s.topic,
            help_point_id=s.help_point_id,
            volunteer_id=s.volunteer_id,
            volunteer_first_name=s.volunteer_first_name,
            reason=r.reason,
            text=r.text,
        )


class ReasonOut(msgspec.Struct, kw_only=True):
    code: str  # skill | fairness | continuity | need_<need> | distance
    points: int
    text: str
    value: str = ""  # the figure in `text`: the skill level, sessions in four weeks, or km


class CandidateOut(msgspec.Struct, kw_only=True):
    volunteer_id: uuid.UUID
    first_name: str
    eligible: bool
    score: int | None
    reasons: list[ReasonOut]
    excluded_because: str | None = None
    excluded_code: str | None = None

    @classmethod
    def of(cls, c: CandidateView) -> CandidateOut:
        return cls(
            volunteer_id=c.volunteer_id,
            first_name=c.first_name,
            eligible=c.score is not None,
            score=c.score,
            reasons=[
                ReasonOut(code=code, points=points, text=text, value=value) for code, points, text, value in c.reasons
            ],
            excluded_because=c.excluded_text,
            excluded_code=c.excluded_code,
        )


class AssignIn(Input):
    volunteer_id: uuid.UUID
    starts_at: AwareDateTime


def reminded_by(phone: str) -> Literal["sms", "call"]:
    """How a resident with this (already accepted) number hears about their session."""
    return "sms" if is_mobile(parse_finnish(phone)) else "call"


class OnBehalfIn(Input):
    phone: PhoneInput
    first_name: Name
    consent: Annotated[
        bool, msgspec.Meta(description="The resident agreed on the phone to the booking and its SMS or calls.")
    ]
    topic: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    modality: ModalityName
    resident_language: Language = "fi"
    language: LanguageName = "fi"
    help_point_id: uuid.UUID | None = None
    home: HomeIn | None = None
    starts_at: AwareDateTime | None = None
    needs: Annotated[list[Literal["hearing", "sight", "mobility", "memory"]], msgspec.Meta(max_length=4)] = []


class CallerIn(Input):
    phone: PhoneInput
    purpose: LookupPurpose = "helpline call"


class MoveForResidentIn(Input):
    starts_at: AwareDateTime


class CoordinationController(Controller):
    path = "/api/v1"
    tags = ["coordination"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get(
        "/queues/unmatched",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Requests nobody has yet, longest waiting first",
    )
    async def unmatched(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[QueuedRequestOut]]:
        now = services.clock.now()
        found = await services.coordination.unmatched(me, page_request(limit, cursor))
        return paged(request, found.map(lambda r: QueuedRequestOut.of(r, now)))

    @get(
        "/queues/routed",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Requests routed to my organisation, longest waiting first",
    )
    async def routed(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[QueuedRequestOut]]:
        now = services.clock.now()
        found = await services.coordination.routed(me, page_request(limit, cursor))
        return paged(request, found.map(lambda r: QueuedRequestOut.of(r, now)))

    @get(
        "/queues/at-risk",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Sessions at risk, with the reason: coming ones, then past ones not recorded",
    )
    async def at_risk(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[RiskOut]]:
        found = await services.coordination.at_risk(me, page_request(limit, cursor))
        return paged(request, found.map(RiskOut.of))

    @get(
        "/requests/{request_id:uuid}/candidates",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="Volunteers ranked for a request, with the reasons of each score",
    )
    async def candidates(
        self,
        request: AnyRequest,
        request_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        starts_at: FromQuery[datetime | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[CandidateOut]]:
        """The eligible volunteers, best first, then those who cannot take it, with why. With `starts_at` (with
        its offset), only volunteers free then are eligible; without it, availability is not checked."""
        if starts_at is not None and starts_at.tzinfo is None:
            raise InvalidInput(
                "starts_at needs its offset, e.g. 2026-11-30T09:00:00+02:00.", code="time_without_offset"
            )
        found = await services.coordination.candidates(me, request_id, starts_at, page_request(limit, cursor))
        return paged(request, found.map(CandidateOut.of))

    @post(
        "/requests/{request_id:uuid}/assign",
        opt=roles(*COORDINATORS),
        status_code=201,
        summary="Give a waiting request to a volunteer at a time",
    )
    async def assign(
        self, request_id: FromPath[uuid.UUID], data: JSONBody[AssignIn], me: Me, services: Svc
    ) -> SessionOut:
        placed = await services.coordination.assign(me, request_id, data.volunteer_id, data.starts_at)
        return SessionOut.of(placed, me)

    @post(
        "/residents/sessions",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="A caller's coming sessions, by their number",
    )
    async def caller_sessions(self, data: JSONBody[CallerIn], me: Me, services: Svc) -> list[SessionOut]:
        """For the helpline: the number goes in the body, not the URL; audited like a lookup. Only the sessions
        the coordinator oversees (at their help points or with their volunteers)."""
        found = await services.coordination.caller_sessions(me, phone=data.phone, purpose=data.purpose)
        return [SessionOut.of(s, me) for s in found]

    @post(
        "/sessions/{session_id:uuid}/cancel-for-resident",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="Cancel a session the resident asked to cancel",
    )
    async def cancel_for_resident(self, session_id: FromPath[uuid.UUID], me: Me, services: Svc) -> SessionOut:
        """The resident is told as when they cancel themselves (an SMS, or a call to a landline)."""
        return SessionOut.of(await services.coordination.cancel_for_resident(me, session_id), me)

    @post(
        "/sessions/{session_id:uuid}/another-volunteer",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="Keep the time, give the session to another volunteer",
    )
    async def another_volunteer(self, session_id: FromPath[uuid.UUID], me: Me, services: Svc) -> SessionOut:
        """The best other volunteer free at that time (for a session whose volunteer was deactivated or left). The
        resident is not told (the time stands); the new volunteer is, and the reminders are planned again."""
        return SessionOut.of(await services.coordination.another_volunteer(me, session_id), me)

    @post(
        "/sessions/{session_id:uuid}/move-for-resident",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="Move a session the resident asked to move",
    )
    async def move_for_resident(
        self, session_id: FromPath[uuid.UUID], data: JSONBody[MoveForResidentIn], me: Me, services: Svc
    ) -> SessionOut:
        """To another free time: the same volunteer if they are free then, else the best one; they are told."""
        moved = await services.coordination.move_for_resident(me, session_id, data.starts_at)
        return SessionOut.of(moved, me)

    @post(
        "/bookings/on-behalf",
        opt=roles(*COORDINATORS),
        status_code=201,
        summary="Book for a resident who phoned (no account needed)",
    )
    async def on_behalf(
        self, data: JSONBody[OnBehalfIn], me: Me, services: Svc, idempotency_key: IdempotencyKey = None
    ) -> Response[BookingOut | AskedOut]:
        """With `starts_at`: the best free volunteer at once. Without: the volunteers are asked, as with a
        resident's own request. `consent` must be true: the resident agreed to the booking and to its messages.
        A landline is accepted: its confirmation is the coordinator's word, its reminders calls (`reminded_by`)."""
        who = Caller(
            phone=data.phone, first_name=data.first_name, language=data.resident_language, consent=data.consent
        )
        home = Place(data.home.latitude, data.home.longitude) if data.home else None
        address = data.home.address if data.home else ""
        query = BookingQuery(data.topic, data.language, Modality(data.modality), data.help_point_id, home, address)
        result = await services.coordination.book_on_behalf(
            me,
            who,
            query,
            starts_at=data.starts_at,
            needs=frozenset(Need(n) for n in data.needs),
            idempotency_key=idempotency_key,
        )
        if isinstance(result, Booked):
            headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
            out = BookingOut.of(result, me)
            out.reminded_by = reminded_by(data.phone)
            return Response(out, status_code=201, headers=headers)
        body = AskedOut(
            request_id=result.request_id,
            state=result.state.value,
            volunteers_asked=result.offers,
            reminded_by=reminded_by(data.phone),
        )
        return Response(body, status_code=201)
